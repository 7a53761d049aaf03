use crate::{SCHEMA, bin, positions, rules, run_json, write};

const LIVE: &str = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr";
const TEST: &str = "sk_test_51HxYzAbCdEfGhIjKlMnOpQr";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "launchgate.yml", SCHEMA);
    dir
}

#[test]
fn process_environment_is_checked_by_default() {
    let dir = project();
    let (code, findings) = run_json(
        bin(dir.path())
            .args(["check", "--env", "production"])
            .env("DATABASE_URL", "postgres://app:pw@db.acme.io/app")
            .env("STRIPE_SECRET_KEY", LIVE)
            .env("NEXT_PUBLIC_SITE_URL", "https://acme.io"),
    );
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");

    let (code, findings) = run_json(
        bin(dir.path())
            .args(["check", "--env", "production"])
            .env("PORT", "99999"),
    );
    assert_eq!(code, 1);
    let mut got = rules(&findings);
    got.sort();
    assert_eq!(
        got,
        vec![
            "env.invalid-value",
            "env.missing-required",
            "env.missing-required",
            "env.missing-required"
        ],
        "{findings:?}"
    );
    let port = findings
        .iter()
        .find(|f| f["rule_id"] == "env.invalid-value")
        .unwrap();
    assert_eq!(port["subject"], "PORT (process environment)");
    assert!(
        port["message"]
            .as_str()
            .unwrap()
            .contains("not a port between 1 and 65535")
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = project();
    write(
        dir.path(),
        ".env.production",
        &format!(
            "DATABASE_URL=mysql://db.acme.io/app\nSTRIPE_SECRET_KEY={TEST}\nNEXT_PUBLIC_SITE_URL=http://localhost:3000\nLOG_LEVEL=verbose\nPORT=\nAPI_URL=https://api.example.com\nTOKEN=changeme\n"
        ),
    );
    let (code, findings) =
        run_json(bin(dir.path()).args(["check", "--env", "production", "--file", ".env.production"]));
    assert_eq!(code, 1);
    let mut got = positions(&findings);
    got.sort();
    let p = |r: &str, l, c| (format!("env.{r}"), ".env.production".to_string(), l, c);
    assert_eq!(
        got,
        vec![
            p("invalid-value", 1, 14),
            p("invalid-value", 2, 19),
            p("invalid-value", 3, 22),
            p("invalid-value", 4, 11),
            p("placeholder-value", 3, 22),
            p("placeholder-value", 6, 9),
            p("placeholder-value", 7, 7),
            p("test-key-in-production", 2, 19),
        ]
    );
    let stripe = findings
        .iter()
        .find(|f| f["rule_id"] == "env.invalid-value" && f["location"]["line"] == 2)
        .unwrap();
    assert_eq!(
        stripe["message"],
        "STRIPE_SECRET_KEY does not start with sk_live_"
    );
    let db = findings.iter().find(|f| f["location"]["line"] == 1).unwrap();
    assert!(
        db["help"]
            .as_str()
            .unwrap()
            .contains("Postgres connection string"),
        "{db}"
    );
}

#[test]
fn later_files_override_earlier_ones() {
    let dir = project();
    write(
        dir.path(),
        ".env",
        "LOG_LEVEL=verbose\nPORT=abc\nNEXT_PUBLIC_SITE_URL=http://app.acme.io\n",
    );
    write(dir.path(), ".env.local", "LOG_LEVEL=debug\n");
    let (code, findings) = run_json(bin(dir.path()).args([
        "check",
        "--env",
        "development",
        "--file",
        ".env",
        "--file",
        ".env.local",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![("env.invalid-value".into(), ".env".into(), 2, 6)]
    );
}

/// Which variables are missing, per environment, with nothing set.
#[test]
fn requirement_matrix() {
    let dir = project();
    let expected: [(&str, &[&str]); 4] = [
        ("development", &["NEXT_PUBLIC_SITE_URL"]),
        ("preview", &["NEXT_PUBLIC_SITE_URL"]),
        ("staging", &["DATABASE_URL", "NEXT_PUBLIC_SITE_URL"]),
        (
            "production",
            &["DATABASE_URL", "NEXT_PUBLIC_SITE_URL", "STRIPE_SECRET_KEY"],
        ),
    ];
    for (env, missing) in expected {
        let (code, findings) = run_json(bin(dir.path()).args(["check", "--env", env]));
        assert_eq!(code, 1, "{env}");
        let vars: Vec<&str> = findings
            .iter()
            .filter(|f| f["rule_id"] == "env.missing-required")
            .map(|f| f["properties"]["variable"].as_str().unwrap())
            .collect();
        assert_eq!(vars, missing, "{env}");
    }
}

#[test]
fn https_and_key_mode_depend_on_the_environment() {
    let dir = project();
    let run = |env: &str, key: &str, url: &str| {
        let (_, findings) = run_json(
            bin(dir.path())
                .args(["check", "--env", env])
                .env("DATABASE_URL", "postgres://app:pw@db.acme.io/app")
                .env("STRIPE_SECRET_KEY", key)
                .env("NEXT_PUBLIC_SITE_URL", url),
        );
        let mut r = rules(&findings);
        r.sort();
        r
    };
    assert!(run("development", TEST, "http://app.acme.io").is_empty());
    assert_eq!(
        run("staging", TEST, "http://app.acme.io"),
        vec!["env.invalid-value"]
    );
    assert_eq!(
        run("staging", LIVE, "https://app.acme.io"),
        vec!["env.live-key-outside-production"]
    );
    assert_eq!(
        run("production", TEST, "https://app.acme.io"),
        vec!["env.invalid-value", "env.test-key-in-production"]
    );
    assert!(run("production", LIVE, "https://app.acme.io").is_empty());
}

#[test]
fn environment_comes_from_flag_variable_or_config() {
    let dir = project();
    bin(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--env production"));
    bin(dir.path())
        .args(["check", "--env", "prod"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown environment `prod`"));
    bin(dir.path())
        .args(["check"])
        .env("LAUNCHGATE_ENV", "production")
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "STRIPE_SECRET_KEY is required in production",
        ));
}

#[test]
fn public_prefix_leaks_in_the_process_environment_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "schema.yml",
        "vars:\n  NEXT_PUBLIC_STRIPE_KEY: { secret: true }\n  VITE_ANON: {}\n",
    );
    let (code, findings) = run_json(
        bin(dir.path())
            .args(["--schema", "schema.yml", "check", "--env", "production"])
            .env("VITE_ANON", "whsec_Z3aWZkSBvrjn9Wvgfygw2wMqZcUDIh7y")
            .env(
                "NEXT_PUBLIC_SUPABASE_ANON_KEY",
                "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2ln",
            ),
    );
    assert_eq!(code, 1);
    let mut got = positions(&findings);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("env.public-secret-name".into(), "schema.yml".into(), 2, 3),
            ("env.public-secret-schema".into(), "schema.yml".into(), 2, 3),
            ("env.public-secret-value".into(), "".into(), 0, 0),
        ]
    );
}

#[test]
fn check_configured_says_what_it_checked() {
    let dir = project();
    write(dir.path(), ".env.example", "DATABASE_URL=\n");
    let config = launchgate_core::config::ConfigFile::discover(None, dir.path())
        .unwrap()
        .unwrap();
    let report = launchgate_env::check_configured_with(&config, dir.path(), None, Vec::new()).unwrap();
    assert!(
        report.notes.iter().any(|n| n.contains("no environment named")),
        "{:?}",
        report.notes
    );
    assert!(
        report.inputs.contains(&".env.example".to_string()),
        "{:?}",
        report.inputs
    );
    let env = vec![("STRIPE_SECRET_KEY".into(), TEST.into())];
    let report = launchgate_env::check_configured_with(&config, dir.path(), Some("production"), env).unwrap();
    let r: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert!(r.contains(&"env.test-key-in-production"), "{r:?}");
    assert!(r.contains(&"env.drift-missing-from-example"), "{r:?}");
    assert!(report.inputs.contains(&"process environment".to_string()));
}

#[test]
fn check_configured_reads_env_check_files() {
    let dir = tempfile::tempdir().unwrap();
    let schema = SCHEMA.replace(
        "  vars:\n",
        "  check:\n    environment: staging\n    files: [.env.staging]\n  vars:\n",
    );
    write(dir.path(), "launchgate.yml", &schema);
    write(
        dir.path(),
        ".env.staging",
        "DATABASE_URL=mysql://db.acme.io/app\nNEXT_PUBLIC_SITE_URL=https://staging.acme.io\n",
    );
    let config = launchgate_core::config::ConfigFile::discover(None, dir.path())
        .unwrap()
        .unwrap();
    let report = launchgate_env::check_configured_with(&config, dir.path(), None, Vec::new()).unwrap();
    let invalid: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "env.invalid-value")
        .map(|f| f.location.as_ref().map(|l| (l.path.clone(), l.line)))
        .collect();
    assert_eq!(invalid, vec![Some((".env.staging".to_string(), Some(1)))]);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("for the staging environment")),
        "{:?}",
        report.notes
    );
    assert!(
        report.notes.iter().any(|n| n.contains("not in a git work tree")),
        "{:?}",
        report.notes
    );
    // LAUNCHGATE_ENV (passed here as the environment) wins over env.check.environment.
    let report =
        launchgate_env::check_configured_with(&config, dir.path(), Some("production"), Vec::new()).unwrap();
    assert!(report.findings.iter().any(|f| f.rule_id == "env.missing-required"
        && f.properties.get("variable").and_then(|v| v.as_str()) == Some("STRIPE_SECRET_KEY")));
}

#[test]
fn schema_file_with_or_without_env_section() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "full.yml", SCHEMA);
    write(
        dir.path(),
        "bare.yml",
        &SCHEMA
            .replace("env:\n", "")
            .replace("\n  ", "\n")
            .trim_start()
            .replace("  environments", "environments"),
    );
    for file in ["full.yml", "bare.yml"] {
        let (code, findings) =
            run_json(bin(dir.path()).args(["--schema", file, "check", "--env", "staging"]));
        assert_eq!(code, 1, "{file}");
        let missing: Vec<_> = findings
            .iter()
            .map(|f| f["properties"]["variable"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(missing, vec!["DATABASE_URL", "NEXT_PUBLIC_SITE_URL"], "{file}");
    }
}

/// `check --file .env` in `dir`, which must exit 2; its standard error.
fn check_input_error(dir: &std::path::Path) -> String {
    let out = bin(dir)
        .args(["check", "--env", "development", "--file", ".env"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    stderr
}

/// With a schema declaring `var`: `check --file .env` passes on `within` and is exit 2 on
/// `beyond`; its standard error then.
fn passes_then_exceeds(var: &str, within: &str, beyond: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        &format!("env:\n  vars:\n    {var}: {{ type: string }}\n"),
    );
    write(dir.path(), ".env", within);
    let (code, findings) =
        run_json(bin(dir.path()).args(["check", "--env", "development", "--file", ".env"]));
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    write(dir.path(), ".env", beyond);
    check_input_error(dir.path())
}

/// `A=x`, `B=${A}${A}`, `C=${B}${B}` … doubles at every line: 60 lines would be 2^60 bytes.
#[test]
fn doubling_references_stop_at_the_expansion_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    V0: { type: string }\n",
    );
    let mut env = String::from("V0=x\n");
    for i in 1..60 {
        env.push_str(&format!("V{i}=\"${{V{}}}${{V{}}}\"\n", i - 1, i - 1));
    }
    write(dir.path(), ".env", &env);
    let stderr = check_input_error(dir.path());
    // V17 would be 2^17 = 128 KiB; V16 is exactly 64 KiB, the limit.
    assert!(
        stderr.contains(".env:18:5: V17 expands to more than 64 KiB"),
        "{stderr}"
    );
    assert!(stderr.contains("${V16}"), "{stderr}");
}

/// Each value within its own limit, but many short lines naming one long value: together
/// they are bounded too (1 MiB beyond eight times the file).
#[test]
fn many_references_to_one_long_value_stop_at_the_total_limit() {
    let env = |lines: usize| {
        let mut env = format!("LONG={}\n", "x".repeat(60_000));
        for i in 0..lines {
            env.push_str(&format!("K{i}=${{LONG}}\n"));
        }
        env
    };
    // 60,476 bytes allow 1 MiB + 483,808 bytes: LONG and 25 copies fit, the 26th does not.
    let stderr = passes_then_exceeds("LONG", &env(10), &env(40));
    assert!(
        stderr.contains(
            ".env:26:5: with K24, the expanded values of the .env files hold more than 1496 KiB together"
        ),
        "{stderr}"
    );
}

#[test]
fn deeply_nested_references_are_an_error_naming_the_variable() {
    let chain = |n: usize| {
        let mut env = String::from("V0=x\n");
        for i in 1..=n {
            env.push_str(&format!("V{i}=${{V{}}}/\n", i - 1));
        }
        env
    };
    let stderr = passes_then_exceeds("V0", &chain(16), &chain(20));
    assert!(
        stderr.contains(".env:18:5: V17 refers to ${V16}, whose references nest 17 levels deep (at most 16)"),
        "{stderr}"
    );
}

/// References read values already read, so a cycle reads an unset variable and stops.
#[test]
fn reference_cycles_end() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    A: { type: string, required: all }\n    B: { type: string, required: all }\n",
    );
    write(dir.path(), ".env", "A=${B}\nB=${A}\nC=${C}${C}\n");
    let (code, findings) =
        run_json(bin(dir.path()).args(["check", "--env", "development", "--file", ".env"]));
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![
            ("env.missing-required".into(), ".env".into(), 1, 3),
            ("env.missing-required".into(), ".env".into(), 2, 3),
        ]
    );
}
