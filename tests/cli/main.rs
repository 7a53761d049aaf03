//! End-to-end runs of the `launchgate` binary: exit codes, help, config errors.

use assert_cmd::Command;
use predicates::prelude::*;

mod handover;
mod launch_report;
mod map;
#[path = "../../crates/launchgate-map/tests/support/rdap_server.rs"]
mod rdap_server;

fn launchgate() -> Command {
    let mut cmd = Command::cargo_bin("launchgate").unwrap();
    // No test writes to the user's size cache; the cache's own tests name a folder.
    cmd.env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("LAUNCHGATE_SIZE_CACHE", "off");
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

/// Nine levels of ten aliases would be a billion values: refused at the parser's limit,
/// at once, with the position and the limits named.
#[test]
fn an_alias_bomb_config_is_exit_2_quickly() {
    let mut text = String::from("smoke:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let alias = format!("*a{}", level - 1);
        let refs = [alias.as_str(); 10].join(", ");
        text.push_str(&format!("  a{level}: &a{level} [{refs}]\n"));
    }
    let dir = repo_with_config(&text);
    let started = std::time::Instant::now();
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("beyond launchgate's limits"))
        .stderr(predicate::str::contains("launchgate.yml:"))
        .stderr(predicate::str::contains("100000 values repeated through aliases"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn deeply_nested_config_is_exit_2() {
    let dir = repo_with_config(&format!("smoke: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)));
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("launchgate.yml:1:"));
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
        .args(["check", "--only", "secrets,secretz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'secretz' for '--only <GATE>'",
        ))
        .stderr(predicate::str::contains(
            "possible values: secrets, env, budget, smoke, dns, mail",
        ));
}

/// The Action names the gates in its input's description and checks them in its script:
/// both lists are the tool's own.
#[test]
fn the_action_lists_the_gates_the_tool_has() {
    let names = launchgate_core::Gate::NAMES;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root.join("action/run.sh")).unwrap();
    let described = format!("any of {},\n      {}.", names[..5].join(", "), names[5]);
    assert!(action.contains(&described), "action.yml should say: {described}");
    for listed in [
        format!("name at least one of {}\"", names.join(", ")),
        format!("    {}) ;;", names.join(" | ")),
        format!("the gates are {}\"", names.join(", ")),
        format!("for gate in {}; do", names.join(" ")),
    ] {
        assert!(script.contains(&listed), "action/run.sh should say: {listed}");
    }
}

#[test]
fn a_format_takes_its_file_after_an_equals_sign() {
    let dir = repo_with_config("secrets: {}\n");
    std::fs::write(dir.path().join("notes.txt"), "nothing to see\n").unwrap();
    launchgate()
        .current_dir(dir.path())
        .args([
            "secrets",
            "scan",
            "--no-baseline",
            "--format",
            "json=out/r.json",
            "--format",
            "sarif",
            "-o",
            "r.sarif",
            "notes.txt",
        ])
        .assert()
        .code(0)
        .stdout("");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/r.json")).unwrap()).unwrap();
    assert_eq!(json["reports"][0]["gate"], "secrets");
    let sarif = std::fs::read_to_string(dir.path().join("r.sarif")).unwrap();
    assert!(sarif.contains("\"version\": \"2.1.0\""), "{sarif}");
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

/// A Stripe-shaped key made up for these tests.
const PLANTED: &str = "sk_live_51Qm7Vx2Lp9Tr4Kd8Ns1Zc6Hb3Fw5Jg0YaR2";

fn repo_with_planted_key() -> tempfile::TempDir {
    repo_with_planted_key_and_config("secrets: {}\n")
}

/// `src/billing.ts` holds a live Stripe key on line 2, column 28.
fn repo_with_planted_key_and_config(config: &str) -> tempfile::TempDir {
    let dir = repo_with_config(config);
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/billing.ts"),
        format!("// billing\nconst stripe = new Stripe(\"{PLANTED}\");\n"),
    )
    .unwrap();
    dir
}

#[test]
fn check_runs_the_secrets_gate_and_fails_with_its_finding() {
    let dir = repo_with_planted_key();
    let out = launchgate()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &doc["reports"][0]["findings"][0];
    assert_eq!(doc["reports"][0]["gate"], "secrets");
    assert_eq!(finding["rule_id"], "stripe.secret-key");
    assert_eq!(finding["location"]["path"], "src/billing.ts");
    assert_eq!(finding["location"]["line"], 2);
    assert_eq!(finding["location"]["column"], 28);
}

#[test]
fn a_gate_through_the_umbrella_pairs_outputs_and_never_prints_the_secret() {
    let dir = repo_with_planted_key();
    let out = launchgate()
        .current_dir(dir.path())
        .args([
            "secrets", "scan", "--format", "human", "--format", "sarif", "--output", "r.sarif",
        ])
        .args([
            "--format", "json", "--output", "r.json", "--format", "github", "--format", "markdown",
        ])
        .args(["--format", "junit", "--output", "r.xml"])
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut texts = vec![
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    ];
    for file in ["r.sarif", "r.json", "r.xml", "summary.md"] {
        texts.push(std::fs::read_to_string(dir.path().join(file)).unwrap());
    }
    for text in &texts {
        assert!(!text.contains(PLANTED), "secret printed in:\n{text}");
        assert!(
            !text.contains("Lp9Tr4Kd8Ns1Zc6Hb3"),
            "part of the secret printed in:\n{text}"
        );
    }
    assert!(
        texts[0].contains("stripe.secret-key") && texts[0].contains("::error file=src/billing.ts,line=2")
    );
    // The umbrella's own SARIF, for the validator in .ci/run.
    let sarif_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif");
    std::fs::create_dir_all(&sarif_dir).unwrap();
    std::fs::copy(
        dir.path().join("r.sarif"),
        sarif_dir.join("umbrella-secrets.sarif"),
    )
    .unwrap();
}

#[test]
fn init_writes_a_starter_that_check_accepts_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env.example"),
        "DATABASE_URL=\nSTRIPE_SECRET_KEY=\nPORT=3000\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("dist/assets")).unwrap();
    std::fs::write(
        dir.path().join("dist/assets/app-3f9a1c7b.js"),
        "console.log('hi');\n",
    )
    .unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote launchgate.yml"));
    let text = std::fs::read_to_string(dir.path().join("launchgate.yml")).unwrap();
    assert!(
        text.contains("secrets:") && text.contains("env:") && text.contains("budget:"),
        "{text}"
    );
    assert!(
        text.contains("STRIPE_SECRET_KEY") && text.contains("# smoke:"),
        "{text}"
    );
    // Every live section parses: check runs each gate, none fails to start.
    let out = launchgate()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for report in doc["reports"].as_array().unwrap() {
        assert!(report.get("error").is_none(), "{report}");
    }
    launchgate()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("launchgate.yml")).unwrap(),
        text
    );
}

#[test]
fn init_offers_edge_and_rate_limit_checks_that_parse_once_uncommented() {
    let dir = tempfile::tempdir().unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("launchgate.yml")).unwrap();
    // The commented smoke section, uncommented as a user would.
    let smoke: String = text
        .lines()
        .skip_while(|l| *l != "# smoke:")
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
        .collect();
    assert!(
        smoke.contains("edge: {}") && smoke.contains("rate_limit:"),
        "{text}"
    );
    let config = launchgate_core::config::ConfigFile {
        path: dir.path().join("launchgate.yml"),
        source: smoke,
    };
    let spec: launchgate_smoke::SmokeSpec = config.section("smoke").unwrap().expect("a smoke section");
    let site = spec.site.expect("a site section");
    assert!(!site.edge.expect("an edge section").require_cdn);
    let rate = spec.rate_limit.expect("a rate_limit section");
    assert_eq!(
        (rate.path.as_str(), rate.requests, rate.problem()),
        ("/api/login", 30, None)
    );
}

#[test]
fn a_section_error_is_exit_2_with_line_and_column_and_other_gates_still_report() {
    let dir = repo_with_config("secrets: {}\nenv:\n  vars:\n    PORT: { type: portt }\n");
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("launchgate.yml:4"))
        .stdout(predicate::str::contains("launchgate secrets: passed"));
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    use std::io::Read;
    // Far more output than a pipe buffer holds, so the writes after the close fail.
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..3000)
        .map(|i| format!("const key{i} = \"sk_live_51Qm7Vx2Lp9Tr4Kd8Ns1Zc{i:06}Fw5Jg0YaR2\";\n"))
        .collect();
    std::fs::write(dir.path().join("keys.js"), lines).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("launchgate"))
        .current_dir(dir.path())
        .args(["secrets", "scan"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
}

/// Runs `launchgate ARGS` in `dir` with a standard output whose reader is already gone.
fn run_with_closed_stdout(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("launchgate"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every command that prints outside the report renderers: a closed standard output stops
/// the printing, never panics, and the exit code stays the command's.
#[test]
fn printing_commands_survive_a_closed_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let git = std::process::Command::new("git")
        .current_dir(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["init", "-q"])
        .status()
        .unwrap();
    assert!(git.success());
    for args in [
        &["completions", "bash"][..],
        &["init", "--stdout"],
        &["dns", "--list-rules"],
        &["hook", "install"],
    ] {
        let (code, stderr) = run_with_closed_stdout(dir.path(), args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn check_passes_with_exit_0_on_a_clean_repository() {
    let dir = repo_with_config("secrets: {}\n");
    std::fs::write(
        dir.path().join("app.js"),
        "export const key = process.env.STRIPE_SECRET_KEY;\n",
    )
    .unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("launchgate secrets: passed"));
}

#[test]
fn a_file_name_cannot_inject_a_workflow_command_in_any_format() {
    let dir = repo_with_config("secrets: {}\n");
    let name = "a\n::error file=x::pwned\u{1b}[2J\u{202e}.ts";
    std::fs::write(dir.path().join(name), format!("const k = \"{PLANTED}\";\n")).unwrap();
    for format in ["human", "github", "markdown", "junit", "json", "sarif"] {
        let out = launchgate()
            .current_dir(dir.path())
            .args(["secrets", "scan", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("pwned"),
            "{format}: the finding is missing:\n{stdout}"
        );
        assert!(
            !stdout.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'),
            "{format}: a raw escape or override:\n{stdout}"
        );
        for line in stdout.lines().filter(|l| l.trim_start().starts_with("::")) {
            assert!(
                format == "github" && line.starts_with("::error file=a%0A%3A%3Aerror file=x%3A%3Apwned"),
                "{format}: an injected command: {line}"
            );
        }
    }
}

#[test]
fn check_verifies_the_mail_sections_saved_message_and_skips_the_round_trip() {
    use launchgate_dns::responder::{DnsServer, Zone};
    let mut zone = Zone::new();
    zone.txt("membership.example", "v=spf1 ip4:192.0.2.10 -all")
        .txt("_dmarc.membership.example", "v=DMARC1; p=reject");
    let dns = DnsServer::start(zone);
    let dir = repo_with_config(&format!(
        "mail:\n  sending_domain: membership.example\n  resolver: [\"{}\"]\n  timeout: 500ms\n  messages:\n    - {{ name: password reset, saved: mail/reset.eml }}\n",
        dns.url()
    ));
    std::fs::create_dir(dir.path().join("mail")).unwrap();
    std::fs::write(
        dir.path().join("mail/reset.eml"),
        "Return-Path: <bounce@membership.example>\r\nReceived: from out.example (out.example [192.0.2.10]) by mx.inbox.example; Thu, 03 Dec 2026 10:00:02 +0000\r\nFrom: no-reply@membership.example\r\nTo: seed@inbox.example\r\nSubject: Reset your password\r\nMessage-ID: <r1@membership.example>\r\n\r\nReset it at https://membership.example/reset\r\n",
    )
    .unwrap();
    let (code, doc) = check_json(dir.path());
    assert_eq!(code, Some(1));
    let report = &doc["reports"][0];
    assert_eq!(report["gate"], "mail");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["mail.dkim-missing"]);
    assert_eq!(report["findings"][0]["location"]["path"], "mail/reset.eml");
    let round_trip = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "round trip")
        .unwrap();
    assert_eq!(round_trip["status"], "skipped");
}

/// `launchgate check --format json` in `dir`: the exit code and the report.
fn check_json(dir: &std::path::Path) -> (Option<i32>, serde_json::Value) {
    let out = launchgate()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}
