//! Descriptions of every rule the gate reports, for SARIF's rule list and `--format json`.

use std::borrow::Cow;

use launchgate_core::{Report, Rule, RuleSet, Severity};

use crate::lint::LINTS;

/// Every rule of the gate but the dotenv lints ([`LINTS`]).
pub const RULES: &[Rule] = &[
    Rule::new(
        "env.missing-required",
        "Missing required variable",
        "A variable the schema requires in this environment is not set or is empty.",
        Severity::Error,
    ),
    Rule::new(
        "env.invalid-value",
        "Invalid value",
        "A value does not have the schema's type or breaks one of its constraints.",
        Severity::Error,
    ),
    Rule::new(
        "env.placeholder-value",
        "Placeholder in production",
        "A production value is a placeholder (changeme, xxx, TODO) or points at localhost or an example domain.",
        Severity::Error,
    ),
    Rule::new(
        "env.test-key-in-production",
        "Test key in production",
        "A production value is a test-mode API key (sk_test_, pk_test_).",
        Severity::Error,
    ),
    Rule::new(
        "env.live-key-outside-production",
        "Live key outside production",
        "A live-mode API key is used outside production.",
        Severity::Warning,
    ),
    Rule::new(
        "env.public-secret-name",
        "Secret name behind a public prefix",
        "A variable with a prefix frameworks ship to browsers has a name that says it is secret.",
        Severity::Error,
    ),
    Rule::new(
        "env.public-secret-value",
        "Secret value behind a public prefix",
        "A variable with a prefix frameworks ship to browsers holds a value that looks like a secret.",
        Severity::Error,
    ),
    Rule::new(
        "env.public-secret-schema",
        "Public variable marked secret",
        "The schema marks a variable secret although its prefix ships it to browsers.",
        Severity::Error,
    ),
    Rule::new(
        "env.committed-secret",
        "Plaintext secret in a committed .env file",
        "A .env file that git tracks holds a secret value in plaintext.",
        Severity::Error,
    ),
    Rule::new(
        "env.drift-missing-from-example",
        "Missing from the example file",
        "A schema variable is not listed in .env.example.",
        Severity::Warning,
    ),
    Rule::new(
        "env.drift-not-in-schema",
        "Not in the schema",
        "A key in .env.example is not declared in the schema.",
        Severity::Warning,
    ),
    Rule::new(
        "env.drift-missing-from-file",
        "Missing from an env file",
        "A key in .env.example is missing from another .env file.",
        Severity::Warning,
    ),
    Rule::new(
        "env.drift-staging",
        "Required in production, not in staging",
        "A variable required in production is not required in, or absent from, staging.",
        Severity::Warning,
    ),
    Rule::new(
        "env.undecryptable-value",
        "Encrypted value the key does not open",
        "A dotenvx `encrypted:` value cannot be decrypted with the DOTENV_PRIVATE_KEY the check was given.",
        Severity::Error,
    ),
    Rule::new(
        "env.usage-not-in-schema",
        "Read by the code, not in the schema",
        "The code reads a variable that the schema does not declare.",
        Severity::Error,
    ),
    Rule::new(
        "env.drift-not-in-example",
        "Not in the example file",
        "A key in an .env file is neither in .env.example nor in the schema.",
        Severity::Note,
    ),
    Rule::new(
        "env.drift-not-in-example",
        "Not in the example file",
        "A key in an .env file is neither in .env.example nor in the schema.",
        Severity::Note,
    ),
];

/// Every rule of the gate, [`RULES`] and one per dotenv lint: what `--list-rules` prints.
pub fn set() -> RuleSet<'static> {
    RuleSet::new(all())
}

pub fn all() -> &'static [Rule] {
    static ALL: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let lints = LINTS.iter().map(|(id, severity, description)| Rule {
            id: format!("env.{id}").into(),
            name: id.replace('-', " ").into(),
            description: Cow::Borrowed(description),
            help_uri: None,
            default_severity: *severity,
        });
        RULES.iter().cloned().chain(lints).collect()
    })
}

/// Fills `report.rules` for the rules its findings use.
pub fn describe(report: &mut Report) {
    RuleSet::new(all()).describe(report);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rule_list() {
        insta::assert_snapshot!(super::set().list());
    }
}
