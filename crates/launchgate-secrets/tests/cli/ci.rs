//! `scan --ci`: the commits of a GitHub event, decided from the event file.

use std::path::Path;

use crate::{STRIPE_KEY, bin, git, json_report};

/// A repository with a clean base commit, then a pull request's two commits: one adds a key,
/// the next removes it again. Returns (base, head).
fn repo_with_pushed_and_removed_key(dir: &Path) -> (String, String) {
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("app.js"), "export const ok = true;\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(dir.join("pay.js"), format!("const key = \"{STRIPE_KEY}\";\n")).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "add payments"]);
    std::fs::write(dir.join("pay.js"), "const key = process.env.STRIPE_SECRET_KEY;\n").unwrap();
    git(dir, &["commit", "-q", "-am", "read the key from the environment"]);
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    (base, head)
}

fn event(dir: &Path, name: &str, json: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}-event.json"));
    std::fs::write(&path, json).unwrap();
    path
}

#[test]
fn a_pull_request_scans_every_commit_of_its_range() {
    let repo = tempfile::tempdir().unwrap();
    let events = tempfile::tempdir().unwrap();
    let (base, head) = repo_with_pushed_and_removed_key(repo.path());
    let path = event(
        events.path(),
        "pr",
        &format!(r#"{{"pull_request":{{"base":{{"sha":"{base}"}},"head":{{"sha":"{head}"}}}}}}"#),
    );
    let mut cmd = bin(repo.path());
    cmd.args(["scan", "--ci"])
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &path);
    let (code, report) = json_report(cmd);
    assert_eq!(code, 1, "{report}");
    let finding = &report["findings"][0];
    assert_eq!(finding["rule_id"], "stripe.secret-key");
    assert_eq!(finding["location"]["path"], "pay.js");
    assert_eq!(finding["location"]["line"], 1);
    assert!(
        report["notes"][0].as_str().unwrap().starts_with("--ci: commits"),
        "{report}"
    );
    assert!(!report.to_string().contains(STRIPE_KEY));
}

#[test]
fn a_push_that_deletes_a_branch_scans_nothing_and_says_so() {
    let repo = tempfile::tempdir().unwrap();
    let events = tempfile::tempdir().unwrap();
    repo_with_pushed_and_removed_key(repo.path());
    let zero = "0".repeat(40);
    let path = event(
        events.path(),
        "push",
        &format!(
            r#"{{"before":"{}","after":"{zero}","deleted":true,"ref":"refs/heads/gone"}}"#,
            "1".repeat(40)
        ),
    );
    let mut cmd = bin(repo.path());
    cmd.args(["scan", "--ci"])
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &path);
    let (code, report) = json_report(cmd);
    assert_eq!(code, 0, "{report}");
    assert!(
        report["notes"][0].as_str().unwrap().starts_with("--ci: "),
        "{report}"
    );
}

#[test]
fn a_shallow_clone_without_the_base_is_exit_2_with_the_fix() {
    let repo = tempfile::tempdir().unwrap();
    let events = tempfile::tempdir().unwrap();
    let (base, head) = repo_with_pushed_and_removed_key(repo.path());
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    let path = event(
        events.path(),
        "pr",
        &format!(r#"{{"pull_request":{{"base":{{"sha":"{base}"}},"head":{{"sha":"{head}"}}}}}}"#),
    );
    bin(clone.path())
        .args(["scan", "--ci"])
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "set fetch-depth: 0 on actions/checkout",
        ));
}

#[test]
fn outside_github_actions_ci_says_what_to_use_instead() {
    let repo = tempfile::tempdir().unwrap();
    bin(repo.path())
        .args(["scan", "--ci"])
        .env_remove("GITHUB_EVENT_NAME")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("GITHUB_EVENT_NAME"));
}
