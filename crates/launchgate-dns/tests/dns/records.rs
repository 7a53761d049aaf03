//! Expected records, apex CNAME, dangling CNAMEs, site hosts, NXDOMAIN vs NODATA, timeouts.

use launchgate_core::Severity;

use crate::{only, rules_at, run_with, run_yaml, world_server};

#[test]
fn good_records_pass() {
    let server = world_server();
    let report = run_yaml(
        &server,
        r#"
dns:
  domain: good.test
  records:
    - { name: "@", type: A, values: [76.76.21.21] }
    - { name: www, type: CNAME, values: [cname.vercel-dns.test.] }
    - { name: "@", type: MX, values: ["10 mx1.provider.test.", "20 mx2.provider.test."] }
    - { name: "@", type: TXT, contains: ["google-site-verification=abc123"] }
"#,
    );
    assert_eq!(
        rules_at(&report, Severity::Note),
        Vec::<String>::new(),
        "{:#?}",
        report.findings
    );
    assert_eq!(report.checks.len(), 4);
    assert!(report.error.is_none());
    let table = &report.tables[0];
    assert_eq!(
        table.rows[2],
        vec![
            "@",
            "MX",
            "10 mx1.provider.test, 20 mx2.provider.test",
            "10 mx1.provider.test, 20 mx2.provider.test",
            "✓"
        ]
    );
}

#[test]
fn stale_a_record_shows_a_diff_and_the_fix() {
    let server = world_server();
    let report = run_yaml(
        &server,
        "dns:\n  domain: broken.test\n  records:\n    - { name: \"@\", type: A, values: [76.76.21.21] }\n",
    );
    let f = only(&report, "dns.record-mismatch");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject.as_deref(), Some("broken.test A"));
    assert!(
        f.message.contains("answers 203.0.113.9, expected 76.76.21.21"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("+ 76.76.21.21, - 203.0.113.9"),
        "{}",
        f.message
    );
    let help = f.help.as_deref().unwrap();
    assert!(
        help.contains("host/name `@` type A: add `76.76.21.21`; delete `203.0.113.9`"),
        "{help}"
    );
    assert_eq!(f.properties["unexpected"], serde_json::json!(["203.0.113.9"]));
}

#[test]
fn contains_accepts_extra_values_but_not_missing_ones() {
    let server = world_server();
    let report = run_yaml(
        &server,
        "dns:\n  domain: good.test\n  records:\n    - { name: \"@\", type: MX, contains: [\"10 mx1.provider.test\"] }\n    - { name: \"@\", type: MX, contains: [\"5 mx9.provider.test\"] }\n",
    );
    let f = only(&report, "dns.record-mismatch");
    assert!(
        f.message.contains("expected at least 5 mx9.provider.test"),
        "{}",
        f.message
    );
}

#[test]
fn nxdomain_and_nodata_are_told_apart() {
    let server = world_server();
    let report = run_yaml(
        &server,
        "dns:\n  domain: good.test\n  records:\n    - { name: nope, type: A, values: [192.0.2.1] }\n    - { name: mail, type: A, values: [192.0.2.1] }\n",
    );
    let missing: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "dns.record-missing")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(missing.len(), 2, "{:#?}", report.findings);
    assert!(
        missing
            .iter()
            .any(|m| m.starts_with("mail.good.test exists but has no A record")),
        "{missing:?}"
    );
    assert!(
        missing
            .iter()
            .any(|m| m.starts_with("nope.good.test does not exist (NXDOMAIN)")),
        "{missing:?}"
    );
}

#[test]
fn dangling_cname_is_a_takeover_risk() {
    let server = world_server();
    let report = run_yaml(
        &server,
        "dns:\n  domain: broken.test\n  records:\n    - { name: www, type: CNAME, values: [old-app.herokuapp.test] }\n    - { name: docs, type: CNAME, values: [parked.platform.test] }\n",
    );
    let f = only(&report, "dns.dangling-cname");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject.as_deref(), Some("www.broken.test CNAME"));
    assert!(
        f.message
            .contains("old-app.herokuapp.test, which does not exist (NXDOMAIN)"),
        "{}",
        f.message
    );
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .contains("delete the CNAME at host/name `www`")
    );
    let g = only(&report, "dns.cname-target-no-address");
    assert_eq!(g.subject.as_deref(), Some("docs.broken.test CNAME"));
    assert_eq!(rules_at(&report, Severity::Error), vec!["dns.dangling-cname"]);
}

#[test]
fn apex_cname_is_an_error() {
    let server = world_server();
    let report = run_yaml(&server, "dns:\n  domain: apex-cname.test\n");
    let f = only(&report, "dns.apex-cname");
    assert!(
        f.message.contains("CNAME to cname.vercel-dns.test"),
        "{}",
        f.message
    );
}

#[test]
fn site_hosts_under_the_domain_must_resolve() {
    let server = world_server();
    let mut options = crate::options(&server);
    options.site_hosts = vec![
        "www.broken.test".into(),
        "shop.broken.test".into(),
        "elsewhere.example".into(),
    ];
    let report = run_with("dns:\n  domain: broken.test\n", options);
    let unresolved: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "dns.site-host-unresolved")
        .map(|f| f.subject.as_deref().unwrap())
        .collect();
    assert_eq!(
        unresolved,
        vec!["shop.broken.test A/AAAA (site)", "www.broken.test A/AAAA (site)"]
    );
    // www's CNAME was found through the site list and checked too.
    assert_eq!(
        only(&report, "dns.dangling-cname").subject.as_deref(),
        Some("www.broken.test CNAME")
    );
}

#[test]
fn timeout_and_servfail_are_reported_as_such() {
    let server = world_server();
    let report = run_yaml(
        &server,
        "dns:\n  domain: good.test\n  records:\n    - { name: slow, type: A, values: [192.0.2.1] }\n    - { name: broken-ns, type: A, values: [192.0.2.1] }\n",
    );
    let t = only(&report, "dns.timeout");
    assert_eq!(t.subject.as_deref(), Some("slow.good.test A"));
    assert!(t.message.contains("a timeout"), "{}", t.message);
    let s = only(&report, "dns.server-error");
    assert_eq!(s.subject.as_deref(), Some("broken-ns.good.test A"));
    assert!(
        s.message.contains("Server Failure") || s.message.contains("SERVFAIL"),
        "{}",
        s.message
    );
    assert!(report.findings.iter().all(|f| f.rule_id != "dns.record-missing"));
}

#[test]
fn a_name_server_that_never_answers_makes_the_report_an_error() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let options = launchgate_dns::CheckOptions {
        nameservers: vec![format!("udp://{}", silent.local_addr().unwrap())],
        timeout: Some(std::time::Duration::from_millis(200)),
        attempts: Some(1),
        ..Default::default()
    };
    let report = run_with("dns:\n  domain: good.test\n", options);
    let error = report.error.as_deref().unwrap();
    assert!(
        error.starts_with("no name server answered within 200 ms × 1 attempts (udp://127.0.0.1:"),
        "{error}"
    );
    assert_eq!(
        launchgate_core::ExitStatus::of(&[report], Severity::Error),
        launchgate_core::ExitStatus::Error
    );
}
