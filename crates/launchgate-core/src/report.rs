//! A gate's report: its findings, the checks it ran, tables of measured values, and what it
//! looked at.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};

/// What one gate produced in one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The gate's name: `secrets`, `env`, `budget`, `smoke` or `dns`.
    pub gate: String,
    pub findings: Vec<Finding>,
    /// Named checks with a pass or fail result, for gates that run checks (smoke, budget).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Measured values shown as tables (budgets, latency figures).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    /// Descriptions of the rules the findings refer to, by rule id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RuleInfo>,
    /// The inputs the gate looked at: files, folders, URLs, domains, commit ranges.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Plain statements about the run ("skipped 3 binary files").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Findings suppressed by a baseline or an inline allow comment.
    #[serde(default)]
    pub suppressed: usize,
    #[serde(default)]
    pub duration_ms: u64,
    /// Set when the gate could not do its job; such a report always exits 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.error + self.warning + self.note
    }
}

/// A named check and its outcome.
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
}

/// A table of measured values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a rule is, for SARIF's rule list and for help links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
}

impl Report {
    /// An empty report for a gate.
    pub fn new(gate: impl Into<String>) -> Self {
        Report {
            gate: gate.into(),
            ..Report::default()
        }
    }

    /// A report saying the gate could not run; it exits 2.
    pub fn failed_to_run(gate: impl Into<String>, error: impl Into<String>) -> Self {
        Report {
            gate: gate.into(),
            error: Some(error.into()),
            ..Report::default()
        }
    }

    /// Adds a finding, giving it its default fingerprint if it has none.
    pub fn push(&mut self, mut finding: Finding) {
        finding.ensure_fingerprint();
        self.findings.push(finding);
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => c.error += 1,
                Severity::Warning => c.warning += 1,
                Severity::Note => c.note += 1,
            }
        }
        c
    }

    /// Whether a finding at or above `fail_on` is present.
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= fail_on)
    }

    /// Sorts findings by path, line, column and rule, so output is the same run to run.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                let l = f.location.as_ref();
                (
                    l.map(|l| l.path.clone()),
                    l.and_then(|l| l.line),
                    l.and_then(|l| l.column),
                    f.subject.clone(),
                    f.rule_id.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
    }
}
