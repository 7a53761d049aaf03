//! The user's git configuration and the repository's attributes must not hide a secret from
//! `--range`, `--ci` or `--staged`: each setting below once made a file unreadable or
//! invisible to the diff reader.

use std::fs;
use std::path::Path;

use crate::{STRIPE_KEY, bin, findings, git, json_report, pull_request_scan};

/// A setting that changes what git prints: attributes committed to the repository, lines
/// for the repository's `.git/config`, or lines for the user's global configuration.
struct Hostile {
    name: &'static str,
    attributes: &'static str,
    config: &'static str,
}

const HOSTILE: [Hostile; 10] = [
    Hostile {
        name: "-diff attribute",
        attributes: "*.env -diff\n",
        config: "",
    },
    Hostile {
        name: "binary attribute",
        attributes: "*.env binary\n",
        config: "",
    },
    Hostile {
        name: "textconv driver",
        attributes: "*.env diff=hide\n",
        config: "[diff \"hide\"]\n\ttextconv = true\n",
    },
    Hostile {
        name: "binary driver",
        attributes: "*.env diff=bin\n",
        config: "[diff \"bin\"]\n\tbinary = true\n",
    },
    Hostile {
        name: "external diff driver",
        attributes: "*.env diff=ext\n",
        config: "[diff \"ext\"]\n\tcommand = true\n",
    },
    Hostile {
        name: "diff.external",
        attributes: "",
        config: "[diff]\n\texternal = true\n",
    },
    Hostile {
        name: "diff.noprefix",
        attributes: "",
        config: "[diff]\n\tnoprefix = true\n",
    },
    Hostile {
        name: "diff.mnemonicPrefix",
        attributes: "",
        config: "[diff]\n\tmnemonicPrefix = true\n",
    },
    Hostile {
        name: "color.ui always",
        attributes: "",
        config: "[color]\n\tui = always\n\tdiff = always\n",
    },
    Hostile {
        name: "core.bigFileThreshold",
        attributes: "",
        config: "[core]\n\tbigFileThreshold = 1\n",
    },
];

/// A base commit with the attributes, then a change adding a key to `app.env` on line 2.
fn repo_with_change(dir: &Path, attributes: &str) -> (String, String) {
    git(dir, &["init", "-q"]);
    fs::write(dir.join(".gitattributes"), attributes).unwrap();
    fs::write(dir.join("README.md"), "shop\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    fs::write(
        dir.join("app.env"),
        format!("APP=shop\nSTRIPE_SECRET_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "add the key"]);
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    (base, head)
}

fn append(path: &Path, text: &str) {
    let mut all = fs::read_to_string(path).unwrap_or_default();
    all.push_str(text);
    fs::write(path, all).unwrap();
}

fn assert_found(code: i32, report: &serde_json::Value, what: &str) {
    assert_eq!(code, 1, "{what}: {report}");
    assert_eq!(
        findings(report),
        vec![("stripe.secret-key".into(), "app.env".into(), 2, 19)],
        "{what}"
    );
    assert!(!report.to_string().contains(STRIPE_KEY), "{what}");
}

#[test]
fn range_and_ci_read_every_diff_whatever_the_repository_configuration() {
    for hostile in HOSTILE {
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        let (base, head) = repo_with_change(dir, hostile.attributes);
        append(&dir.join(".git/config"), hostile.config);

        let mut cmd = bin(dir);
        cmd.args(["scan", "--range", &format!("{base}..{head}")]);
        let (code, report) = json_report(cmd);
        assert_found(code, &report, &format!("--range with {}", hostile.name));

        let (code, report) = pull_request_scan(dir, &base, &head);
        assert_found(code, &report, &format!("--ci with {}", hostile.name));
    }
}

#[test]
fn range_and_staged_read_every_diff_whatever_the_user_configuration() {
    for hostile in HOSTILE {
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        let (base, head) = repo_with_change(dir, hostile.attributes);
        let global = dir.join(".git/user-config");
        fs::write(&global, hostile.config).unwrap();

        let mut cmd = bin(dir);
        cmd.args(["scan", "--range", &format!("{base}..{head}")])
            .env("GIT_CONFIG_GLOBAL", &global);
        let (code, report) = json_report(cmd);
        assert_found(code, &report, &format!("--range with a user's {}", hostile.name));

        // The same change, staged instead of committed.
        git(dir, &["reset", "-q", "--soft", "HEAD~1"]);
        let mut cmd = bin(dir);
        cmd.args(["scan", "--staged"]).env("GIT_CONFIG_GLOBAL", &global);
        let (code, report) = json_report(cmd);
        assert_found(code, &report, &format!("--staged with a user's {}", hostile.name));
    }
}

#[test]
fn diff_relative_in_a_subfolder_does_not_hide_the_rest_of_the_repository() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    fs::create_dir(dir.join("docs")).unwrap();
    fs::write(dir.join("docs/index.md"), "docs\n").unwrap();
    let (base, head) = repo_with_change(dir, "");
    append(&dir.join(".git/config"), "[diff]\n\trelative = true\n");
    let mut cmd = bin(&dir.join("docs"));
    cmd.args(["scan", "--range", &format!("{base}..{head}")]);
    let (code, report) = json_report(cmd);
    assert_found(code, &report, "--range from a subfolder with diff.relative");
}

#[test]
fn a_single_revision_range_includes_the_root_commit_whatever_log_show_root_says() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::write(
        dir.join("app.env"),
        format!("APP=shop\nSTRIPE_SECRET_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    append(&dir.join(".git/config"), "[log]\n\tshowRoot = false\n");
    let mut cmd = bin(dir);
    cmd.args(["scan", "--range", "HEAD"]);
    let (code, report) = json_report(cmd);
    assert_found(code, &report, "--range HEAD with log.showRoot=false");
    assert!(
        report["notes"].to_string().contains("read from the working tree"),
        "{report}"
    );
}

#[test]
fn a_pre_commit_hook_scans_the_index_of_a_partial_commit() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::write(dir.join("app.env"), "APP=shop\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let binary = assert_cmd::cargo::cargo_bin("launchgate-secrets");
    let hook = dir.join(".git/hooks/pre-commit");
    fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' scan --staged\n", binary.display()),
    )
    .unwrap();
    let mut perms = fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&hook, perms).unwrap();
    // Not staged: `git commit app.env` builds a temporary index (GIT_INDEX_FILE) for the hook.
    fs::write(
        dir.join("app.env"),
        format!("APP=shop\nSTRIPE_SECRET_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .args(["-c", "user.name=Test", "-c", "user.email=test@launchgate.invalid"])
        .args(["commit", "-q", "-m", "partial", "app.env"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "the hook let the commit through");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        format!("{stdout}{stderr}").contains("app.env:2:19"),
        "{stdout}{stderr}"
    );
}
