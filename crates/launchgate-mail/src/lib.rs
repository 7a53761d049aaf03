//! launchgate's mail gate: proof, from a real message, that mail arrives authenticated.
//!
//! DNS can be right while mail still fails: the provider signs with its own domain, the
//! From address is another domain, the app sends from a test account. [`verify`] takes
//! saved messages (as the receiving mailbox stored them) and checks:
//!
//! - every DKIM signature, its key length, `l=` and algorithm, SPF for the address in the
//!   receiving server's `Received` header and the `Return-Path`, DMARC alignment of both
//!   with the From domain, and ARC when present, by mail-auth ([`auth`]);
//! - the receiving server's own `Authentication-Results` against that ([`auth_results`]);
//! - where the mailbox put it, when its headers say (Gmail's labels, spam flags) ([`placement`]);
//! - the content rules: sending domain, Reply-To, Message-ID, a text part, one-click
//!   unsubscribe for bulk mail, link schemes and hosts, size ([`content`]).
//!
//! Limits on what is read are in [`message`].

mod alignment;
mod auth;
mod auth_results;
pub mod cli;
mod config;
mod content;
mod inbox;
mod links;
mod message;
mod placement;
mod roundtrip;
mod rules;
mod tabs;
mod trigger;
mod trust;
pub mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Report};

pub use config::MailConfig;
pub use verify::{verify, verify_async, verify_each};

/// Gmail clips a message past about 102 kB and hides the rest behind a link.
pub const DEFAULT_SIZE_LIMIT: u64 = 102_000;

/// What kind of mail a message is: one-click unsubscribe is required only for bulk mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Password resets, receipts, invites: sent because the reader did something.
    #[default]
    Transactional,
    /// Newsletters and announcements.
    Bulk,
}

/// What `verify` needs besides the messages.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The From domain every message must use.
    pub sending_domain: Option<String>,
    pub kind: Kind,
    /// Name servers instead of the system resolver (`udp://127.0.0.1:5353`, `9.9.9.9`).
    pub nameservers: Vec<String>,
    /// How long one DNS query may take.
    pub timeout: Duration,
    /// How many times a DNS query is sent.
    pub attempts: usize,
    /// How long authenticating one message may take in all.
    pub deadline: Duration,
    /// Messages larger than this many bytes are reported.
    pub size_limit: u64,
    /// The product is served over https, so http links are reported.
    pub https_product: bool,
    /// Link hosts allowed besides the sending domain (a click-tracking domain).
    pub link_domains: Vec<String>,
    /// Message-ID domains allowed besides the sending domain (the provider's).
    pub message_id_domains: Vec<String>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            sending_domain: None,
            kind: Kind::default(),
            nameservers: Vec::new(),
            timeout: Duration::from_secs(3),
            attempts: 2,
            deadline: Duration::from_secs(30),
            size_limit: DEFAULT_SIZE_LIMIT,
            https_product: true,
            link_domains: Vec::new(),
            message_id_domains: Vec::new(),
        }
    }
}

/// What `launchgate check` runs: the saved messages of the `mail:` section, verified. The
/// round trip sends real mail and may wait minutes: it runs only with `roundtrip.enabled`,
/// and is otherwise a skipped check saying so.
pub fn check_configured(config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    let _ = root;
    let Some(mail) = config::load(config)? else {
        let mut report = Report::new("mail");
        report.notes.push(format!(
            "{} has no mail: section; nothing to check",
            config.display_name()
        ));
        return Ok(report);
    };
    let saved: Vec<(PathBuf, Kind)> = mail
        .messages
        .iter()
        .filter_map(|m| m.saved.clone().map(|p| (p, m.kind)))
        .collect();
    let mut report = if saved.is_empty() {
        let mut report = Report::new("mail");
        report.skip_check(
            "verify saved messages",
            "no message in mail.messages names a saved copy (`saved: reset.eml`)",
        );
        report
    } else {
        verify_each(&saved, &mail.verify_options())?
    };
    if mail.roundtrip.enabled {
        let part = roundtrip::roundtrip(&mail)?;
        report.tables.splice(0..0, part.tables);
        report.checks.extend(part.checks);
        for finding in part.findings {
            report.push(finding);
        }
        report.sort();
        rules::SET.describe(&mut report);
    } else {
        report.skip_check(
            "round trip",
            "not run: mail.roundtrip.enabled is false (the round trip sends real mail)",
        );
    }
    Ok(report)
}
