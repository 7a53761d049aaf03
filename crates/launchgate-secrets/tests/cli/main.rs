//! End-to-end tests of the `launchgate-secrets` binary on real files, real git repositories
//! and real logs in temporary folders.

mod baseline;
mod ci;
mod env_examples;
mod fixtures;
mod foreign_configs;
mod formats;
mod git_settings;
mod library;
mod logs;
mod odd_paths;
mod range_config;
mod rules;
mod scan;
mod staged;
mod walk;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// A live-looking Stripe key made up for these tests.
pub const STRIPE_KEY: &str = "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe";
/// A token of the fixture rule `test.token`.
pub const TEST_TOKEN: &str = "tok_Q7wE9rT2yU4iO6pA8sD1";

pub fn fixture_rules() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../launchgate-detect/tests/fixtures/rules/engine.yaml")
        .display()
        .to_string()
}

/// The binary, run in `dir` with no colour and no inherited git or CI settings.
pub fn bin(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("launchgate-secrets").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_WORKSPACE")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

/// Runs git in `dir` with a fixed identity and no user configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@launchgate.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs the command with `--format json` and returns the exit code and the one report.
pub fn json_report(mut cmd: Command) -> (i32, Value) {
    let out = cmd.args(["--format", "json"]).output().unwrap();
    let code = out.status.code().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}), exit {code}: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, value["reports"][0].clone())
}

/// `(rule_id, path, line, column)` of every finding.
/// `launchgate-secrets ARGS --format json` in `dir`.
pub fn scan_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut cmd = bin(dir);
    cmd.args(args);
    json_report(cmd)
}

pub fn findings(report: &Value) -> Vec<(String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap_or("").to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// `(path, rule_id, severity, message)` of every finding.
pub fn finding_rows(report: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["location"]["path"]),
                text(&f["rule_id"]),
                text(&f["severity"]),
                text(&f["message"]),
            )
        })
        .collect()
}

pub fn notes(report: &Value) -> String {
    report["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

/// `scan --ci` for a pull request from `base` to `head`, with the event file in `.git`.
pub fn pull_request_scan(dir: &Path, base: &str, head: &str) -> (i32, Value) {
    let event = dir.join(".git/event.json");
    std::fs::write(
        &event,
        format!(r#"{{"pull_request":{{"base":{{"sha":"{base}"}},"head":{{"sha":"{head}"}}}}}}"#),
    )
    .unwrap();
    let mut cmd = bin(dir);
    cmd.args(["scan", "--ci"])
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event);
    json_report(cmd)
}
