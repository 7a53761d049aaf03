//! `verify`: one report over saved messages, each authenticated and checked for content.

use std::path::PathBuf;
use std::time::Instant;

use launchgate_core::{CheckRun, Error, Finding, Location, Report, Severity, TimeSpan};
use launchgate_dns::ResolverSpec;
use launchgate_dns::resolve::{Dns, ResolverSettings};

use crate::alignment::{self, Identity};
use crate::message::{self, RawMessage};
use crate::{Kind, VerifyOptions, auth, auth_results, content, placement, rules};

/// Verifies each message file on its own Tokio runtime. A file that cannot be read (or is
/// over [`message::MAX_MESSAGE_SIZE`]) is an error; what is wrong inside one is a finding.
pub fn verify(paths: &[PathBuf], options: &VerifyOptions) -> Result<Report, Error> {
    let messages: Vec<(PathBuf, Kind)> = paths.iter().map(|p| (p.clone(), options.kind)).collect();
    verify_each(&messages, options)
}

/// [`verify`] with a kind of mail per message.
pub fn verify_each(paths: &[(PathBuf, Kind)], options: &VerifyOptions) -> Result<Report, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(verify_async(paths, options))
}

/// [`verify`] inside an existing Tokio runtime.
pub async fn verify_async(paths: &[(PathBuf, Kind)], options: &VerifyOptions) -> Result<Report, Error> {
    let started = Instant::now();
    if paths.is_empty() {
        return Err(Error::input("no message to verify")
            .with_help("name saved messages: `launchgate mail verify reset.eml` (in Gmail: Show original, Download original)"));
    }
    let messages = paths
        .iter()
        .map(|(p, kind)| RawMessage::read(p).map(|m| (m, *kind)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut report = verify_messages(messages, options).await?;
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Verifies messages already read (from files or from an inbox).
pub async fn verify_messages(
    messages: Vec<(RawMessage, Kind)>,
    options: &VerifyOptions,
) -> Result<Report, Error> {
    let spec = if options.nameservers.is_empty() {
        ResolverSpec::System
    } else {
        ResolverSpec::Servers(options.nameservers.clone())
    };
    let dns = Dns::new(&ResolverSettings {
        spec,
        timeout: options.timeout,
        attempts: options.attempts,
    })?;
    let mut report = Report::new("mail");
    let mut rows: Vec<(String, String, Identity)> = Vec::new();
    for (mut message, kind) in messages {
        report.inputs.push(message.path.clone());
        let check_started = Instant::now();
        let mut run = CheckRun::new(format!("verify {}", message.path));
        let facts = message::scan_header(&mut message).and_then(|()| message::facts(&message));
        let facts = match facts {
            Ok(facts) => facts,
            Err(why) => {
                run.push(
                    Finding::new("mail.malformed", Severity::Error, format!("{why}; nothing else was checked"))
                        .at(Location::at(message.path.clone(), 1, 1))
                        .subject("message")
                        .help(format!(
                            "save the message as the mailbox received it, with its full header (\"Show original\", \"Download original\"); limits: {} header fields, {} KiB of header, {} KiB per field",
                            message::MAX_HEADER_FIELDS,
                            message::MAX_HEADER_BYTES / 1024,
                            message::MAX_FIELD_BYTES / 1024
                        )),
                );
                run.detail = Some(why);
                finish(&mut report, run, check_started);
                continue;
            }
        };
        let outcome =
            match tokio::time::timeout(options.deadline, auth::authenticate(&dns, &message, &facts)).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    let mut outcome = auth::Outcome::default();
                    outcome.findings.push(
                        Finding::new(
                            "mail.dns-timeout",
                            Severity::Error,
                            format!(
                                "authentication did not finish within {}: DNS did not answer",
                                TimeSpan(options.deadline)
                            ),
                        )
                        .at(Location::at(message.path.clone(), 1, 1))
                        .subject("message")
                        .help("check the resolver (--nameserver) and retry"),
                    );
                    outcome
                }
            };
        for finding in outcome.findings {
            run.push(finding);
        }
        compare_auth_results(
            &message,
            facts.auth_results.as_deref(),
            &outcome.verdict,
            &mut run,
        );
        if let Some(finding) = placement::check(&message, &facts.headers) {
            run.push(finding);
        }
        for finding in content::check(&message, &facts, kind, options) {
            run.push(finding);
        }
        let from_domain = facts.author_domain().unwrap_or_default().to_string();
        rows.extend(
            outcome
                .identities
                .into_iter()
                .map(|id| (message.path.clone(), from_domain.clone(), id)),
        );
        let v = &outcome.verdict;
        run.detail = Some(format!(
            "dkim={} spf={} dmarc={}{}",
            v.dkim,
            v.spf,
            v.dmarc,
            v.arc.as_deref().map(|a| format!(" arc={a}")).unwrap_or_default()
        ));
        finish(&mut report, run, check_started);
    }
    if !rows.is_empty() {
        report.tables.push(alignment::table(&rows));
    }
    let (queries, timeouts) = dns.counts();
    report.notes.push(format!(
        "{queries} DNS {} for key lengths{}; DKIM, SPF and DMARC lookups by the verifier are not counted",
        if queries == 1 { "query" } else { "queries" },
        if timeouts > 0 {
            format!(", {timeouts} timed out")
        } else {
            String::new()
        }
    ));
    report.sort();
    rules::SET.describe(&mut report);
    Ok(report)
}

/// Ends `run`: its time, its check and its findings go into `report`.
pub(crate) fn finish(report: &mut Report, mut run: CheckRun, started: Instant) {
    run.duration_ms = Some(started.elapsed().as_millis() as u64);
    let (check, findings) = run.finish();
    report.checks.push(check);
    for finding in findings {
        report.push(finding);
    }
}

/// Reports each method where the topmost `Authentication-Results` says otherwise.
fn compare_auth_results(
    message: &RawMessage,
    header: Option<&str>,
    verdict: &auth::Verdict,
    run: &mut CheckRun,
) {
    let Some(header) = header else { return };
    let parsed = auth_results::parse(header);
    let mut ours = vec![
        ("dkim", verdict.dkim.as_str()),
        ("spf", verdict.spf.as_str()),
        ("dmarc", verdict.dmarc.as_str()),
    ];
    if let Some(arc) = &verdict.arc {
        ours.push(("arc", arc.as_str()));
    }
    ours.retain(|(_, word)| !word.is_empty() && *word != "temperror");
    for (method, theirs, mine) in auth_results::disagreements(&parsed, &ours) {
        run.push(
            Finding::new(
                "mail.auth-results-disagree",
                Severity::Warning,
                format!("Authentication-Results says {method}={theirs}; verified now: {method}={mine}"),
            )
            .at(Location::at(
                message.path.clone(),
                message.line_of("authentication-results").unwrap_or(1),
                1,
            ))
            .subject("Authentication-Results")
            .help("DNS changed since delivery (a rotated key, a new SPF include), or the message changed after the receiving server checked it; look at the other findings"),
        );
    }
}
