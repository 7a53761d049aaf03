//! Turns evaluated budgets into the report: a table per URL and for bundles (failures
//! first), a check per budget for JUnit, and a finding per broken budget.

use launchgate_core::{Check, CheckStatus, Finding, Report, RuleInfo, Severity, Table};

use crate::outcome::Outcome;

/// The rules this gate reports, for SARIF and help links.
pub const RULES: [(&str, &str, &str); 11] = [
    (
        "budget.category",
        "Category score",
        "A Lighthouse category score is below its minimum.",
    ),
    (
        "budget.metric",
        "Metric",
        "A Lighthouse metric (LCP, TBT, CLS, …) is over its maximum.",
    ),
    (
        "budget.resource",
        "Resource size or count",
        "Transfer size or request count of a resource type is over budget.",
    ),
    (
        "budget.audit",
        "Audit",
        "A Lighthouse audit's score or item count is outside its assertion.",
    ),
    (
        "budget.audit-missing",
        "Audit did not run",
        "An asserted audit is absent from every Lighthouse result.",
    ),
    (
        "budget.bundle",
        "Bundle size",
        "A built file or group of files is over its size limit.",
    ),
    (
        "budget.no-match",
        "Nothing matched",
        "A size budget's glob matches no file, so it measured nothing.",
    ),
    (
        "budget.runtime-error",
        "Lighthouse could not measure",
        "A Lighthouse result carries a runtimeError and null scores.",
    ),
    (
        "budget.regression",
        "Regression against the baseline",
        "A size, metric or score got worse than the base branch allows.",
    ),
    (
        "budget.lighthouse-version",
        "Unknown Lighthouse version",
        "A result comes from a Lighthouse major version this gate does not know.",
    ),
    (
        "budget.unsupported",
        "Budget not checked",
        "A budget of another tool needs something this gate does not do (bundling, timing).",
    ),
];

/// Registers rule descriptions for the rule ids used in the report.
pub fn describe_rules(report: &mut Report) {
    for (id, name, description) in RULES {
        if report.findings.iter().any(|f| f.rule_id == id) {
            report.rules.insert(
                id.to_string(),
                RuleInfo {
                    name: name.to_string(),
                    description: description.to_string(),
                    help_uri: None,
                },
            );
        }
    }
}

/// Adds outcomes: one table per group in first-seen order, checks, and findings.
pub fn add_outcomes(report: &mut Report, outcomes: &[Outcome], titles: &[(String, String)]) {
    let mut groups: Vec<&str> = Vec::new();
    for o in outcomes {
        if !groups.contains(&o.group.as_str()) {
            groups.push(&o.group);
        }
    }
    for group in groups {
        let mut rows: Vec<&Outcome> = outcomes.iter().filter(|o| o.group == group).collect();
        rows.sort_by_key(|o| match (o.passed, o.level) {
            (false, Severity::Error) => 0,
            (false, _) => 1,
            (true, _) => 2,
        });
        let title = titles
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| group.to_string());
        report.tables.push(Table {
            title,
            columns: ["check", "budget", "actual", "delta", "verdict", "source"]
                .map(String::from)
                .to_vec(),
            rows: rows
                .iter()
                .map(|o| {
                    vec![
                        o.check.clone(),
                        o.budget_text(),
                        o.actual_text(),
                        o.delta_text(),
                        o.verdict().to_string(),
                        o.source.clone(),
                    ]
                })
                .collect(),
        });
    }
    for o in outcomes {
        let status = match (o.passed, o.level) {
            (true, _) => CheckStatus::Passed,
            (false, Severity::Error) => CheckStatus::Failed,
            (false, _) => CheckStatus::Warned,
        };
        report.checks.push(Check {
            name: format!("{} › {} {} ({})", o.group, o.check, o.budget_text(), o.source),
            status,
            duration_ms: None,
            detail: (!o.passed).then(|| o.failure_message()),
        });
        if o.passed {
            continue;
        }
        let mut finding = Finding::new(o.rule_id, o.level, o.failure_message())
            .subject(o.group.clone())
            .property("check", o.check.clone())
            .property("source", o.source.clone())
            .property("budget", o.expected)
            .property("actual", o.actual)
            .property("values", o.values.clone())
            .fingerprint_from(&[o.rule_id, &o.group, &o.check, &o.source]);
        finding = finding.help(o.help.clone().unwrap_or_else(|| default_help(o)));
        report.push(finding);
    }
}

/// Findings that are not a budget row (a Lighthouse runtime error, a regression, a check
/// that could not be made) also become checks, so JUnit reporters show them.
pub fn checks_for_other_findings(report: &mut Report) {
    let extra: Vec<Check> = report
        .findings
        .iter()
        .filter(|f| !f.properties.contains_key("check"))
        .map(|f| Check {
            name: format!("{} › {}", f.subject.as_deref().unwrap_or("budget"), f.rule_id),
            status: match f.severity {
                Severity::Error => CheckStatus::Failed,
                _ => CheckStatus::Warned,
            },
            duration_ms: None,
            detail: Some(f.message.clone()),
        })
        .collect();
    report.checks.extend(extra);
}

fn default_help(o: &Outcome) -> String {
    match o.rule_id {
        "budget.category" | "budget.metric" | "budget.audit" => {
            format!(
                "see the Lighthouse report for {}; budgets come from {}",
                o.group, o.source
            )
        }
        "budget.resource" => format!(
            "the budget is transfer bytes per resource type, from {}",
            o.source
        ),
        "budget.bundle" => format!(
            "shrink the file (code splitting, dropping dependencies) or raise the limit in {}",
            o.source
        ),
        _ => format!("the budget comes from {}", o.source),
    }
}
