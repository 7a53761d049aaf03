//! The result of one check: its status line and the findings behind it.

use launchgate_core::{Check, CheckStatus, Finding, Severity};

/// A check's result and the findings behind it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub check: Check,
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn new(name: &str) -> Self {
        Outcome {
            check: Check {
                name: name.to_string(),
                status: CheckStatus::Passed,
                duration_ms: None,
                detail: None,
            },
            findings: Vec::new(),
        }
    }

    /// Ends the check with one error finding.
    pub fn fail(mut self, rule: &str, message: String, subject: &str) -> Self {
        self.check.detail = Some(message.clone());
        self.findings
            .push(Finding::new(rule, Severity::Error, message).subject(subject));
        self.settle();
        self
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Sets the status from the findings: failed on an error, warned on a warning.
    pub fn settle(&mut self) {
        if self.findings.iter().any(|f| f.severity == Severity::Error) {
            self.check.status = CheckStatus::Failed;
        } else if self.findings.iter().any(|f| f.severity == Severity::Warning) {
            self.check.status = CheckStatus::Warned;
        }
    }
}
