//! DKIM: selectors, key sizes, revoked keys, SHA-1, and probing when none are configured.

use launchgate_core::Severity;

use crate::{only, rules_at, run_yaml, world_server};

fn dkim(domain: &str, selectors: &str) -> String {
    format!(
        "dns:\n  domain: {domain}\n  email:\n    dkim: {{ selectors: [{selectors}] }}\n    mta_sts: off\n    tls_rpt: off\n"
    )
}

fn dkim_rules(report: &launchgate_core::Report) -> Vec<String> {
    rules_at(report, Severity::Note)
        .into_iter()
        .filter(|r| r.starts_with("dkim."))
        .collect()
}

#[test]
fn rsa_2048_keys_pass() {
    let server = world_server();
    let report = run_yaml(&server, &dkim("good.test", "resend, google"));
    assert_eq!(
        dkim_rules(&report),
        Vec::<String>::new(),
        "{:#?}",
        report.findings
    );
    let table = report
        .tables
        .iter()
        .find(|t| t.title.starts_with("DKIM"))
        .unwrap();
    assert_eq!(
        table.rows,
        vec![vec!["resend", "rsa-2048"], vec!["google", "rsa-2048"]]
    );
}

#[test]
fn weak_short_revoked_sha1_and_missing_selectors() {
    let server = world_server();
    let report = run_yaml(&server, &dkim("broken.test", "weak, short, old, absent"));
    assert_eq!(
        dkim_rules(&report),
        vec![
            "dkim.missing",
            "dkim.revoked",
            "dkim.sha1",
            "dkim.short-key",
            "dkim.weak-key"
        ]
    );
    let weak = only(&report, "dkim.weak-key");
    assert_eq!(weak.severity, Severity::Error);
    assert_eq!(
        weak.subject.as_deref(),
        Some("weak._domainkey.broken.test TXT (DKIM)")
    );
    assert_eq!(weak.properties["bits"], serde_json::json!(768));
    let short = only(&report, "dkim.short-key");
    assert_eq!(short.severity, Severity::Warning);
    assert!(short.message.contains("RSA-1024"));
    assert_eq!(only(&report, "dkim.revoked").severity, Severity::Error);
    assert_eq!(only(&report, "dkim.sha1").severity, Severity::Warning);
    assert!(only(&report, "dkim.missing").message.contains("NXDOMAIN"));
}

#[test]
fn without_selectors_common_ones_are_probed() {
    let server = world_server();
    let report = run_yaml(&server, &dkim("good.test", ""));
    let f = only(&report, "dkim.not-configured");
    assert_eq!(f.severity, Severity::Note);
    assert!(
        f.message.ends_with("probing common ones found: google, resend"),
        "{}",
        f.message
    );
    let none = run_yaml(&server, &dkim("lookups.test", ""));
    assert_eq!(only(&none, "dkim.not-configured").severity, Severity::Warning);
}
