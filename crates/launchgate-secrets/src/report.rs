//! Turns matches into findings: help text, redaction, fingerprints, and suppression by
//! inline comments and the baseline.

use std::collections::BTreeSet;

use launchgate_core::{Finding, Report, Secret};
use launchgate_detect::engine::{Engine, Match};
use launchgate_detect::findings;
pub use launchgate_detect::findings::{Origin, help_for};
use rayon::prelude::*;

use crate::baseline::Baseline;

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
        // A log is no test fixture, whatever folder it was saved in, and what a build ships
        // is public whatever it was built from.
        let (severity, fixture) = match self.origin {
            Origin::Source => crate::fixture_paths::relieve(path, m.severity),
            Origin::Log | Origin::Build => (m.severity, None),
        };
        let mut finding = findings::finding_for(rule, path, m, severity, self.origin);
        if let Some(why) = fixture {
            finding.message.push_str(&format!(", {why}"));
        }
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
                .or_insert_with(|| findings::rule_info(rule));
            findings::seal(&mut finding, &secret, fp);
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
