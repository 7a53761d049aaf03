//! MTA-STS (RFC 8461): the `_mta-sts` TXT record and the policy file served over HTTPS,
//! whose `mx` lines must cover the domain's real MX hosts. TLS-RPT (RFC 8460): the
//! `_smtp._tls` TXT record that asks for TLS failure reports.

use std::net::SocketAddr;

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::Severity;
use serde_json::json;

use crate::advice::{RecordFindings, add_record, change_record};
use crate::config::Requirement;
use crate::resolve::Dns;
use launchgate_core::Report;

mod fetch;

pub use fetch::HttpsSettings;
use fetch::fetch;

/// RFC 8461 §3.2: the longest `max_age` allowed, about one year.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
/// Below a day, a policy protects little between fetches.
pub const MAX_AGE_SHORT: u64 = 86_400;
/// A parsed policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub version: Option<String>,
    pub mode: Option<String>,
    pub mx: Vec<String>,
    pub max_age: Option<String>,
    pub errors: Vec<String>,
}

/// Parses `key: value` lines (CRLF or LF); `mx` may repeat, other keys may not.
pub fn parse_policy(text: &str) -> Policy {
    let mut policy = Policy::default();
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            policy.errors.push(format!("`{line}` is not a `key: value` line"));
            continue;
        };
        let value = value.trim().to_string();
        let slot = match key.trim() {
            "version" => &mut policy.version,
            "mode" => &mut policy.mode,
            "max_age" => &mut policy.max_age,
            "mx" => {
                policy.mx.push(value.to_ascii_lowercase());
                continue;
            }
            // RFC 8461 §3.2: unknown fields are ignored.
            _ => continue,
        };
        if slot.is_some() {
            policy
                .errors
                .push(format!("`{}` appears more than once", key.trim()));
        }
        *slot = Some(value);
    }
    policy
}

/// Whether an MX host matches a policy pattern; `*.example.net` matches one label.
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => pattern == host,
    }
}

/// Checks MTA-STS for `domain`.
pub async fn check(dns: &Dns, domain: &str, requirement: Requirement, https: &HttpsSettings) -> Report {
    let mut out = Report::default();
    if requirement == Requirement::Off {
        out.skip_check("MTA-STS", "mta_sts: off");
        return out;
    }
    let name = format!("_mta-sts.{domain}");
    let subject = format!("{name} TXT (MTA-STS)");
    let Some(records) = versioned_txt(dns, &mut out, &name, &subject, "MTA-STS", "v=stsv1").await else {
        return out;
    };
    let record = match records.as_slice() {
        [] => {
            let severity = if requirement == Requirement::Required {
                Severity::Error
            } else {
                Severity::Note
            };
            out.add(
                "mta-sts.missing",
                severity,
                &subject,
                format!("{domain} publishes no MTA-STS policy, so senders may deliver its mail over unencrypted or unverified connections"),
                format!(
                    "serve a policy at https://mta-sts.{domain}/.well-known/mta-sts.txt, then {}",
                    add_record("TXT", &name, domain, "v=STSv1; id=20260101000000")
                ),
            );
            out.check_since("MTA-STS", 0, None);
            return out;
        }
        [one] => one.as_str(),
        many => {
            out.add(
                "mta-sts.record-syntax",
                Severity::Error,
                &subject,
                format!(
                    "{name} has {} MTA-STS records; senders ignore MTA-STS",
                    many.len()
                ),
                "keep one TXT record starting with `v=STSv1` and delete the others",
            );
            out.check_since("MTA-STS", 0, None);
            return out;
        }
    };
    let id = tag_value(record, "id").map(str::to_string);
    let id_ok = id
        .as_deref()
        .is_some_and(|id| (1..=32).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric()));
    if !id_ok {
        out.add(
            "mta-sts.record-syntax",
            Severity::Error,
            &subject,
            format!("the MTA-STS record `{record}` needs an `id` of 1 to 32 letters and digits"),
            change_record("TXT", &name, domain, "v=STSv1; id=20260101000000"),
        );
    }

    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let policy_subject = url.clone();
    let host = format!("mta-sts.{domain}");
    let addrs = match policy_addresses(dns, &host, https).await {
        Ok(addrs) => addrs,
        Err(why) => {
            let help =
                format!("add an A or CNAME record at host/name `mta-sts` for the server that serves {url}");
            return policy_unreachable(out, &policy_subject, &why, help);
        }
    };
    let body = match fetch(&url, &host, &addrs, https).await {
        Ok((content_type, body)) => {
            let media = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if media != "text/plain" {
                out.add(
                    "mta-sts.policy-content-type",
                    Severity::Error,
                    &policy_subject,
                    format!("the MTA-STS policy is served as `{content_type}`, not text/plain; senders reject it"),
                    "serve mta-sts.txt with `Content-Type: text/plain` (a static file host may need a header rule)",
                );
            }
            body
        }
        Err(why) => {
            let help = format!(
                "serve the policy at {url} over HTTPS with a valid certificate for mta-sts.{domain}, without redirects"
            );
            return policy_unreachable(out, &policy_subject, &why, help);
        }
    };

    let policy = parse_policy(&body);
    for error in &policy.errors {
        out.add(
            "mta-sts.policy-syntax",
            Severity::Error,
            &policy_subject,
            format!("invalid MTA-STS policy: {error}"),
            "fix the policy file; each key but `mx` appears once",
        );
    }
    if policy.version.as_deref() != Some("STSv1") {
        out.add(
            "mta-sts.policy-syntax",
            Severity::Error,
            &policy_subject,
            "the MTA-STS policy lacks `version: STSv1`",
            "make `version: STSv1` the first line of the policy file",
        );
    }
    let mode = policy.mode.clone().unwrap_or_default();
    match mode.as_str() {
        "enforce" => {}
        "testing" => {
            out.add(
                "mta-sts.mode-testing",
                Severity::Note,
                &policy_subject,
                "the MTA-STS policy is in `testing` mode: failures are reported, not prevented",
                "switch to `mode: enforce` once TLS reports show no failures",
            );
        }
        "none" => {
            out.add(
                "mta-sts.mode-none",
                Severity::Warning,
                &policy_subject,
                "the MTA-STS policy has `mode: none`, which withdraws protection",
                "use `mode: enforce` (or `testing` while you roll out)",
            );
        }
        other => {
            out.add(
                "mta-sts.policy-syntax",
                Severity::Error,
                &policy_subject,
                format!("`mode: {other}` is not enforce, testing or none"),
                "write `mode: enforce` or `mode: testing`",
            );
        }
    }
    match policy.max_age.as_deref().map(str::parse::<u64>) {
        Some(Ok(age)) if age > MAX_AGE_LIMIT => {
            out.add(
                "mta-sts.policy-syntax",
                Severity::Error,
                &policy_subject,
                format!("`max_age: {age}` exceeds the limit of {MAX_AGE_LIMIT} seconds"),
                "use `max_age: 604800` (a week) or up to 31557600",
            );
        }
        Some(Ok(age)) if age < MAX_AGE_SHORT => {
            out.add(
                "mta-sts.max-age-short",
                Severity::Warning,
                &policy_subject,
                format!("`max_age: {age}` is under a day; senders forget the policy quickly"),
                "use `max_age: 604800` (a week) once the policy is stable",
            );
        }
        Some(Ok(_)) => {}
        _ => {
            out.add(
                "mta-sts.policy-syntax",
                Severity::Error,
                &policy_subject,
                "the MTA-STS policy needs `max_age` in seconds",
                "add `max_age: 604800`",
            );
        }
    }
    if policy.mx.is_empty() && mode != "none" {
        out.add(
            "mta-sts.policy-syntax",
            Severity::Error,
            &policy_subject,
            "the MTA-STS policy lists no `mx` lines, so no MX host is valid",
            "add one `mx:` line per MX host, e.g. `mx: mx1.provider.net`",
        );
    }
    let mx = dns.query(domain, RecordType::MX).await;
    if mx.is_failure() {
        // No MX hosts to compare: say so rather than pass the mx-mismatch check unchecked.
        crate::records::failed(&mut out, &format!("{domain} MX"), domain, &mx);
    }
    let hosts: Vec<String> = mx
        .records()
        .iter()
        .filter_map(|r| match r {
            RData::MX(m) => Some(m.exchange.to_string().trim_end_matches('.').to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    for host in &hosts {
        if !policy.mx.iter().any(|p| mx_matches(p, host)) && !policy.mx.is_empty() {
            let severity = if mode == "enforce" {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.add(
                "mta-sts.mx-mismatch",
                severity,
                &policy_subject,
                format!("MX host {host} is not covered by the policy's mx lines ({}): senders enforcing the policy will not deliver to it", policy.mx.join(", ")),
                format!("add `mx: {host}` to the policy file and change the id in the `_mta-sts` TXT record"),
            )
            .properties
            .insert("mx".into(), json!(host));
        }
    }
    out.check_since("MTA-STS", 0, Some(format!("mode {mode}")));
    out
}

/// Where to reach the policy host: an override from [`HttpsSettings::resolve`], else its
/// A and AAAA records from the gate's own resolver (so `--nameserver` applies here too).
/// The outcome when no policy could be read: one error, and the check ends there.
fn policy_unreachable(mut out: Report, subject: &str, why: &str, help: String) -> Report {
    out.add(
        "mta-sts.policy-unreachable",
        Severity::Error,
        subject,
        format!("the MTA-STS policy cannot be fetched: {why}"),
        help,
    );
    out.check_since("MTA-STS", 0, None);
    out
}

async fn policy_addresses(dns: &Dns, host: &str, https: &HttpsSettings) -> Result<Vec<SocketAddr>, String> {
    let overrides: Vec<SocketAddr> = https
        .resolve
        .iter()
        .filter(|(h, _)| h.eq_ignore_ascii_case(host))
        .map(|(_, a)| *a)
        .collect();
    if !overrides.is_empty() {
        return Ok(overrides);
    }
    let a = dns.query(host, RecordType::A).await;
    let aaaa = dns.query(host, RecordType::AAAA).await;
    let addrs: Vec<SocketAddr> = a
        .records()
        .iter()
        .chain(aaaa.records())
        .filter_map(|r| match r {
            RData::A(ip) => Some(SocketAddr::new(ip.0.into(), 443)),
            RData::AAAA(ip) => Some(SocketAddr::new(ip.0.into(), 443)),
            _ => None,
        })
        .collect();
    if addrs.is_empty() {
        // A failed A lookup says more than the AAAA one; else both said "nothing here".
        let answer = if a.is_failure() { &a } else { &aaaa };
        return Err(format!(
            "{host} has no address: the lookup ended in {}",
            answer.describe()
        ));
    }
    Ok(addrs)
}

/// The TXT records at `name` that start with `version` (lowercase, as `v=stsv1`). A failed
/// lookup is reported against `check` and gives `None`: the caller stops there.
pub(crate) async fn versioned_txt(
    dns: &Dns,
    out: &mut Report,
    name: &str,
    subject: &str,
    check: &str,
    version: &str,
) -> Option<Vec<String>> {
    let (answer, texts) = dns.txt(name).await;
    if answer.is_failure() {
        crate::records::failed(out, subject, name, &answer);
        out.check_since(check, 0, None);
        return None;
    }
    Some(
        texts
            .into_iter()
            .filter(|t| t.trim_start().to_ascii_lowercase().starts_with(version))
            .collect(),
    )
}

/// The value of `tag` in a `k=v; k=v` record.
fn tag_value<'a>(record: &'a str, tag: &str) -> Option<&'a str> {
    record
        .split(';')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim() == tag)
        .map(|(_, v)| v.trim())
}

/// Checks TLS-RPT for `domain`.
pub async fn check_tls_rpt(dns: &Dns, domain: &str, requirement: Requirement) -> Report {
    let mut out = Report::default();
    if requirement == Requirement::Off {
        out.skip_check("TLS-RPT", "tls_rpt: off");
        return out;
    }
    let name = format!("_smtp._tls.{domain}");
    let subject = format!("{name} TXT (TLS-RPT)");
    let example = format!("v=TLSRPTv1; rua=mailto:tls-reports@{domain}");
    let Some(records) = versioned_txt(dns, &mut out, &name, &subject, "TLS-RPT", "v=tlsrptv1").await else {
        return out;
    };
    match records.as_slice() {
        [] => {
            let severity = if requirement == Requirement::Required {
                Severity::Error
            } else {
                Severity::Note
            };
            out.add(
                "tls-rpt.missing",
                severity,
                &subject,
                format!("{domain} asks for no SMTP TLS reports, so delivery failures over TLS go unnoticed"),
                add_record("TXT", &name, domain, &example),
            );
        }
        [one] => {
            let rua = tag_value(one, "rua");
            let valid = rua.is_some_and(|r| {
                r.split(',').all(|u| {
                    let u = u.trim().to_ascii_lowercase();
                    (u.starts_with("mailto:") && u.contains('@')) || u.starts_with("https://")
                })
            });
            if !valid {
                out.add(
                    "tls-rpt.syntax",
                    Severity::Error,
                    &subject,
                    format!("the TLS-RPT record `{one}` needs `rua=` with mailto: or https: addresses"),
                    change_record("TXT", &name, domain, &example),
                );
            }
        }
        many => {
            out.add(
                "tls-rpt.syntax",
                Severity::Error,
                &subject,
                format!(
                    "{name} has {} TLS-RPT records; senders ignore them all",
                    many.len()
                ),
                "keep one TXT record starting with `v=TLSRPTv1`",
            );
        }
    }
    out.check_since("TLS-RPT", 0, None);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies() {
        let p = parse_policy(
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.net\r\nmx: *.example.org\r\nmax_age: 604800\r\n",
        );
        assert_eq!(p.mode.as_deref(), Some("enforce"));
        assert_eq!(p.mx, vec!["mx1.example.net", "*.example.org"]);
        assert!(p.errors.is_empty());
        let p = parse_policy("version: STSv1\nmode: enforce\nmode: testing\nnonsense\n");
        assert_eq!(p.errors.len(), 2);
    }

    #[test]
    fn wildcard_matches_one_label() {
        assert!(mx_matches("*.example.net", "mx1.example.net."));
        assert!(!mx_matches("*.example.net", "a.b.example.net"));
        assert!(!mx_matches("*.example.net", "example.net"));
        assert!(mx_matches("MX1.example.net", "mx1.example.net"));
    }
}
