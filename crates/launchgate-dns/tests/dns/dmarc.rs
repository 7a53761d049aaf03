//! DMARC per RFC 9989: policies, tree walk, report addresses and their authorisation.

use launchgate_core::Severity;

use crate::{only, rules_at, run_yaml, world_server};

fn dmarc(domain: &str, settings: &str) -> String {
    format!(
        "dns:\n  domain: {domain}\n  email:\n    dmarc: {{ {settings} }}\n    mta_sts: off\n    tls_rpt: off\n"
    )
}

fn dmarc_rules(report: &launchgate_core::Report) -> Vec<String> {
    rules_at(report, Severity::Note)
        .into_iter()
        .filter(|r| r.starts_with("dmarc."))
        .collect()
}

#[test]
fn enforced_policy_with_own_reports_passes() {
    let server = world_server();
    let report = run_yaml(
        &server,
        &dmarc("good.test", "min_policy: reject, require_rua: true"),
    );
    assert_eq!(
        dmarc_rules(&report),
        Vec::<String>::new(),
        "{:#?}",
        report.findings
    );
}

#[test]
fn p_none_removed_tags_bad_alignment_and_unauthorised_reports() {
    let server = world_server();
    let report = run_yaml(
        &server,
        &dmarc("broken.test", "min_policy: quarantine, require_rua: true"),
    );
    assert_eq!(
        dmarc_rules(&report),
        vec![
            "dmarc.bad-alignment",
            "dmarc.bad-report-uri",
            "dmarc.external-report-unauthorized",
            "dmarc.policy-too-weak",
            "dmarc.removed-tag",
        ]
    );
    let weak = only(&report, "dmarc.policy-too-weak");
    assert_eq!(weak.subject.as_deref(), Some("_dmarc.broken.test TXT (DMARC)"));
    assert!(
        weak.message
            .contains("`p=none`, weaker than the required `quarantine`: the domain is unprotected"),
        "{}",
        weak.message
    );
    // One corrected record fixes everything at once: policy raised, pct gone, adkim valid.
    assert_eq!(
        weak.help.as_deref(),
        Some(
            "edit the TXT record at host/name `_dmarc` so its value reads `v=DMARC1; p=quarantine; rua=mailto:agg@reports.test; ruf=https://reports.test/f; adkim=r`"
        )
    );
    let ext = only(&report, "dmarc.external-report-unauthorized");
    assert!(ext.message.contains("reports go to reports.test"));
    assert!(
        ext.help
            .as_deref()
            .unwrap()
            .contains("`broken.test._report._dmarc.reports.test` with value `v=DMARC1`")
    );
    let removed = only(&report, "dmarc.removed-tag");
    assert_eq!(removed.severity, Severity::Warning);
    assert!(removed.message.contains("`pct` tag was removed in RFC 9989"));
}

#[test]
fn p_none_is_only_a_warning_when_none_is_allowed() {
    let server = world_server();
    let report = run_yaml(&server, &dmarc("broken.test", "min_policy: none"));
    let f = only(&report, "dmarc.policy-none");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.help.as_deref().unwrap().starts_with("once aggregate reports show your real mail passes, edit the TXT record at host/name `_dmarc` so its value reads `v=DMARC1; p=quarantine;"));
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.rule_id != "dmarc.policy-too-weak")
    );
}

#[test]
fn external_reports_with_authorisation_pass() {
    let server = world_server();
    let report = run_yaml(
        &server,
        &dmarc("authorised.test", "min_policy: quarantine, require_rua: true"),
    );
    assert_eq!(
        dmarc_rules(&report),
        Vec::<String>::new(),
        "{:#?}",
        report.findings
    );
}

#[test]
fn tree_walk_finds_the_parent_record() {
    let server = world_server();
    let report = run_yaml(&server, &dmarc("shop.good.test", "min_policy: reject"));
    let f = only(&report, "dmarc.inherited");
    assert_eq!(f.severity, Severity::Note);
    assert!(f.message.contains("finds the one at _dmarc.good.test"));
    assert_eq!(dmarc_rules(&report), vec!["dmarc.inherited"]);
}

#[test]
fn missing_dmarc_gives_the_record_to_add() {
    let server = world_server();
    let report = run_yaml(&server, &dmarc("lookups.test", "min_policy: reject"));
    let f = only(&report, "dmarc.missing");
    assert_eq!(
        f.help.as_deref(),
        Some(
            "add a TXT record in your DNS provider with host/name `_dmarc` and value `v=DMARC1; p=reject; rua=mailto:dmarc-reports@lookups.test`"
        )
    );
}
