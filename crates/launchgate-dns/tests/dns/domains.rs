//! Several domains in one run: `domain:` as a list, `--domain` repeated; each domain is
//! checked with the same expectations, and every finding and check names its domain.

use launchgate_core::Severity;
use serde_json::Value;

use crate::cli::gate;
use crate::{only, rules_at, run_yaml, world_server};

const TWO: &str = "dns:\n  domain: [good.test, deadmx.test]\n  records:\n    - { name: \"@\", type: MX, contains: [\"10 mx1.provider.test.\"] }\n  email: { mta_sts: off, tls_rpt: off }\n";

#[test]
fn a_list_of_domains_checks_each_and_names_the_domain_of_every_finding() {
    let dns = world_server();
    let report = run_yaml(&dns, TWO);
    assert_eq!(report.inputs, vec!["good.test", "deadmx.test"]);
    // deadmx.test's own failure, found in the same run as good.test.
    let dead = only(&report, "mail.mx-host-unresolved");
    assert_eq!(dead.subject.as_deref(), Some("deadmx.test MX"));
    // Each domain's expected MX record is checked under its own name.
    for domain in ["good.test", "deadmx.test"] {
        let check = format!("{domain}: {domain} MX");
        assert!(
            report.checks.iter().any(|c| c.name == check),
            "no check {check}: {:#?}",
            report.checks
        );
        for part in ["SPF", "DMARC", "MX hosts"] {
            let name = format!("{domain}: {part}");
            assert!(report.checks.iter().any(|c| c.name == name), "no check {name}");
        }
    }
    // Every finding is about one of the two domains, and says which.
    for finding in &report.findings {
        let subject = finding.subject.as_deref().unwrap_or_default();
        assert!(
            subject.contains("good.test") || subject.contains("deadmx.test"),
            "{finding:#?}"
        );
    }
    // good.test alone has no error: the errors all belong to deadmx.test.
    for finding in report.findings.iter().filter(|f| f.severity == Severity::Error) {
        let subject = finding.subject.as_deref().unwrap_or_default();
        assert!(subject.contains("deadmx.test"), "{finding:#?}");
    }
    assert!(!rules_at(&report, Severity::Error).is_empty());
}

#[test]
fn one_domain_keeps_its_check_names_unprefixed() {
    let dns = world_server();
    let report = run_yaml(&dns, "dns:\n  domain: [good.test]\n  email: { mta_sts: off }\n");
    assert!(
        report.checks.iter().any(|c| c.name == "SPF"),
        "{:#?}",
        report.checks
    );
}

#[test]
fn the_same_domain_twice_is_checked_once() {
    let dns = world_server();
    let report = run_yaml(
        &dns,
        "dns:\n  domain: [deadmx.test, DeadMX.test.]\n  email: { mta_sts: off }\n",
    );
    assert_eq!(report.inputs, vec!["deadmx.test"]);
    only(&report, "mail.mx-host-unresolved");
}

#[test]
fn an_empty_or_bad_domain_list_is_a_configuration_error() {
    let e = load("dns:\n  domain: []\n").unwrap_err();
    assert!(
        e.message().contains("dns.domain is an empty list"),
        "{}",
        e.message()
    );
    let e = load("dns:\n  domain: [good.test, https://x.test]\n").unwrap_err();
    assert!(
        e.message()
            .contains("dns.domain `https://x.test` is not a domain name"),
        "{}",
        e.message()
    );
    let e = load("dns:\n  domain: { name: good.test }\n").unwrap_err();
    assert!(
        e.message()
            .contains("a domain name such as `example.com`, or a list")
    );
    assert_eq!(e.position().map(|p| p.0), Some(2));
    let many: Vec<String> = (0..101).map(|i| format!("d{i}.test")).collect();
    let e = load(&format!("dns:\n  domain: [{}]\n", many.join(", "))).unwrap_err();
    assert!(e.message().contains("at most 100"), "{}", e.message());
}

#[test]
fn the_domain_flag_repeats_into_one_report() {
    let dns = world_server();
    let dir = tempfile::tempdir().unwrap();
    let output = gate(dir.path(), &dns)
        .args([
            "--domain",
            "good.test",
            "--domain",
            "plusall.test",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let reports = json["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 1, "one report for both domains");
    let findings = reports[0]["findings"].as_array().unwrap();
    let plus_all = findings
        .iter()
        .find(|f| f["rule_id"] == "spf.plus-all")
        .expect("plusall.test's +all");
    assert!(plus_all["subject"].as_str().unwrap().contains("plusall.test"));
    for finding in findings {
        let subject = finding["subject"].as_str().unwrap_or_default();
        assert!(
            subject.contains("good.test") || subject.contains("plusall.test"),
            "{finding:#}"
        );
    }
    assert_eq!(
        reports[0]["inputs"],
        serde_json::json!(["good.test", "plusall.test"])
    );
}

fn load(yaml: &str) -> Result<Option<launchgate_dns::DnsConfig>, launchgate_core::Error> {
    launchgate_dns::config::load(&launchgate_core::config::ConfigFile {
        path: "launchgate.yml".into(),
        source: yaml.to_string(),
    })
}
