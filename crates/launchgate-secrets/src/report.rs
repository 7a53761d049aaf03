//! Turns matches into findings: help text, redaction, fingerprints, and suppression by
//! inline comments and the baseline.

use std::collections::BTreeSet;

use launchgate_core::{Finding, Location, Report, RuleInfo};

use crate::baseline::{Baseline, fingerprint};
use crate::engine::{Engine, Match};
use crate::rules::Rule;

/// Where a secret was found, which changes what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file in the working tree or a staged change.
    Source,
    /// A log file.
    Log,
}

/// What to do about a secret a rule found.
pub fn help_for(rule: &Rule, origin: Origin) -> String {
    let where_ = rule
        .spec
        .references
        .first()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    match origin {
        Origin::Source => format!(
            "Rotate this credential at the provider first{where_}, then remove it and load it from the \
             environment or a secret manager; deleting the line is not enough once it was pushed. \
             If it is not a secret, add `launchgate:allow` to the line or record it with \
             `launchgate-secrets baseline update`."
        ),
        Origin::Log => format!(
            "Rotate this credential at the provider{where_}, stop the program from logging it, and \
             delete or restrict the log; masking it from now on is not enough once the log was read."
        ),
    }
}

/// Collects findings for one report, counting what was suppressed and why.
#[derive(Debug)]
pub struct FindingCollector<'a> {
    engine: &'a Engine,
    baseline: Option<&'a Baseline>,
    origin: Origin,
    report: Report,
    suppressed_inline: usize,
    suppressed_baseline: usize,
    /// Every fingerprint met, suppressed or not: what `baseline update` records.
    pub seen_fingerprints: BTreeSet<String>,
}

impl<'a> FindingCollector<'a> {
    pub fn new(engine: &'a Engine, baseline: Option<&'a Baseline>, origin: Origin) -> Self {
        FindingCollector {
            engine,
            baseline,
            origin,
            report: Report::new("secrets"),
            suppressed_inline: 0,
            suppressed_baseline: 0,
            seen_fingerprints: BTreeSet::new(),
        }
    }

    /// Adds a match found in `path`; `inline_allowed` says whether its line carries an allow
    /// comment. `line_offset` shifts lines (chunks of a streamed log).
    pub fn add(&mut self, path: &str, m: &Match, inline_allowed: bool) {
        let rule = self.engine.rule(m.rule_index);
        let fp = fingerprint(&m.rule_id, m.secret.expose());
        self.seen_fingerprints.insert(fp.clone());
        if inline_allowed {
            self.suppressed_inline += 1;
            return;
        }
        if self.baseline.is_some_and(|b| b.contains(&fp)) {
            self.suppressed_baseline += 1;
            return;
        }
        let binary = if m.in_binary {
            format!(" in binary content at byte offset {}", m.secret_range.start)
        } else {
            String::new()
        };
        let finding = Finding::new(
            m.rule_id.clone(),
            m.severity,
            format!(
                "{} found{binary} ({} confidence)",
                rule.spec.name,
                m.confidence.as_str()
            ),
        )
        .at(Location::at(path, m.line, m.column).to(m.end_line, m.end_column))
        .secret(m.secret.to_redacted())
        .help(help_for(rule, self.origin))
        .property("confidence", m.confidence.as_str());
        let mut finding = finding;
        finding.fingerprint = fp;
        self.report
            .rules
            .entry(m.rule_id.clone())
            .or_insert_with(|| RuleInfo {
                name: rule.spec.name.clone(),
                description: rule.spec.description.clone(),
                help_uri: rule.spec.references.first().cloned(),
            });
        self.report.push(finding);
    }

    /// Adds a finding built elsewhere (known values in logs), with the same suppression.
    pub fn add_finding(&mut self, finding: Finding, inline_allowed: bool) {
        self.seen_fingerprints.insert(finding.fingerprint.clone());
        if inline_allowed {
            self.suppressed_inline += 1;
        } else if self.baseline.is_some_and(|b| b.contains(&finding.fingerprint)) {
            self.suppressed_baseline += 1;
        } else {
            self.report.push(finding);
        }
    }

    pub fn report_mut(&mut self) -> &mut Report {
        &mut self.report
    }

    /// The finished report: sorted, with notes on what was suppressed.
    pub fn finish(mut self) -> (Report, BTreeSet<String>) {
        self.report.sort();
        self.report.suppressed = self.suppressed_inline + self.suppressed_baseline;
        if self.suppressed_baseline > 0 {
            let path = self
                .baseline
                .map(|b| b.path.display().to_string())
                .unwrap_or_default();
            self.report.notes.push(format!(
                "{} finding(s) suppressed by the baseline {path}",
                self.suppressed_baseline
            ));
        }
        if self.suppressed_inline > 0 {
            self.report.notes.push(format!(
                "{} finding(s) suppressed by launchgate:allow comments",
                self.suppressed_inline
            ));
        }
        for (id, error) in self.engine.regex_errors() {
            self.report.notes.push(format!(
                "rule {id} was skipped: its regex does not compile ({error}); run `launchgate-secrets rules check`"
            ));
        }
        (self.report, self.seen_fingerprints)
    }
}
