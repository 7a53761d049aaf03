//! CAA (RFC 8659): which certificate authorities may issue for the domain.

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::Severity;
use serde_json::json;

use crate::advice::{RecordFindings, add_record};
use crate::config::CaaConfig;
use crate::resolve::Dns;
use launchgate_core::Report;

/// Checks that every configured issuer may issue for `domain`.
pub async fn check(dns: &Dns, domain: &str, config: &CaaConfig) -> Report {
    let mut out = Report::default();
    let subject = format!("{domain} CAA");
    let answer = dns.query(domain, RecordType::CAA).await;
    if answer.is_failure() {
        crate::records::failed(&mut out, &subject, domain, &answer);
        out.check_since("CAA", 0, None);
        return out;
    }
    let mut issuers = Vec::new();
    let mut wild = Vec::new();
    let mut iodef = false;
    for record in answer.records() {
        if let RData::CAA(caa) = record {
            let value = String::from_utf8_lossy(&caa.value).into_owned();
            // The issuer is the domain before any `;` parameters; empty means "nobody".
            let issuer = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            match caa.tag.to_ascii_lowercase().as_str() {
                "issue" => issuers.push(issuer),
                "issuewild" => wild.push(issuer),
                "iodef" => iodef = true,
                _ => {}
            }
        }
    }
    let first = config
        .issuers
        .first()
        .map(String::as_str)
        .unwrap_or("letsencrypt.org");
    if issuers.is_empty() && wild.is_empty() {
        out.add(
            "caa.missing",
            Severity::Note,
            &subject,
            format!(
                "{domain} has no CAA records, so any certificate authority may issue certificates for it"
            ),
            add_record("CAA", domain, domain, &format!("0 issue \"{first}\"")),
        );
        out.check_since("CAA", 0, None);
        return out;
    }
    for wanted in &config.issuers {
        let wanted = wanted.trim().trim_end_matches('.').to_ascii_lowercase();
        if !issuers.contains(&wanted) {
            out.add(
                "caa.issuer-missing",
                Severity::Error,
                &subject,
                format!(
                    "CAA allows {} but not {wanted}: certificate renewals by {wanted} will fail",
                    if issuers.iter().all(String::is_empty) {
                        "no issuer".to_string()
                    } else {
                        issuers
                            .iter()
                            .filter(|i| !i.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                add_record("CAA", domain, domain, &format!("0 issue \"{wanted}\"")),
            )
            .properties
            .insert("issuers".into(), json!(issuers));
        }
    }
    if !iodef {
        out.add(
            "caa.no-iodef",
            Severity::Note,
            &subject,
            "no CAA `iodef` record: certificate authorities have nowhere to report refused requests",
            add_record(
                "CAA",
                domain,
                domain,
                &format!("0 iodef \"mailto:security@{domain}\""),
            ),
        );
    }
    out.check_since("CAA", 0, Some(format!("issue: {}", issuers.join(", "))));
    out
}
