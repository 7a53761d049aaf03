//! `launchgate check --format html|markdown|json`: the launch report of a whole run.

use predicates::prelude::*;

use crate::{PLANTED, launchgate, repo_with_config, repo_with_planted_key_and_config};

/// A repository whose secrets gate finds a live Stripe key and whose env gate cannot run.
fn repo_with_a_key_and_a_broken_gate() -> tempfile::TempDir {
    repo_with_planted_key_and_config(
        "report: { product: \"Shop <b>&\", revenue_paths: [/checkout] }\n\
         secrets: {}\nenv:\n  vars:\n    PORT: { type: portt }\n",
    )
}

#[test]
fn check_writes_the_launch_report_in_html_markdown_and_json() {
    let dir = repo_with_a_key_and_a_broken_gate();
    let out = launchgate()
        .current_dir(dir.path())
        .args(["check", "--format", "html", "--output", "launch-report.html"])
        .args([
            "--format",
            "markdown",
            "--output",
            "report.md",
            "-o",
            "report.json",
        ])
        .output()
        .unwrap();
    // The env gate could not run: exit 2, and the report says so instead of passing it.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();

    let html = read("launch-report.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains("<title>Launch report: Shop &lt;b&gt;&amp;</title>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<strong>Not ready</strong>: 1 gate of 2 failed, with 1 finding to fix; not checked: env"
        )
    );
    assert!(
        html.contains("<li class=\"fix risk-live-secret\" id=\"fix-1\" data-rule=\"stripe.secret-key\">")
    );
    assert!(html.contains("<code>src/billing.ts:2:28</code>"));
    assert!(html.contains("<details class=\"gate\" id=\"gate-env\" open>"));
    assert!(html.contains("<span class=\"status not-checked\">not checked</span>"));
    assert!(html.contains("Not checked: the gate could not run"));

    let markdown = read("report.md");
    assert!(
        markdown.starts_with("# Launch report: Shop &lt;b&gt;&amp;\n\n**❌ Not ready**"),
        "{markdown}"
    );
    assert!(markdown.contains("1. **live secret exposed** (error) Anyone who can read src/billing.ts"));
    assert!(markdown.contains("<details open><summary>⚠️ env: not checked"));

    let json: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    let launch = &json["launch"];
    assert_eq!(launch["verdict"]["ready"], false);
    assert_eq!(launch["fix_order"][0]["rule_id"], "stripe.secret-key");
    assert_eq!(launch["fix_order"][0]["risk"], "live-secret");
    assert_eq!(launch["fix_order"][0]["location"], "src/billing.ts:2:28");
    assert_eq!(launch["gates"][1]["status"], "not-checked");
    for text in [&html, &markdown, &read("report.json")] {
        assert!(!text.contains(PLANTED), "the secret is printed");
        assert!(!text.contains(&PLANTED[8..24]), "part of the secret is printed");
    }
}

#[test]
fn a_clean_run_is_ready_with_its_gates_folded() {
    let dir = repo_with_config("secrets: {}\n");
    launchgate()
        .current_dir(dir.path())
        .args(["check", "--format", "html"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "<strong>Ready</strong>: every gate passed: secrets",
        ))
        .stdout(predicate::str::contains("<p>Nothing to fix.</p>"))
        .stdout(predicate::str::contains(
            "<details class=\"gate\" id=\"gate-secrets\">\n",
        ));
}

#[test]
fn a_revenue_path_that_is_not_a_route_is_exit_2_at_its_line() {
    let dir = repo_with_config("secrets: {}\nreport:\n  revenue_paths:\n    - checkout\n");
    launchgate()
        .current_dir(dir.path())
        .args(["check", "--format", "html", "-o", "launch-report.html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("launchgate.yml:4"))
        .stderr(predicate::str::contains("a revenue path starts with `/`"));
    assert!(!dir.path().join("launch-report.html").exists());
}

#[test]
fn a_report_section_without_gates_is_exit_2_and_writes_no_report() {
    let dir = repo_with_config("report: { product: Shop }\n");
    launchgate()
        .current_dir(dir.path())
        .args(["check", "--format", "html", "-o", "launch-report.html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("configures no gate"));
    assert!(!dir.path().join("launch-report.html").exists());
}
