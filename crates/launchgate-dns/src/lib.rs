//! launchgate's DNS gate: the launch failures that live in DNS.
//!
//! Given the `dns:` section of launchgate.yml ([`DnsConfig`]), [`check`] asks DNS about
//! each configured domain ([`domain`]) and returns one [`Report`]:
//!
//! - expected records answer with the expected values, the apex has no CNAME, no CNAME
//!   dangles, and the smoke gate's site host names resolve ([`records`]);
//! - SPF: one record, valid terms, lookup and void-lookup limits, loops, `all` ([`spf`]);
//! - DMARC per RFC 9989, with the tree walk and report authorisation ([`dmarc`]);
//! - DKIM selectors, revoked keys and key sizes ([`dkim`]);
//! - MTA-STS with its HTTPS policy, TLS-RPT ([`mta_sts`]) and CAA ([`caa`]);
//! - MX hosts: an address each, null MX ([`mail`]), forward-confirmed reverse DNS
//!   ([`reverse`]) and, when enabled, STARTTLS with a valid certificate ([`smtp`]);
//! - DNSSEC status as a note ([`dnssec`]).
//!
//! Timeouts and server failures are findings of their own (`dns.timeout`,
//! `dns.server-error`), never mistaken for a missing record; a name server that answers
//! nothing at all makes the report an error (exit 2).

mod advice;
mod bimi;
mod caa;
pub mod cli;
pub mod config;
pub mod dkim;
pub mod dmarc;
mod dnssec;
mod domain;
mod mail;
pub mod mta_sts;
mod records;
pub mod resolve;
#[cfg(feature = "responder")]
pub mod responder;
mod reverse;
mod rules;
pub mod smtp;
pub mod spf;
pub mod trust;

use std::path::Path;
use std::time::{Duration, Instant};

use hickory_resolver::proto::rr::RecordType;
use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Report};

pub use config::{DnsConfig, ResolverSpec};
pub use mta_sts::HttpsSettings;
use resolve::{Answer, Dns, ResolverSettings};

/// What a run needs besides the `dns:` section.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Host names the smoke gate's `site:` lists; those under the domain must resolve.
    pub site_hosts: Vec<String>,
    /// Name servers that replace the configured `resolver` (`--nameserver`).
    pub nameservers: Vec<String>,
    /// Replaces the configured `timeout`.
    pub timeout: Option<Duration>,
    /// Replaces the configured `attempts`.
    pub attempts: Option<usize>,
    /// How the MTA-STS policy is fetched.
    pub https: HttpsSettings,
}

/// Runs the gate on its own Tokio runtime.
pub fn check(config: &DnsConfig, options: &CheckOptions) -> Result<Report, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(check_async(config, options))
}

/// Runs the gate inside an existing Tokio runtime.
pub async fn check_async(config: &DnsConfig, options: &CheckOptions) -> Result<Report, Error> {
    let started = Instant::now();
    config::validate(config, "launchgate.yml")?;
    for spec in &config.records {
        for value in spec.values.iter().chain(spec.contains.iter()).flatten() {
            records::normalize_expected(spec.record_type, value).map_err(|why| {
                Error::input(format!("dns.records `{} {}`: {why}", spec.name, spec.record_type))
                    .with_help("write values as your DNS provider shows them: `76.76.21.21`, `10 mx1.provider.net.`, `cname.vercel-dns.com.`")
            })?;
        }
    }
    let mut domains: Vec<String> = Vec::new();
    for name in config.domain.names() {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        if !domains.contains(&name) {
            domains.push(name);
        }
    }
    let spec = if options.nameservers.is_empty() {
        config.resolver.clone()
    } else {
        ResolverSpec::Servers(options.nameservers.clone())
    };
    let settings = ResolverSettings {
        spec: spec.clone(),
        timeout: options.timeout.unwrap_or(config.query_timeout()),
        attempts: options.attempts.unwrap_or(config.attempts),
    };
    let dns = Dns::new(&settings)?;
    // Before any query, so a CA file that cannot be read is reported whatever DNS does.
    let smtp_settings = smtp::Settings::load(&config.smtp)?;

    let mut report = Report::new("dns");
    report.inputs.extend(domains.iter().cloned());
    let servers = match &spec {
        ResolverSpec::System => "the system resolver".to_string(),
        ResolverSpec::Servers(list) => list.join(", "),
    };

    // One query first: if the name servers answer nothing at all, say so once, plainly,
    // instead of one timeout per record.
    if dns.query(&domains[0], RecordType::SOA).await == Answer::Timeout {
        report.error = Some(format!(
            "no name server answered within {} ms × {} attempts ({servers}); nothing was checked",
            settings.timeout.as_millis(),
            settings.attempts
        ));
        report.duration_ms = started.elapsed().as_millis() as u64;
        return Ok(report);
    }

    let several = domains.len() > 1;
    let mut all = Report::default();
    // One domain after another, each with its parts concurrent: the resolver's cache then
    // serves what several domains share (one mail provider's hosts and includes).
    for domain in &domains {
        let mut part = domain::check(&dns, domain, config, options, smtp_settings.as_ref()).await;
        if several {
            for check in &mut part.checks {
                check.name = format!("{domain}: {}", check.name);
            }
            for note in &mut part.notes {
                *note = format!("{domain}: {note}");
            }
        }
        all.merge(part);
    }

    // Two parts may judge the same MX host (an MX in `records:` and the email check).
    let mut seen = std::collections::HashSet::new();
    for finding in all.findings {
        if seen.insert((
            finding.rule_id.clone(),
            finding.subject.clone(),
            finding.message.clone(),
        )) {
            report.push(finding);
        }
    }
    report.sort();
    report.checks = all.checks;
    report.tables = all.tables;
    report.notes = all.notes;
    let (queries, timeouts) = dns.counts();
    report.notes.push(format!(
        "{queries} DNS queries to {servers}{}",
        if timeouts > 0 {
            format!(", {timeouts} timed out")
        } else {
            String::new()
        }
    ));
    rules::SET.describe(&mut report);
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// What `launchgate check` runs: the `dns:` section of `config`, with the smoke gate's
/// site host names. A file without a `dns:` section gives an empty report with a note.
pub fn check_configured(config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    let _ = root;
    let Some(dns) = config::load(config)? else {
        let mut report = Report::new("dns");
        report.notes.push(format!(
            "{} has no dns: section; nothing to check",
            config.display_name()
        ));
        return Ok(report);
    };
    let options = CheckOptions {
        site_hosts: config::site_hosts(config),
        ..CheckOptions::default()
    };
    check(&dns, &options)
}
