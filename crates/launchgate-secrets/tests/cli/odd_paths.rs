//! Paths git would quote or that are not valid UTF-8 are found in every git mode, shown the
//! same way (invalid bytes as U+FFFD).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::{STRIPE_KEY, bin, findings, git, json_report, notes};

const LATIN1_NAME: &[u8] = b"caf\xe9.ini";
const SHOWN: &str = "caf\u{fffd}.ini";

fn write_odd_files(dir: &Path) {
    fs::write(
        dir.join(OsStr::from_bytes(LATIN1_NAME)),
        format!("[stripe]\nkey = {STRIPE_KEY}\n"),
    )
    .unwrap();
    // Different contents, so history scans report each file's own blob.
    fs::write(
        dir.join("a name.ini"),
        format!("[stripe]\nkey = {STRIPE_KEY}\nmode = live\n"),
    )
    .unwrap();
}

fn expected() -> Vec<(String, String, u64, u64)> {
    let mut all = vec![
        ("stripe.secret-key".to_string(), "a name.ini".to_string(), 2, 7),
        ("stripe.secret-key".to_string(), SHOWN.to_string(), 2, 7),
    ];
    all.sort();
    all
}

fn sorted(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    let mut all = findings(report);
    all.sort();
    all
}

#[test]
fn a_non_utf8_path_is_reported_by_history_range_and_staged_scans() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::write(dir.join("README.md"), "shop\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    write_odd_files(dir);
    git(dir, &["add", "-A"]);

    let mut cmd = bin(dir);
    cmd.args(["scan", "--staged"]);
    let (code, report) = json_report(cmd);
    assert_eq!(code, 1, "{report}");
    assert_eq!(sorted(&report), expected(), "--staged");

    git(dir, &["commit", "-q", "-m", "odd names"]);
    let mut cmd = bin(dir);
    cmd.args(["scan", "--range", &format!("{base}..HEAD")]);
    let (code, report) = json_report(cmd);
    assert_eq!(code, 1, "{report}");
    assert_eq!(sorted(&report), expected(), "--range");

    let mut cmd = bin(dir);
    cmd.args(["scan", "--history"]);
    let (code, report) = json_report(cmd);
    assert_eq!(code, 1, "{report}");
    assert!(!notes(&report).contains("not reachable"), "{report}");
    assert_eq!(sorted(&report), expected(), "--history");
    for finding in report["findings"].as_array().unwrap() {
        assert_eq!(finding["properties"]["exposure"], "head", "{report}");
    }
}
