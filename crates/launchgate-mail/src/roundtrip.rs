//! `roundtrip`: send each configured message, wait for it in a seed inbox, then verify it.
//!
//! A message with a `trigger` is requested from the product over HTTP; one without is sent
//! as a test message through `mail.smtp` (the app's submission settings), with a unique
//! token in its subject. Either way only messages that arrive after the start count, in the
//! message's `inbox` (by name; the first configured one by default), which is polled every
//! `roundtrip.poll` until the message arrives in the inbox or a spam folder, or its `within`
//! deadline passes. On a server speaking Gmail's IMAP extension, a message found in the
//! inbox is placed in its tab too ([`tabs`]).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use launchgate_core::{CheckRun, Error, Finding, Location, Report, Severity, Table, TimeSpan};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::{MailConfig, Match, MessageSpec, Smtp, SmtpTls};
use crate::inbox::{self, Access};
use crate::message::RawMessage;
use crate::trust::Trust;
use crate::verify::{finish, verify_messages};
use crate::{links, tabs, trigger};

/// How long a message may take to arrive when `within` is not set.
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(300);
/// How often the inbox is polled when `roundtrip.poll` is not set.
pub const DEFAULT_POLL: Duration = Duration::from_secs(10);

/// Runs the round trip of every configured message, on its own runtime.
pub fn roundtrip(config: &MailConfig) -> Result<Report, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(roundtrip_async(config))
}

pub async fn roundtrip_async(config: &MailConfig) -> Result<Report, Error> {
    let started = Instant::now();
    let Some(first) = config.inboxes.first() else {
        return Err(Error::input("mail.inboxes is empty: the round trip needs a seed inbox to read")
            .with_help("add `inboxes: [{ name: seed, imap: \"imap.gmail.com:993\", user: \"${SEED_USER}\", password: \"${SEED_APP_PASSWORD}\" }]`"));
    };
    let trust = Trust::load(config.ca.as_deref())?;
    let mut opened: Vec<Opened> = Vec::new();
    let poll = config.roundtrip.poll.map_or(DEFAULT_POLL, |p| p.0);

    let mut report = Report::new("mail");
    let mut rows = Vec::new();
    for spec in &config.messages {
        let name = format!("round trip {}", spec.name);
        let wanted = spec.inbox.as_deref().unwrap_or(&first.name);
        let index = match opened.iter().position(|o| o.access.name == wanted) {
            Some(index) => index,
            None => {
                let inbox = config.inboxes.iter().find(|i| i.name == wanted).ok_or_else(|| {
                    Error::input(format!(
                        "mail.messages `{}` names inbox `{wanted}`, which mail.inboxes does not list",
                        spec.name
                    ))
                })?;
                opened.push(Opened::open(inbox, &trust).await?);
                opened.len() - 1
            }
        };
        let Opened {
            access,
            session,
            folders,
            gmail,
        } = &mut opened[index];
        let imap_error = |e: async_imap::error::Error| Error::input(format!("inbox `{}`: {e}", access.name));
        let marks = inbox::marks(session, folders).await.map_err(imap_error)?;
        let check_started = Instant::now();
        let mut run = CheckRun::new(name.clone());
        // Only messages after the marks count; with a token in the subject when sent here.
        let matcher = match (&spec.trigger, &config.smtp) {
            (Some(http), _) => {
                if let Some(finding) = trigger::fire(http, &spec.name).await? {
                    run.push(finding);
                    finish(&mut report, run, check_started);
                    continue;
                }
                spec.matcher.clone().unwrap_or_default()
            }
            (None, Some(smtp)) => {
                let token = token();
                let subject = format!(
                    "{} [launchgate {token}]",
                    spec.matcher
                        .as_ref()
                        .and_then(|m| m.subject.as_deref())
                        .unwrap_or(&spec.name)
                );
                send(smtp, &access.user, &subject, &trust).await?;
                Match {
                    subject: Some(token),
                    ..Match::default()
                }
            }
            (None, None) => {
                report.skip_check(
                    name,
                    "no trigger, and no mail.smtp to send a test message through",
                );
                continue;
            }
        };
        let within = spec.within.map_or(DEFAULT_WITHIN, |w| w.0);
        let found = inbox::wait(session, folders, &marks, &matcher, within, poll)
            .await
            .map_err(imap_error)?;
        match found {
            None => {
                run = run.fail(
                    "mail.not-delivered",
                    format!(
                        "`{}` did not arrive in inbox `{}` within {}",
                        spec.name,
                        access.name,
                        TimeSpan(within)
                    ),
                    &spec.name,
                );
                rows.push(vec![
                    spec.name.clone(),
                    access.name.clone(),
                    "-".into(),
                    "not delivered".into(),
                ]);
            }
            Some(found) => {
                let after = TimeSpan(Duration::from_millis(found.after.as_millis() as u64));
                let place = format!("{}/{}/UID {}", access.name, found.folder, found.uid);
                let tab = if *gmail && found.folder.eq_ignore_ascii_case("INBOX") {
                    let asking = tabs::tab_of(session, &found.folder, found.uid);
                    inbox::within("asking which Gmail tab holds the message", access, asking)
                        .await?
                        .map_err(imap_error)?
                } else {
                    None
                };
                let placement = tabs::placement(&found.folder, tab);
                rows.push(vec![
                    spec.name.clone(),
                    access.name.clone(),
                    placement.clone(),
                    after.to_string(),
                ]);
                if !found.folder.eq_ignore_ascii_case("INBOX") {
                    run.push(
                        Finding::new(
                            "mail.junk",
                            Severity::Error,
                            format!("`{}` was delivered to {} in inbox `{}`", spec.name, found.folder, access.name),
                        )
                        .at(Location::file(place.clone()))
                        .subject(found.folder.clone())
                        .help("fix the authentication findings first (DMARC alignment above all); then warm up the sending domain"),
                    );
                }
                if let Some(finding) = tabs::check(tab, spec.kind, &spec.name, &access.name, &place) {
                    run.push(finding);
                }
                inbox::tidy(session, &found, config.roundtrip.after)
                    .await
                    .map_err(imap_error)?;
                verified(&mut run, &mut report, place, found.bytes, spec, config).await?;
                run.detail = Some(format!("{placement} after {after}"));
            }
        }
        finish(&mut report, run, check_started);
    }
    for mut inbox in opened {
        let _ = inbox.session.logout().await;
    }
    if !rows.is_empty() {
        report.tables.insert(
            0,
            Table {
                title: "Time to inbox".into(),
                columns: ["message", "inbox", "folder", "time"].map(String::from).to_vec(),
                rows,
            },
        );
    }
    report.sort();
    crate::rules::SET.describe(&mut report);
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// A seed inbox logged in to, with its inbox and spam folders.
struct Opened {
    access: Access,
    session: inbox::Session,
    folders: Vec<String>,
    /// The server speaks Gmail's IMAP extension: the inbox tab can be asked.
    gmail: bool,
}

impl Opened {
    async fn open(config: &crate::config::Inbox, trust: &Trust) -> Result<Self, Error> {
        let access = Access::from_config(config)?;
        let mut session = inbox::open(&access, trust).await?;
        let imap_error = |e| Error::input(format!("inbox `{}`: {e}", access.name));
        let folders = inbox::folders(&mut session).await.map_err(imap_error)?;
        let gmail = tabs::gmail_extension(&mut session).await.map_err(imap_error)?;
        Ok(Opened {
            access,
            session,
            folders,
            gmail,
        })
    }
}

/// Verifies the fetched message and adds its findings and alignment table to the run.
async fn verified(
    run: &mut CheckRun,
    report: &mut Report,
    place: String,
    bytes: Vec<u8>,
    spec: &MessageSpec,
    config: &MailConfig,
) -> Result<(), Error> {
    let mut message = RawMessage::from_bytes(place.clone(), bytes);
    let options = config.verify_options();
    // Within the header limits only; verify reports a message past them.
    if crate::message::scan_header(&mut message).is_ok()
        && let Ok(facts) = crate::message::facts(&message)
    {
        let own = options
            .sending_domain
            .clone()
            .unwrap_or_else(|| facts.author_domain().unwrap_or_default().to_string());
        for finding in links::check(&facts, &place, &own, &options.link_domains).await? {
            run.push(finding);
        }
    }
    let part = verify_messages(vec![(message, spec.kind)], &options).await?;
    for finding in part.findings {
        run.push(finding);
    }
    report.tables.extend(part.tables);
    Ok(())
}

/// A token no earlier message carries.
fn token() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos, std::process::id())
}

/// Submits a test message to `to` through the app's SMTP settings, over TLS trusting `trust`.
async fn send(smtp: &Smtp, to: &str, subject: &str, trust: &Trust) -> Result<(), Error> {
    let fail = |what: String| {
        Error::input(format!("mail.smtp {}: {what}", smtp.server))
            .with_help("check mail.smtp: server, tls, user and password; for a server whose certificate is from a private CA, name its CA's certificate file in `mail.ca`")
    };
    let message = Message::builder()
        .from(smtp.from.parse().map_err(|e| fail(format!("from: {e}")))?)
        .to(to
            .parse()
            .map_err(|e| fail(format!("the inbox user `{to}` is not an address: {e}")))?)
        .subject(subject)
        // At the sender's domain: lettre's default names this machine, which is not the app's.
        .message_id(Some(format!(
            "<{}@{}>",
            token(),
            smtp.from
                .rsplit_once('@')
                .map_or("localhost", |(_, d)| d.trim_end_matches('>'))
        )))
        .header(ContentType::TEXT_PLAIN)
        .body("A test message from launchgate's mail round trip.".to_string())
        .map_err(|e| fail(e.to_string()))?;
    let (host, port) = smtp
        .server
        .rsplit_once(':')
        .and_then(|(h, p)| p.parse::<u16>().ok().map(|p| (h.to_string(), p)))
        .ok_or_else(|| fail("write the server as host:port".into()))?;
    // STARTTLS is required, never skipped when the server does not offer it.
    let tls = match smtp.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls => Tls::Required(trust.smtp(&host)?),
        SmtpTls::Tls => Tls::Wrapper(trust.smtp(&host)?),
    };
    let mut builder = SmtpTransport::builder_dangerous(&host)
        .port(port)
        .tls(tls)
        .timeout(Some(inbox::COMMAND_TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.user, &smtp.password) {
        builder = builder.credentials(Credentials::new(
            inbox::resolve(user, "mail.smtp user")?,
            inbox::resolve(password, "mail.smtp password")?,
        ));
    }
    let transport = builder.build();
    tokio::task::spawn_blocking(move || transport.send(&message))
        .await
        .map_err(|e| fail(e.to_string()))?
        // lettre's errors carry the server's reply, never the credentials.
        .map_err(|e| fail(format!("the test message was not accepted: {e}")))?;
    Ok(())
}
