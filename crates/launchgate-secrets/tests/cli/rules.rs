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
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../launchgate-detect/tests/fixtures/rules/broken.yaml");
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

#[test]
fn an_invalid_extra_rule_fails_the_scan_with_its_file_line_and_column() {
    // Every field a rule needs besides the one each case breaks, so the case fails for its
    // own reason only.
    let rest = "    severity: error\n    confidence: high\n    references: [https://example.com/docs]\n    examples: [{input: 'tm_qwertyui', secret: tm_qwertyui}]\n    negative_examples: ['tm_']\n";
    let head = "rules:\n  - id: team.ok\n    name: Ok\n    description: d\n    keywords: [ok_]\n    regex: 'ok_[a-z]{8}'\n    severity: error\n    confidence: high\n    references: [https://example.com/docs]\n    examples: [{input: 'ok_qwertyui', secret: ok_qwertyui}]\n    negative_examples: ['ok_']\n";
    let cases = [
        // No example: nothing proves the rule finds what it is for.
        (
            format!(
                "{head}  - id: team.token\n    name: Team token\n    description: d\n    keywords: [tm_]\n    regex: 'tm_[a-z]{{8}}'\n    severity: error\n    confidence: high\n    references: [https://example.com/docs]\n    negative_examples: ['tm_']\n"
            ),
            "rule `team.token` needs at least one example",
        ),
        // A regex that does not compile.
        (
            format!(
                "{head}  - id: team.token\n    name: Team token\n    description: d\n    keywords: [tm_]\n    regex: 'tm_([a-z'\n{rest}"
            ),
            "does not compile",
        ),
        // A field of the wrong type.
        (
            format!(
                "{head}  - id: team.token\n    name: Team token\n    keywords: tm_\n    severity: loud\n"
            ),
            "is invalid",
        ),
        // No keywords: the engine would leave it out.
        (
            format!(
                "{head}  - id: team.token\n    name: Team token\n    description: d\n    keywords: []\n    regex: 'tm_[a-z]{{8}}'\n{rest}"
            ),
            "needs at least one non-empty keyword",
        ),
    ];
    for (rules, problem) in cases {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("team-rules.yaml"), &rules).unwrap();
        fs::write(
            d.join("launchgate.yml"),
            "secrets:\n  extra_rules: [team-rules.yaml]\n",
        )
        .unwrap();
        fs::write(d.join("app.txt"), "nothing here\n").unwrap();
        let out = bin(d).args(["scan", "app.txt"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let id_line = rules.lines().position(|l| l.contains("id: team.token")).unwrap() + 1;
        assert!(
            stderr.contains(&format!("team-rules.yaml:{id_line}:5]")),
            "{problem}: {stderr}"
        );
        assert!(stderr.contains(problem), "{stderr}");
        // The log check reads the same rules and refuses them the same way.
        let logs = bin(d).args(["logs", "app.txt"]).output().unwrap();
        assert_eq!(
            logs.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&logs.stderr)
        );
        // And `rules check` fails on the rule, by its id.
        let check = bin(d)
            .args(["rules", "check", "team-rules.yaml"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&check.stdout);
        assert_eq!(check.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("team.token"), "{stdout}");
    }
}
