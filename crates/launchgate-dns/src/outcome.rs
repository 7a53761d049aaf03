//! What one part of the gate (records, SPF, DMARC, …) hands back, and the finding builder
//! every part uses so that subjects and help read the same way.

use launchgate_core::{Check, CheckStatus, Finding, Severity, Table};

/// Findings, checks and tables from one part of the gate.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub checks: Vec<Check>,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
}

impl Outcome {
    /// Adds a finding about `subject` (a record such as `_dmarc.example.com TXT`).
    pub fn add(
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

    /// Records a named check whose status follows from the findings added since `start`.
    pub fn check_since(&mut self, name: impl Into<String>, start: usize, detail: Option<String>) {
        let worst = self.findings[start..].iter().map(|f| f.severity).max();
        let status = match worst {
            Some(Severity::Error) => CheckStatus::Failed,
            Some(Severity::Warning) => CheckStatus::Warned,
            _ => CheckStatus::Passed,
        };
        let detail = detail.or_else(|| {
            self.findings[start..]
                .iter()
                .find(|f| Some(f.severity) == worst)
                .map(|f| f.message.clone())
        });
        self.checks.push(Check {
            name: name.into(),
            status,
            duration_ms: None,
            detail,
        });
    }

    /// Records a check that did not run, with the reason.
    pub fn skipped(&mut self, name: impl Into<String>, why: impl Into<String>) {
        self.checks.push(Check {
            name: name.into(),
            status: CheckStatus::Skipped,
            duration_ms: None,
            detail: Some(why.into()),
        });
    }

    pub fn merge(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.checks.extend(other.checks);
        self.tables.extend(other.tables);
        self.notes.extend(other.notes);
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
