//! Measured values, their place in the JSON report (so a report is the next baseline), and
//! regressions against a base-branch run.

use std::collections::BTreeSet;
use std::path::Path;

use launchgate_core::render::ReportFile;
use launchgate_core::{Error, Report, Severity, Table};

use crate::evaluated::Unit;
use crate::units::parse_percent;

/// The title of the table that carries every measured value.
pub const TABLE_TITLE: &str = "Measured values";

/// One measured value: a page metric, a file size, an entry total, a tool check's size.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// `page`, `file`, `entry` or `check`.
    pub kind: String,
    /// The URL, the hash-normalised file name, the entry or check name.
    pub subject: String,
    /// `categories:performance`, `largest-contentful-paint`, `script size`, `gzip`, …
    pub metric: String,
    pub value: f64,
}

impl Measurement {
    pub fn new(kind: &str, subject: impl Into<String>, metric: impl Into<String>, value: f64) -> Self {
        Measurement {
            kind: kind.to_string(),
            subject: subject.into(),
            metric: metric.into(),
            value,
        }
    }

    pub fn unit(&self) -> Unit {
        let m = self.metric.as_str();
        if m.starts_with("categories:") {
            Unit::Score
        } else if m.ends_with("requests") {
            Unit::Count
        } else if matches!(m, "raw" | "gzip" | "brotli" | "total-byte-weight") || m.ends_with("size") {
            Unit::Bytes
        } else if m == "cumulative-layout-shift" {
            Unit::Unitless
        } else {
            Unit::Milliseconds
        }
    }
}

/// The table that stores measurements in a report.
pub fn to_table(measurements: &[Measurement]) -> Table {
    Table {
        title: TABLE_TITLE.into(),
        columns: vec!["kind".into(), "subject".into(), "metric".into(), "value".into()],
        rows: measurements
            .iter()
            .map(|m| {
                vec![
                    m.kind.clone(),
                    m.subject.clone(),
                    m.metric.clone(),
                    format!("{}", m.value),
                ]
            })
            .collect(),
    }
}

/// Reads the measurements of a JSON report (`--format json` or `snapshot`).
pub fn read(path: &Path) -> Result<Vec<Measurement>, Error> {
    let text = crate::read::text(path, crate::read::BASELINE)?;
    let name = path.display().to_string();
    let file = ReportFile::parse(&name, &text)?;
    let table = file
        .reports
        .iter()
        .filter(|r| r.gate == "budget")
        .flat_map(|r| r.tables.iter())
        .find(|t| t.title == TABLE_TITLE)
        .ok_or_else(|| {
            Error::input(format!("{name} holds no budget measurements"))
                .with_help("write the baseline with `launchgate-budget snapshot -o FILE` or `--format json` on the base branch")
        })?;
    table
        .rows
        .iter()
        .map(|row| match row.as_slice() {
            [kind, subject, metric, value] => value
                .parse()
                .map(|v| Measurement::new(kind, subject, metric, v))
                .map_err(|_| {
                    Error::input(format!(
                        "{name}: measurement `{subject} {metric}` has a value that is not a number: {value}"
                    ))
                }),
            _ => Err(Error::input(format!(
                "{name}: a row of `{TABLE_TITLE}` does not have 4 cells"
            ))),
        })
        .collect()
}

/// Allowed growth against the baseline.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub max_increase: f64,
    pub max_increase_bytes: f64,
    pub max_score_drop: f64,
    pub level: Severity,
}

impl Thresholds {
    pub fn from_config(config: Option<&crate::config::RegressionConfig>) -> Result<Self, Error> {
        let c = config.cloned().unwrap_or_default();
        let max_increase = parse_percent(c.max_increase.as_deref().unwrap_or("5%"))
            .map_err(|e| Error::input(format!("budget.regression.max_increase: {e}")))?;
        let max_increase_bytes =
            launchgate_core::units::parse_size(c.max_increase_bytes.as_deref().unwrap_or("1 kB"))
                .map_err(|e| Error::input(format!("budget.regression.max_increase_bytes: {e}")))?
                as f64;
        Ok(Thresholds {
            max_increase,
            max_increase_bytes,
            max_score_drop: c.max_score_drop.unwrap_or(0.05),
            level: c.level.unwrap_or(Severity::Error),
        })
    }
}

/// One value that differs from the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: String,
    pub subject: String,
    pub metric: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub unit: Unit,
    /// Whether this change is worse than the thresholds allow.
    pub regression: bool,
}

impl Change {
    pub fn delta(&self) -> f64 {
        self.after.unwrap_or(0.0) - self.before.unwrap_or(0.0)
    }

    /// Growth relative to the baseline value; infinite for a new value.
    pub fn relative(&self) -> f64 {
        match self.before {
            Some(b) if b != 0.0 => self.delta() / b.abs(),
            _ if self.delta() == 0.0 => 0.0,
            _ => f64::INFINITY,
        }
    }
}

/// Every value that changed, regressions first, then by relative size of the change.
pub fn compare(before: &[Measurement], after: &[Measurement], t: &Thresholds) -> Vec<Change> {
    let mut changes = Vec::new();
    let key = |m: &Measurement| (m.kind.clone(), m.subject.clone(), m.metric.clone());
    // Only kinds of value measured on both sides compare: a run that skipped brotli has
    // not lost its brotli sizes.
    let kinds = |side: &[Measurement]| -> BTreeSet<(String, String)> {
        side.iter().map(|m| (m.kind.clone(), m.metric.clone())).collect()
    };
    let common: BTreeSet<(String, String)> = kinds(before).intersection(&kinds(after)).cloned().collect();
    let keep = |m: &&Measurement| common.contains(&(m.kind.clone(), m.metric.clone()));
    let before: Vec<&Measurement> = before.iter().filter(keep).collect();
    let after: Vec<&Measurement> = after.iter().filter(keep).collect();
    for a in after.iter().copied() {
        let b = before.iter().find(|b| key(b) == key(a)).copied();
        if b.is_some_and(|b| b.value == a.value) {
            continue;
        }
        let mut change = Change {
            kind: a.kind.clone(),
            subject: a.subject.clone(),
            metric: a.metric.clone(),
            before: b.map(|b| b.value),
            after: Some(a.value),
            unit: a.unit(),
            regression: false,
        };
        change.regression = is_regression(&change, t);
        changes.push(change);
    }
    for b in before.iter().copied() {
        if !after.iter().any(|a| key(a) == key(b)) {
            changes.push(Change {
                kind: b.kind.clone(),
                subject: b.subject.clone(),
                metric: b.metric.clone(),
                before: Some(b.value),
                after: None,
                unit: b.unit(),
                regression: false,
            });
        }
    }
    changes.sort_by(|x, y| {
        y.regression
            .cmp(&x.regression)
            .then(y.relative().abs().total_cmp(&x.relative().abs()))
            .then(y.delta().abs().total_cmp(&x.delta().abs()))
    });
    changes
}

fn is_regression(c: &Change, t: &Thresholds) -> bool {
    let delta = c.delta();
    match c.unit {
        // Scores are better when higher.
        Unit::Score => -delta > t.max_score_drop + 1e-9,
        Unit::Bytes => delta > t.max_increase_bytes && c.relative() > t.max_increase,
        Unit::Count => delta >= 1.0 && c.relative() > t.max_increase,
        Unit::Milliseconds | Unit::Unitless => delta > 0.0 && c.relative() > t.max_increase,
    }
}

/// Adds the comparison to a report: a table of what changed and a finding per regression.
pub fn apply(report: &mut Report, changes: &[Change], t: &Thresholds, baseline_name: &str) {
    let mut rows = Vec::new();
    for c in changes {
        let fmt = |v: Option<f64>| v.map(|v| c.unit.format(v)).unwrap_or_else(|| "—".into());
        let relative = match c.relative() {
            r if r.is_infinite() => "new".to_string(),
            r => format!("{:+.1}%", r * 100.0),
        };
        let verdict = if c.regression {
            "regression"
        } else if c.after.is_none() {
            "removed"
        } else {
            "ok"
        };
        rows.push(vec![
            c.subject.clone(),
            c.metric.clone(),
            fmt(c.before),
            fmt(c.after),
            format!("{} ({relative})", c.unit.format_delta(c.delta())),
            verdict.into(),
        ]);
        if c.regression {
            let limit = match c.unit {
                Unit::Score => format!("a drop of at most {}", Unit::Score.format(t.max_score_drop)),
                Unit::Bytes => format!(
                    "growth of at most {:.1}% or {}",
                    t.max_increase * 100.0,
                    Unit::Bytes.format(t.max_increase_bytes)
                ),
                _ => format!("growth of at most {:.1}%", t.max_increase * 100.0),
            };
            report.push(
                launchgate_core::Finding::new(
                    "budget.regression",
                    t.level,
                    format!(
                        "{} {} regressed against the baseline: {} → {} ({relative}); allowed: {limit}",
                        c.subject,
                        c.metric,
                        fmt(c.before),
                        fmt(c.after)
                    ),
                )
                .subject(c.subject.clone())
                .property("before", c.before)
                .property("after", c.after)
                .property("delta", c.delta())
                .help(format!("compare with the base branch's report ({baseline_name}); raise budget.regression limits only if the growth is intended")),
            );
        }
    }
    report.tables.push(Table {
        title: format!(
            "Changes against baseline {baseline_name} ({} changed)",
            changes.len()
        ),
        columns: ["subject", "metric", "before", "after", "delta", "verdict"]
            .map(String::from)
            .to_vec(),
        rows,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Thresholds {
        Thresholds {
            max_increase: 0.05,
            max_increase_bytes: 1000.0,
            max_score_drop: 0.05,
            level: Severity::Error,
        }
    }

    #[test]
    fn both_thresholds_must_be_passed_for_bytes() {
        let before = vec![
            Measurement::new("file", "a.js", "gzip", 100.0),
            Measurement::new("file", "b.js", "gzip", 100_000.0),
        ];
        let after = vec![
            Measurement::new("file", "a.js", "gzip", 150.0),
            Measurement::new("file", "b.js", "gzip", 120_000.0),
        ];
        let changes = compare(&before, &after, &t());
        assert_eq!(changes.len(), 2);
        assert_eq!(
            (changes[0].subject.as_str(), changes[0].regression),
            ("b.js", true)
        );
        assert_eq!(
            (changes[1].subject.as_str(), changes[1].regression),
            ("a.js", false)
        );
    }

    #[test]
    fn scores_regress_when_they_drop() {
        let before = vec![Measurement::new("page", "u", "categories:performance", 0.9)];
        let drop = vec![Measurement::new("page", "u", "categories:performance", 0.8)];
        let small = vec![Measurement::new("page", "u", "categories:performance", 0.88)];
        assert!(compare(&before, &drop, &t())[0].regression);
        assert!(!compare(&before, &small, &t())[0].regression);
        assert!(compare(&before, &before, &t()).is_empty());
    }

    #[test]
    fn values_measured_on_one_side_only_do_not_compare() {
        let before = vec![
            Measurement::new("file", "a.js", "gzip", 100.0),
            Measurement::new("file", "a.js", "brotli", 90.0),
        ];
        let after = vec![Measurement::new("file", "a.js", "gzip", 100.0)];
        assert!(compare(&before, &after, &t()).is_empty());
    }
}
