//! The `dns:` section of launchgate.yml, and the host names the smoke gate's `site:` lists.

use std::fmt;
use std::time::Duration;

use launchgate_core::Error;
use launchgate_core::TimeSpan;
use launchgate_core::config::ConfigFile;
use serde::Deserialize;

mod email_policy;

pub use email_policy::{
    AllPolicy, DkimConfig, DmarcConfig, DmarcPolicy, EmailConfig, Requirement, SpfConfig,
};

/// The `dns:` section.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// The registered domains to check, such as `example.com`: one name or a list. Each
    /// is checked with the same expectations; record names are relative to each.
    pub domain: Domains,
    /// Records that must answer with the listed values.
    #[serde(default)]
    pub records: Vec<RecordSpec>,
    /// Email authentication: SPF, DMARC, DKIM, MTA-STS, TLS-RPT. Absent means not checked.
    #[serde(default)]
    pub email: Option<EmailConfig>,
    /// Certificate authorities allowed to issue for the domain.
    #[serde(default)]
    pub caa: Option<CaaConfig>,
    /// The SMTP probe of each MX host (STARTTLS and its certificate). Off unless enabled.
    #[serde(default)]
    pub smtp: SmtpConfig,
    /// `system`, or the name servers to ask (`udp://127.0.0.1:5353`, `tcp://…`, `9.9.9.9`).
    #[serde(default)]
    pub resolver: ResolverSpec,
    /// How long to wait for one answer: `timeout: 3s` (default 3s).
    #[serde(default)]
    pub timeout: Option<TimeSpan>,
    /// The older spelling of `timeout`, in milliseconds: `timeout_ms: 3000`.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// How many times to send a query before calling it a timeout.
    #[serde(default = "default_attempts")]
    pub attempts: usize,
}

impl Default for DnsConfig {
    /// No domain yet, nothing to check but what is added, the system resolver.
    fn default() -> Self {
        DnsConfig {
            domain: Domains::default(),
            records: Vec::new(),
            email: None,
            caa: None,
            smtp: SmtpConfig::default(),
            resolver: ResolverSpec::System,
            timeout: None,
            timeout_ms: None,
            attempts: default_attempts(),
        }
    }
}

/// How long to wait for one DNS answer when nothing says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long each wait of the SMTP probe may take when nothing says otherwise.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(5);

impl DnsConfig {
    /// How long to wait for one DNS answer.
    pub fn query_timeout(&self) -> Duration {
        either_timeout(self.timeout, self.timeout_ms).unwrap_or(DEFAULT_TIMEOUT)
    }
}

impl SmtpConfig {
    /// How long each wait of the probe may take.
    pub fn wait_timeout(&self) -> Duration {
        either_timeout(self.timeout, self.timeout_ms).unwrap_or(DEFAULT_SMTP_TIMEOUT)
    }
}

fn either_timeout(timeout: Option<TimeSpan>, timeout_ms: Option<u64>) -> Option<Duration> {
    timeout.map(|t| t.0).or(timeout_ms.map(Duration::from_millis))
}

/// `timeout` or `timeout_ms` (not both) within 1 ms to [`MAX_TIMEOUT_MS`], so a dead
/// server costs a bounded time; the error names the setting as written, without prefix.
pub fn check_timeout(timeout: Option<TimeSpan>, timeout_ms: Option<u64>) -> Result<(), String> {
    match (timeout, timeout_ms) {
        (Some(_), Some(_)) => {
            Err("timeout and timeout_ms say the same thing: keep timeout, as in `5s`".into())
        }
        (Some(t), None) if !(1..=MAX_TIMEOUT_MS).contains(&t.as_millis()) => Err(format!(
            "timeout must be 1ms to {} (got {t})",
            TimeSpan::from_millis(MAX_TIMEOUT_MS)
        )),
        (None, Some(ms)) if !(1..=MAX_TIMEOUT_MS).contains(&ms) => {
            Err(format!("timeout_ms must be 1 to {MAX_TIMEOUT_MS} (got {ms})"))
        }
        _ => Ok(()),
    }
}

pub(crate) fn default_attempts() -> usize {
    2
}

/// `domain:` in launchgate.yml: one domain name, or a list of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Domains(pub Vec<String>);

impl Domains {
    /// The names as written, in order.
    pub fn names(&self) -> &[String] {
        &self.0
    }
}

impl From<&str> for Domains {
    fn from(name: &str) -> Self {
        Domains(vec![name.to_string()])
    }
}

impl From<Vec<String>> for Domains {
    fn from(names: Vec<String>) -> Self {
        Domains(names)
    }
}

impl<'de> Deserialize<'de> for Domains {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, so a wrong value is reported where it is.
        struct DomainsVisitor;

        impl<'de> serde::de::Visitor<'de> for DomainsVisitor {
            type Value = Domains;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a domain name such as `example.com`, or a list of them")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Domains, E> {
                Ok(Domains::from(value))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Domains, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(Domains(names))
            }
        }

        deserializer.deserialize_any(DomainsVisitor)
    }
}

/// The most domains one run checks.
pub const MAX_DOMAINS: usize = 100;

/// One expected record set.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// Relative to the domain (`@` for the apex, `www`), or a full name ending in `.`.
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: RecordKind,
    /// The record set must be exactly these values.
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// The record set must include these values (others may exist).
    #[serde(default)]
    pub contains: Option<Vec<String>>,
}

/// The record types an expectation can name.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordKind {
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Ns,
    Caa,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::A => "A",
            RecordKind::Aaaa => "AAAA",
            RecordKind::Cname => "CNAME",
            RecordKind::Mx => "MX",
            RecordKind::Txt => "TXT",
            RecordKind::Ns => "NS",
            RecordKind::Caa => "CAA",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `caa:` block.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CaaConfig {
    /// CA domains that must be allowed to issue, such as `letsencrypt.org`.
    #[serde(default)]
    pub issuers: Vec<String>,
}

/// The `smtp:` block: whether and how each MX host is asked for STARTTLS.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Connect to every MX address. Off by default: many CI networks block port 25.
    #[serde(default)]
    pub probe: bool,
    /// The SMTP port.
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// A PEM file of CA certificates trusted instead of the Mozilla roots; relative to
    /// the configuration file's folder.
    #[serde(default)]
    pub ca: Option<std::path::PathBuf>,
    /// How long each wait (connect, each command and reply, the TLS handshake) may take:
    /// `timeout: 5s` (default 5s).
    #[serde(default)]
    pub timeout: Option<TimeSpan>,
    /// The older spelling of `timeout`, in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// The name the probe gives in EHLO.
    #[serde(default = "default_ehlo")]
    pub ehlo: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            probe: false,
            port: default_smtp_port(),
            ca: None,
            timeout: None,
            timeout_ms: None,
            ehlo: default_ehlo(),
        }
    }
}

fn default_smtp_port() -> u16 {
    25
}

fn default_ehlo() -> String {
    "launchgate.localhost".to_string()
}

/// Which name servers answer the gate's queries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ResolverSpec {
    /// The machine's resolver configuration (`/etc/resolv.conf`).
    #[default]
    System,
    /// These name servers, in order.
    Servers(Vec<String>),
}

impl<'de> Deserialize<'de> for ResolverSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, so a wrong value is reported where it is.
        struct SpecVisitor;

        impl<'de> serde::de::Visitor<'de> for SpecVisitor {
            type Value = ResolverSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`system` or a list of name servers such as [udp://127.0.0.1:5353]")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<ResolverSpec, E> {
                Ok(if value == "system" {
                    ResolverSpec::System
                } else {
                    ResolverSpec::Servers(vec![value.to_string()])
                })
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ResolverSpec, A::Error> {
                let mut servers = Vec::new();
                while let Some(server) = seq.next_element::<String>()? {
                    servers.push(server);
                }
                Ok(ResolverSpec::Servers(servers))
            }
        }

        deserializer.deserialize_any(SpecVisitor)
    }
}

/// The parts of the smoke gate's section this gate reads; anything else there is ignored.
#[derive(Debug, Default, Deserialize)]
struct SmokeSection {
    #[serde(default)]
    site: Option<SiteSection>,
}

#[derive(Debug, Default, Deserialize)]
struct SiteSection {
    #[serde(default)]
    canonical: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

/// Host names from `smoke.site.canonical` and `smoke.site.aliases`. A smoke section this
/// gate cannot read yields nothing: the smoke gate reports its own configuration errors.
pub fn site_hosts(config: &ConfigFile) -> Vec<String> {
    let Ok(Some(smoke)) = config.section::<SmokeSection>("smoke") else {
        return Vec::new();
    };
    let Some(site) = smoke.site else {
        return Vec::new();
    };
    let mut hosts = Vec::new();
    for url in site.canonical.iter().chain(site.aliases.iter()) {
        if let Some(host) = host_of(url).filter(|h| !hosts.contains(h)) {
            hosts.push(host);
        }
    }
    hosts
}

/// `https://www.example.com:8443/path` → `www.example.com`; a bare host passes through;
/// an IP address is no host name (`None`). International names come back in their ASCII
/// (punycode) form, the one DNS is asked.
pub fn host_of(url: &str) -> Option<String> {
    let parsed = match url.contains("://") {
        true => reqwest::Url::parse(url),
        false => reqwest::Url::parse(&format!("http://{url}")),
    };
    let host = parsed.ok()?.domain()?.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Reads the `dns:` section; `Ok(None)` when it is absent.
pub fn load(config: &ConfigFile) -> Result<Option<DnsConfig>, Error> {
    let Some(mut dns) = config.section::<DnsConfig>("dns")? else {
        return Ok(None);
    };
    // A relative CA file is found beside the configuration file, wherever the gate runs.
    if let Some(ca) = &dns.smtp.ca
        && ca.is_relative()
        && let Some(folder) = config.path.parent()
    {
        dns.smtp.ca = Some(folder.join(ca));
    }
    validate(&dns, &config.display_name())?;
    record_values(&dns, config)?;
    Ok(Some(dns))
}

/// Checks each expected record value, pointing at it in the file when it is wrong.
fn record_values(dns: &DnsConfig, config: &ConfigFile) -> Result<(), Error> {
    let source = &config.source;
    // Values are searched after the `dns:` key so that an equal text elsewhere is not hit.
    let section_start = source
        .find("\ndns:")
        .map(|i| i + 1)
        .or_else(|| source.starts_with("dns:").then_some(0))
        .unwrap_or(0);
    for spec in &dns.records {
        for value in spec.values.iter().chain(spec.contains.iter()).flatten() {
            if let Err(why) = crate::records::normalize_expected(spec.record_type, value) {
                let message = format!("dns.records `{} {}`: {why}", spec.name, spec.record_type);
                let help = "write values as your DNS provider shows them: `76.76.21.21`, `10 mx1.provider.net.`, `cname.vercel-dns.com.`";
                return Err(match source[section_start..].find(value.as_str()) {
                    Some(at) if !value.is_empty() => Error::at_source(
                        message,
                        config.display_name(),
                        source,
                        section_start + at,
                        value.len(),
                        "invalid value",
                    ),
                    _ => Error::input(format!("{}: {message}", config.display_name())),
                }
                .with_help(help));
            }
        }
    }
    Ok(())
}

/// Checks what serde cannot: a domain that looks like one, and `values` or `contains` on
/// every record.
pub fn validate(dns: &DnsConfig, file_name: &str) -> Result<(), Error> {
    let names = dns.domain.names();
    if names.is_empty() {
        return Err(Error::input(format!("{file_name}: dns.domain is an empty list"))
            .with_help("name at least one domain, e.g. `domain: example.com` or `domain: [example.com, example.org]`"));
    }
    if names.len() > MAX_DOMAINS {
        return Err(Error::input(format!(
            "{file_name}: dns.domain lists {} domains; one run checks at most {MAX_DOMAINS}",
            names.len()
        ))
        .with_help("split the domains over several configuration files or runs"));
    }
    for name in names {
        let domain = name.trim().trim_end_matches('.');
        if domain.is_empty() || !domain.contains('.') || domain.contains(['/', ':', ' ']) {
            return Err(
                Error::input(format!("{file_name}: dns.domain `{name}` is not a domain name")).with_help(
                    "write the registered domain without scheme or path, e.g. `domain: example.com`",
                ),
            );
        }
    }
    for (i, record) in dns.records.iter().enumerate() {
        let n = i + 1;
        match (&record.values, &record.contains) {
            (None, None) => {
                return Err(Error::input(format!(
                    "{file_name}: dns.records entry {n} (`{} {}`) has neither `values` nor `contains`",
                    record.name, record.record_type
                ))
                .with_help("add `values: [...]` for an exact match or `contains: [...]` for a subset"));
            }
            (Some(_), Some(_)) => {
                return Err(Error::input(format!(
                    "{file_name}: dns.records entry {n} (`{} {}`) has both `values` and `contains`",
                    record.name, record.record_type
                ))
                .with_help("keep one: `values` for an exact match, `contains` for a subset"));
            }
            _ => {}
        }
    }
    check_timeout(dns.smtp.timeout, dns.smtp.timeout_ms).map_err(|why| {
        Error::input(format!("{file_name}: dns.smtp.{why}"))
            .with_help("for example `smtp: { probe: true, timeout: 5s }`")
    })?;
    if dns.smtp.port == 0 {
        return Err(
            Error::input(format!("{file_name}: dns.smtp.port must be 1 to 65535 (got 0)"))
                .with_help("SMTP servers listen on port 25"),
        );
    }
    let ehlo = &dns.smtp.ehlo;
    if ehlo.is_empty() || ehlo.len() > 255 || !ehlo.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::input(format!(
            "{file_name}: dns.smtp.ehlo `{}` is not a host name",
            ehlo.escape_debug()
        ))
        .with_help("write a host name such as `ci.example.com`, without spaces"));
    }
    check_timeout(dns.timeout, dns.timeout_ms)
        .and_then(|()| check_attempts(dns.attempts))
        .map_err(|why| {
            Error::input(format!("{file_name}: dns.{why}"))
                .with_help("for example `timeout: 3s` and `attempts: 2`")
        })?;
    Ok(())
}

/// The longest wait for one DNS answer, in milliseconds.
pub const MAX_TIMEOUT_MS: u64 = 60_000;
/// The most sends of one query.
pub const MAX_ATTEMPTS: usize = 10;

/// `attempts` within 1..=[`MAX_ATTEMPTS`], so a dead name server costs a bounded time.
pub fn check_attempts(attempts: usize) -> Result<(), String> {
    if !(1..=MAX_ATTEMPTS).contains(&attempts) {
        return Err(format!("attempts must be 1 to {MAX_ATTEMPTS} (got {attempts})"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(yaml: &str) -> Result<Option<DnsConfig>, Error> {
        load(&ConfigFile {
            path: "launchgate.yml".into(),
            source: yaml.to_string(),
        })
    }

    /// Timeouts read as in every other section (`timeout: 1500ms`); `timeout_ms` still works.
    #[test]
    fn timeouts_are_durations_with_the_millisecond_spelling_kept() {
        let one = |yaml: &str| dns(yaml).map(|d| d.unwrap());
        let spelled = one("dns:\n  domain: a.com\n  timeout: 1500ms\n  smtp: { timeout: 2s }\n").unwrap();
        assert_eq!(spelled.query_timeout(), Duration::from_millis(1500));
        assert_eq!(spelled.smtp.wait_timeout(), Duration::from_secs(2));
        let old = one("dns:\n  domain: a.com\n  timeout_ms: 1500\n  smtp: { timeout_ms: 2000 }\n").unwrap();
        assert_eq!(old.query_timeout(), Duration::from_millis(1500));
        assert_eq!(old.smtp.wait_timeout(), Duration::from_secs(2));
        let default = one("dns:\n  domain: a.com\n").unwrap();
        assert_eq!(default.query_timeout(), DEFAULT_TIMEOUT);
        assert_eq!(default.smtp.wait_timeout(), DEFAULT_SMTP_TIMEOUT);
        let long = one("dns:\n  domain: a.com\n  timeout: 2m\n").unwrap_err();
        assert!(
            long.message().contains("dns.timeout must be 1ms to 1m (got 2m)"),
            "{}",
            long.message()
        );
        let both = one("dns:\n  domain: a.com\n  timeout: 1s\n  timeout_ms: 1000\n").unwrap_err();
        assert!(both.message().contains("keep timeout"), "{}", both.message());
        let bare = one("dns:\n  domain: a.com\n  timeout: 1000\n").unwrap_err();
        assert!(bare.message().contains("`1000ms`"), "{}", bare.message());
    }

    #[test]
    fn resolver_is_system_or_a_list() {
        let system = dns("dns:\n  domain: a.com\n  resolver: system\n")
            .unwrap()
            .unwrap();
        assert_eq!(system.resolver, ResolverSpec::System);
        let one = dns("dns:\n  domain: a.com\n  resolver: udp://127.0.0.1:53\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            one.resolver,
            ResolverSpec::Servers(vec!["udp://127.0.0.1:53".into()])
        );
        let e = dns("dns:\n  domain: a.com\n  resolver: { x: 1 }\n").unwrap_err();
        assert!(
            e.message()
                .contains("expected `system` or a list of name servers"),
            "{}",
            e.message()
        );
        assert_eq!(e.position().map(|p| p.0), Some(3));
    }

    #[test]
    fn validation_names_the_entry_and_the_fix() {
        let e = dns("dns:\n  domain: https://a.com\n").unwrap_err();
        assert!(e.message().contains("`https://a.com` is not a domain name"));
        let e = dns("dns:\n  domain: a.com\n  records:\n    - { name: www, type: A }\n").unwrap_err();
        assert!(
            e.message()
                .contains("entry 1 (`www A`) has neither `values` nor `contains`")
        );
        let e = dns(
            "dns:\n  domain: a.com\n  records:\n    - { name: www, type: A, values: [], contains: [] }\n",
        )
        .unwrap_err();
        assert!(e.message().contains("has both"));
        let e = dns("dns:\n  domain: a.com\n  records:\n    - { name: www, type: SRV, values: [] }\n")
            .unwrap_err();
        assert_eq!(e.position().map(|p| p.0), Some(4));
        assert!(dns("env: {}\n").unwrap().is_none());
    }

    #[test]
    fn host_of_strips_scheme_port_and_path() {
        assert_eq!(
            host_of("https://WWW.Example.com:8443/a?b").as_deref(),
            Some("www.example.com")
        );
        assert_eq!(host_of("example.com").as_deref(), Some("example.com"));
        assert_eq!(host_of("http://127.0.0.1/"), None);
        assert_eq!(host_of("https://[::1]:8443/"), None);
        assert_eq!(
            host_of("https://user:p@ss@shop.example.com./x").as_deref(),
            Some("shop.example.com")
        );
        assert_eq!(
            host_of("https://wéb.example.com/").as_deref(),
            Some("xn--wb-bja.example.com")
        );
    }
}
