//! SPF: lookup limits through nested includes, loops, duplicates, `all`, void lookups,
//! syntax, size over 512 bytes (TCP fallback), must_include.

use std::sync::atomic::Ordering;

use launchgate_core::Severity;

use crate::{only, rules_at, run_yaml, world_server};

fn spf(domain: &str, extra: &str) -> String {
    format!(
        "dns:\n  domain: {domain}\n  email:\n    spf: {{ all: [-all, ~all]{extra} }}\n    mta_sts: off\n    tls_rpt: off\n"
    )
}

fn spf_rules(report: &launchgate_core::Report) -> Vec<String> {
    rules_at(report, Severity::Note)
        .into_iter()
        .filter(|r| r.starts_with("spf."))
        .collect()
}

#[test]
fn good_spf_passes_with_its_lookup_count() {
    let server = world_server();
    let report = run_yaml(&server, &spf("good.test", ", must_include: [_spf.resend.test]"));
    assert_eq!(spf_rules(&report), Vec::<String>::new(), "{:#?}", report.findings);
    let check = report.checks.iter().find(|c| c.name == "SPF").unwrap();
    assert_eq!(check.detail.as_deref(), Some("1/10 lookups, 0/2 void"));
}

#[test]
fn nested_includes_over_ten_lookups_fail() {
    let server = world_server();
    let report = run_yaml(&server, &spf("lookups.test", ""));
    let f = only(&report, "spf.too-many-lookups");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject.as_deref(), Some("lookups.test TXT (SPF)"));
    assert_eq!(f.properties["lookups"], serde_json::json!(12));
    let table = report
        .tables
        .iter()
        .find(|t| t.title.starts_with("SPF lookups"))
        .unwrap();
    assert_eq!(table.title, "SPF lookups for lookups.test (12 of 10)");
    let row = table
        .rows
        .iter()
        .find(|r| r[0] == "include:a.lookups.test → include:c.lookups.test → include:d.lookups.test")
        .unwrap();
    assert_eq!(row[1], "2");
}

#[test]
fn include_loop_is_detected() {
    let server = world_server();
    let report = run_yaml(&server, &spf("loop.test", ""));
    let f = only(&report, "spf.loop");
    assert!(
        f.message
            .contains("loop.test → one.loop.test → two.loop.test → include:loop.test"),
        "{}",
        f.message
    );
}

#[test]
fn two_spf_records_are_a_permerror() {
    let server = world_server();
    let report = run_yaml(&server, &spf("twospf.test", ""));
    assert_eq!(spf_rules(&report), vec!["spf.multiple-records"]);
    let f = only(&report, "spf.multiple-records");
    assert!(f.message.contains("has 2 SPF records"));
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .contains("merge them into one TXT record")
    );
}

#[test]
fn plus_all_ptr_syntax_and_terms_after_all() {
    let server = world_server();
    let report = run_yaml(
        &server,
        &spf(
            "plusall.test",
            ", must_include: [_spf.resend.test, _spf.google.test]",
        ),
    );
    assert_eq!(
        spf_rules(&report),
        vec![
            "spf.must-include-missing",
            "spf.must-include-missing",
            "spf.plus-all",
            "spf.ptr",
            "spf.syntax",
            "spf.term-after-all"
        ]
    );
    let plus = only(&report, "spf.plus-all");
    assert!(
        plus.help
            .as_deref()
            .unwrap()
            .contains("so its value reads `v=spf1 ptr ip4:192.0.2.300 include:_spf.resend.test -all`")
    );
    let syntax = only(&report, "spf.syntax");
    assert!(
        syntax
            .message
            .contains("`ip4:192.0.2.300`: `192.0.2.300` is not an IPv4 address"),
        "{}",
        syntax.message
    );
    // Both required includes are missing: the one written after `all` is never evaluated.
    let missing: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "spf.must-include-missing")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        missing,
        vec![
            "the SPF record does not include _spf.resend.test, so mail sent through it fails SPF",
            "the SPF record does not include _spf.google.test, so mail sent through it fails SPF",
        ]
    );
}

#[test]
fn neutral_all_is_a_warning_and_soft_all_may_be_refused() {
    let server = world_server();
    let report = run_yaml(&server, &spf("broken.test", ""));
    assert_eq!(only(&report, "spf.neutral-all").severity, Severity::Warning);
    let strict = run_yaml(
        &server,
        "dns:\n  domain: redirect.test\n  email:\n    spf: { all: [-all] }\n    mta_sts: off\n    tls_rpt: off\n",
    );
    // The redirect target ends in ~all, which this configuration does not accept.
    let f = only(&strict, "spf.all-not-allowed");
    assert!(
        f.message
            .contains("ends in `~all`, but the configuration accepts only -all"),
        "{}",
        f.message
    );
}

#[test]
fn void_lookups_and_missing_include_targets() {
    let server = world_server();
    let report = run_yaml(&server, &spf("void.test", ""));
    assert_eq!(
        spf_rules(&report),
        vec![
            "spf.include-not-found",
            "spf.too-many-void-lookups",
            "spf.void-lookup",
            "spf.void-lookup"
        ]
    );
    assert!(
        only(&report, "spf.include-not-found")
            .message
            .contains("gone.void.test, which has no SPF record (NXDOMAIN")
    );
    assert!(
        only(&report, "spf.too-many-void-lookups")
            .message
            .contains("meets 3 lookups")
    );
}

#[test]
fn record_over_512_bytes_arrives_over_tcp_and_is_flagged() {
    let server = world_server();
    let report = run_yaml(&server, &spf("big.test", ", must_include: [_spf.resend.test]"));
    assert_eq!(
        spf_rules(&report),
        vec!["spf.record-too-large"],
        "{:#?}",
        report.findings
    );
    assert!(only(&report, "spf.record-too-large").message.contains("over 512"));
    assert!(
        server.tcp_queries.load(Ordering::SeqCst) >= 1,
        "the truncated answer was not retried over TCP"
    );
}

#[test]
fn a_term_across_the_join_of_two_strings_is_explained() {
    let server = world_server();
    let report = run_yaml(&server, &spf("split.test", ""));
    assert_eq!(spf_rules(&report), vec!["spf.string-join", "spf.syntax"]);
    let f = only(&report, "spf.string-join");
    assert_eq!(
        f.message,
        "`include:_spf.resend.testinclude:_spf.google.test` spans two of the record's 2 strings, which receivers join without a space"
    );
}

#[test]
fn missing_spf_gives_the_record_to_add() {
    let server = world_server();
    let report = run_yaml(
        &server,
        &spf("apex-cname.test", ", must_include: [_spf.resend.test]"),
    );
    let f = only(&report, "spf.missing");
    assert_eq!(
        f.help.as_deref(),
        Some(
            "add a TXT record in your DNS provider with host/name `@` and value `v=spf1 include:_spf.resend.test -all`"
        )
    );
}
