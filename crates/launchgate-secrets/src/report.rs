//! Turns matches into findings: help text, redaction, fingerprints, and suppression by
//! inline comments and the baseline.

use std::collections::BTreeSet;

use launchgate_core::{Finding, Location, RedactedSecret, Report, RuleInfo, Secret};
use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::engine::{Engine, Match};
use crate::rules::Rule;

/// Where a secret was found, which changes what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file in the working tree or a staged change.
    Source,
    /// A log file.
    Log,
    /// A file of a build that is served to browsers.
    Build,
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
        Origin::Build => format!(
            "Rotate this credential at the provider first{where_}: every browser that loaded \
             this file has it. Then keep it out of client code: use it on the server only, and \
             never expose it through a public prefix (NEXT_PUBLIC_, VITE_, REACT_APP_) or a \
             bundler `define`."
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
    /// Every fingerprint met, suppressed by the baseline or not: what `baseline update`
    /// records. Inline-allowed matches are not fingerprinted.
    pub seen_fingerprints: BTreeSet<String>,
    /// Fingerprints of secrets a version 1 (SHA-256) baseline entry matched: what rewriting
    /// that baseline converts its entries to.
    sha256_matched: BTreeSet<String>,
    /// Findings added by [`FindingCollector::add`], waiting for their fingerprints.
    unfingerprinted: Vec<(Finding, Secret, usize)>,
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
            sha256_matched: BTreeSet::new(),
            unfingerprinted: Vec::new(),
        }
    }

    /// Adds a match found in `path`; `inline_allowed` says whether its line carries an allow
    /// comment. `line_offset` shifts lines (chunks of a streamed log).
    pub fn add(&mut self, path: &str, m: &Match, inline_allowed: bool) {
        self.add_with(path, m, inline_allowed, |_| {});
    }

    /// [`FindingCollector::add`], letting the caller say more on the finding (where a build
    /// file came from) before it is fingerprinted; `edit` is not called for an allowed match.
    pub fn add_with(&mut self, path: &str, m: &Match, inline_allowed: bool, edit: impl FnOnce(&mut Finding)) {
        // The slow fingerprint is only paid for matches that are not allowed inline.
        if inline_allowed {
            self.count_inline_allowed();
            return;
        }
        let rule = self.engine.rule(m.rule_index);
        let binary = if m.in_binary {
            format!(" in binary content at byte offset {}", m.secret_range.start)
        } else {
            String::new()
        };
        // A log is no test fixture, whatever folder it was saved in, and what a build ships
        // is public whatever it was built from.
        let (severity, fixture) = match self.origin {
            Origin::Source => crate::fixture_paths::relieve(path, m.severity),
            Origin::Log | Origin::Build => (m.severity, None),
        };
        let fixture = fixture.map(|why| format!(", {why}")).unwrap_or_default();
        let mut finding = Finding::new(
            m.rule_id.clone(),
            severity,
            format!(
                "{} found{binary} ({} confidence){fixture}",
                rule.spec.name,
                m.confidence.as_str()
            ),
        )
        .at(Location::at(path, m.line, m.column).to(m.end_line, m.end_column))
        .help(help_for(rule, self.origin))
        .property("confidence", m.confidence.as_str());
        edit(&mut finding);
        // Fingerprinted when the scan is done, all findings at once on every core.
        self.unfingerprinted
            .push((finding, m.secret.clone(), m.rule_index));
    }

    /// Fingerprints the findings added by [`FindingCollector::add`], in parallel, and adds
    /// those the baseline does not hold.
    fn fingerprint_pending(&mut self) {
        let mut pending = std::mem::take(&mut self.unfingerprinted);
        if self.origin == Origin::Source {
            crate::env_examples::relieve_documented_samples(self.engine, &mut pending);
        }
        let fingerprints: Vec<String> = pending
            .par_iter()
            .map(|(finding, secret, _)| secret.fingerprint(&finding.rule_id))
            .collect();
        for ((mut finding, secret, rule_index), fp) in pending.into_iter().zip(fingerprints) {
            if self.baselined(&fp, &finding.rule_id, &secret) {
                self.suppressed_baseline += 1;
                continue;
            }
            let rule = self.engine.rule(rule_index);
            self.report
                .rules
                .entry(finding.rule_id.clone())
                .or_insert_with(|| RuleInfo {
                    name: rule.spec.name.clone(),
                    description: rule.spec.description.clone(),
                    help_uri: rule.spec.references.first().cloned(),
                });
            finding.secret = Some(RedactedSecret {
                display: secret.redacted(),
                fingerprint: fp.clone(),
            });
            finding.fingerprint = fp;
            self.report.push(finding);
        }
    }

    /// Counts a match that a `launchgate:allow` comment suppresses.
    pub fn count_inline_allowed(&mut self) {
        self.suppressed_inline += 1;
    }

    /// Records a fingerprint met and says whether the baseline holds it, as a fingerprint
    /// or as a version 1 entry (the SHA-256 of the rule id and the secret).
    fn baselined(&mut self, fingerprint: &str, rule_id: &str, secret: &Secret) -> bool {
        self.seen_fingerprints.insert(fingerprint.to_string());
        let Some(baseline) = self.baseline else {
            return false;
        };
        if baseline.contains(fingerprint) {
            return true;
        }
        let old_entry = baseline.holds_as_sha256(rule_id, secret.expose());
        if old_entry {
            self.sha256_matched.insert(fingerprint.to_string());
        }
        old_entry
    }

    /// Adds a finding built elsewhere (history, known values in logs) about `secret`, with
    /// the same suppression; its fingerprint is already set.
    pub fn add_finding(&mut self, finding: Finding, secret: &Secret, inline_allowed: bool) {
        if inline_allowed {
            self.count_inline_allowed();
        } else if self.baselined(&finding.fingerprint, &finding.rule_id, secret) {
            self.suppressed_baseline += 1;
        } else {
            self.report.push(finding);
        }
    }

    pub fn report_mut(&mut self) -> &mut Report {
        &mut self.report
    }

    /// The finished report: sorted, with notes on what was suppressed; and every fingerprint
    /// met.
    pub fn finish(self) -> (Report, BTreeSet<String>) {
        let finished = self.finish_all();
        (finished.report, finished.seen_fingerprints)
    }

    /// The finished report, every fingerprint met, and the secrets a version 1 baseline
    /// entry matched.
    pub fn finish_all(mut self) -> Finished {
        self.fingerprint_pending();
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
        Finished {
            report: self.report,
            seen_fingerprints: self.seen_fingerprints,
            sha256_matched: self.sha256_matched,
        }
    }
}

/// What a collector found.
#[derive(Debug)]
pub struct Finished {
    pub report: Report,
    pub seen_fingerprints: BTreeSet<String>,
    pub sha256_matched: BTreeSet<String>,
}
