//! What a rule is: every gate declares its rules once, as [`Rule`]s, and SARIF, JSON and
//! the rule lists read them from there.
//!
//! A gate with fixed rules declares them in a `const` slice (`Rule::new` is `const`); a gate
//! that loads rules at run time builds them with owned text. A report carries, for each rule
//! its findings use, the [`RuleInfo`] part (name, description, help link), keyed by id.

use std::borrow::Cow;
use std::fmt::Write;

use crate::finding::Severity;
use crate::report::{Report, RuleInfo};

/// One rule a gate reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// A stable id such as `dns.dangling-cname`: what findings, baselines and SARIF use.
    pub id: Cow<'static, str>,
    /// A short name for people.
    pub name: Cow<'static, str>,
    /// One sentence saying what the rule finds.
    pub description: Cow<'static, str>,
    /// Where to read more.
    pub help_uri: Option<Cow<'static, str>>,
    /// The severity of its findings when nothing configures otherwise.
    pub default_severity: Severity,
}

impl Rule {
    pub const fn new(
        id: &'static str,
        name: &'static str,
        description: &'static str,
        default_severity: Severity,
    ) -> Rule {
        Rule {
            id: Cow::Borrowed(id),
            name: Cow::Borrowed(name),
            description: Cow::Borrowed(description),
            help_uri: None,
            default_severity,
        }
    }

    /// What a report says about this rule.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            name: self.name.to_string(),
            description: self.description.to_string(),
            help_uri: self.help_uri.as_ref().map(|u| u.to_string()),
        }
    }
}

/// The rules of one gate.
#[derive(Debug, Clone, Copy)]
pub struct RuleSet<'a> {
    rules: &'a [Rule],
}

impl<'a> RuleSet<'a> {
    pub const fn new(rules: &'a [Rule]) -> Self {
        RuleSet { rules }
    }

    pub fn iter(&self) -> std::slice::Iter<'a, Rule> {
        self.rules.iter()
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&'a Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Adds to `report.rules` the description of every rule its findings use.
    pub fn describe(&self, report: &mut Report) {
        for finding in &report.findings {
            if !report.rules.contains_key(&finding.rule_id)
                && let Some(rule) = self.get(&finding.rule_id)
            {
                report.rules.insert(finding.rule_id.clone(), rule.info());
            }
        }
    }

    /// The rule list as `rules list` and `--list-rules` print it: one rule a line, its id,
    /// default severity and description.
    pub fn list(&self) -> String {
        let width = self.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
        let mut out = String::new();
        for rule in self.rules {
            let _ = writeln!(
                out,
                "{:<width$}  {:<7}  {}",
                rule.id,
                rule.default_severity.as_str(),
                rule.description
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;

    const RULES: &[Rule] = &[
        Rule::new("x.one", "One", "The first rule.", Severity::Error),
        Rule {
            id: Cow::Borrowed("x.two"),
            name: Cow::Borrowed("Two"),
            description: Cow::Borrowed("The second rule."),
            help_uri: Some(Cow::Borrowed("https://example.com/two")),
            default_severity: Severity::Note,
        },
    ];

    #[test]
    fn a_report_describes_only_the_rules_its_findings_use() {
        let mut report = Report::new("x");
        report.push(Finding::new("x.two", Severity::Note, "m"));
        report.push(Finding::new("other.rule", Severity::Note, "m"));
        RuleSet::new(RULES).describe(&mut report);
        assert_eq!(report.rules.len(), 1);
        let two = &report.rules["x.two"];
        assert_eq!(two.name, "Two");
        assert_eq!(two.help_uri.as_deref(), Some("https://example.com/two"));
    }

    #[test]
    fn the_list_aligns_ids_and_names_the_default_severity() {
        assert_eq!(
            RuleSet::new(RULES).list(),
            "x.one  error    The first rule.\nx.two  note     The second rule.\n"
        );
    }
}
