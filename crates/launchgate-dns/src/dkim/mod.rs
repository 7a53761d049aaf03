//! DKIM (RFC 6376, 8301, 8463): each selector's key record at
//! `<selector>._domainkey.<domain>`, its key type and size, and its hash algorithms.

pub mod key;

use launchgate_core::{Severity, Table};
use serde_json::json;

use crate::advice::{RecordFindings, add_record};
use crate::config::DkimConfig;
use crate::resolve::{Answer, Dns};
use launchgate_core::Report;

/// RFC 8301: verifiers must reject RSA keys shorter than this.
pub const MIN_RSA_BITS: usize = 1024;
/// RFC 8301: signers should use keys at least this long.
pub const RECOMMENDED_RSA_BITS: usize = 2048;

/// Selectors that common mail providers publish, probed when none are configured.
pub const COMMON_SELECTORS: [&str; 14] = [
    "default",
    "google",
    "selector1",
    "selector2",
    "k1",
    "k2",
    "s1",
    "s2",
    "resend",
    "mail",
    "dkim",
    "smtp",
    "mxvault",
    "pm",
];

/// A key record's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DkimRecord {
    pub tags: Vec<(String, String)>,
}

impl DkimRecord {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.tags.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

pub fn parse(text: &str) -> DkimRecord {
    DkimRecord {
        tags: text
            .split(';')
            .filter_map(|p| p.split_once('='))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect(),
    }
}

/// Checks the configured selectors, or probes common ones when there are none.
pub async fn check(dns: &Dns, domain: &str, config: &DkimConfig) -> Report {
    let mut out = Report::default();
    let mut rows = Vec::new();
    if config.selectors.is_empty() {
        probe(dns, domain, &mut out, &mut rows).await;
    } else {
        for selector in &config.selectors {
            let name = format!("{selector}._domainkey.{domain}");
            let subject = format!("{name} TXT (DKIM)");
            let (answer, texts) = dns.txt(&name).await;
            let summary = match (&answer, first_key_record(&texts)) {
                (a, _) if a.is_failure() => {
                    out.add(
                        "dkim.lookup-failed",
                        Severity::Error,
                        &subject,
                        format!("the TXT lookup for {name} ended in {}", a.describe()),
                        "check that the domain's name servers answer; receivers cannot verify signatures without the key",
                    );
                    "lookup failed".to_string()
                }
                (_, None) => {
                    out.add(
                        "dkim.missing",
                        Severity::Error,
                        &subject,
                        format!("DKIM selector `{selector}` has no key record ({}): mail signed with it fails DKIM", answer.describe()),
                        format!("{} (copy the exact value, or the CNAME target, from your mail provider's domain settings)", add_record("TXT", &name, domain, "v=DKIM1; k=rsa; p=<public key from your provider>")),
                    );
                    "missing".to_string()
                }
                (_, Some(text)) => key_findings(&mut out, &subject, &name, domain, text),
            };
            rows.push(vec![selector.clone(), summary]);
        }
    }
    out.tables.push(Table {
        title: format!("DKIM selectors for {domain}"),
        columns: vec!["selector".into(), "key".into()],
        rows,
    });
    out.check_since("DKIM", 0, None);
    out
}

async fn probe(dns: &Dns, domain: &str, out: &mut Report, rows: &mut Vec<Vec<String>>) {
    let subject = format!("_domainkey.{domain} (DKIM)");
    let mut found = Vec::new();
    for selector in COMMON_SELECTORS {
        let name = format!("{selector}._domainkey.{domain}");
        let (answer, texts) = dns.txt(&name).await;
        if let (Answer::Records(_), Some(text)) = (&answer, first_key_record(&texts)) {
            let summary = key_findings(out, &format!("{name} TXT (DKIM)"), &name, domain, text);
            rows.push(vec![selector.to_string(), summary]);
            found.push(selector);
        }
    }
    let list = COMMON_SELECTORS.join(", ");
    if found.is_empty() {
        out.add(
            "dkim.not-configured",
            Severity::Warning,
            &subject,
            format!("no DKIM selectors are configured, and none of the common ones ({list}) has a key"),
            "list your provider's selectors under dns.email.dkim.selectors (your mail provider's domain settings name them), and publish their keys",
        );
    } else {
        out.add(
            "dkim.not-configured",
            Severity::Note,
            &subject,
            format!(
                "no DKIM selectors are configured; probing common ones found: {}",
                found.join(", ")
            ),
            format!(
                "list them under dns.email.dkim.selectors: [{}] so a removed key fails the gate",
                found.join(", ")
            ),
        );
    }
}

/// The first TXT string that is a DKIM key record: `v=DKIM1`, or any record with `p=`
/// (the version tag is optional).
fn first_key_record(texts: &[String]) -> Option<&str> {
    texts.iter().map(String::as_str).find(|t| {
        let r = parse(t);
        r.get("v").is_some_and(|v| v == "DKIM1") || (r.get("v").is_none() && r.get("p").is_some())
    })
}

/// Findings about one key record; returns a short description for the table.
fn key_findings(out: &mut Report, subject: &str, name: &str, domain: &str, text: &str) -> String {
    let record = parse(text);
    let provider = "generate a new 2048-bit key in your mail provider and publish the TXT (or CNAME) record it gives you";
    let Some(p) = record.get("p") else {
        out.add(
            "dkim.syntax",
            Severity::Error,
            subject,
            format!("the DKIM record at {name} has no `p=` key tag"),
            add_record(
                "TXT",
                name,
                domain,
                "v=DKIM1; k=rsa; p=<public key from your provider>",
            ),
        );
        return "no key".into();
    };
    if p.is_empty() {
        out.add(
            "dkim.revoked",
            Severity::Error,
            subject,
            format!("the DKIM key at {name} is revoked (empty `p=`): mail signed with this selector fails DKIM"),
            format!("if mail is still signed with this selector, {provider}; otherwise remove it from dns.email.dkim.selectors"),
        );
        return "revoked".into();
    }
    if let Some(h) = record.get("h") {
        let hashes: Vec<&str> = h.split(':').map(str::trim).collect();
        if hashes.iter().all(|h| h.eq_ignore_ascii_case("sha1")) {
            out.add(
                "dkim.sha1",
                Severity::Warning,
                subject,
                format!("the DKIM key at {name} allows only SHA-1 (`h={h}`), which RFC 8301 forbids; receivers reject these signatures"),
                format!("{provider}, or remove the `h=` tag so SHA-256 is allowed"),
            );
        }
    }
    let key_type = record.get("k").unwrap_or("rsa").to_ascii_lowercase();
    let Some(der) = launchgate_core::encoding::decode_base64(p, launchgate_core::encoding::Base64::Standard)
    else {
        out.add(
            "dkim.syntax",
            Severity::Error,
            subject,
            format!("the DKIM key at {name} is not valid base64"),
            format!(
                "copy the value again from your mail provider; a character was lost or added ({provider})"
            ),
        );
        return "invalid".into();
    };
    match key_type.as_str() {
        "ed25519" => {
            if der.len() != 32 {
                out.add(
                    "dkim.syntax",
                    Severity::Error,
                    subject,
                    format!("the Ed25519 DKIM key at {name} is {} bytes, not 32", der.len()),
                    provider,
                );
                return "invalid ed25519".into();
            }
            "ed25519".into()
        }
        "rsa" => {
            let Some(bits) = key::rsa_modulus_bits(&der) else {
                out.add(
                    "dkim.syntax",
                    Severity::Error,
                    subject,
                    format!("the DKIM key at {name} is not an RSA public key"),
                    format!("copy the value again from your mail provider ({provider})"),
                );
                return "invalid rsa".into();
            };
            if bits < MIN_RSA_BITS {
                out.add(
                    "dkim.weak-key",
                    Severity::Error,
                    subject,
                    format!("the DKIM key at {name} is RSA-{bits}, under {MIN_RSA_BITS} bits: receivers reject it (RFC 8301)"),
                    provider,
                )
                .properties
                .insert("bits".into(), json!(bits));
            } else if bits < RECOMMENDED_RSA_BITS {
                out.add(
                    "dkim.short-key",
                    Severity::Warning,
                    subject,
                    format!("the DKIM key at {name} is RSA-{bits}; {RECOMMENDED_RSA_BITS} bits is the recommended minimum"),
                    provider,
                )
                .properties
                .insert("bits".into(), json!(bits));
            }
            format!("rsa-{bits}")
        }
        other => {
            out.add(
                "dkim.syntax",
                Severity::Error,
                subject,
                format!("the DKIM key at {name} has key type `k={other}`; receivers know rsa and ed25519"),
                provider,
            );
            format!("unknown type {other}")
        }
    }
}
