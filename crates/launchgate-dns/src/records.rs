//! Expected records: each listed name and type answers with the expected values; the apex
//! has no CNAME; every CNAME target exists; the site's host names resolve.

use std::net::IpAddr;

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::{Severity, Table};
use serde_json::json;

use crate::advice::{RecordFindings, host_field};
use crate::config::{RecordKind, RecordSpec};
use crate::resolve::{Answer, Dns, txt_string};
use launchgate_core::Report;

/// The full name a record spec means: `@` is the apex, a name ending in `.` is absolute,
/// anything else is relative to the domain.
pub fn full_name(name: &str, domain: &str) -> String {
    let name = name.trim();
    if name == "@" || name.is_empty() {
        domain.to_ascii_lowercase()
    } else if let Some(absolute) = name.strip_suffix('.') {
        absolute.to_ascii_lowercase()
    } else {
        format!("{name}.{domain}").to_ascii_lowercase()
    }
}

pub fn record_type(kind: RecordKind) -> RecordType {
    match kind {
        RecordKind::A => RecordType::A,
        RecordKind::Aaaa => RecordType::AAAA,
        RecordKind::Cname => RecordType::CNAME,
        RecordKind::Mx => RecordType::MX,
        RecordKind::Txt => RecordType::TXT,
        RecordKind::Ns => RecordType::NS,
        RecordKind::Caa => RecordType::CAA,
    }
}

/// An expected value in the form answers are compared in; `Err` says why it is invalid.
pub fn normalize_expected(kind: RecordKind, value: &str) -> Result<String, String> {
    let v = value.trim();
    match kind {
        RecordKind::A | RecordKind::Aaaa => {
            let ip: IpAddr = v.parse().map_err(|_| format!("`{v}` is not an IP address"))?;
            let right_family = matches!(
                (kind, ip),
                (RecordKind::A, IpAddr::V4(_)) | (RecordKind::Aaaa, IpAddr::V6(_))
            );
            if !right_family {
                return Err(format!("`{v}` is not an {kind} address"));
            }
            Ok(ip.to_string())
        }
        RecordKind::Cname | RecordKind::Ns => {
            if v.is_empty() || v.contains(char::is_whitespace) {
                return Err(format!("`{v}` is not a host name"));
            }
            Ok(host(v))
        }
        RecordKind::Mx => {
            let (pref, exchange) = v
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("`{v}` is not `PRIORITY HOST`, e.g. `10 mx1.provider.net.`"))?;
            let pref: u16 = pref
                .parse()
                .map_err(|_| format!("`{pref}` in `{v}` is not an MX priority (0-65535)"))?;
            Ok(format!("{pref} {}", host(exchange.trim())))
        }
        RecordKind::Txt => Ok(v.to_string()),
        RecordKind::Caa => {
            let mut parts = v.splitn(3, char::is_whitespace);
            let (Some(flags), Some(tag), Some(val)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(format!(
                    "`{v}` is not `FLAGS TAG VALUE`, e.g. `0 issue \"letsencrypt.org\"`"
                ));
            };
            let flags: u8 = flags
                .parse()
                .map_err(|_| format!("`{flags}` in `{v}` is not a CAA flag (0-255)"))?;
            Ok(format!(
                "{flags} {} \"{}\"",
                tag.to_ascii_lowercase(),
                val.trim().trim_matches('"')
            ))
        }
    }
}

fn host(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// An answer's record in the same form as [`normalize_expected`].
pub fn normalize_answer(data: &RData) -> Option<String> {
    Some(match data {
        RData::A(a) => a.0.to_string(),
        RData::AAAA(a) => a.0.to_string(),
        RData::CNAME(c) => host(&c.0.to_string()),
        RData::NS(n) => host(&n.0.to_string()),
        RData::MX(mx) => format!("{} {}", mx.preference, host(&mx.exchange.to_string())),
        RData::TXT(_) => txt_string(data)?,
        RData::CAA(caa) => format!(
            "{} {} \"{}\"",
            if caa.issuer_critical { 128 } else { 0 },
            caa.tag.to_ascii_lowercase(),
            String::from_utf8_lossy(&caa.value)
        ),
        _ => return None,
    })
}

/// Checks every expected record, the apex, CNAME targets and the site's host names.
pub async fn check(dns: &Dns, domain: &str, specs: &[RecordSpec], site_hosts: &[String]) -> Report {
    let mut out = Report::default();
    let mut rows = Vec::new();
    // CNAMEs already checked for a dangling target, as (name, target).
    let mut cname_targets: Vec<(String, String)> = Vec::new();

    for spec in specs {
        let start = out.findings.len();
        let name = full_name(&spec.name, domain);
        let rtype = record_type(spec.record_type);
        let subject = format!("{name} {}", spec.record_type);
        let exact = spec.values.is_some();
        let expected: Vec<String> = spec
            .values
            .as_ref()
            .or(spec.contains.as_ref())
            .map(|v| {
                v.iter()
                    .filter_map(|x| normalize_expected(spec.record_type, x).ok())
                    .collect()
            })
            .unwrap_or_default();
        let answer = dns.query(&name, rtype).await;
        let found: Vec<String> = answer.records().iter().filter_map(normalize_answer).collect();
        let host = host_field(&name, domain);
        let kind = spec.record_type.as_str();
        match &answer {
            a if a.is_failure() => failed(&mut out, &subject, &name, a),
            Answer::NxDomain | Answer::NoData => {
                let why = if answer == Answer::NxDomain {
                    format!("{name} does not exist (NXDOMAIN)")
                } else {
                    format!("{name} exists but has no {kind} record")
                };
                out.add(
                    "dns.record-missing",
                    Severity::Error,
                    &subject,
                    format!("{why}; expected {}", expected.join(", ")),
                    format!(
                        "add {} in your DNS provider: host/name `{host}`, type {kind}, value {}",
                        plural(expected.len()),
                        list(&expected)
                    ),
                )
                .properties
                .insert("expected".into(), json!(expected));
            }
            _ => {
                let missing: Vec<&String> = expected.iter().filter(|e| !found.contains(e)).collect();
                let unexpected: Vec<&String> = if exact {
                    found.iter().filter(|f| !expected.contains(f)).collect()
                } else {
                    Vec::new()
                };
                if !missing.is_empty() || !unexpected.is_empty() {
                    let mut diff = Vec::new();
                    diff.extend(missing.iter().map(|m| format!("+ {m}")));
                    diff.extend(unexpected.iter().map(|u| format!("- {u}")));
                    let mut help = format!("in your DNS provider, at host/name `{host}` type {kind}:");
                    if !missing.is_empty() {
                        help.push_str(&format!(" add {}", list(&missing)));
                    }
                    if !unexpected.is_empty() {
                        if !missing.is_empty() {
                            help.push(';');
                        }
                        help.push_str(&format!(" delete {} (stale or unknown)", list(&unexpected)));
                    }
                    out.add(
                        "dns.record-mismatch",
                        Severity::Error,
                        &subject,
                        format!(
                            "{subject} answers {}, expected {}{} (diff: {})",
                            found.join(", "),
                            if exact { "" } else { "at least " },
                            expected.join(", "),
                            diff.join(", ")
                        ),
                        help,
                    )
                    .properties
                    .extend([
                        ("expected".to_string(), json!(expected)),
                        ("found".to_string(), json!(found)),
                        ("missing".to_string(), json!(missing)),
                        ("unexpected".to_string(), json!(unexpected)),
                    ]);
                }
            }
        }
        // A CNAME's target is part of the record's check: a dangling one fails it.
        if spec.record_type == RecordKind::Cname {
            for target in &found {
                if !cname_targets.contains(&(name.clone(), target.clone())) {
                    cname_targets.push((name.clone(), target.clone()));
                    dangling(dns, domain, &name, target, &mut out).await;
                }
            }
        }
        // An MX host without an address takes no mail, whatever the record says.
        if spec.record_type == RecordKind::Mx {
            for data in answer.records() {
                if let RData::MX(mx) = data
                    && !mx.exchange.is_root()
                {
                    let exchange = mx.exchange.to_string().trim_end_matches('.').to_ascii_lowercase();
                    crate::mail::mx_host_resolves(dns, &name, &exchange, &mut out).await;
                }
            }
        }
        let status = if out.findings.len() > start { "✗" } else { "✓" };
        rows.push(vec![
            host.clone(),
            kind.to_string(),
            expected.join(", "),
            if found.is_empty() {
                answer.describe()
            } else {
                found.join(", ")
            },
            status.to_string(),
        ]);
        out.check_since(subject.clone(), start, None);
    }

    apex_cname(dns, domain, &mut out).await;

    for site_host in site_hosts {
        let under = site_host == domain || site_host.ends_with(&format!(".{domain}"));
        if !under {
            continue;
        }
        let start = out.findings.len();
        let cname = dns.query(site_host, RecordType::CNAME).await;
        for target in cname.records().iter().filter_map(normalize_answer) {
            if !cname_targets.contains(&(site_host.clone(), target.clone())) {
                cname_targets.push((site_host.clone(), target.clone()));
                dangling(dns, domain, site_host, &target, &mut out).await;
            }
        }
        let subject = format!("{site_host} A/AAAA (site)");
        let a = dns.query(site_host, RecordType::A).await;
        let aaaa = dns.query(site_host, RecordType::AAAA).await;
        if let Some(bad) = [&a, &aaaa].into_iter().find(|x| x.is_failure()) {
            failed(&mut out, &subject, site_host, bad);
        } else if a.records().is_empty() && aaaa.records().is_empty() {
            out.add(
                "dns.site-host-unresolved",
                Severity::Error,
                &subject,
                format!("{site_host}, listed in smoke.site, has no address: the lookup ended in {}", a.describe()),
                format!("add an A or CNAME record at host/name `{}` pointing at your hosting platform (its domain settings give the value)", host_field(site_host, domain)),
            );
        }
        out.check_since(format!("{site_host} resolves"), start, None);
    }

    out.tables.push(Table {
        title: format!("Records for {domain}"),
        columns: vec![
            "host".into(),
            "type".into(),
            "expected".into(),
            "found".into(),
            "ok".into(),
        ],
        rows,
    });
    out
}

async fn apex_cname(dns: &Dns, domain: &str, out: &mut Report) {
    let answer = dns.query(domain, RecordType::CNAME).await;
    if let Some(target) = answer.records().iter().find_map(normalize_answer) {
        out.add(
            "dns.apex-cname",
            Severity::Error,
            &format!("{domain} CNAME"),
            format!("the apex {domain} is a CNAME to {target}: a CNAME cannot live beside the apex's SOA, NS and MX records, so mail and some resolvers break"),
            format!("delete the CNAME at host `@` and add the A/AAAA records your platform gives for apex domains (or use your DNS provider's ALIAS/ANAME/flattening for {target})"),
        );
    }
}

async fn dangling(dns: &Dns, domain: &str, name: &str, target: &str, out: &mut Report) {
    let subject = format!("{name} CNAME");
    let Some((a, aaaa)) = addresses(dns, target, &subject, out).await else {
        return;
    };
    if a == Answer::NxDomain && aaaa == Answer::NxDomain {
        out.add(
            "dns.dangling-cname",
            Severity::Error,
            &subject,
            format!("{name} is a CNAME to {target}, which does not exist (NXDOMAIN): whoever registers that name on the platform can serve content on {name} (subdomain takeover)"),
            format!("delete the CNAME at host/name `{}`, or point it at the platform target you use now", host_field(name, domain)),
        )
        .properties
        .insert("target".into(), json!(target));
    } else if a.records().is_empty() && aaaa.records().is_empty() {
        out.add(
            "dns.cname-target-no-address",
            Severity::Warning,
            &subject,
            format!("{name} is a CNAME to {target}, which exists but has no A or AAAA record: browsers cannot reach {name}"),
            format!("check the target in your platform's domain settings and update the CNAME at host/name `{}`", host_field(name, domain)),
        );
    }
}

/// The A and AAAA answers for `host`; a failed lookup is reported against `subject` and
/// gives `None`.
pub async fn addresses(dns: &Dns, host: &str, subject: &str, out: &mut Report) -> Option<(Answer, Answer)> {
    let a = dns.query(host, RecordType::A).await;
    let aaaa = dns.query(host, RecordType::AAAA).await;
    if let Some(bad) = [&a, &aaaa].into_iter().find(|x| x.is_failure()) {
        failed(out, subject, host, bad);
        return None;
    }
    Some((a, aaaa))
}

/// A lookup that neither answered nor said the name is absent.
pub fn failed(out: &mut Report, subject: &str, name: &str, answer: &Answer) {
    let (rule, help) = match answer {
        Answer::Timeout => (
            "dns.timeout",
            "no name server answered in time: check the `resolver` setting or network, or raise `timeout_ms`",
        ),
        Answer::ServerError(_) => (
            "dns.server-error",
            "the name server failed to answer (often a broken delegation or DNSSEC): check the domain's NS records at your registrar",
        ),
        _ => (
            "dns.lookup-failed",
            "check the `resolver` setting and the network",
        ),
    };
    out.add(
        rule,
        Severity::Error,
        subject,
        format!("the lookup for {name} ended in {}", answer.describe()),
        help,
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "a record" } else { "records" }
}

fn list<T: AsRef<str>>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| format!("`{}`", v.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_the_domain() {
        assert_eq!(full_name("@", "example.com"), "example.com");
        assert_eq!(full_name("WWW", "example.com"), "www.example.com");
        assert_eq!(full_name("mail.other.net.", "example.com"), "mail.other.net");
    }

    #[test]
    fn normalizes_expected_values() {
        assert_eq!(
            normalize_expected(RecordKind::Mx, "10  MX1.Provider.net.").unwrap(),
            "10 mx1.provider.net"
        );
        assert_eq!(
            normalize_expected(RecordKind::Aaaa, "2001:DB8::1").unwrap(),
            "2001:db8::1"
        );
        assert!(
            normalize_expected(RecordKind::A, "2001:db8::1")
                .unwrap_err()
                .contains("not an A address")
        );
        assert!(normalize_expected(RecordKind::Mx, "mx1.provider.net").is_err());
        assert_eq!(
            normalize_expected(RecordKind::Caa, "0 issue \"letsencrypt.org\"").unwrap(),
            "0 issue \"letsencrypt.org\""
        );
    }
}
