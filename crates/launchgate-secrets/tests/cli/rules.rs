use std::fs;
use std::path::Path;

use crate::{bin, json_report};

#[test]
fn the_built_in_rules_pass_their_own_examples() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["rules", "check"]);
        c
    });
    let problems: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["location"]["path"].as_str().unwrap_or(""),
                f["location"]["line"],
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(code, 0, "rule problems:\n{}", problems.join("\n"));
}

#[test]
fn a_broken_rule_file_fails_the_check_with_its_location() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/broken.yaml");
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path())
        .args(["rules", "check"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("broken.yaml:3:1"), "{stdout}");
    assert!(stdout.contains("test.broken: regex does not compile"), "{stdout}");
}

#[test]
fn rules_list_prints_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("launchgate.yml"),
        "secrets:\n  disable: [stripe.secret-key]\n",
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["rules", "list"]);
        c
    });
    assert_eq!(code, 0);
    let rows = report["tables"][0]["rows"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert!(ids.len() >= 200, "{} rules", ids.len());
    assert!(ids.contains(&"aws.access-key-id"));
    assert!(
        !ids.contains(&"stripe.secret-key"),
        "disabled rules are not listed"
    );
}
