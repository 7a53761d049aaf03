use crate::{SCHEMA, bin, positions, run_json, write};

#[test]
fn diff_finds_keys_missing_on_each_side() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "launchgate.yml", SCHEMA);
    write(
        dir.path(),
        ".env.example",
        "DATABASE_URL=\nSTRIPE_SECRET_KEY=\nNEXT_PUBLIC_SITE_URL=\nPORT=\nLOG_LEVEL=\nOLD_FLAG=\n",
    );
    write(
        dir.path(),
        ".env.staging",
        "DATABASE_URL=postgres://db.acme.io/app\nNEXT_PUBLIC_SITE_URL=https://staging.acme.io\nPORT=3000\nLOG_LEVEL=info\nOLD_FLAG=1\nEXTRA=1\n",
    );
    let (code, findings) = run_json(bin(dir.path()).arg("diff"));
    assert_eq!(code, 0, "drift is a warning");
    let mut got = positions(&findings);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("env.drift-missing-from-file".into(), ".env.staging".into(), 0, 0),
            ("env.drift-not-in-example".into(), ".env.staging".into(), 6, 1),
            ("env.drift-not-in-schema".into(), ".env.example".into(), 6, 1),
            ("env.drift-staging".into(), "launchgate.yml".into(), 6, 5),
        ]
    );
    let staging = findings
        .iter()
        .find(|f| f["rule_id"] == "env.drift-staging")
        .unwrap();
    assert!(
        staging["message"]
            .as_str()
            .unwrap()
            .contains("STRIPE_SECRET_KEY is required in production but absent from .env.staging")
    );
    bin(dir.path())
        .args(["diff", "--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn init_writes_a_schema_that_loads_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env.example",
        "DATABASE_URL=postgres://user:pass@localhost:5432/app\nPORT=3000\nNEXT_PUBLIC_SITE_URL=https://acme.io\nSTRIPE_SECRET_KEY=\nFEATURE_X=true\n",
    );
    write(
        dir.path(),
        "src/app.js",
        "const k = process.env.RESEND_API_KEY;\nconst e = process.env.NODE_ENV;\n",
    );
    bin(dir.path()).arg("init").assert().code(0);
    let text = std::fs::read_to_string(dir.path().join("launchgate.yml")).unwrap();
    for line in [
        "    DATABASE_URL: { type: url, schemes: [postgres], required: [production], secret: true }",
        "    FEATURE_X: { type: bool, required: [production] }",
        "    NEXT_PUBLIC_SITE_URL: { type: url, required: [production] }",
        "    PORT: { type: port, required: [production] }",
        "    RESEND_API_KEY: { type: string, required: [production], secret: true, description: \"read in src/app.js:1\" }",
        "    STRIPE_SECRET_KEY: { type: string, required: [production], secret: true }",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(!text.contains("NODE_ENV"));
    assert!(!text.contains("user:pass"), "example values are not copied");
    // The written schema loads, and a second init refuses to overwrite it.
    bin(dir.path())
        .args(["check", "--env", "development"])
        .assert()
        .code(0);
    bin(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already has an env: section"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("launchgate.yml")).unwrap(),
        text
    );
}

#[test]
fn init_appends_to_a_config_without_env_section() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "launchgate.yml", "secrets:\n  allow: []\n");
    write(dir.path(), ".env.example", "PORT=3000\n");
    bin(dir.path()).arg("init").assert().code(0);
    let text = std::fs::read_to_string(dir.path().join("launchgate.yml")).unwrap();
    assert!(text.starts_with("secrets:\n  allow: []\nenv:\n"), "{text}");
}
