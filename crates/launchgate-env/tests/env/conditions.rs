//! `required_when`, `example` and `docs`: conditions evaluated against the values a deploy
//! will have, and the schema's words shown in the help of every finding.

use crate::redaction::outputs_in_every_format;
use crate::{assert_schema_errors, bin, positions, run_json, write};

const SCHEMA: &str = "env:
  vars:
    PAYMENTS_ENABLED: { type: bool, default: false }
    MAILER: { type: enum, values: [smtp, log], default: log }
    STRIPE_SECRET_KEY:
      secret: true
      required_when: { PAYMENTS_ENABLED: true }
    SMTP_HOST: { required_when: [ { MAILER: smtp }, SMTP_USER ] }
    SMTP_USER: {}
    SMTP_PASS: { secret: true }
    RELAY: { required_when: { SMTP_PASS: Pl4ntedRelayPass } }
";

fn run(dir: &std::path::Path, env_file: &str) -> (i32, Vec<serde_json::Value>) {
    write(dir, ".env.production", env_file);
    run_json(bin(dir).args(["check", "--env", "production", "--file", ".env.production"]))
}

fn message(findings: &[serde_json::Value], var: &str) -> String {
    findings
        .iter()
        .find(|f| f["properties"]["variable"] == var)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no finding about {var}: {findings:?}"))
}

#[test]
fn a_condition_that_holds_makes_the_variable_required() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "launchgate.yml", SCHEMA);

    // Nothing set: every condition fails, the defaults included.
    let (code, findings) = run(dir.path(), "OTHER=1\n");
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");

    // `1` is `true` for a bool variable.
    let (code, findings) = run(dir.path(), "PAYMENTS_ENABLED=1\n");
    assert_eq!(code, 1);
    assert_eq!(
        message(&findings, "STRIPE_SECRET_KEY"),
        "STRIPE_SECRET_KEY is required in production when PAYMENTS_ENABLED is \"true\", but is not set"
    );
    assert_eq!(findings[0]["rule_id"], "env.missing-required");
    assert_eq!(
        findings[0]["properties"]["condition"],
        "PAYMENTS_ENABLED is \"true\""
    );

    // An empty value is reported where it stands.
    let (code, findings) = run(dir.path(), "PAYMENTS_ENABLED=yes\nSTRIPE_SECRET_KEY=\n");
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![(
            "env.missing-required".to_string(),
            ".env.production".to_string(),
            2,
            19
        )]
    );
    assert!(message(&findings, "STRIPE_SECRET_KEY").ends_with("but is empty"));

    // Any entry of a list: the second (another variable being set) holds.
    let (code, findings) = run(dir.path(), "SMTP_USER=mailer\n");
    assert_eq!(code, 1);
    assert_eq!(
        message(&findings, "SMTP_HOST"),
        "SMTP_HOST is required in production when SMTP_USER is set, but is not set"
    );
    let (_, findings) = run(dir.path(), "MAILER=smtp\n");
    assert_eq!(
        message(&findings, "SMTP_HOST"),
        "SMTP_HOST is required in production when MAILER is \"smtp\", but is not set"
    );
    let (code, findings) = run(dir.path(), "MAILER=smtp\nSMTP_HOST=mx.acme.io\n");
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
}

/// A condition on a secret variable holds, but the message does not tell what the secret
/// holds.
#[test]
fn a_condition_on_a_secret_does_not_quote_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "launchgate.yml", SCHEMA);
    let (code, findings) = run(dir.path(), "SMTP_PASS=Pl4ntedRelayPass\n");
    assert_eq!(code, 1);
    assert_eq!(
        message(&findings, "RELAY"),
        "RELAY is required in production when SMTP_PASS has a value the schema lists, but is not set"
    );
    assert!(!serde_json::to_string(&findings).unwrap().contains("Pl4nted"));
}

#[test]
fn a_bad_condition_is_a_configuration_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "env:\n  vars:\n    PAYMENTS_ENABLED: {}\n    KEY: { required_when: { PAYMENTS_ENABLD: \"true\" } }\n",
            "launchgate.yml:4:29",
            "`PAYMENTS_ENABLD`, which the schema does not declare (did you mean `PAYMENTS_ENABLED`?)",
        ),
        (
            "env:\n  vars:\n    A: {}\n    KEY:\n      required_when: [ A, [B] ]\n",
            "launchgate.yml:5:",
            "expected a variable name or a map",
        ),
        (
            "env:\n  vars:\n    A: {}\n    KEY: { required_when: { A: { set: maybe } } }\n",
            "launchgate.yml:4:",
            "expected a boolean",
        ),
        (
            "env:\n  vars:\n    A: {}\n    KEY: { required_when: { A: [] } }\n",
            "launchgate.yml:4:",
            "an empty list of values can never match",
        ),
    ];
    assert_schema_errors(dir.path(), "launchgate.yml", &cases);
}

/// `description`, `example` and `docs` are in the help of every finding about the variable,
/// in every format; a secret's example says it is one, and one that looks like a real key
/// is never shown.
#[test]
fn example_and_docs_are_shown_in_every_format() {
    let real_looking = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"; // launchgate:allow (made up for the test)
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        &format!(
            "env:\n  vars:\n    PORT: {{ type: port, required: all, description: The HTTP port, example: 8080, docs: https://docs.acme.io/port }}\n    STRIPE_SECRET_KEY: {{ secret: true, required: all, example: sk_test_xxxxxxxxxxxx, docs: [https://dashboard.stripe.com/apikeys, Ask the payments team] }}\n    API_TOKEN: {{ required: all, example: {real_looking} }}\n"
        ),
    );
    let mut formats = 0;
    for (format, code, texts) in outputs_in_every_format(dir.path(), &["check", "--env", "production"], &[]) {
        assert_eq!(code, Some(1), "{format}: {}", texts[1]);
        let all = texts.concat().replace("\\u0060", "`");
        for wanted in [
            "PORT: The HTTP port. Example: `8080`. Docs: https://docs.acme.io/port",
            "Example of the format, not a real value: `sk_test_xxxxxxxxxxxx`. Docs: https://dashboard.stripe.com/apikeys, Ask the payments team",
            "Example value (redacted: …",
        ] {
            assert!(all.contains(wanted), "--format {format} lacks {wanted}:\n{all}");
        }
        assert!(
            !all.contains(real_looking),
            "--format {format} printed the example key"
        );
        formats += 1;
    }
    assert_eq!(formats, 6);
}
