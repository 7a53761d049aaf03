//! `--range` and `--ci` judge a change by the configuration and baseline of its base: a
//! pull request cannot approve its own secret.

use std::fs;
use std::path::Path;

use crate::{STRIPE_KEY, bin, findings, git, json_report, pull_request_scan};

/// A base commit with `base_config` as launchgate.yml (none when empty); returns its id.
fn commit_base(dir: &Path, base_config: &str) -> String {
    git(dir, &["init", "-q"]);
    fs::write(dir.join("README.md"), "shop\n").unwrap();
    if !base_config.is_empty() {
        fs::write(dir.join("launchgate.yml"), base_config).unwrap();
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// The change: the key in `app.env` line 2, plus whatever `extra` writes; committed.
fn change(dir: &Path, key_line: &str, extra: impl FnOnce(&Path)) {
    fs::write(dir.join("app.env"), format!("APP=shop\n{key_line}\n")).unwrap();
    extra(dir);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "change"]);
}

fn range(dir: &Path, base: &str) -> (i32, serde_json::Value) {
    let mut cmd = bin(dir);
    cmd.args(["scan", "--range", &format!("{base}..HEAD")]);
    json_report(cmd)
}

fn sha256_hex(value: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn key_line() -> String {
    format!("STRIPE_SECRET_KEY={STRIPE_KEY}")
}

/// Exit 1, the key at app.env:2, and a message naming the change's suppression.
fn assert_self_suppressed(code: i32, report: &serde_json::Value, naming: &str) {
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(report),
        vec![("stripe.secret-key".into(), "app.env".into(), 2, 19)],
        "{report}"
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "error");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains(naming), "{message}");
    assert!(message.contains("only this change's own"), "{message}");
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("on the base branch first"),
        "{finding}"
    );
    assert!(!report.to_string().contains(STRIPE_KEY));
}

#[test]
fn a_change_that_allows_its_own_value_path_or_rule_still_fails_and_names_it() {
    let cases = [
        (
            "secrets.allow.values",
            format!(
                "secrets:\n  allow:\n    values: [\"sha256:{}\"]\n",
                sha256_hex(STRIPE_KEY)
            ),
        ),
        (
            "secrets.allow.regexes",
            "secrets:\n  allow:\n    regexes: [\"^sk_live_\"]\n".to_string(),
        ),
        (
            "secrets.allow.paths",
            "secrets:\n  allow:\n    paths: [\"app.env\"]\n".to_string(),
        ),
        (
            "secrets.disable",
            "secrets:\n  disable: [stripe.secret-key]\n".to_string(),
        ),
        (
            "secrets.include/secrets.exclude",
            "secrets:\n  exclude: [\"*.env\"]\n".to_string(),
        ),
        (
            "secrets.max_file_size",
            "secrets:\n  max_file_size: 10\n".to_string(),
        ),
    ];
    for (naming, config) in cases {
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        let base = commit_base(dir, "");
        change(dir, &key_line(), |d| {
            fs::write(d.join("launchgate.yml"), &config).unwrap()
        });
        let (code, report) = range(dir, &base);
        assert_self_suppressed(code, &report, naming);
    }
}

#[test]
fn a_change_that_baselines_its_own_secret_still_fails_and_names_the_baseline() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let base = commit_base(dir, "");
    fs::write(dir.join("app.env"), format!("APP=shop\n{}\n", key_line())).unwrap();
    let out = bin(dir).args(["baseline", "create"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join(".launchgate/secrets-baseline.json").is_file());
    change(dir, &key_line(), |_| {});
    // The working tree's baseline accepts it: a plain scan passes.
    bin(dir).args(["scan"]).assert().code(0);
    let (code, report) = range(dir, &base);
    assert_self_suppressed(code, &report, "the baseline .launchgate/secrets-baseline.json");

    // The same through --ci on a pull request event.
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    let (code, report) = pull_request_scan(dir, &base, &head);
    assert_self_suppressed(code, &report, "the baseline");
}

#[test]
fn a_suppression_landed_on_the_base_first_applies() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let base = commit_base(dir, "secrets:\n  allow:\n    paths: [\"app.env\"]\n");
    change(dir, &key_line(), |_| {});
    let (code, report) = range(dir, &base);
    assert_eq!(code, 0, "{report}");
    assert!(
        report["notes"]
            .to_string()
            .contains("launchgate.yml at the base commit"),
        "{report}"
    );

    // The change removing the base's suppression is judged by the base: still allowed.
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let base = commit_base(dir, "secrets:\n  allow:\n    paths: [\"app.env\"]\n");
    change(dir, &key_line(), |d| {
        fs::remove_file(d.join("launchgate.yml")).unwrap()
    });
    let (code, report) = range(dir, &base);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn an_allow_comment_added_by_the_change_is_a_warning_at_its_line() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let base = commit_base(dir, "");
    change(dir, &format!("{} # launchgate:allow", key_line()), |_| {});
    let (code, report) = range(dir, &base);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        findings(&report),
        vec![("launchgate.allow-comment-added".into(), "app.env".into(), 2, 19)],
        "{report}"
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["message"].as_str().unwrap().contains("Stripe"),
        "{finding}"
    );
    assert_eq!(report["suppressed"], 1);
    assert!(!report.to_string().contains(STRIPE_KEY));
}

#[test]
fn a_bare_repository_is_judged_by_the_base_commits_configuration() {
    // A server-side hook runs in a bare repository: no work tree; the change's own settings
    // are those of the head commit.
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("work");
    fs::create_dir(&dir).unwrap();
    let base = commit_base(&dir, "");
    change(&dir, &key_line(), |d| {
        fs::write(
            d.join("launchgate.yml"),
            "secrets:\n  allow:\n    paths: [\"app.env\"]\n",
        )
        .unwrap()
    });
    git(repo.path(), &["clone", "-q", "--bare", "work", "bare.git"]);
    let (code, report) = range(&repo.path().join("bare.git"), &base);
    assert_self_suppressed(code, &report, "secrets.allow.paths");
    assert!(
        report["notes"]
            .to_string()
            .contains("launchgate.yml at the base commit"),
        "{report}"
    );
}
