//! BIMI (Brand Indicators for Message Identification): the `default._bimi` TXT record that
//! points mail clients at the brand's logo (an SVG over HTTPS) and, optionally, its mark
//! certificate. BIMI is optional; a record that is there must be right, and it only works
//! under an enforced DMARC policy.

use launchgate_core::Severity;

use crate::advice::{RecordFindings, change_record};
use crate::dmarc::{is_dmarc, parse};
use crate::resolve::Dns;
use launchgate_core::Report;

/// The tags a BIMI record may carry.
const KNOWN_TAGS: [&str; 3] = ["v", "l", "a"];

/// Checks the BIMI record of `domain`, when it has one.
pub async fn check(dns: &Dns, domain: &str) -> Report {
    let mut out = Report::default();
    let name = format!("default._bimi.{domain}");
    let subject = format!("{name} TXT (BIMI)");
    let Some(records) =
        crate::mta_sts::versioned_txt(dns, &mut out, &name, &subject, "BIMI", "v=bimi1").await
    else {
        return out;
    };
    let example = format!("v=BIMI1; l=https://{domain}/brand/logo.svg");
    let record = match records.as_slice() {
        [] => {
            out.check_since("BIMI", 0, Some("no BIMI record (optional)".to_string()));
            return out;
        }
        [one] => one.as_str(),
        many => {
            out.add(
                "bimi.syntax",
                Severity::Error,
                &subject,
                format!(
                    "{name} has {} BIMI records; mail clients ignore them all",
                    many.len()
                ),
                "keep one TXT record starting with `v=BIMI1`",
            );
            out.check_since("BIMI", 0, None);
            return out;
        }
    };
    for problem in problems(record) {
        let (severity, message) = problem;
        out.add(
            "bimi.syntax",
            severity,
            &subject,
            message,
            change_record("TXT", &name, domain, &example),
        );
    }
    dmarc_enforced(dns, domain, &subject, &mut out).await;
    out.check_since("BIMI", 0, None);
    out
}

/// What is wrong with a BIMI record: the logo must be an SVG over HTTPS, the certificate
/// (when given) a PEM over HTTPS; unknown tags are ignored by clients.
pub fn problems(record: &str) -> Vec<(Severity, String)> {
    let mut found = Vec::new();
    let tags: Vec<(String, String)> = record
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
            None => (p.trim().to_ascii_lowercase(), String::new()),
        })
        .collect();
    if tags.first().is_none_or(|(k, v)| k != "v" || v != "BIMI1") {
        found.push((Severity::Error, "a BIMI record starts with `v=BIMI1`".to_string()));
    }
    let get = |tag: &str| tags.iter().find(|(k, _)| k == tag).map(|(_, v)| v.as_str());
    match get("l") {
        None => found.push((
            Severity::Error,
            "the BIMI record has no `l=` tag naming the logo".to_string(),
        )),
        // An empty `l=` declines to show a logo on purpose.
        Some("") => {}
        Some(logo) if !logo.to_ascii_lowercase().starts_with("https://") => found.push((
            Severity::Error,
            format!("the BIMI logo `{logo}` is not an https:// URL; mail clients fetch it only over HTTPS"),
        )),
        Some(logo) if !logo.to_ascii_lowercase().ends_with(".svg") => found.push((
            Severity::Warning,
            format!("the BIMI logo `{logo}` does not end in .svg; BIMI logos are SVG Tiny PS files"),
        )),
        Some(_) => {}
    }
    if let Some(cert) = get("a").filter(|a| !a.is_empty())
        && !cert.to_ascii_lowercase().starts_with("https://")
    {
        found.push((
            Severity::Error,
            format!("the BIMI certificate `{cert}` is not an https:// URL"),
        ));
    }
    for (tag, _) in &tags {
        if !KNOWN_TAGS.contains(&tag.as_str()) {
            found.push((
                Severity::Note,
                format!("`{tag}` is not a BIMI tag; mail clients ignore it"),
            ));
        }
    }
    found
}

/// BIMI logos show only for mail under DMARC `p=quarantine` or `p=reject`.
async fn dmarc_enforced(dns: &Dns, domain: &str, subject: &str, out: &mut Report) {
    let (_, texts) = dns.txt(&format!("_dmarc.{domain}")).await;
    let policy = texts
        .iter()
        .find(|t| is_dmarc(t))
        .and_then(|t| parse(t).get("p").map(str::to_ascii_lowercase));
    if !matches!(policy.as_deref(), Some("quarantine" | "reject")) {
        out.add(
            "bimi.dmarc-not-enforced",
            Severity::Warning,
            subject,
            format!(
                "{domain} publishes BIMI, but its DMARC policy is {}: mail clients show the logo only under p=quarantine or p=reject",
                policy.map(|p| format!("`p={p}`")).unwrap_or_else(|| "missing".to_string())
            ),
            "enforce DMARC first (the DMARC findings say how)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_the_tags() {
        assert!(
            problems("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem").is_empty()
        );
        assert!(problems("v=BIMI1; l=; a=;").is_empty());
        let p = problems("v=BIMI1; l=http://example.com/logo.png; x=1");
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].0, Severity::Error);
        assert!(p[0].1.contains("not an https:// URL"));
        assert_eq!(p[1].0, Severity::Note);
        let p = problems("l=https://e.com/a.svg; v=BIMI1");
        assert!(p[0].1.contains("starts with `v=BIMI1`"));
        assert_eq!(
            problems("v=BIMI1; l=https://e.com/logo.png")[0].0,
            Severity::Warning
        );
        assert!(problems("v=BIMI1")[0].1.contains("no `l=` tag"));
    }
}
