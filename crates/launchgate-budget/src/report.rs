//! Turns evaluated budgets into the report: a table per URL and for bundles (failures
//! first), a check per budget for JUnit, and a finding per broken budget.

use launchgate_core::{Check, Finding, Report, Rule, RuleSet, Severity, Table};

use crate::evaluated::EvaluatedBudget;

/// Every rule this gate reports.
pub const RULES: &[Rule] = &[
    Rule::new(
        "budget.category",
        "Category score",
        "A Lighthouse category score is below its minimum.",
        Severity::Error,
    ),
    Rule::new(
        "budget.metric",
        "Metric",
        "A Lighthouse metric (LCP, TBT, CLS, …) is over its maximum.",
        Severity::Error,
    ),
    Rule::new(
        "budget.resource",
        "Resource size or count",
        "Transfer size or request count of a resource type is over budget.",
        Severity::Error,
    ),
    Rule::new(
        "budget.audit",
        "Audit",
        "A Lighthouse audit's score or item count is outside its assertion.",
        Severity::Error,
    ),
    Rule::new(
        "budget.audit-missing",
        "Audit did not run",
        "An asserted audit is absent from every Lighthouse result.",
        Severity::Error,
    ),
    Rule::new(
        "budget.bundle",
        "Bundle size",
        "A built file or group of files is over its size limit.",
        Severity::Error,
    ),
    Rule::new(
        "budget.no-match",
        "Nothing matched",
        "A size budget's glob matches no file, so it measured nothing.",
        Severity::Error,
    ),
    Rule::new(
        "budget.runtime-error",
        "Lighthouse could not measure",
        "A Lighthouse result carries a runtimeError and null scores.",
        Severity::Error,
    ),
    Rule::new(
        "budget.regression",
        "Regression against the baseline",
        "A size, metric or score got worse than the base branch allows.",
        Severity::Error,
    ),
    Rule::new(
        "budget.lighthouse-version",
        "Unknown Lighthouse version",
        "A result comes from a Lighthouse major version this gate does not know.",
        Severity::Warning,
    ),
    Rule::new(
        "budget.unsupported",
        "Budget not checked",
        "A budget of another tool needs something this gate does not do (bundling, timing).",
        Severity::Warning,
    ),
    Rule::new(
        crate::shipped::KNOWN_VALUE_RULE,
        "Env secret in a shipped file",
        "The value of a variable the env schema marks secret is in a file the build serves to browsers.",
        Severity::Error,
    ),
    Rule::new(
        crate::shipped::SOURCE_MAP_RULE,
        "Source map published",
        "The build serves source maps, which give every visitor the application's original source.",
        Severity::Warning,
    ),
];

/// The rules as a set, to describe a report's findings and list them.
pub const RULE_SET: RuleSet<'static> = RuleSet::new(RULES);

/// Adds outcomes: one table per group in first-seen order, checks, and findings.
pub fn add_outcomes(report: &mut Report, outcomes: &[EvaluatedBudget], titles: &[(String, String)]) {
    let mut groups: Vec<&str> = Vec::new();
    for o in outcomes {
        if !groups.contains(&o.group.as_str()) {
            groups.push(&o.group);
        }
    }
    for group in groups {
        let mut rows: Vec<&EvaluatedBudget> = outcomes.iter().filter(|o| o.group == group).collect();
        rows.sort_by_key(|o| match (o.passed, o.level) {
            (false, Severity::Error) => 0,
            (false, Severity::Warning) => 1,
            (false, Severity::Note) => 2,
            (true, _) => 3,
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
        report.checks.push(Check {
            name: format!("{} › {} {} ({})", o.group, o.check, o.budget_text(), o.source),
            status: o.status(),
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
        .map(|f| {
            Check::judged(
                format!("{} › {}", f.subject.as_deref().unwrap_or("budget"), f.rule_id),
                std::slice::from_ref(f),
            )
            .with_detail(Some(f.message.clone()))
        })
        .collect();
    report.checks.extend(extra);
}

fn default_help(o: &EvaluatedBudget) -> String {
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

#[cfg(test)]
mod tests {
    /// What `--list-rules` prints: every rule, its default severity and what it finds.
    #[test]
    fn the_rule_list() {
        insta::assert_snapshot!(super::RULE_SET.list());
    }

    use launchgate_core::CheckStatus;

    use super::*;
    use crate::evaluated::{Operator, Unit};

    fn broken(level: Severity) -> EvaluatedBudget {
        EvaluatedBudget::compare(
            "bundles",
            "dist/app.js (gzip)",
            "launchgate.yml",
            "budget.bundle",
            level,
            Operator::AtMost,
            100.0,
            Some(150.0),
            Unit::Bytes,
        )
    }

    /// A note is information: its check passes, as in every gate, and the row says `note`.
    #[test]
    fn a_budget_broken_at_note_level_passes_its_check_and_is_listed() {
        let mut report = Report::new("budget");
        let outcomes = [broken(Severity::Note), broken(Severity::Warning)];
        add_outcomes(&mut report, &outcomes, &[]);
        let statuses: Vec<CheckStatus> = report.checks.iter().map(|c| c.status).collect();
        assert_eq!(statuses, [CheckStatus::Passed, CheckStatus::Warned]);
        assert_eq!(report.findings.len(), 2);
        let verdicts: Vec<&str> = report.tables[0].rows.iter().map(|r| r[4].as_str()).collect();
        assert_eq!(verdicts, ["warn", "note"]);
    }

    #[test]
    fn other_findings_become_checks_by_the_same_rule() {
        let mut report = Report::new("budget");
        report.push(Finding::new("budget.unsupported", Severity::Note, "not checked").subject("size-limit"));
        report.push(Finding::new("budget.runtime-error", Severity::Error, "no scores").subject("http://x/"));
        checks_for_other_findings(&mut report);
        let statuses: Vec<CheckStatus> = report.checks.iter().map(|c| c.status).collect();
        assert_eq!(statuses, [CheckStatus::Passed, CheckStatus::Failed]);
    }
}
