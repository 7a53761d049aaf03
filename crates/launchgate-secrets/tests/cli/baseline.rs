use std::fs;

use crate::{STRIPE_KEY, bin, json_report, notes};

#[test]
fn create_update_and_prune_a_baseline_of_fingerprints_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("old.txt"), format!("{STRIPE_KEY}\n")).unwrap();
    bin(d).args(["scan"]).assert().code(1);

    bin(d).args(["baseline", "create"]).assert().code(0);
    let path = d.join(".launchgate/secrets-baseline.json");
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains(STRIPE_KEY));
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["fingerprints"].as_array().unwrap().len(), 1);

    let (code, report) = json_report({
        let mut c = bin(d);
        c.arg("scan");
        c
    });
    assert_eq!(code, 0);
    assert_eq!(report["suppressed"], 1);
    assert!(notes(&report).contains("1 finding(s) suppressed by the baseline"));
    bin(d).args(["scan", "--no-baseline"]).assert().code(1);

    // Create refuses to overwrite; a new key fails until the baseline is updated.
    bin(d).args(["baseline", "create"]).assert().code(2);
    let second = "sk_live_51Pm4Tq9Xv2Rw7Lk3Jh8Nc6Bd";
    fs::write(d.join("new.txt"), format!("{second}\n")).unwrap();
    bin(d).arg("scan").assert().code(1);
    bin(d).args(["baseline", "update"]).assert().code(0);
    bin(d).arg("scan").assert().code(0);
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains(second));

    // Moving a baselined key keeps it baselined: fingerprints ignore path and line.
    fs::remove_file(d.join("new.txt")).unwrap();
    fs::write(d.join("moved.txt"), format!("\n\n{second}\n")).unwrap();
    bin(d).arg("scan").assert().code(0);

    fs::remove_file(d.join("moved.txt")).unwrap();
    bin(d).args(["baseline", "prune"]).assert().code(0);
    let parsed: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(parsed["fingerprints"].as_array().unwrap().len(), 1);
}

#[test]
fn a_corrupt_baseline_is_an_error_that_never_echoes_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join(".launchgate")).unwrap();
    fs::write(
        d.join(".launchgate/secrets-baseline.json"),
        format!("{{\"version\": 1, \"fingerprints\": [\"{STRIPE_KEY}\"]}}"),
    )
    .unwrap();
    let out = bin(d).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a fingerprint"), "{stderr}");
    assert!(!stderr.contains(STRIPE_KEY), "{stderr}");
}

#[test]
fn a_version_1_baseline_still_applies_and_update_rewrites_it_without_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("old.txt"), format!("{STRIPE_KEY}\n")).unwrap();
    fs::create_dir_all(d.join(".launchgate")).unwrap();
    let path = d.join(".launchgate/secrets-baseline.json");
    let old = launchgate_core::finding::fingerprint_of(&["stripe.secret-key", STRIPE_KEY]);
    let gone = launchgate_core::finding::fingerprint_of(&["stripe.secret-key", "sk_live_gone"]);
    fs::write(
        &path,
        format!("{{\"version\": 1, \"fingerprints\": [\"{old}\", \"{gone}\"]}}"),
    )
    .unwrap();
    bin(d).arg("scan").assert().code(0);

    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["baseline", "update"]);
        c
    });
    assert_eq!(code, 0, "{report}");
    assert!(
        notes(&report).contains("1 of its 2 SHA-256 entries matched a current secret"),
        "{}",
        notes(&report)
    );
    let text = fs::read_to_string(&path).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["version"], 2);
    assert_eq!(parsed["fingerprints"].as_array().unwrap().len(), 1);
    assert!(!text.contains(&old) && !text.contains(&gone), "{text}");
    bin(d).arg("scan").assert().code(0);
    bin(d).args(["scan", "--no-baseline"]).assert().code(1);
}

#[test]
fn errors_about_the_baseline_and_allow_values_mask_credentials_and_cut_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join(".launchgate")).unwrap();
    let filler = "0".repeat(5000);
    let text = format!("{{\"version\": 2, \"fingerprints\": [\"{STRIPE_KEY}\", \"{filler}\" oops]}}");
    fs::write(d.join(".launchgate/secrets-baseline.json"), &text).unwrap();
    let out = bin(d).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The real line and column, though the line shown is cut.
    let column = text.find(" oops").unwrap() + 2;
    assert!(
        stderr.contains(&format!("secrets-baseline.json:1:{column}]")),
        "{stderr}"
    );
    assert!(
        !stderr.contains(STRIPE_KEY) && !stderr.contains("51NbQk2Lz"),
        "{stderr}"
    );
    assert!(stderr.lines().all(|l| l.chars().count() < 300), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("launchgate.yml"),
        "secrets:\n  allow:\n    values:\n      - hunter2-Summer\n      - {nested: map}\n",
    )
    .unwrap();
    let out = bin(d).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("launchgate.yml"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
