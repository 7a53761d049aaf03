//! The `mail:` section of launchgate.yml.
//!
//! Unknown keys and wrong types are errors with file, line and column (serde with the core
//! reader); what serde cannot see (an inbox without credentials, a saved message that does
//! not exist) points at the key in the file the same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use launchgate_core::config::ConfigFile;
use launchgate_core::yaml_nodes::YamlNodes;
use launchgate_core::{ByteSize, Error, TimeSpan};
use serde::Deserialize;

use crate::{Kind, VerifyOptions};

/// The `mail:` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The domain every From address must be at.
    pub sending_domain: Option<String>,
    /// Name servers instead of the system resolver (`udp://127.0.0.1:5353`, `9.9.9.9`).
    #[serde(default)]
    pub resolver: Vec<String>,
    /// How long one DNS query may take.
    pub timeout: Option<TimeSpan>,
    /// How long authenticating one message may take in all.
    pub deadline: Option<TimeSpan>,
    /// Messages larger than this are reported (default 102 kB, where Gmail clips).
    pub max_size: Option<ByteSize>,
    /// Link hosts allowed besides the sending domain.
    #[serde(default)]
    pub link_domains: Vec<String>,
    /// Message-ID domains allowed besides the sending domain.
    #[serde(default)]
    pub message_id_domains: Vec<String>,
    /// Seed mailboxes the round trip reads.
    #[serde(default)]
    pub inboxes: Vec<Inbox>,
    /// The messages the product sends.
    #[serde(default)]
    pub messages: Vec<MessageSpec>,
    #[serde(default)]
    pub roundtrip: Roundtrip,
    /// Where the round trip submits its test messages, for messages without a trigger.
    pub smtp: Option<Smtp>,
    /// A PEM file of CA certificates the round trip's IMAP and SMTP connections trust
    /// instead of the Mozilla roots; relative to the configuration file's folder.
    pub ca: Option<PathBuf>,
}

/// An SMTP submission server (the app's own settings).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    /// `host:port`.
    pub server: String,
    #[serde(default)]
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender address of test messages.
    pub from: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// STARTTLS on a submission port (587).
    #[default]
    Starttls,
    /// TLS from the first byte (465).
    Tls,
    /// No TLS: only for a server on this machine.
    None,
}

/// A seed mailbox, read over IMAP. Credentials are `${VARIABLE}` references, resolved from
/// the environment when the round trip runs and never printed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inbox {
    pub name: String,
    /// `host:port` of the IMAP server (TLS).
    pub imap: String,
    pub user: String,
    pub password: Option<String>,
    /// An OAuth2 access token, for XOAUTH2.
    pub oauth_token: Option<String>,
}

/// One message the product sends (password reset, invite, welcome, receipt…).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSpec {
    pub name: String,
    #[serde(default)]
    pub kind: Kind,
    /// A saved copy (.eml, as a seed mailbox received it) that `launchgate check` verifies;
    /// relative to the configuration file.
    pub saved: Option<PathBuf>,
    /// The request that makes the product send it.
    pub trigger: Option<Trigger>,
    /// How the round trip recognises it in the inbox.
    #[serde(rename = "match")]
    pub matcher: Option<Match>,
    /// How long it may take to arrive (default 5m).
    pub within: Option<TimeSpan>,
    /// The seed inbox it is sent to and looked for in (default: the first of `inboxes`).
    pub inbox: Option<String>,
}

/// An HTTP request that makes the product send a message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub post: Option<String>,
    pub get: Option<String>,
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// What identifies the message in the inbox.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    pub subject: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The round trip sends real mail and may wait minutes, so it is opt-in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roundtrip {
    #[serde(default)]
    pub enabled: bool,
    /// How often the inboxes are polled (default 10s).
    pub poll: Option<TimeSpan>,
    /// What happens to a message once found.
    #[serde(default)]
    pub after: After,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum After {
    #[default]
    Keep,
    Archive,
    Delete,
}

impl MailConfig {
    /// The verify options this section sets.
    pub fn verify_options(&self) -> VerifyOptions {
        let defaults = VerifyOptions::default();
        VerifyOptions {
            sending_domain: self
                .sending_domain
                .as_ref()
                .map(|d| d.trim_end_matches('.').to_ascii_lowercase()),
            nameservers: self.resolver.clone(),
            timeout: self.timeout.map_or(defaults.timeout, |t| t.0),
            deadline: self.deadline.map_or(defaults.deadline, |t| t.0),
            size_limit: self.max_size.map_or(defaults.size_limit, |s| s.bytes()),
            link_domains: self.link_domains.clone(),
            message_id_domains: self.message_id_domains.clone(),
            ..defaults
        }
    }
}

/// Reads and checks the `mail:` section; `Ok(None)` without one. Saved message paths are
/// made relative to the configuration file's folder.
pub fn load(config: &ConfigFile) -> Result<Option<MailConfig>, Error> {
    let Some(mut mail) = config.section::<MailConfig>("mail")? else {
        return Ok(None);
    };
    let folder = config.path.parent().unwrap_or(Path::new(""));
    for message in &mut mail.messages {
        if let Some(saved) = &message.saved
            && saved.is_relative()
        {
            message.saved = Some(normalize(&folder.join(saved)));
        }
    }
    if let Some(ca) = &mail.ca
        && ca.is_relative()
    {
        mail.ca = Some(normalize(&folder.join(ca)));
    }
    validate(&mail, config)?;
    Ok(Some(mail))
}

/// `a/b/../c` as `a/c`, without asking the file system: a saved copy outside the
/// configuration's folder is shown by its plain path.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn validate(mail: &MailConfig, config: &ConfigFile) -> Result<(), Error> {
    // The file is read for positions only when there is an error to place.
    let at = |(key, value): (&str, &str), message: String, label: &str| {
        let nodes = YamlNodes::of(&config.source, "mail");
        let range = nodes.find_value(key, value);
        nodes
            .error_in(&config.display_name(), range, message.clone(), label)
            .unwrap_or_else(|| Error::input(format!("{}: {message}", config.display_name())))
    };
    if let Some(domain) = &mail.sending_domain
        && (!domain.contains('.') || domain.contains(['@', '/', ':', ' ']))
    {
        return Err(at(
            ("sending_domain", domain),
            format!("mail.sending_domain `{domain}` is not a domain name"),
            "not a domain",
        )
        .with_help("write the domain of the From addresses, e.g. `sending_domain: example.com`"));
    }
    for inbox in &mail.inboxes {
        if inbox.password.is_some() == inbox.oauth_token.is_some() {
            return Err(at(
                ("name", &inbox.name),
                format!("mail.inboxes `{}` needs exactly one of password and oauth_token", inbox.name),
                "this inbox",
            )
            .with_help("write `password: \"${SEED_APP_PASSWORD}\"` (an app password) or `oauth_token: \"${SEED_TOKEN}\"` (XOAUTH2)"));
        }
        if let Some(plain) = inbox.imap.strip_prefix("imap://")
            && !is_loopback(plain)
        {
            return Err(at(
                ("imap", &inbox.imap),
                format!(
                    "mail.inboxes `{}`: `{}` would send the inbox's credential in clear over the network",
                    inbox.name, inbox.imap
                ),
                "plain IMAP",
            )
            .with_help("write `imap: \"host:993\"` (TLS); `imap://` is for a server on this machine only"));
        }
        if !inbox.imap.contains(':') {
            return Err(at(
                ("imap", &inbox.imap),
                format!("mail.inboxes `{}`: imap `{}` has no port", inbox.name, inbox.imap),
                "host:port",
            )
            .with_help("write host and port, e.g. `imap: \"imap.gmail.com:993\"`"));
        }
    }
    if let Some(smtp) = &mail.smtp
        && smtp.tls == SmtpTls::None
        && !is_loopback(&smtp.server)
    {
        return Err(at(
            ("server", &smtp.server),
            format!(
                "mail.smtp: `tls: none` would send the test message and the credentials in clear to {}",
                smtp.server
            ),
            "no TLS",
        )
        .with_help("use `tls: starttls` (port 587) or `tls: tls` (port 465); `none` is for a server on this machine only"));
    }
    if mail.roundtrip.poll.is_some_and(|p| p.0.is_zero()) {
        return Err(at(
            ("poll", ""),
            "mail.roundtrip.poll is zero: the inboxes would be asked again without a pause".into(),
            "no pause",
        )
        .with_help("write a pause between polls, e.g. `poll: 10s`"));
    }
    if let Some(smtp) = &mail.smtp
        && smtp.user.is_some() != smtp.password.is_some()
    {
        return Err(at(
            ("server", &smtp.server),
            "mail.smtp needs both user and password, or neither (a server that takes mail without logging in)".into(),
            "mail.smtp",
        )
        .with_help("write `user: \"${SMTP_USER}\", password: \"${SMTP_PASSWORD}\"` with the app's submission credentials"));
    }
    for message in &mail.messages {
        if let Some(name) = &message.inbox
            && !mail.inboxes.iter().any(|i| &i.name == name)
        {
            return Err(at(
                ("inbox", name),
                format!(
                    "mail.messages `{}` names inbox `{name}`, which mail.inboxes does not list",
                    message.name
                ),
                "unknown inbox",
            )
            .with_help("name one of the inboxes under mail.inboxes"));
        }
        if let Some(trigger) = &message.trigger
            && trigger.post.is_some() == trigger.get.is_some()
        {
            return Err(at(
                ("name", &message.name),
                format!("mail.messages `{}`: the trigger needs exactly one of post and get", message.name),
                "this message",
            )
            .with_help("write `trigger: { post: \"https://app.example.com/api/password-reset\", json: { email: \"…\" } }`"));
        }
        // IMAP SEARCH cannot carry a line break; caught here rather than as a message that
        // never arrives.
        if let Some(matcher) = &message.matcher
            && [&matcher.subject, &matcher.from, &matcher.to]
                .into_iter()
                .flatten()
                .any(|v| v.contains(['\r', '\n']))
        {
            return Err(at(
                ("name", &message.name),
                format!(
                    "mail.messages `{}`: match holds a line break, which IMAP cannot search for",
                    message.name
                ),
                "this message",
            )
            .with_help(
                "match on one line of the subject, e.g. `match: { subject: \"Reset your password\" }`",
            ));
        }
    }
    Ok(())
}

/// Whether `host:port` (or a bare host) names this machine.
fn is_loopback(addr: &str) -> bool {
    let host = match addr.rsplit_once(':') {
        // `::1` without brackets has colons of its own.
        Some((host, port)) if !host.is_empty() && !host.ends_with(':') && port.parse::<u16>().is_ok() => host,
        _ => addr,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(source: &str) -> Error {
        let config = ConfigFile {
            path: PathBuf::from("launchgate.yml"),
            source: source.to_string(),
        };
        load(&config).expect_err("the configuration is refused")
    }

    /// Errors found after parsing point at the value the parser read, not at the first text
    /// that looks like it (a comment, another section, the inbox's own name).
    #[test]
    fn errors_point_at_the_value_the_parser_read() {
        let source = "mail:\n  # inbox: seed-2 was retired\n  inboxes:\n    - { name: seed, imap: \"imap.example.com:993\", user: u, password: p }\n  messages:\n    - { name: reset, kind: transactional, inbox: seed-2, saved: r.eml }\n";
        let e = error_of(source);
        assert!(e.message().contains("names inbox `seed-2`"), "{}", e.message());
        assert_eq!(e.position(), Some((6, 50)), "{}", e.render(false));

        let source = "mail:\n  # moved off imap.example.com last week\n  inboxes:\n    - name: seed\n      imap: imap.example.com\n      user: u\n      password: p\n";
        let e = error_of(source);
        assert!(e.message().contains("has no port"), "{}", e.message());
        assert_eq!(e.position(), Some((5, 13)), "{}", e.render(false));
    }

    #[test]
    fn loopback_addresses() {
        for addr in ["127.0.0.1:1143", "localhost:25", "[::1]:587", "::1", "127.0.0.2"] {
            assert!(is_loopback(addr), "{addr}");
        }
        for addr in [
            "imap.gmail.com:993",
            "10.0.0.5:25",
            "[2001:db8::1]:587",
            "localhost.example:25",
        ] {
            assert!(!is_loopback(addr), "{addr}");
        }
    }

    #[test]
    fn saved_paths_lose_their_dot_dots() {
        assert_eq!(
            normalize(Path::new("/r/examples/app/../../target/x.eml")),
            Path::new("/r/target/x.eml")
        );
        assert_eq!(
            normalize(Path::new("../mail/./x.eml")),
            Path::new("../mail/x.eml")
        );
    }
}
