//! A gate's report: its findings, the checks it ran, tables of measured values, and what it
//! looked at.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::check::{Check, CheckRun, CheckStatus};
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

    /// Adds a finished check and its findings.
    pub fn add_check(&mut self, run: CheckRun) {
        let (check, findings) = run.finish();
        self.checks.push(check);
        for finding in findings {
            self.push(finding);
        }
    }

    /// Records a check judged by the findings from index `first` on (the length of
    /// `findings` before the check ran). Without a `detail`, the worst finding's message
    /// says why.
    pub fn check_since(&mut self, name: impl Into<String>, first: usize, detail: Option<String>) {
        let since = self.findings.get(first..).unwrap_or_default();
        let check = Check::judged(name, since);
        let worst = since.iter().map(|f| f.severity).max();
        let detail = detail.or_else(|| {
            since
                .iter()
                .find(|f| Some(f.severity) == worst)
                .map(|f| f.message.clone())
        });
        self.checks.push(check.with_detail(detail));
    }

    /// Records a check that did not run, with the reason.
    pub fn skip_check(&mut self, name: impl Into<String>, why: impl Into<String>) {
        self.checks.push(Check::skipped(name, why));
    }

    /// Adds another part's findings, checks, tables, notes, rules and inputs to this one.
    pub fn merge(&mut self, part: Report) {
        self.findings.extend(part.findings);
        self.checks.extend(part.checks);
        self.tables.extend(part.tables);
        self.rules.extend(part.rules);
        self.inputs.extend(part.inputs);
        self.notes.extend(part.notes);
        self.suppressed += part.suppressed;
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

impl Report {
    /// Passes every text the report holds, in every field, to `rewrite` (to redact values
    /// a gate learnt at run time). Every field is named here, so a field added to a report
    /// cannot be forgotten: the destructuring stops compiling.
    pub fn rewrite_text(&mut self, rewrite: &mut dyn FnMut(&mut String)) {
        let Report {
            gate,
            findings,
            checks,
            tables,
            rules,
            inputs,
            notes,
            suppressed: _,
            duration_ms: _,
            error,
        } = self;
        rewrite(gate);
        for finding in findings {
            finding.rewrite_text(rewrite);
        }
        for Check {
            name,
            status: _,
            duration_ms: _,
            detail,
        } in checks
        {
            rewrite(name);
            detail.iter_mut().for_each(&mut *rewrite);
        }
        for Table { title, columns, rows } in tables {
            rewrite(title);
            columns
                .iter_mut()
                .chain(rows.iter_mut().flatten())
                .for_each(&mut *rewrite);
        }
        for RuleInfo {
            name,
            description,
            help_uri,
        } in rules.values_mut()
        {
            rewrite(name);
            rewrite(description);
            help_uri.iter_mut().for_each(&mut *rewrite);
        }
        inputs
            .iter_mut()
            .chain(notes.iter_mut())
            .chain(error.iter_mut())
            .for_each(rewrite);
    }
}
