//! Checks: the named steps a gate runs (a smoke request, a DNS record, a budget), each
//! passed, warned, failed or skipped.
//!
//! A check's status is never set by hand: it follows from the findings the check produced,
//! by one rule for every gate ([`CheckStatus::from_worst`]):
//!
//! | worst finding | status |
//! |---|---|
//! | error | failed |
//! | warning | warned |
//! | note, or none | passed |
//!
//! A note is information (a DNSSEC status, a budget written at `level: note`), not a
//! problem, so it leaves its check passed; it is still listed with the findings.

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};

/// A named check and its outcome, as reports and renderers show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Why it failed or was skipped, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Warned,
    Failed,
    Skipped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Warned => "warned",
            CheckStatus::Failed => "failed",
            CheckStatus::Skipped => "skipped",
        }
    }

    /// The status of a check whose worst finding has this severity (`None`: no finding).
    pub fn from_worst(worst: Option<Severity>) -> CheckStatus {
        match worst {
            Some(Severity::Error) => CheckStatus::Failed,
            Some(Severity::Warning) => CheckStatus::Warned,
            Some(Severity::Note) | None => CheckStatus::Passed,
        }
    }

    /// The status of a check that produced these findings.
    pub fn of_findings(findings: &[Finding]) -> CheckStatus {
        CheckStatus::from_worst(findings.iter().map(|f| f.severity).max())
    }
}

impl Check {
    /// A check judged by the findings it produced.
    pub fn judged(name: impl Into<String>, findings: &[Finding]) -> Check {
        Check {
            name: name.into(),
            status: CheckStatus::of_findings(findings),
            duration_ms: None,
            detail: None,
        }
    }

    /// A check that did not run, with the reason.
    pub fn skipped(name: impl Into<String>, why: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: CheckStatus::Skipped,
            duration_ms: None,
            detail: Some(why.into()),
        }
    }

    pub fn with_detail(mut self, detail: Option<String>) -> Check {
        self.detail = detail;
        self
    }
}

/// A check being run: its findings so far, how long it took, and what to say about it.
/// [`CheckRun::finish`] turns it into a [`Check`] whose status follows from the findings.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub name: String,
    pub findings: Vec<Finding>,
    pub duration_ms: Option<u64>,
    pub detail: Option<String>,
    skipped: bool,
}

impl CheckRun {
    pub fn new(name: impl Into<String>) -> Self {
        CheckRun {
            name: name.into(),
            findings: Vec::new(),
            duration_ms: None,
            detail: None,
            skipped: false,
        }
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Ends the check with one error finding about `subject`, whose message is also the
    /// check's detail.
    pub fn fail(mut self, rule_id: &str, message: String, subject: &str) -> Self {
        self.detail = Some(message.clone());
        self.findings
            .push(Finding::new(rule_id, Severity::Error, message).subject(subject));
        self
    }

    /// Marks the check as not run, with the reason.
    pub fn skip(mut self, why: impl Into<String>) -> Self {
        self.skipped = true;
        self.detail = Some(why.into());
        self
    }

    pub fn status(&self) -> CheckStatus {
        if self.skipped {
            CheckStatus::Skipped
        } else {
            CheckStatus::of_findings(&self.findings)
        }
    }

    /// The check as reports show it, and its findings.
    pub fn finish(self) -> (Check, Vec<Finding>) {
        let check = Check {
            status: self.status(),
            name: self.name,
            duration_ms: self.duration_ms,
            detail: self.detail,
        };
        (check, self.findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity) -> Finding {
        Finding::new("x.rule", severity, "m")
    }

    #[test]
    fn the_worst_finding_decides_and_a_note_passes() {
        assert_eq!(CheckStatus::of_findings(&[]), CheckStatus::Passed);
        assert_eq!(
            CheckStatus::of_findings(&[finding(Severity::Note)]),
            CheckStatus::Passed
        );
        assert_eq!(
            CheckStatus::of_findings(&[finding(Severity::Note), finding(Severity::Warning)]),
            CheckStatus::Warned
        );
        assert_eq!(
            CheckStatus::of_findings(&[finding(Severity::Error), finding(Severity::Warning)]),
            CheckStatus::Failed
        );
    }

    #[test]
    fn a_run_follows_its_findings_until_skipped() {
        let mut run = CheckRun::new("homepage");
        assert_eq!(run.status(), CheckStatus::Passed);
        run.push(finding(Severity::Warning));
        assert_eq!(run.status(), CheckStatus::Warned);
        let failed = run.clone().fail("x.fail", "down".into(), "https://x/");
        let (check, findings) = failed.finish();
        assert_eq!(check.status, CheckStatus::Failed);
        assert_eq!(check.detail.as_deref(), Some("down"));
        assert_eq!(findings.len(), 2);
        let (skipped, _) = CheckRun::new("later").skip("not live").finish();
        assert_eq!(skipped.status, CheckStatus::Skipped);
    }
}
