use std::fs;
use std::path::Path;

use crate::{STRIPE_KEY, bin, findings, git, json_report, notes};

fn staged(dir: &Path) -> (i32, serde_json::Value) {
    let mut c = bin(dir);
    c.args(["scan", "--staged"]);
    json_report(c)
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    dir
}

#[test]
fn the_first_commit_of_a_repository_is_scanned() {
    let dir = repo();
    let d = dir.path();
    fs::write(
        d.join(".env"),
        format!("APP=shop\nSTRIPE_SECRET_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    git(d, &["add", ".env"]);
    let (code, report) = staged(d);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), ".env".into(), 2, 19)]
    );
}

#[test]
fn only_added_lines_count_and_line_numbers_follow_the_staged_file() {
    let dir = repo();
    let d = dir.path();
    fs::write(
        d.join("config.js"),
        format!("const key = '{STRIPE_KEY}'; // launchgate:allow\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "first"]);
    // Drop the allow comment from the working tree only: the committed line is not re-added.
    fs::write(
        d.join("config.js"),
        format!("// header\nconst key = '{STRIPE_KEY}'; // launchgate:allow\nconst a = 1;\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    let (code, report) = staged(d);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["suppressed"], 0, "the old line is not part of the change");

    fs::write(
        d.join("config.js"),
        format!("// header\nconst key = '{STRIPE_KEY}'; // launchgate:allow\nconst a = 1;\n\nconst b = '{STRIPE_KEY}';\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    let (code, report) = staged(d);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "config.js".into(), 5, 12)]
    );
}

#[test]
fn renames_report_the_new_path_and_a_pure_rename_adds_nothing() {
    let dir = repo();
    let d = dir.path();
    let body: String = (0..20)
        .map(|i| format!("line {i} of a settings file\n"))
        .collect();
    fs::write(
        d.join("old name.txt"),
        format!("{body}k = {STRIPE_KEY} # launchgate:allow\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "first"]);
    git(d, &["mv", "old name.txt", "new name.txt"]);
    let (code, report) = staged(d);
    assert_eq!((code, report["suppressed"].as_u64()), (0, Some(0)), "{report}");

    fs::write(
        d.join("new name.txt"),
        format!("{body}k = {STRIPE_KEY} # launchgate:allow\nk2 = {STRIPE_KEY}\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    let status = git(d, &["status", "--porcelain"]);
    assert!(status.starts_with('R'), "{status}");
    let (code, report) = staged(d);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "new name.txt".into(), 22, 6)]
    );
}

#[test]
fn staged_contents_are_read_from_the_index_not_the_working_tree() {
    let dir = repo();
    let d = dir.path();
    fs::write(d.join("keys.txt"), format!("{STRIPE_KEY}\n")).unwrap();
    fs::write(d.join("gone.txt"), "bye\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "first"]);
    git(d, &["rm", "-q", "gone.txt"]);
    fs::write(d.join("later.txt"), format!("x = {STRIPE_KEY}\n")).unwrap();
    git(d, &["add", "later.txt"]);
    fs::remove_file(d.join("later.txt")).unwrap();
    let (code, report) = staged(d);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "later.txt".into(), 1, 5)]
    );
}

#[test]
fn keys_in_staged_binary_files_are_found_and_counted() {
    let dir = repo();
    let d = dir.path();
    fs::write(
        d.join("blob.bin"),
        [b"\x00\x00binary ".as_slice(), STRIPE_KEY.as_bytes()].concat(),
    )
    .unwrap();
    git(d, &["add", "."]);
    let (code, report) = staged(d);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "blob.bin".into(), 1, 10)]
    );
    assert!(
        notes(&report).contains("scanned 1 staged binary file(s) whole"),
        "{}",
        notes(&report)
    );
}

#[test]
fn a_merge_in_progress_is_scanned_and_conflicts_are_named() {
    let dir = repo();
    let d = dir.path();
    fs::write(d.join("a.txt"), "base\n").unwrap();
    fs::write(d.join("c.txt"), "base\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    fs::write(d.join("b.txt"), format!("token {STRIPE_KEY}\n")).unwrap();
    fs::write(d.join("c.txt"), "feature\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "feature"]);
    git(d, &["checkout", "-q", "main"]);
    fs::write(d.join("a.txt"), "main\n").unwrap();
    fs::write(d.join("c.txt"), "main\n").unwrap();
    git(d, &["commit", "-q", "-am", "main"]);
    let merge = std::process::Command::new("git")
        .current_dir(d)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@t.invalid",
            "merge",
            "--no-ff",
            "--no-commit",
            "feature",
        ])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "c.txt conflicts");
    let (code, report) = staged(d);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "b.txt".into(), 1, 7)]
    );
    assert!(
        notes(&report).contains("merge conflicts and were not scanned: c.txt"),
        "{}",
        notes(&report)
    );
}

#[test]
fn outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .args(["scan", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git repository"));
}
