//! Integration tests of history and range scans on real repositories built in temporary
//! folders with `git` and `git fast-import`.

mod cli;
mod history;
mod layouts;
mod range;
mod shards;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use launchgate_core::{Finding, Report};
use launchgate_secrets::config::LoadedConfig;
use launchgate_secrets::history::{HistoryOptions, RangeOptions, scan_history, scan_range};
use launchgate_secrets::scan::BaselineChoice;

/// Live-looking Stripe keys made up for these tests.
pub const KEY_A: &str = "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe";
pub const KEY_B: &str = "sk_live_51Pm4Tq9Xv2Rw7Lk3Jh8Nc6Bd";
pub const KEY_C: &str = "sk_live_51Hs8Wd3Fq6Zp1Yt4Gm9Rb2Kx";
pub const KEY_D: &str = "sk_live_51Jv5Ec7Nr2Ua8Qi3Lo6Tw9Pz";

/// Runs git in `dir` with a fixed identity and no user configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@launchgate.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@launchgate.invalid")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "gc.auto=0",
        ]);
    cmd
}

/// A fresh repository in a temporary folder.
pub fn repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    (tmp, dir)
}

/// Writes a file and commits everything; returns the commit id. Commit times advance by a
/// minute per call so "first" is unambiguous.
pub fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, contents) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    git(dir, &["add", "-A"]);
    let count: u64 = git_command(dir)
        .args(["rev-list", "--count", "--all"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().parse().unwrap_or(0))
        .unwrap_or(0);
    let date = format!("{} +0000", 1_700_000_000 + count * 60);
    let out = git_command(dir)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    git(dir, &["rev-parse", "HEAD"])
}

/// Feeds a `git fast-import` stream to the repository.
pub fn fast_import(dir: &Path, stream: &str) {
    let mut child = git_command(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

pub fn config(dir: &Path) -> LoadedConfig {
    LoadedConfig {
        base_dir: dir.to_path_buf(),
        ..LoadedConfig::default()
    }
}

pub fn history_options() -> HistoryOptions {
    HistoryOptions {
        baseline: BaselineChoice::Ignore,
        ..HistoryOptions::default()
    }
}

pub fn history(dir: &Path) -> Report {
    scan_history(&config(dir), dir, &history_options()).unwrap()
}

pub fn range(dir: &Path, range: &str) -> Result<Report, launchgate_core::Error> {
    let opts = RangeOptions {
        range: range.to_string(),
        baseline: BaselineChoice::Ignore,
        max_file_size: None,
        max_added_bytes: None,
    };
    scan_range(&config(dir), dir, &opts)
}

/// `(rule_id, path, line, commit)` of every finding.
pub fn located(report: &Report) -> Vec<(String, String, u32, String)> {
    report
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (
                f.rule_id.clone(),
                l.path.clone(),
                l.line.unwrap(),
                l.commit.clone().unwrap(),
            )
        })
        .collect()
}

pub fn exposure(f: &Finding) -> &str {
    f.properties["exposure"].as_str().unwrap()
}

pub fn notes(report: &Report) -> String {
    report.notes.join("\n")
}
