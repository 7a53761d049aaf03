use crate::{SCHEMA, bin, git_repo, positions, run_json, write};

const GITHUB_TOKEN: &str = "ghp_OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLr";

#[test]
fn tracked_files_with_plaintext_secrets_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "launchgate.yml", SCHEMA);
    write(
        dir.path(),
        ".env.production",
        "DATABASE_URL=postgres://app:pw@db:5432/app\nNEXT_PUBLIC_SITE_URL=https://acme.io\n",
    );
    write(
        dir.path(),
        ".env.example",
        "DATABASE_URL=postgres://user:password@localhost/app\nSTRIPE_SECRET_KEY=\n",
    );
    write(dir.path(), "apps/api/.env", &format!("GH_TOKEN={GITHUB_TOKEN}\n"));
    write(
        dir.path(),
        ".env.ci",
        // A value encrypted by dotenvx (tests/fixtures/dotenvx).
        "STRIPE_SECRET_KEY=encrypted:BHQ4619h9dAo1hH5Lbxt7vkOxfUPGf0Hkzyh12tKurommO5yYzftrCOf54ESgCIcq4xCE3V62w//iaTTkgnzCPhYRvtaEDr/TKKULtnrhZsgsc8gOi7fVMZMC+oZOW0mbTqLHjY=\n",
    );
    // Not tracked: a local file may hold real values.
    write(dir.path(), ".env.local", &format!("GH_TOKEN={GITHUB_TOKEN}\n"));
    git_repo(
        dir.path(),
        &[
            "launchgate.yml",
            ".env.production",
            ".env.example",
            "apps/api/.env",
            ".env.ci",
        ],
    );
    let (code, findings) = run_json(bin(dir.path()).arg("lint"));
    assert_eq!(code, 1);
    let secrets: Vec<_> = positions(&findings)
        .into_iter()
        .filter(|p| p.0 == "env.committed-secret")
        .collect();
    assert_eq!(
        secrets,
        vec![
            ("env.committed-secret".into(), ".env.production".into(), 1, 14),
            ("env.committed-secret".into(), "apps/api/.env".into(), 1, 10),
        ]
    );
    let gh = findings
        .iter()
        .find(|f| f["location"]["path"] == "apps/api/.env")
        .unwrap();
    assert_eq!(gh["properties"]["recognised_as"], "github.pat-classic");
    assert!(gh["message"].as_str().unwrap().contains("a file git tracks"));
}

#[test]
fn outside_git_the_working_tree_is_checked_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &format!("GH_TOKEN={GITHUB_TOKEN}\n"));
    let out = bin(dir.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = &doc["reports"][0];
    assert!(
        report["notes"].to_string().contains("not in a git work tree"),
        "{report}"
    );
    assert_eq!(report["findings"][0]["rule_id"], "env.committed-secret");
    assert_eq!(report["findings"][0]["severity"], "warning");
}

#[test]
fn public_prefix_leaks_in_env_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE=x\nVITE_STRIPE=sk_live_51HxYzAbCdEfGhIjKlMnOpQr\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_51HxYzAbCdEfGhIjKlMnOpQr\nREACT_APP_KEY=\"-----BEGIN PRIVATE KEY-----\nkLUyifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB/Y6sHrFH2ZUCr/lgotu2iXW7G\nboIRoL3u6aHwnMztVuaP+coUNEhEkk+iqq8vH2BzNZV45pFCiRcDCajhDieQjEJ+\nBq8F80ymm3T207gmhZRnFyy5r2xJ7Fj4mgblEv0+9BZhvWaXH6K2+tyLBhhOhg9u\n-----END PRIVATE KEY-----\"\n",
    );
    let (_, findings) = run_json(bin(dir.path()).args(["lint", "--disable", "duplicate-key"]));
    let leaks: Vec<_> = positions(&findings)
        .into_iter()
        .filter(|p| p.0.starts_with("env.public-"))
        .collect();
    assert_eq!(
        leaks,
        vec![
            ("env.public-secret-name".into(), ".env".into(), 1, 35),
            ("env.public-secret-value".into(), ".env".into(), 2, 13),
            ("env.public-secret-name".into(), ".env".into(), 4, 15),
            ("env.public-secret-value".into(), ".env".into(), 4, 15),
        ]
    );
}
