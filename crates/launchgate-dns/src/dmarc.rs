//! DMARC (RFC 9989, which replaced RFC 7489): the record at `_dmarc.<domain>` or, through
//! the DNS tree walk, at a parent; its policies, report addresses and alignment modes.

use std::collections::BTreeMap;

use launchgate_core::Severity;
use serde_json::json;

use crate::advice::{RecordFindings, add_record, change_record, host_field};
use crate::config::{DmarcConfig, DmarcPolicy};
use crate::resolve::Dns;
use launchgate_core::Report;

/// RFC 9989 §4.10: the tree walk asks at most this many names.
const MAX_WALK_QUERIES: usize = 8;

/// A record's tags, in order, names lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DmarcRecord {
    pub tags: Vec<(String, String)>,
    pub errors: Vec<String>,
}

impl DmarcRecord {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.tags.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Whether a TXT string is a DMARC record: `v=DMARC1` alone or followed by `;`.
pub fn is_dmarc(text: &str) -> bool {
    let t = text.trim_start();
    // `get` rather than indexing: a TXT string may hold any bytes, not only ASCII.
    let (Some(head), Some(rest)) = (t.get(..8), t.get(8..)) else {
        return false;
    };
    if !head.eq_ignore_ascii_case("v=DMARC1") {
        return false;
    }
    let rest = rest.trim_start();
    rest.is_empty() || rest.starts_with(';')
}

/// Splits `tag=value; tag=value` pairs.
pub fn parse(text: &str) -> DmarcRecord {
    let mut record = DmarcRecord::default();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((name, value)) => {
                let name = name.trim().to_ascii_lowercase();
                if record.get(&name).is_some() {
                    record.errors.push(format!("the `{name}` tag appears twice"));
                }
                record.tags.push((name, value.trim().to_string()));
            }
            None => record.errors.push(format!("`{part}` is not a tag=value pair")),
        }
    }
    record
}

/// Checks DMARC for `domain`.
pub async fn check(dns: &Dns, domain: &str, config: &DmarcConfig) -> Report {
    let mut out = Report::default();
    let name = format!("_dmarc.{domain}");
    let subject = format!("{name} TXT (DMARC)");
    let example = example_record(domain, config);

    let mut found = None;
    for (i, candidate) in walk_names(domain).iter().enumerate() {
        let at = format!("_dmarc.{candidate}");
        let (answer, texts) = dns.txt(&at).await;
        if answer.is_failure() {
            out.add(
                "dmarc.lookup-failed",
                Severity::Error,
                &subject,
                format!("the TXT lookup for {at} ended in {}", answer.describe()),
                "check that the domain's name servers answer; receivers cannot apply a policy they cannot read",
            );
            out.check_since("DMARC", 0, None);
            return out;
        }
        let records: Vec<String> = texts.into_iter().filter(|t| is_dmarc(t)).collect();
        if !records.is_empty() {
            found = Some((i, candidate.clone(), records));
            break;
        }
    }
    let Some((depth, found_at, records)) = found else {
        out.add(
            "dmarc.missing",
            Severity::Error,
            &subject,
            format!("{domain} has no DMARC record: receivers have no policy for mail that fails SPF and DKIM, and Gmail and Yahoo require one for bulk senders"),
            add_record("TXT", &name, domain, &example),
        );
        out.check_since("DMARC", 0, None);
        return out;
    };
    if records.len() > 1 {
        out.add(
            "dmarc.multiple-records",
            Severity::Error,
            &subject,
            format!(
                "_dmarc.{found_at} has {} DMARC records; receivers ignore DMARC entirely",
                records.len()
            ),
            "keep one TXT record starting with `v=DMARC1` and delete the others",
        )
        .properties
        .insert("records".into(), json!(records));
        out.check_since("DMARC", 0, None);
        return out;
    }
    let text = &records[0];
    if depth > 0 {
        out.add(
            "dmarc.inherited",
            Severity::Note,
            &subject,
            format!(
                "{domain} has no record of its own; the DMARC tree walk finds the one at _dmarc.{found_at}"
            ),
            format!(
                "nothing to do if {found_at}'s policy suits this domain; otherwise {}",
                add_record("TXT", &name, domain, &example)
            ),
        );
    }
    let record = parse(text);
    for error in &record.errors {
        out.add(
            "dmarc.syntax",
            Severity::Error,
            &subject,
            format!("invalid DMARC record: {error}"),
            change_record("TXT", &format!("_dmarc.{found_at}"), domain, &example),
        );
    }

    let fixed = suggested_record(text, config.min_policy);
    policies(
        &mut out,
        &record,
        domain,
        &found_at,
        depth > 0,
        &subject,
        config,
        &fixed,
    );
    reports(dns, &mut out, &record, domain, &found_at, &subject, config).await;

    for tag in ["adkim", "aspf"] {
        if let Some(value) = record.get(tag).filter(|v| !matches!(*v, "r" | "s")) {
            out.add(
                "dmarc.bad-alignment",
                Severity::Error,
                &subject,
                format!("`{tag}={value}` is not an alignment mode: use `r` (relaxed) or `s` (strict)"),
                change_record("TXT", &format!("_dmarc.{found_at}"), domain, &fixed),
            );
        }
    }
    for tag in ["pct", "rf", "ri"] {
        if record.get(tag).is_some() {
            out.add(
                "dmarc.removed-tag",
                Severity::Warning,
                &subject,
                format!("support for the `{tag}` tag was removed in RFC 9989; receivers ignore it"),
                change_record("TXT", &format!("_dmarc.{found_at}"), domain, &fixed),
            );
        }
    }
    const KNOWN: [&str; 14] = [
        "v", "p", "sp", "np", "psd", "t", "rua", "ruf", "adkim", "aspf", "fo", "pct", "rf", "ri",
    ];
    for (tag, _) in &record.tags {
        if !KNOWN.contains(&tag.as_str()) {
            out.add(
                "dmarc.unknown-tag",
                Severity::Note,
                &subject,
                format!("`{tag}` is not a DMARC tag; receivers ignore it"),
                "check it for a typo, or remove it",
            );
        }
    }
    out.check_since(
        "DMARC",
        0,
        Some(format!("p={}", record.get("p").unwrap_or("none"))),
    );
    out
}

/// The names whose `_dmarc` record applies, most specific first (RFC 9989 §4.10): the
/// domain, then its parents down to two labels, at most 8 queries; a name with more than
/// 8 labels jumps to its last 7 after the first query.
fn walk_names(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain.trim_end_matches('.').split('.').collect();
    let mut names = vec![labels.join(".")];
    let start = if labels.len() > 8 { labels.len() - 7 } else { 1 };
    for i in start..labels.len().saturating_sub(1) {
        names.push(labels[i..].join("."));
    }
    names.truncate(MAX_WALK_QUERIES);
    names
}

#[allow(clippy::too_many_arguments)]
fn policies(
    out: &mut Report,
    record: &DmarcRecord,
    domain: &str,
    found_at: &str,
    inherited: bool,
    subject: &str,
    config: &DmarcConfig,
    fixed: &str,
) {
    let host = format!("_dmarc.{found_at}");
    let min = config.min_policy;
    let p = match record.get("p") {
        Some(v) => match DmarcPolicy::parse(v) {
            Some(p) => p,
            None => {
                out.add(
                    "dmarc.syntax",
                    Severity::Error,
                    subject,
                    format!("`p={v}` is not a policy: use none, quarantine or reject"),
                    change_record("TXT", &host, domain, fixed),
                );
                DmarcPolicy::None
            }
        },
        // RFC 9989: a missing `p` is treated as `none`.
        None => DmarcPolicy::None,
    };
    // `sp` defaults to `p` and `np` to `sp`; a default is covered by the finding on the
    // tag it comes from, so only tags written in the record are checked on their own.
    // When the record was inherited, the subdomain policy is what applies to the domain.
    let sp_written = record.get("sp").and_then(DmarcPolicy::parse);
    let np_written = record.get("np").and_then(DmarcPolicy::parse);
    let mut checks = vec![if inherited {
        ("sp", sp_written.unwrap_or(p), "mail from the domain")
    } else {
        ("p", p, "mail from the domain")
    }];
    if let (Some(sp), false) = (sp_written, inherited) {
        checks.push(("sp", sp, "mail from its subdomains"));
    }
    if let Some(np) = np_written {
        checks.push(("np", np, "mail from subdomains that do not exist"));
    }
    for (tag, policy, what) in checks {
        let unprotected = if policy == DmarcPolicy::None {
            ": the domain is unprotected, and spoofed mail is delivered"
        } else {
            ""
        };
        if policy < min {
            out.add(
                "dmarc.policy-too-weak",
                Severity::Error,
                subject,
                format!(
                    "the DMARC policy for {what} is `{tag}={}`, weaker than the required `{}`{unprotected}",
                    policy.as_str(),
                    min.as_str()
                ),
                change_record("TXT", &host, domain, fixed),
            )
            .properties
            .insert("policy".into(), json!(policy.as_str()));
        } else if policy == DmarcPolicy::None {
            out.add(
                "dmarc.policy-none",
                Severity::Warning,
                subject,
                format!("the DMARC policy for {what} is `{tag}=none`{unprotected}"),
                format!(
                    "once aggregate reports show your real mail passes, {}",
                    change_record(
                        "TXT",
                        &host,
                        domain,
                        &suggested_record(fixed, DmarcPolicy::Quarantine)
                    )
                ),
            );
        }
    }
}

async fn reports(
    dns: &Dns,
    out: &mut Report,
    record: &DmarcRecord,
    domain: &str,
    found_at: &str,
    subject: &str,
    config: &DmarcConfig,
) {
    let host = format!("_dmarc.{found_at}");
    if record.get("rua").is_none() {
        let severity = if config.require_rua {
            Severity::Error
        } else {
            Severity::Note
        };
        out.add(
            "dmarc.missing-rua",
            severity,
            subject,
            "the DMARC record asks for no aggregate reports (`rua`), so nobody learns who sends mail as this domain",
            format!("add `rua=mailto:dmarc-reports@{domain}` (or your DMARC service's address) to the TXT record at host `{}`", host_field(&host, domain)),
        );
    }
    let mut checked: BTreeMap<String, bool> = BTreeMap::new();
    for tag in ["rua", "ruf"] {
        let Some(list) = record.get(tag) else { continue };
        for uri in list.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let Some(address) = uri
                .get(..7)
                .filter(|s| s.eq_ignore_ascii_case("mailto:"))
                .map(|_| &uri[7..])
            else {
                out.add(
                    "dmarc.bad-report-uri",
                    Severity::Error,
                    subject,
                    format!(
                        "`{tag}` entry `{uri}` is not a mailto: URI; receivers send reports by email only"
                    ),
                    format!("write it as `{tag}=mailto:dmarc-reports@{domain}`"),
                );
                continue;
            };
            // RFC 9989 made the `!size` suffix obsolete; it is not part of the address.
            let address = address.split('!').next().unwrap_or(address);
            let Some((_, report_domain)) = address
                .rsplit_once('@')
                .filter(|(l, d)| !l.is_empty() && d.contains('.'))
            else {
                out.add(
                    "dmarc.bad-report-uri",
                    Severity::Error,
                    subject,
                    format!("`{tag}` entry `{uri}` has no valid email address"),
                    format!("write it as `{tag}=mailto:dmarc-reports@{domain}`"),
                );
                continue;
            };
            let report_domain = report_domain.trim_end_matches('.').to_ascii_lowercase();
            if same_organisation(&report_domain, domain) || checked.contains_key(&report_domain) {
                continue;
            }
            let auth_name = format!("{domain}._report._dmarc.{report_domain}");
            let (answer, texts) = dns.txt(&auth_name).await;
            let authorised = texts.iter().any(|t| is_dmarc(t));
            checked.insert(report_domain.clone(), authorised);
            if answer.is_failure() {
                out.add(
                    "dmarc.lookup-failed",
                    Severity::Error,
                    subject,
                    format!("the TXT lookup for {auth_name} ended in {}", answer.describe()),
                    "check that the report domain's name servers answer",
                );
            } else if !authorised {
                out.add(
                    "dmarc.external-report-unauthorized",
                    Severity::Error,
                    subject,
                    format!("reports go to {report_domain}, which has not authorised them: receivers drop reports for {address}"),
                    format!("ask the owner of {report_domain} (your DMARC service) to publish a TXT record at `{auth_name}` with value `v=DMARC1`"),
                )
                .properties
                .insert("authorization_record".into(), json!(auth_name));
            }
        }
    }
}

/// Whether two names share an organisational domain closely enough that no external
/// authorisation is needed: one is the other or a subdomain of it.
fn same_organisation(a: &str, b: &str) -> bool {
    let a = a.to_ascii_lowercase();
    let b = b.to_ascii_lowercase();
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

fn example_record(domain: &str, config: &DmarcConfig) -> String {
    let policy = config.min_policy.max(DmarcPolicy::Quarantine).as_str();
    format!("v=DMARC1; p={policy}; rua=mailto:dmarc-reports@{domain}")
}

/// The record with every problem this module reports fixed, for pasting in one go: each
/// written policy raised to at least `min`, the removed tags dropped, alignment modes valid.
fn suggested_record(text: &str, min: DmarcPolicy) -> String {
    let mut fixed = text.to_string();
    for tag in ["p", "sp", "np"] {
        let current = parse(&fixed).get(tag).map(DmarcPolicy::parse);
        match current {
            Some(Some(policy)) if policy >= min => {}
            Some(_) => fixed = set_tag(&fixed, tag, min.as_str()),
            None if tag == "p" => fixed = set_tag(&fixed, tag, min.as_str()),
            None => {}
        }
    }
    for tag in ["pct", "rf", "ri"] {
        fixed = remove_tag(&fixed, tag);
    }
    for tag in ["adkim", "aspf"] {
        if parse(&fixed).get(tag).is_some_and(|v| !matches!(v, "r" | "s")) {
            fixed = set_tag(&fixed, tag, "r");
        }
    }
    fixed
}

/// The record with `tag` set to `value` (replaced in place, or appended).
fn set_tag(text: &str, tag: &str, value: &str) -> String {
    let mut parts: Vec<String> = text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let pos = parts.iter().position(|p| {
        p.split_once('=')
            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(tag))
    });
    let new = format!("{tag}={value}");
    match pos {
        Some(i) => parts[i] = new,
        None => parts.push(new),
    }
    parts.join("; ")
}

fn remove_tag(text: &str, tag: &str) -> String {
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter(|p| {
            !p.split_once('=')
                .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(tag))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_and_parses_records() {
        assert!(is_dmarc("v=DMARC1; p=none"));
        assert!(is_dmarc("v=dmarc1"));
        assert!(!is_dmarc("v=DMARC10; p=none"));
        assert!(!is_dmarc("v=DMAR€; p=none"));
        let r = parse("v=DMARC1; P=reject; rua=mailto:a@b.com;");
        assert_eq!(r.get("p"), Some("reject"));
        assert!(r.errors.is_empty());
        assert_eq!(parse("v=DMARC1; p=none; p=reject").errors.len(), 1);
    }

    #[test]
    fn walks_up_the_tree() {
        assert_eq!(
            walk_names("mail.example.com"),
            vec!["mail.example.com", "example.com"]
        );
        assert_eq!(walk_names("example.com"), vec!["example.com"]);
        let long = walk_names("a.b.c.d.e.f.g.h.i.example.com");
        assert_eq!(long[0], "a.b.c.d.e.f.g.h.i.example.com");
        assert_eq!(long[1], "e.f.g.h.i.example.com");
        assert!(long.len() <= MAX_WALK_QUERIES);
    }

    #[test]
    fn edits_tags() {
        assert_eq!(
            set_tag("v=DMARC1; p=none; rua=mailto:a@b.c", "p", "reject"),
            "v=DMARC1; p=reject; rua=mailto:a@b.c"
        );
        assert_eq!(
            set_tag("v=DMARC1; p=none", "sp", "reject"),
            "v=DMARC1; p=none; sp=reject"
        );
        assert_eq!(remove_tag("v=DMARC1; p=none; pct=50", "pct"), "v=DMARC1; p=none");
        assert!(same_organisation("reports.example.com", "example.com"));
        assert!(!same_organisation("dmarcian.com", "example.com"));
    }
}
