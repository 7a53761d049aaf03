//! How the gate's findings read: a finding about a record with the fix as help, and the
//! host field and record edits a DNS provider's form wants.
//!
//! Each part of the gate (records, SPF, DMARC, …) fills a part [`Report`] that the gate
//! merges; its checks follow from their findings by core's one rule
//! ([`Report::check_since`]).

use launchgate_core::{Finding, Report, Severity};

/// Adds findings about DNS records to a part's report.
pub trait RecordFindings {
    /// Adds a finding about `subject` (a record such as `_dmarc.example.com TXT`) with
    /// the fix as its help.
    fn add(
        &mut self,
        rule_id: &str,
        severity: Severity,
        subject: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> &mut Finding;
}

impl RecordFindings for Report {
    fn add(
        &mut self,
        rule_id: &str,
        severity: Severity,
        subject: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> &mut Finding {
        let finding = Finding::new(rule_id, severity, message)
            .subject(subject)
            .help(help);
        self.findings.push(finding);
        self.findings.last_mut().expect("just pushed")
    }
}

/// The host part a DNS provider's form wants: `@` for the apex, else the name relative to
/// the domain (`_dmarc`, `www`), else the full name.
pub fn host_field(name: &str, domain: &str) -> String {
    let name = name.trim_end_matches('.');
    if name.eq_ignore_ascii_case(domain) {
        "@".to_string()
    } else if let Some(prefix) = name
        .len()
        .checked_sub(domain.len() + 1)
        .filter(|&i| {
            name.get(i..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(&format!(".{domain}")))
        })
        .and_then(|i| name.get(..i))
    {
        prefix.to_string()
    } else {
        format!("{name}.")
    }
}

/// Help text for adding a record: "Add a TXT record with host `_dmarc` and value `…`".
pub fn add_record(kind: &str, name: &str, domain: &str, value: &str) -> String {
    format!(
        "add a {kind} record in your DNS provider with host/name `{}` and value `{value}`",
        host_field(name, domain)
    )
}

/// Help text for changing a record's value.
pub fn change_record(kind: &str, name: &str, domain: &str, value: &str) -> String {
    format!(
        "edit the {kind} record at host/name `{}` so its value reads `{value}`",
        host_field(name, domain)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_field_is_relative_to_the_domain() {
        assert_eq!(host_field("example.com", "example.com"), "@");
        assert_eq!(host_field("_dmarc.example.com.", "example.com"), "_dmarc");
        assert_eq!(host_field("a.b.Example.com", "example.com"), "a.b");
        assert_eq!(host_field("other.net", "example.com"), "other.net.");
        assert_eq!(host_field("xexample.com", "example.com"), "xexample.com.");
        assert_eq!(host_field("wéb.example.com", "example.com"), "wéb");
        assert_eq!(host_field("é", "example.com"), "é.");
    }
}
