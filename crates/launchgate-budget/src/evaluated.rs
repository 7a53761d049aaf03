//! One evaluated budget: what was allowed, what was measured, and the verdict.

use launchgate_core::{CheckStatus, Severity};

use crate::units::format_bytes;

/// The unit of a measured value, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A 0–1 Lighthouse score, shown as 0–100.
    Score,
    Milliseconds,
    Bytes,
    Count,
    Unitless,
}

impl Unit {
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Score => format!("{}", (value * 100.0).round()),
            Unit::Milliseconds => format!("{value:.0} ms"),
            Unit::Bytes => format_bytes(value),
            Unit::Count => format!("{value:.0}"),
            Unit::Unitless => format!("{value:.4}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
        }
    }

    pub fn format_delta(self, delta: f64) -> String {
        let sign = if delta >= 0.0 { "+" } else { "-" };
        format!("{sign}{}", self.format(delta.abs()))
    }
}

/// The comparison a budget makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    AtLeast,
    AtMost,
}

impl Operator {
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::AtLeast => "≥",
            Operator::AtMost => "≤",
        }
    }

    pub fn holds(self, actual: f64, expected: f64) -> bool {
        match self {
            Operator::AtLeast => actual >= expected,
            Operator::AtMost => actual <= expected,
        }
    }
}

/// One budget, evaluated.
#[derive(Debug, Clone)]
pub struct EvaluatedBudget {
    /// The table it belongs in: a page URL, or `bundles`.
    pub group: String,
    /// What was checked, as the budget's own file names it (`categories:performance`,
    /// `dist/assets/*.js (gzip)`).
    pub check: String,
    /// Where the budget came from: `launchgate.yml`, `lighthouserc.json`, `budget.json`, …
    pub source: String,
    pub rule_id: &'static str,
    /// The severity when it fails.
    pub level: Severity,
    pub operator: Operator,
    pub expected: f64,
    /// The aggregated value; `None` when nothing could be measured (a failure).
    pub actual: Option<f64>,
    /// Every run's value, for multi-run aggregation.
    pub values: Vec<f64>,
    pub unit: Unit,
    pub passed: bool,
    /// Overrides the generated finding message (missing audits, unmatched globs).
    pub message: Option<String>,
    pub help: Option<String>,
}

impl EvaluatedBudget {
    /// A comparison of `actual` against `expected`; a missing value fails.
    #[allow(clippy::too_many_arguments)]
    pub fn compare(
        group: impl Into<String>,
        check: impl Into<String>,
        source: impl Into<String>,
        rule_id: &'static str,
        level: Severity,
        operator: Operator,
        expected: f64,
        actual: Option<f64>,
        unit: Unit,
    ) -> Self {
        let passed = actual.is_some_and(|a| operator.holds(a, expected));
        EvaluatedBudget {
            group: group.into(),
            check: check.into(),
            source: source.into(),
            rule_id,
            level,
            operator,
            expected,
            actual,
            values: Vec::new(),
            unit,
            passed,
            message: None,
            help: None,
        }
    }

    pub fn with_values(mut self, values: Vec<f64>) -> Self {
        self.values = values;
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `≤ 125 kB`.
    pub fn budget_text(&self) -> String {
        format!("{} {}", self.operator.symbol(), self.unit.format(self.expected))
    }

    pub fn actual_text(&self) -> String {
        self.actual
            .map(|a| self.unit.format(a))
            .unwrap_or_else(|| "—".into())
    }

    /// How far past (positive) or inside (negative) the budget the value is.
    pub fn over_by(&self) -> Option<f64> {
        let actual = self.actual?;
        Some(match self.operator {
            Operator::AtMost => actual - self.expected,
            Operator::AtLeast => self.expected - actual,
        })
    }

    pub fn delta_text(&self) -> String {
        match (self.actual, self.over_by()) {
            (Some(actual), Some(_)) => self.unit.format_delta(actual - self.expected),
            _ => "—".into(),
        }
    }

    /// `pass`, or for a broken budget its level: `fail`, `warn` or `note`.
    pub fn verdict(&self) -> &'static str {
        match (self.passed, self.level) {
            (true, _) => "pass",
            (false, Severity::Error) => "fail",
            (false, Severity::Warning) => "warn",
            (false, Severity::Note) => "note",
        }
    }

    /// The check's status: a broken budget counts as a finding at its level, so it
    /// follows the one rule every gate uses ([`CheckStatus::from_worst`]).
    pub fn status(&self) -> CheckStatus {
        CheckStatus::from_worst((!self.passed).then_some(self.level))
    }

    /// The finding message for a failed budget.
    pub fn failure_message(&self) -> String {
        if let Some(message) = &self.message {
            return message.clone();
        }
        match self.actual {
            Some(_) => format!(
                "{}: {} is {}: {} (budget {}, {} {})",
                self.group,
                self.check,
                if self.operator == Operator::AtLeast {
                    "below budget"
                } else {
                    "over budget"
                },
                self.actual_text(),
                self.budget_text(),
                self.unit.format(self.over_by().unwrap_or(0.0).abs()),
                if self.operator == Operator::AtLeast {
                    "short"
                } else {
                    "over"
                },
            ),
            None => format!(
                "{}: {} could not be measured (budget {})",
                self.group,
                self.check,
                self.budget_text()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_texts() {
        let o = EvaluatedBudget::compare(
            "http://x/",
            "categories:performance",
            "launchgate.yml",
            "budget.category",
            Severity::Error,
            Operator::AtLeast,
            0.9,
            Some(0.51),
            Unit::Score,
        );
        assert!(!o.passed);
        assert_eq!(o.verdict(), "fail");
        assert_eq!(o.budget_text(), "≥ 90");
        assert_eq!(o.delta_text(), "-39");
        let missing = EvaluatedBudget::compare(
            "p",
            "c",
            "s",
            "r",
            Severity::Warning,
            Operator::AtMost,
            1.0,
            None,
            Unit::Count,
        );
        assert!(!missing.passed);
        assert_eq!(missing.verdict(), "warn");
        assert_eq!(missing.status(), CheckStatus::Warned);
        let mut noted = missing.clone();
        noted.level = Severity::Note;
        assert_eq!(noted.verdict(), "note");
        assert_eq!(noted.status(), CheckStatus::Passed);
    }
}
