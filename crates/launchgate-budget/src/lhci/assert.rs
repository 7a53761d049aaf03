//! LHCI's assertion engine: each option of each assertion on the runs of one URL,
//! aggregated as LHCI does; missing audits become `auditRan` failures.

use launchgate_core::Severity;
use serde_json::Value;

use super::{Aggregation, Assertion, LhciConfig};
use crate::evaluated::{EvaluatedBudget, Operator, Unit};
use crate::lhr::{Page, median};

/// What one option of one assertion produced, in LHCI's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct AssertionResult {
    pub url: String,
    /// `categories`, `resource-summary` or the audit ID.
    pub audit_id: String,
    /// `performance`, `total.count`, …
    pub audit_property: Option<String>,
    /// `minScore`, `maxNumericValue`, `maxLength` or `auditRan`.
    pub name: String,
    pub expected: f64,
    pub actual: Option<f64>,
    pub values: Vec<f64>,
    pub passed: bool,
    pub level: Severity,
    pub aggregation: Aggregation,
}

/// Runs every applicable assertion on one page.
pub fn assert_page(config: &LhciConfig, page: &Page) -> Vec<AssertionResult> {
    let mut out = Vec::new();
    for set in &config.sets {
        if set
            .url_pattern
            .as_ref()
            .is_some_and(|p| !p.is_match(&page.match_url))
        {
            continue;
        }
        for assertion in &set.assertions {
            out.extend(evaluate(assertion, set.aggregation, page));
        }
    }
    out
}

fn evaluate(
    assertion: &Assertion,
    set_aggregation: Option<Aggregation>,
    page: &Page,
) -> Vec<AssertionResult> {
    let parts: Vec<&str> = assertion.key.split(['.', ':']).collect();
    let audit_id = parts[0].to_string();
    let audit_property = (parts.len() > 1).then(|| parts[1..].join("."));
    let aggregation = assertion
        .aggregation
        .or(set_aggregation)
        .unwrap_or(Aggregation::Optimistic);
    let result =
        |name: &str, expected: f64, actual: Option<f64>, values: Vec<f64>, passed: bool| AssertionResult {
            url: page.url.clone(),
            audit_id: audit_id.clone(),
            audit_property: audit_property.clone(),
            name: name.to_string(),
            expected,
            actual,
            values,
            passed,
            level: assertion.level,
            aggregation,
        };
    let present = |i: usize| -> bool {
        let run = &page.runs[i];
        match (audit_id.as_str(), parts.get(1)) {
            ("categories", Some(cat)) => run.categories.contains_key(*cat),
            (id, _) => run.audit(id).is_some(),
        }
    };
    // LHCI: an audit missing from any run fails as not run; a category or resource type
    // missing from every run.
    let ran = match audit_id.as_str() {
        "categories" | "resource-summary" => (0..page.runs.len()).any(present),
        _ => (0..page.runs.len()).all(present),
    };
    if !ran {
        return vec![result(
            "auditRan",
            1.0,
            Some(0.0),
            page.runs.iter().map(|_| 0.0).collect(),
            false,
        )];
    }
    let mut out = Vec::new();
    let checks = [
        ("minScore", assertion.min_score, Operator::AtLeast),
        ("maxNumericValue", assertion.max_numeric_value, Operator::AtMost),
        ("maxLength", assertion.max_length, Operator::AtMost),
    ];
    for (name, expected, operator) in checks {
        let Some(expected) = expected else { continue };
        let raw: Vec<Option<f64>> = page.runs.iter().map(|run| value_of(run, name, &parts)).collect();
        let values: Vec<f64> = raw.iter().flatten().copied().filter(|v| v.is_finite()).collect();
        let actual = if aggregation == Aggregation::Pessimistic && values.len() < raw.len() {
            None
        } else {
            aggregate(aggregation, operator, &raw, page)
        };
        let passed = actual.is_some_and(|a| operator.holds(a, expected));
        out.push(result(name, expected, actual, values, passed));
    }
    out
}

fn value_of(run: &crate::lhr::LighthouseRun, name: &str, parts: &[&str]) -> Option<f64> {
    if parts[0] == "categories" {
        return match name {
            "minScore" => run.categories.get(*parts.get(1)?).copied().flatten(),
            _ => None,
        };
    }
    if parts[0] == "resource-summary" && parts.len() == 3 {
        let (size, count) = run.resource(parts[1])?;
        return match (name, parts[2]) {
            ("maxNumericValue", "size") => Some(size),
            ("maxNumericValue", "count") => Some(count),
            _ => None,
        };
    }
    let audit = run.audit(parts[0])?;
    match name {
        // A numeric score first, as LHCI reads it; then the display mode.
        "minScore" => audit.get("score").and_then(Value::as_f64).or_else(|| {
            match audit.get("scoreDisplayMode").and_then(Value::as_str) {
                Some("notApplicable") => Some(1.0),
                Some("informative") => Some(0.0),
                _ => None,
            }
        }),
        "maxNumericValue" => audit.get("numericValue").and_then(Value::as_f64),
        // An audit without items has none, as LHCI counts.
        "maxLength" => Some(
            audit
                .pointer("/details/items")
                .and_then(Value::as_array)
                .map_or(0.0, |a| a.len() as f64),
        ),
        _ => None,
    }
}

/// Aggregates per-run values; non-finite values are dropped.
pub fn aggregate(method: Aggregation, operator: Operator, raw: &[Option<f64>], page: &Page) -> Option<f64> {
    let values: Vec<f64> = raw.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    let best_is_max = operator == Operator::AtLeast;
    let max = values.iter().copied().reduce(f64::max);
    let min = values.iter().copied().reduce(f64::min);
    match method {
        Aggregation::Optimistic => {
            if best_is_max {
                max
            } else {
                min
            }
        }
        Aggregation::Pessimistic => {
            if best_is_max {
                min
            } else {
                max
            }
        }
        Aggregation::Median => median(&values),
        Aggregation::MedianRun => raw
            .get(page.representative_run())
            .copied()
            .flatten()
            .filter(|v| v.is_finite()),
    }
}

/// Turns assertion results into outcomes for the report.
pub fn outcomes(config: &LhciConfig, results: &[AssertionResult], group: &str) -> Vec<EvaluatedBudget> {
    results
        .iter()
        .map(|r| {
            let key = match &r.audit_property {
                Some(p) => format!("{}:{}", r.audit_id, p.replace('.', ":")),
                None => r.audit_id.clone(),
            };
            let (rule_id, unit) = unit_of(&r.audit_id, r.audit_property.as_deref(), &r.name);
            let operator = if r.name == "minScore" || r.name == "auditRan" { Operator::AtLeast } else { Operator::AtMost };
            let check = match r.name.as_str() {
                "auditRan" => format!("{key} ran"),
                "maxLength" => format!("{key} items"),
                "minScore" if r.audit_id != "categories" => format!("{key} score"),
                _ => key.clone(),
            };
            let mut o = EvaluatedBudget::compare(group, check, &config.source, rule_id, r.level, operator, r.expected, r.actual, unit)
                .with_values(r.values.clone());
            o.passed = r.passed;
            if r.name == "auditRan" {
                o = o
                    .with_message(format!("{group}: audit `{key}` did not run: no Lighthouse result for this URL has it"))
                    .with_help("the audit may have been renamed or removed in this Lighthouse version (13 removed 25 audits); assert its replacement or turn it off");
                o.rule_id = "budget.audit-missing";
            } else if r.actual.is_none() {
                o = o.with_message(format!(
                    "{group}: {key} has no value in {} (aggregation {})",
                    if r.aggregation == Aggregation::Pessimistic { "at least one run" } else { "any run" },
                    r.aggregation.as_str()
                ));
            }
            o
        })
        .collect()
}

fn unit_of(audit_id: &str, property: Option<&str>, name: &str) -> (&'static str, Unit) {
    match (audit_id, name) {
        ("categories", _) => ("budget.category", Unit::Score),
        (_, "auditRan") => ("budget.audit-missing", Unit::Count),
        (_, "minScore") => ("budget.audit", Unit::Score),
        (_, "maxLength") => ("budget.audit", Unit::Count),
        ("resource-summary", _) if property.is_some_and(|p| p.ends_with("count")) => {
            ("budget.resource", Unit::Count)
        }
        ("resource-summary", _) | ("total-byte-weight", _) => ("budget.resource", Unit::Bytes),
        ("cumulative-layout-shift", _) => ("budget.metric", Unit::Unitless),
        _ => ("budget.metric", Unit::Milliseconds),
    }
}
