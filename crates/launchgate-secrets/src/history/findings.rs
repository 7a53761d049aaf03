//! Findings with provenance: where in history a secret was introduced, and whether it is
//! still in HEAD, which changes the fix.

use std::collections::BTreeMap;

use launchgate_core::{Finding, Location, Report, RuleInfo, Table};

use super::provenance::Introduced;
use crate::baseline::fingerprint;
use crate::report::{Origin, help_for};
use launchgate_detect::engine::{Engine, Match};

/// Whether a secret is still in HEAD's tree or only in older commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exposure {
    /// Still in HEAD: rotate, then remove it.
    Head,
    /// Only in history: rotate; removing it from HEAD already happened.
    History,
    /// Added by a commit of a range.
    Range,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Head => "head",
            Exposure::History => "history-only",
            Exposure::Range => "range",
        }
    }
}

/// One secret at one path, before de-duplication.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub fingerprint: String,
    pub intro: Introduced,
    pub matched: Match,
    pub allowed: bool,
    pub blob: Option<String>,
}

impl Candidate {
    pub fn new(matched: Match, allowed: bool, intro: Introduced, blob: Option<String>) -> Self {
        Candidate {
            fingerprint: fingerprint(&matched.rule_id, matched.secret.expose()),
            intro,
            matched,
            allowed,
            blob,
        }
    }

    /// Earlier introductions win: a secret at one path is reported once, at its first commit.
    fn order_key(&self) -> (i64, &str, u32, u32) {
        (
            self.intro.time,
            &self.intro.commit,
            self.matched.line,
            self.matched.column,
        )
    }
}

/// Keeps the first introduction of each secret at each path.
#[derive(Debug, Default)]
pub struct Dedup {
    pub by_key: BTreeMap<(String, String), Candidate>,
}

impl Dedup {
    pub fn add(&mut self, candidate: Candidate) {
        let key = (candidate.fingerprint.clone(), candidate.intro.path.clone());
        match self.by_key.get(&key) {
            Some(kept) if kept.order_key() <= candidate.order_key() => {}
            _ => {
                self.by_key.insert(key, candidate);
            }
        }
    }
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// The finding for a candidate, with its rule described in the report.
pub fn build_finding(engine: &Engine, report: &mut Report, c: &Candidate, exposure: Exposure) -> Finding {
    let m = &c.matched;
    let rule = engine.rule(m.rule_index);
    let commit = short(&c.intro.commit);
    let (message, help) = match exposure {
        Exposure::Head => (
            still_in_head_message(&rule.spec.name, m.confidence.as_str(), commit),
            help_for(rule, Origin::Source),
        ),
        Exposure::History => (
            format!(
                "{} found ({} confidence) in history only: introduced in commit {commit}, no longer in HEAD",
                rule.spec.name,
                m.confidence.as_str()
            ),
            format!(
                "Rotate this credential at the provider: anyone with a clone can still read it from \
                 commit {commit}. Removing it from the code already happened; rewriting history \
                 (git filter-repo) only helps once every clone, fork and cache is gone, so rotation \
                 is the fix. If it is not a secret, record it with `launchgate-secrets baseline update`."
            ),
        ),
        Exposure::Range => (
            format!(
                "{} found ({} confidence), added by commit {commit}",
                rule.spec.name,
                m.confidence.as_str()
            ),
            format!(
                "{} Removing it in a later commit of the same push does not help: the commit \
                 that added it is pushed too.",
                help_for(rule, Origin::Source)
            ),
        ),
    };
    // History only knows a blob's path after provenance, so fixture paths are judged here.
    let (severity, fixture) = crate::fixture_paths::relieve(&c.intro.path, m.severity);
    let message = match fixture {
        Some(why) => format!("{message}; {why}"),
        None => message,
    };
    let mut location = Location::at(c.intro.path.clone(), m.line, m.column)
        .to(m.end_line, m.end_column)
        .in_commit(c.intro.commit.clone());
    location.author = Some(c.intro.author.clone());
    location.date = Some(c.intro.date.clone());
    let mut finding = Finding::new(m.rule_id.clone(), severity, message)
        .at(location)
        .secret(m.secret.to_redacted_for(&m.rule_id))
        .help(help)
        .property("confidence", m.confidence.as_str())
        .property("exposure", exposure.as_str())
        .property("commit_time", c.intro.time);
    if let Some(blob) = &c.blob {
        finding = finding.property("blob", blob.clone());
    }
    finding.fingerprint = c.fingerprint.clone();
    report.rules.entry(m.rule_id.clone()).or_insert_with(|| RuleInfo {
        name: rule.spec.name.clone(),
        description: rule.spec.description.clone(),
        help_uri: rule.spec.references.first().cloned(),
    });
    finding
}

fn still_in_head_message(rule_name: &str, confidence: &str, commit: &str) -> String {
    format!("{rule_name} found ({confidence} confidence), introduced in commit {commit} and still in HEAD")
}

/// Turns a history-only finding into one still in HEAD, as a scan that saw both blobs
/// would have reported it: shards each see only some blobs, so one shard can hold a secret's
/// first version and another the version in HEAD. `head_help` comes from the finding that
/// saw it in HEAD.
pub fn mark_still_in_head(finding: &mut Finding, rule_name: &str, head_help: Option<&str>) {
    let commit = finding
        .location
        .as_ref()
        .and_then(|l| l.commit.as_deref())
        .map(short)
        .unwrap_or_default()
        .to_string();
    let confidence = finding
        .properties
        .get("confidence")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_string();
    finding.message = still_in_head_message(rule_name, &confidence, &commit);
    if let Some(help) = head_help {
        finding.help = Some(help.to_string());
    }
    finding
        .properties
        .insert("exposure".to_string(), Exposure::Head.as_str().into());
}

/// The exposure table: secrets still in HEAD and secrets only in history need different fixes.
pub fn exposure_table(report: &Report) -> Option<Table> {
    let count = |e: Exposure| {
        report
            .findings
            .iter()
            .filter(|f| f.properties.get("exposure").and_then(|v| v.as_str()) == Some(e.as_str()))
            .count()
    };
    let (head, history) = (count(Exposure::Head), count(Exposure::History));
    if head + history == 0 {
        return None;
    }
    Some(Table {
        title: "Secrets by exposure".to_string(),
        columns: vec!["exposure".into(), "findings".into(), "fix".into()],
        rows: vec![
            vec![
                "still in HEAD".into(),
                head.to_string(),
                "rotate, then remove from the code".into(),
            ],
            vec![
                "history only".into(),
                history.to_string(),
                "rotate; consider rewriting history".into(),
            ],
        ],
    })
}
