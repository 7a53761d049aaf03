//! The same scans through `launchgate-secrets scan --history/--range` and `merge`: exit codes,
//! messages, and no secret in clear on any output.

use assert_cmd::Command;

use crate::*;

fn bin(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("launchgate-secrets").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

#[test]
fn history_fails_the_gate_and_names_the_commit() {
    let (_tmp, dir) = repo();
    let added = commit(&dir, &[("a.env", &format!("KEY={KEY_A}\n"))], "add");
    commit(&dir, &[("a.env", "KEY=\n")], "remove");
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        let out = bin(&dir)
            .args(["scan", "--history", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(KEY_A), "{format} shows the secret");
        assert!(text.contains("a.env"), "{format}: {text}");
    }
    let out = bin(&dir)
        .args(["scan", "--history", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &json["reports"][0]["findings"][0];
    assert_eq!(finding["location"]["commit"], added.as_str());
    assert_eq!(finding["properties"]["exposure"], "history-only");
}

#[test]
fn a_range_whose_base_is_not_in_a_shallow_clone_exits_2_with_the_fix() {
    let (tmp, dir) = repo();
    let base = commit(&dir, &[("a.txt", "1\n")], "one");
    commit(&dir, &[("a.txt", "2\n")], "two");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", dir.display()),
            "clone",
        ],
    );
    let out = bin(&tmp.path().join("clone"))
        .args(["scan", "--range", &format!("{base}..HEAD")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
}

#[test]
fn a_clean_range_passes_and_shard_reports_merge() {
    let (tmp, dir) = repo();
    let base = commit(&dir, &[("a.txt", "1\n")], "one");
    commit(&dir, &[("b.env", &format!("KEY={KEY_B}\n"))], "two");
    commit(&dir, &[("c.txt", "3\n")], "three");
    bin(&dir)
        .args(["scan", "--range", &format!("{base}..HEAD~1")])
        .assert()
        .code(1);
    bin(&dir)
        .args(["scan", "--range", "HEAD~1..HEAD"])
        .assert()
        .code(0);

    let mut reports = Vec::new();
    for k in 1..=2 {
        let path = tmp.path().join(format!("shard-{k}.json"));
        bin(&dir)
            .args([
                "scan",
                "--history",
                "--shard",
                &format!("{k}/2"),
                "--format",
                "json",
                "--output",
            ])
            .arg(&path)
            .assert()
            .code(predicates::ord::le(1));
        reports.push(path);
    }
    let out = bin(&dir)
        .arg("merge")
        .args(&reports)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["reports"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["location"]["path"], "b.env");
}

#[test]
fn objects_from_git_alternate_object_directories_are_scanned() {
    let (tmp, dir) = repo();
    let added = commit(&dir, &[("a.env", &format!("KEY={KEY_A}\n"))], "add");
    let clone = tmp.path().join("borrowing");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--shared",
            dir.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    // The clone finds the objects only through the environment, as git does.
    std::fs::remove_file(clone.join(".git/objects/info/alternates")).unwrap();
    let objects = dir.join(".git/objects");
    let out = bin(&clone)
        .env("GIT_ALTERNATE_OBJECT_DIRECTORIES", &objects)
        .args(["scan", "--history", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains(&added) && json.contains("\"a.env\""), "{json}");
}

#[test]
fn progress_is_written_to_standard_error_only_when_asked_or_on_a_terminal() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("a.env", &format!("KEY={KEY_A}\n"))], "add");
    commit(&dir, &[("b.txt", "notes\n")], "more");
    let objects: usize = git(&dir, &["count-objects", "-v"])
        .lines()
        .find_map(|l| l.strip_prefix("count: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let stderr = |args: &[&str], ci: Option<&str>| {
        let mut cmd = bin(&dir);
        cmd.args(["scan", "--history", "--format", "json"]).args(args);
        match ci {
            Some(v) => cmd.env("CI", v),
            None => cmd.env_remove("CI"),
        };
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    // Forced without a terminal: plain lines, the blobs' last one with every object
    // counted, then a line for each step after them.
    let forced = stderr(&["--progress", "always"], Some("true"));
    let at = |line: &str| {
        forced
            .find(line)
            .unwrap_or_else(|| panic!("no {line:?} in {forced:?}"))
    };
    let blobs = at(&format!("history: {objects}/{objects} objects, "));
    let provenance = at("history: finding the commits that introduced 1 blob(s) with findings, ");
    let fingerprints = at("history: 1/1 secrets fingerprinted, ");
    assert!(blobs < provenance && provenance < fingerprints, "{forced}");
    assert!(forced.contains("MB scanned at"), "{forced}");
    assert!(!forced.contains(KEY_A));
    // Not a terminal here, so `auto` (the default) is as quiet as `never`.
    for args in [&[][..], &["--progress", "auto"], &["--progress", "never"]] {
        assert!(!stderr(args, None).contains("history: "), "{args:?}");
    }
    let bad = bin(&dir)
        .args(["scan", "--history", "--progress", "sometimes"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
