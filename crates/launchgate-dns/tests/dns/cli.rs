//! The binary end to end: exit codes, every output format, configuration errors.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::server::DnsServer;
use crate::world_server;

const BROKEN: &str = r#"dns:
  domain: broken.test
  records:
    - { name: "@", type: A, values: [76.76.21.21] }
    - { name: www, type: CNAME, values: [old-app.herokuapp.test.] }
  email:
    spf: { all: [-all, ~all], must_include: [_spf.resend.test] }
    dmarc: { min_policy: quarantine, require_rua: true }
    dkim: { selectors: [weak, short, old] }
    mta_sts: off
    tls_rpt: optional
  caa: { issuers: [letsencrypt.org] }
smoke:
  site:
    canonical: https://www.broken.test/
    aliases: [https://shop.broken.test, https://elsewhere.example]
  checks: [{ anything: the smoke gate owns this }]
"#;

const GOOD: &str = r#"dns:
  domain: good.test
  records:
    - { name: "@", type: A, values: [76.76.21.21] }
    - { name: www, type: CNAME, values: [cname.vercel-dns.test.] }
    - { name: "@", type: MX, values: ["10 mx1.provider.test.", "20 mx2.provider.test."] }
  email:
    spf: { all: [-all], must_include: [_spf.resend.test] }
    dmarc: { min_policy: reject, require_rua: true }
    dkim: { selectors: [resend, google] }
    mta_sts: off
    tls_rpt: required
  caa: { issuers: [letsencrypt.org] }
"#;

pub fn gate(dir: &Path, server: &DnsServer) -> Command {
    let mut cmd = Command::cargo_bin("launchgate-dns").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args([
            "--nameserver",
            &server.url(),
            "--timeout-ms",
            "1000",
            "--attempts",
            "1",
        ]);
    cmd
}

fn project(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("launchgate.yml"), yaml).unwrap();
    dir
}

#[test]
fn good_domain_exits_zero() {
    let server = world_server();
    let dir = project(GOOD);
    gate(dir.path(), &server)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Records for good.test"))
        .stdout(predicate::str::contains("SPF lookups for good.test (1 of 10)"));
}

#[test]
fn broken_domain_exits_one_in_every_format() {
    let server = world_server();
    let dir = project(BROKEN);
    let out = dir.path();
    gate(out, &server)
        .args([
            "--format", "json", "-o", "r.json", "--format", "sarif", "-o", "r.sarif",
        ])
        .args([
            "--format", "markdown", "-o", "r.md", "--format", "junit", "-o", "r.xml",
        ])
        .args(["--format", "github", "--format", "human"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("::error title=dns.dangling-cname"))
        .stdout(predicate::str::contains(
            "www.broken.test is a CNAME to old-app.herokuapp.test",
        ));

    let json: Value = serde_json::from_str(&std::fs::read_to_string(out.join("r.json")).unwrap()).unwrap();
    let findings = json["reports"][0]["findings"].as_array().unwrap();
    let mut rules: Vec<&str> = findings.iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    rules.dedup();
    for expected in [
        "dns.record-mismatch",
        "dns.dangling-cname",
        "dns.site-host-unresolved",
        "spf.neutral-all",
        "dmarc.policy-too-weak",
        "dmarc.external-report-unauthorized",
        "dkim.weak-key",
        "dkim.revoked",
        "tls-rpt.missing",
        "caa.issuer-missing",
    ] {
        assert!(rules.contains(&expected), "{expected} missing from {rules:?}");
    }
    let site = findings
        .iter()
        .find(|f| f["rule_id"] == "dns.site-host-unresolved")
        .unwrap();
    assert_eq!(site["subject"], "shop.broken.test A/AAAA (site)");

    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(out.join("r.sarif")).unwrap()).unwrap();
    let driver_rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(driver_rules.iter().any(|r| r["id"] == "dkim.weak-key"));
    let md = std::fs::read_to_string(out.join("r.md")).unwrap();
    assert!(md.contains("dmarc.policy-too-weak"), "{md}");
    let xml = std::fs::read_to_string(out.join("r.xml")).unwrap();
    assert!(xml.contains("<testsuite") && xml.contains("DMARC"), "{xml}");
}

#[test]
fn fail_on_warning_turns_warnings_into_failures() {
    let server = world_server();
    let dir = project(
        "dns:\n  domain: warn.test\n  email:\n    dkim: { selectors: [k1] }\n    dmarc: { min_policy: none, require_rua: true }\n    mta_sts: off\n    tls_rpt: off\n",
    );
    gate(dir.path(), &server)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("warning[spf.neutral-all]"))
        .stdout(predicate::str::contains("warning[dmarc.policy-none]"))
        .stdout(predicate::str::contains("warning[dkim.short-key]"));
    gate(dir.path(), &server)
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn domain_flag_works_without_a_configuration_file() {
    let server = world_server();
    let empty = tempfile::tempdir().unwrap();
    gate(empty.path(), &server)
        .args(["--domain", "good.test"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "probing common ones found: google, resend",
        ));
    gate(empty.path(), &server)
        .args(["--domain", "plusall.test"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[spf.plus-all]"));
}

#[test]
fn configuration_errors_exit_two_with_position_and_hint() {
    let server = world_server();
    let dir = project("dns:\n  domain: good.test\n  recrods: []\n");
    gate(dir.path(), &server)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("launchgate.yml:3:3"))
        .stderr(predicate::str::contains("did you mean `records`?"));

    let dir = project(
        "dns:\n  domain: good.test\n  records:\n    - { name: \"@\", type: A, values: [not-an-ip] }\n",
    );
    gate(dir.path(), &server)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`not-an-ip` is not an IP address"))
        .stderr(predicate::str::contains("launchgate.yml:4:38"));

    let dir = project("dns:\n  domain: good.test\n  email:\n    dmarc: { min_policy: strict }\n");
    gate(dir.path(), &server)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("launchgate.yml:4"))
        .stderr(
            predicate::str::contains("none, quarantine, reject")
                .or(predicate::str::contains("`none`, `quarantine`, `reject`")),
        );

    let dir = project(GOOD);
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .args(["--nameserver", "not a server"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`not a server` is not a name server address",
        ));

    let empty = tempfile::tempdir().unwrap();
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no launchgate.yml here and no --domain given",
        ));
}

#[test]
fn unbounded_query_settings_are_refused() {
    let server = world_server();
    let dir = project("dns:\n  domain: good.test\n  attempts: 1000000000\n");
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .args(["--nameserver", &server.url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "launchgate.yml: dns.attempts must be 1 to 10 (got 1000000000)",
        ));
    let dir = project(GOOD);
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "--nameserver",
            &server.url(),
            "--timeout-ms",
            "18446744073709551615",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--timeout-ms must be 1 to 60000 (got 18446744073709551615)",
        ));
}

#[test]
fn silent_name_server_exits_two() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dir = project(GOOD);
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["--nameserver", &format!("udp://{}", silent.local_addr().unwrap())])
        .args(["--timeout-ms", "200", "--attempts", "1", "--format", "json"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("no name server answered within 200 ms"));
}

/// `--timeout` takes a duration as every setting does; `--timeout-ms` stays its alias.
#[test]
fn the_timeout_flag_takes_a_duration() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dir = project(GOOD);
    let nameserver = format!("udp://{}", silent.local_addr().unwrap());
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .args(["--nameserver", &nameserver])
        .args(["--timeout", "150ms", "--attempts", "1", "--format", "json"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("no name server answered within 150 ms"));
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .args(["--nameserver", &nameserver, "--timeout", "5m"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--timeout must be 1ms to 1m (got 5m)"));
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .current_dir(dir.path())
        .args(["--nameserver", &nameserver, "--smtp-timeout", "0s"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--smtp-timeout must be 1ms to 1m (got 0ms)",
        ));
}

#[test]
fn list_rules_names_every_area() {
    Command::cargo_bin("launchgate-dns")
        .unwrap()
        .arg("--list-rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("dns.dangling-cname"))
        .stdout(predicate::str::contains("spf.too-many-lookups"))
        .stdout(predicate::str::contains("dmarc.external-report-unauthorized"))
        .stdout(predicate::str::contains("mta-sts.mx-mismatch"));
}

#[test]
fn broken_domain_findings_snapshot() {
    let server = world_server();
    let dir = project(BROKEN);
    let output = gate(dir.path(), &server)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings: Vec<Value> = json["reports"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!({
                "rule": f["rule_id"], "severity": f["severity"], "subject": f["subject"],
                "message": f["message"], "help": f["help"],
            })
        })
        .collect();
    insta::assert_yaml_snapshot!("broken_domain_findings", findings);
}

#[test]
fn check_configured_reads_the_dns_and_smoke_sections() {
    let server = world_server();
    let dir = project(&format!(
        "dns:\n  domain: broken.test\n  resolver: [{}]\n  timeout_ms: 1000\n  attempts: 1\nsmoke:\n  site:\n    canonical: https://shop.broken.test\n",
        server.url()
    ));
    let file = launchgate_core::config::ConfigFile::discover(None, dir.path())
        .unwrap()
        .unwrap();
    let report = launchgate_dns::check_configured(&file, dir.path()).unwrap();
    assert_eq!(report.gate, "dns");
    assert_eq!(report.inputs, vec!["broken.test"]);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule_id == "dns.site-host-unresolved")
        .unwrap();
    assert_eq!(f.subject.as_deref(), Some("shop.broken.test A/AAAA (site)"));
    assert!(report.notes.iter().any(|n| n.starts_with("no dns.email section")));

    let none = project("secrets: {}\n");
    let file = launchgate_core::config::ConfigFile::discover(None, none.path())
        .unwrap()
        .unwrap();
    let report = launchgate_dns::check_configured(&file, none.path()).unwrap();
    assert!(report.findings.is_empty());
    assert_eq!(
        report.notes,
        vec![format!(
            "{} has no dns: section; nothing to check",
            file.display_name()
        )]
    );
}
