//! End-to-end runs of the `launchgate` binary: exit codes, help, config errors.

use assert_cmd::Command;
use predicates::prelude::*;

fn launchgate() -> Command {
    let mut cmd = Command::cargo_bin("launchgate").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

fn repo_with_config(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("launchgate.yml"), text).unwrap();
    dir
}

#[test]
fn help_snapshot() {
    let out = launchgate().arg("--help").output().unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn check_help_snapshot() {
    let out = launchgate().args(["check", "--help"]).output().unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn version_prints_the_package_version() {
    launchgate()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_top_level_key_is_exit_2_with_line_and_column() {
    let dir = repo_with_config("# launch checks\nsecrets: {}\nbugdet:\n  build: dist\n");
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("launchgate.yml:3:1"))
        .stderr(predicate::str::contains("did you mean `budget`?"));
}

#[test]
fn missing_config_is_exit_2_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no launchgate.yml"))
        .stderr(predicate::str::contains("launchgate init"));
}

#[test]
fn config_without_gates_is_exit_2() {
    let dir = repo_with_config("# nothing configured yet\n");
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("configures no gate"));
}

#[test]
fn unknown_gate_in_only_is_exit_2() {
    let dir = repo_with_config("secrets: {}\n");
    launchgate()
        .current_dir(dir.path())
        .args(["check", "--only", "secretz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`secretz`, which is not a gate"));
}

#[test]
fn bad_format_is_a_usage_error() {
    launchgate().args(["check", "--format", "xml"]).assert().code(2);
}

#[test]
fn output_without_format_and_unknown_extension_is_exit_2() {
    let dir = repo_with_config("secrets: {}\n");
    launchgate()
        .current_dir(dir.path())
        .args(["check", "--output", "report.bin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--output report.bin has no --format before it",
        ));
}

#[test]
fn completions_are_generated() {
    launchgate()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_launchgate"));
}
