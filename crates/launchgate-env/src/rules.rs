//! Descriptions of every rule the gate reports, for SARIF's rule list and `--format json`.

use launchgate_core::{Report, RuleInfo};

use crate::lint::LINTS;

const RULES: [(&str, &str, &str); 15] = [
    (
        "missing-required",
        "Missing required variable",
        "A variable the schema requires in this environment is not set or is empty.",
    ),
    (
        "invalid-value",
        "Invalid value",
        "A value does not have the schema's type or breaks one of its constraints.",
    ),
    (
        "placeholder-value",
        "Placeholder in production",
        "A production value is a placeholder (changeme, xxx, TODO) or points at localhost or an example domain.",
    ),
    (
        "test-key-in-production",
        "Test key in production",
        "A production value is a test-mode API key (sk_test_, pk_test_).",
    ),
    (
        "live-key-outside-production",
        "Live key outside production",
        "A live-mode API key is used outside production.",
    ),
    (
        "public-secret-name",
        "Secret name behind a public prefix",
        "A variable with a prefix frameworks ship to browsers has a name that says it is secret.",
    ),
    (
        "public-secret-value",
        "Secret value behind a public prefix",
        "A variable with a prefix frameworks ship to browsers holds a value that looks like a secret.",
    ),
    (
        "public-secret-schema",
        "Public variable marked secret",
        "The schema marks a variable secret although its prefix ships it to browsers.",
    ),
    (
        "committed-secret",
        "Plaintext secret in a committed .env file",
        "A .env file that git tracks holds a secret value in plaintext.",
    ),
    (
        "drift-missing-from-example",
        "Missing from the example file",
        "A schema variable is not listed in .env.example.",
    ),
    (
        "drift-not-in-schema",
        "Not in the schema",
        "A key in .env.example is not declared in the schema.",
    ),
    (
        "drift-missing-from-file",
        "Missing from an env file",
        "A key in .env.example is missing from another .env file.",
    ),
    (
        "drift-staging",
        "Required in production, not in staging",
        "A variable required in production is not required in, or absent from, staging.",
    ),
    (
        "undecryptable-value",
        "Encrypted value the key does not open",
        "A dotenvx `encrypted:` value cannot be decrypted with the DOTENV_PRIVATE_KEY the check was given.",
    ),
    (
        "usage-not-in-schema",
        "Read by the code, not in the schema",
        "The code reads a variable that the schema does not declare.",
    ),
];

const DRIFT_NOT_IN_EXAMPLE: (&str, &str, &str) = (
    "drift-not-in-example",
    "Not in the example file",
    "A key in an .env file is neither in .env.example nor in the schema.",
);

/// The description of a rule id (`env.` prefix included), if it is one of ours.
pub fn info(rule_id: &str) -> Option<RuleInfo> {
    let short = rule_id.strip_prefix("env.")?;
    if let Some((_, name, description)) = RULES.iter().chain([&DRIFT_NOT_IN_EXAMPLE]).find(|r| r.0 == short) {
        return Some(RuleInfo {
            name: name.to_string(),
            description: description.to_string(),
            help_uri: None,
        });
    }
    LINTS.iter().find(|l| l.0 == short).map(|l| RuleInfo {
        name: l.0.replace('-', " "),
        description: l.2.to_string(),
        help_uri: None,
    })
}

/// Fills `report.rules` for the rules its findings use.
pub fn describe(report: &mut Report) {
    for f in &report.findings {
        if !report.rules.contains_key(&f.rule_id)
            && let Some(i) = info(&f.rule_id)
        {
            report.rules.insert(f.rule_id.clone(), i);
        }
    }
}
