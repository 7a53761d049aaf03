//! Reading a seed mailbox over IMAP until the expected message arrives, within a deadline.
//!
//! Credentials come from the environment (`${VARIABLE}` in the configuration), log in by
//! password or by an OAuth2 access token (XOAUTH2, as Gmail and Microsoft 365 take it), and
//! appear in no output: a failed login names the inbox and the user only.

use std::time::{Duration, Instant};

use async_imap::Client;
use futures_util::StreamExt;
use launchgate_core::{Error, Secret};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::config::{Inbox, Match};
use crate::message::MAX_MESSAGE_SIZE;
use crate::trust::Trust;

/// How long connecting and each IMAP command may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// How an inbox is reached, with its credentials resolved.
#[derive(Debug)]
pub struct Access {
    pub name: String,
    /// `host:port`.
    pub addr: String,
    /// TLS from the first byte (port 993); `imap://host:port` in the configuration is plain,
    /// for a server on the same machine.
    pub tls: bool,
    pub user: String,
    pub credential: Credential,
}

#[derive(Debug)]
pub enum Credential {
    Password(Secret),
    OAuthToken(Secret),
}

/// `${NAME}` is the environment variable NAME; anything else is taken as written.
pub fn resolve(value: &str, what: &str) -> Result<String, Error> {
    let Some(name) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) else {
        return Ok(value.to_string());
    };
    std::env::var(name).map_err(|_| {
        Error::input(format!(
            "{what} reads the environment variable {name}, which is not set"
        ))
        .with_help(format!("set {name} in the job's secrets or environment"))
    })
}

impl Access {
    pub fn from_config(inbox: &Inbox) -> Result<Self, Error> {
        let what = |field: &str| format!("mail.inboxes `{}` {field}", inbox.name);
        let (tls, addr) = match inbox.imap.strip_prefix("imap://") {
            Some(plain) => (false, plain.to_string()),
            None => (true, inbox.imap.trim_start_matches("imaps://").to_string()),
        };
        let credential = match (&inbox.password, &inbox.oauth_token) {
            (Some(p), None) => Credential::Password(Secret::new(resolve(p, &what("password"))?)),
            (None, Some(t)) => Credential::OAuthToken(Secret::new(resolve(t, &what("oauth_token"))?)),
            _ => {
                return Err(Error::input(format!(
                    "{} needs exactly one of password and oauth_token",
                    what("")
                )));
            }
        };
        Ok(Access {
            name: inbox.name.clone(),
            addr,
            tls,
            user: resolve(&inbox.user, &what("user"))?,
            credential,
        })
    }
}

/// A message found in an inbox.
#[derive(Debug)]
pub struct Found {
    pub folder: String,
    pub uid: u32,
    pub bytes: Vec<u8>,
    /// From the start of the wait to the poll that found it.
    pub after: Duration,
}

/// The connection under an IMAP session: TLS, or plain TCP on this machine.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

/// A logged-in IMAP session.
pub type Session = async_imap::Session<Box<dyn Stream>>;

/// The XOAUTH2 SASL response: `user=…^Aauth=Bearer …^A^A`.
struct XOAuth2<'a> {
    user: &'a str,
    token: &'a str,
}

impl async_imap::Authenticator for XOAuth2<'_> {
    type Response = String;
    fn process(&mut self, challenge: &[u8]) -> String {
        // A refused token comes back as a challenge holding a JSON error, to be answered
        // with an empty response (not the token again) before the server says NO.
        if !challenge.is_empty() {
            return String::new();
        }
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
    }
}

/// `future`, or an input error naming the inbox and `what` after [`COMMAND_TIMEOUT`].
pub(crate) async fn within<T>(
    what: &str,
    access: &Access,
    future: impl Future<Output = T>,
) -> Result<T, Error> {
    tokio::time::timeout(COMMAND_TIMEOUT, future).await.map_err(|_| {
        Error::input(format!(
            "inbox `{}` ({}): {what} took longer than {} s",
            access.name,
            access.addr,
            COMMAND_TIMEOUT.as_secs()
        ))
    })
}

const TLS_HELP: &str = "check the inbox's imap address; if the server's certificate is from a private CA, name its CA's certificate file in `mail.ca`";

/// Connects and logs in, over TLS trusting `trust`. Every failure is an input error naming
/// the inbox, never the secret.
pub async fn open(access: &Access, trust: &Trust) -> Result<Session, Error> {
    let fail = |what: String| {
        Error::input(format!("inbox `{}` ({}): {what}", access.name, access.addr)).with_help(
            "check the inbox's imap address, user and credential (an app password, or a fresh OAuth2 token)",
        )
    };
    let tcp = within("connecting", access, TcpStream::connect(&access.addr))
        .await?
        .map_err(|e| fail(format!("cannot connect: {e}")))?;
    let stream: Box<dyn Stream> = if access.tls {
        let host = access
            .addr
            .rsplit_once(':')
            .map_or(access.addr.as_str(), |(h, _)| h);
        let name = rustls::pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| fail(format!("`{host}` is not a host name")))?;
        let config = trust.rustls()?;
        let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        Box::new(
            within("the TLS handshake", access, tls.connect(name, tcp))
                .await?
                .map_err(|e| {
                    Error::input(format!("inbox `{}` ({}): TLS: {e}", access.name, access.addr))
                        .with_help(TLS_HELP)
                })?,
        )
    } else {
        Box::new(tcp)
    };
    let mut client = Client::new(stream);
    within("the greeting", access, client.read_response())
        .await?
        .map_err(|e| fail(format!("no greeting: {e}")))?;
    let session = match &access.credential {
        Credential::Password(password) => {
            within(
                "logging in",
                access,
                client.login(&access.user, password.expose()),
            )
            .await?
        }
        Credential::OAuthToken(token) => {
            let auth = XOAuth2 {
                user: &access.user,
                token: token.expose(),
            };
            within("logging in", access, client.authenticate("XOAUTH2", auth)).await?
        }
    };
    // The server's answer is not shown: some echo what was sent.
    session.map_err(|_| fail(format!("the server refused the login of {}", access.user)))
}

/// The inbox and the folders where spam lands (`\Junk`, or named Junk or Spam).
pub async fn folders(session: &mut Session) -> Result<Vec<String>, async_imap::error::Error> {
    let mut out = vec!["INBOX".to_string()];
    let names: Vec<_> = session.list(Some(""), Some("*")).await?.collect().await;
    for name in names.into_iter().flatten() {
        let lower = name.name().to_ascii_lowercase();
        let junk = name
            .attributes()
            .iter()
            .any(|a| matches!(a, async_imap::types::NameAttribute::Junk))
            || lower.contains("junk")
            || lower.contains("spam");
        if junk && !out.iter().any(|f| f == name.name()) {
            out.push(name.name().to_string());
        }
    }
    Ok(out)
}

/// The next UID of each folder: only messages from then on count.
pub async fn marks(session: &mut Session, folders: &[String]) -> Result<Vec<u32>, async_imap::error::Error> {
    let mut out = Vec::new();
    for folder in folders {
        let mailbox = session.examine(folder).await?;
        out.push(mailbox.uid_next.unwrap_or(1));
    }
    Ok(out)
}

/// An IMAP quoted string, or `None` for text that cannot be one (line breaks).
fn quoted(text: &str) -> Option<String> {
    if text.contains(['\r', '\n']) {
        return None;
    }
    Some(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
}

/// The SEARCH criteria for `matcher`, from `first_uid` on.
pub fn criteria(matcher: &Match, first_uid: u32) -> Result<String, Error> {
    let mut out = format!("UID {first_uid}:*");
    for (key, value) in [
        ("SUBJECT", &matcher.subject),
        ("FROM", &matcher.from),
        ("TO", &matcher.to),
    ] {
        if let Some(value) = value {
            let q = quoted(value).ok_or_else(|| {
                Error::input(format!("mail match {key}: a line break cannot be searched for"))
            })?;
            out.push_str(&format!(" {key} {q}"));
        }
    }
    Ok(out)
}

/// Polls every `poll` until a message matching `matcher` arrives after `marks`, or
/// `deadline` passes (`Ok(None)`).
pub async fn wait(
    session: &mut Session,
    folders: &[String],
    marks: &[u32],
    matcher: &Match,
    deadline: Duration,
    poll: Duration,
) -> Result<Option<Found>, async_imap::error::Error> {
    let started = Instant::now();
    let mut watched: Vec<(String, u32)> = folders.iter().cloned().zip(marks.iter().copied()).collect();
    loop {
        // A spam folder made by the first spam after the start: all of it is new.
        for folder in self::folders(session).await? {
            if !watched.iter().any(|(f, _)| *f == folder) {
                watched.push((folder, 1));
            }
        }
        for (folder, mark) in &watched {
            session.examine(folder).await?;
            let Ok(search) = criteria(matcher, *mark) else {
                return Ok(None);
            };
            let uids = session.uid_search(&search).await?;
            let Some(uid) = uids.into_iter().filter(|u| u >= mark).max() else {
                continue;
            };
            // The size first: a body asked for in the same command is read whole before its
            // size could be looked at.
            let sizes: Vec<_> = session
                .uid_fetch(uid.to_string(), "RFC822.SIZE")
                .await?
                .collect()
                .await;
            let size = sizes.into_iter().flatten().find_map(|f| f.size);
            if size.is_none_or(|s| u64::from(s) > MAX_MESSAGE_SIZE) {
                continue;
            }
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await?
                .collect()
                .await;
            for fetch in fetched.into_iter().flatten() {
                if let Some(body) = fetch.body() {
                    return Ok(Some(Found {
                        folder: folder.clone(),
                        uid,
                        bytes: body.to_vec(),
                        after: started.elapsed(),
                    }));
                }
            }
        }
        if started.elapsed() + poll > deadline {
            return Ok(None);
        }
        tokio::time::sleep(poll).await;
    }
}

/// What `roundtrip.after` asks for a message once found, so seed inboxes do not fill up.
pub async fn tidy(
    session: &mut Session,
    found: &Found,
    after: crate::config::After,
) -> Result<(), async_imap::error::Error> {
    use crate::config::After;
    let uid = found.uid.to_string();
    match after {
        After::Keep => Ok(()),
        After::Delete => {
            session.select(&found.folder).await?;
            session
                .uid_store(&uid, "+FLAGS.SILENT (\\Deleted)")
                .await?
                .collect::<Vec<_>>()
                .await;
            session.uid_expunge(&uid).await?.collect::<Vec<_>>().await;
            Ok(())
        }
        After::Archive => {
            let archive = archive_folder(session).await?;
            session.select(&found.folder).await?;
            session.uid_mv(&uid, &archive).await
        }
    }
}

/// The folder marked `\Archive` (RFC 6154), else `Archive`, made when missing.
async fn archive_folder(session: &mut Session) -> Result<String, async_imap::error::Error> {
    let names: Vec<_> = session.list(Some(""), Some("*")).await?.collect().await;
    let mut plain = None;
    for name in names.into_iter().flatten() {
        let marked = name
            .attributes()
            .iter()
            .any(|a| matches!(a, async_imap::types::NameAttribute::Archive));
        if marked {
            return Ok(name.name().to_string());
        }
        if name.name().eq_ignore_ascii_case("archive") {
            plain = Some(name.name().to_string());
        }
    }
    match plain {
        Some(name) => Ok(name),
        None => {
            session.create("Archive").await?;
            Ok("Archive".to_string())
        }
    }
}
