//! A varlock `.env.schema` (@env-spec decorators) read as the schema.

use crate::{assert_schema_errors, bin, git_repo, positions, run_json, write};

const ENV_SCHEMA: &str = "# @defaultRequired=false @defaultSensitive=true
# @currentEnv=$APP_ENV
# ---

# @type=enum(development, preview, production)
APP_ENV=development

# Stripe secret key
# @required=forEnv(production) @type=string(startsWith=sk_)
# @example=\"sk_test_xxxxxxxx\"
# @docs(\"API keys\", https://dashboard.stripe.com/apikeys)
STRIPE_SECRET_KEY=

# @type=url(allowedProtocols=[postgres, postgresql]) @required
DATABASE_URL=op(op://vault/db/url, \"password\")

# @public @type=port
PORT=3000

# @required=eq($APP_ENV, production)
SENTRY_DSN=
";

fn findings_about<'a>(findings: &'a [serde_json::Value], var: &str) -> Vec<&'a serde_json::Value> {
    findings
        .iter()
        .filter(|f| f["properties"]["variable"] == var)
        .collect()
}

#[test]
fn a_env_schema_in_the_root_is_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env.schema", ENV_SCHEMA);
    write(
        dir.path(),
        ".env.production",
        "APP_ENV=production\nPORT=99999\nDATABASE_URL=mysql://db.acme.io/app\n",
    );
    let (code, findings) =
        run_json(bin(dir.path()).args(["check", "--env", "production", "--file", ".env.production"]));
    assert_eq!(code, 1, "{findings:?}");
    let stripe = findings_about(&findings, "STRIPE_SECRET_KEY");
    assert_eq!(stripe.len(), 1, "{findings:?}");
    assert_eq!(
        stripe[0]["message"],
        "STRIPE_SECRET_KEY is required in production but is not set"
    );
    assert!(
        stripe[0]["help"]
            .as_str()
            .unwrap()
            .ends_with("STRIPE_SECRET_KEY: Stripe secret key. Example of the format, not a real value: `sk_test_xxxxxxxx`. Docs: API keys: https://dashboard.stripe.com/apikeys"),
        "{}",
        stripe[0]["help"]
    );
    assert_eq!(
        findings_about(&findings, "SENTRY_DSN")[0]["message"],
        "SENTRY_DSN is required in production when APP_ENV is \"production\", but is not set"
    );
    let mut got = positions(&findings);
    got.retain(|p| p.0 == "env.invalid-value");
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "env.invalid-value".to_string(),
                ".env.production".to_string(),
                2,
                6
            ),
            (
                "env.invalid-value".to_string(),
                ".env.production".to_string(),
                3,
                14
            ),
        ]
    );
    // A value a variable marks secret only by @defaultSensitive is still not printed.
    let db = findings_about(&findings, "DATABASE_URL");
    assert!(
        !db[0]["message"].as_str().unwrap().contains("db.acme.io"),
        "{}",
        db[0]["message"]
    );

    // `--env` must be one of the @currentEnv item's enum values.
    let out = bin(dir.path())
        .args(["check", "--env", "staging"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("development, preview, production"));

    // Named with --schema, under any `<name>.env.schema`; a launchgate.yml without `env:`
    // leaves the file in charge.
    std::fs::rename(dir.path().join(".env.schema"), dir.path().join("app.env.schema")).unwrap();
    write(dir.path(), "launchgate.yml", "secrets: {}\n");
    let (code, again) = run_json(bin(dir.path()).args([
        "check",
        "--schema",
        "app.env.schema",
        "--env",
        "production",
        "--file",
        ".env.production",
    ]));
    assert_eq!((code, again.len()), (1, findings.len()), "{again:?}");
}

/// An `env:` section in launchgate.yml is the schema; the `.env.schema` beside it is not read.
#[test]
fn an_env_section_takes_precedence() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env.schema", "# @required\nONLY_IN_ENV_SCHEMA=\n");
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    ONLY_IN_YAML: { required: all }\n",
    );
    let (code, findings) = run_json(bin(dir.path()).args(["check", "--env", "production"]));
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["properties"]["variable"], "ONLY_IN_YAML");
}

#[test]
fn bad_decorators_are_errors_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "# @requried\nA=\n",
            ".env.schema:1:3",
            "unknown decorator @requried",
        ),
        (
            "# @required @type=string(minLen=3)\nA=\n",
            ".env.schema:1:13",
            "the option `minLen` of @type=string is not supported",
        ),
        (
            "# @import(./.env.shared)\n# ---\nA=\n",
            ".env.schema:1:3",
            "@import is not supported",
        ),
        ("A=\n# @type=enum(a, b\nB=\n", ".env.schema:2:18", "missing `)`"),
        (
            "# @required=eq($PAYMENTS, on)\nA=\n",
            ".env.schema:1:3",
            "refers to `PAYMENTS`",
        ),
        (
            "# @type=url\nA=not a url\n",
            ".env.schema:2:1",
            "the default of A",
        ),
    ];
    assert_schema_errors(dir.path(), ".env.schema", &cases);
}

/// Decorators a plugin may define are noted, not refused.
#[test]
fn plugin_decorators_are_noted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env.schema",
        "# @plugin(@varlock/1password-plugin)\n# @initOp(allowAppAuth=true)\n# ---\n# @type=opServiceAccountToken\nOP_TOKEN=\n",
    );
    let out = bin(dir.path())
        .args(["check", "--env", "production", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = doc["reports"][0]["notes"].to_string();
    assert!(notes.contains(".env.schema:2:3: ignored @initOp"), "{notes}");
    assert!(
        notes.contains(".env.schema:4:3: OP_TOKEN has a type launchgate does not know"),
        "{notes}"
    );
}

/// `lint` reads the committed `.env.schema` as a template: function-call values are no
/// syntax error, and `--fix` leaves them unquoted; a real key as a default is a committed
/// secret.
#[test]
fn lint_accepts_calls_and_catches_a_committed_key() {
    let dir = tempfile::tempdir().unwrap();
    let real = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"; // launchgate:allow (made up for the test)
    let schema =
        format!("# @sensitive\nDB=op(op://vault/db, \"password\")\n# @sensitive\nSTRIPE_KEY={real}\n");
    write(dir.path(), ".env.schema", &schema);
    git_repo(dir.path(), &[".env.schema"]);
    let (code, findings) = run_json(bin(dir.path()).args(["lint"]));
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![(
            "env.committed-secret".to_string(),
            ".env.schema".to_string(),
            4,
            12
        )]
    );
    assert!(!serde_json::to_string(&findings).unwrap().contains(real));
    let out = bin(dir.path()).args(["lint", "--fix"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env.schema")).unwrap(),
        schema
    );
}

/// Without `--env`, the `@currentEnv` item names the environment, as varlock reads it: its
/// value in the files or the process environment, or else its default.
#[test]
fn current_env_names_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env.schema", ENV_SCHEMA);
    write(dir.path(), ".env.production", "APP_ENV=production\n");
    let (code, findings) = run_json(bin(dir.path()).args(["check", "--file", ".env.production"]));
    assert_eq!(code, 1);
    let stripe = findings_about(&findings, "STRIPE_SECRET_KEY");
    assert_eq!(stripe[0]["properties"]["environment"], "production");

    // The default, `development`, requires neither.
    let (code, findings) = run_json(bin(dir.path()).args(["check"]));
    assert!(
        findings_about(&findings, "STRIPE_SECRET_KEY").is_empty(),
        "{findings:?}"
    );
    assert_eq!(
        findings_about(&findings, "DATABASE_URL")[0]["properties"]["environment"],
        "development"
    );
    assert_eq!(code, 1);

    // `launchgate check`: a launchgate.yml without `env:`, the process environment naming
    // the environment.
    write(dir.path(), "launchgate.yml", "secrets: {}\n");
    let config = launchgate_core::config::ConfigFile::read(&dir.path().join("launchgate.yml")).unwrap();
    let report = launchgate_env::check_configured_with(
        &config,
        dir.path(),
        None,
        [("APP_ENV".into(), "production".into())],
    )
    .unwrap();
    let missing: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "env.missing-required")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        missing.contains(&"STRIPE_SECRET_KEY is required in production but is not set"),
        "{missing:?}"
    );
}
