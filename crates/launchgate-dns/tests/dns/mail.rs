//! MX hosts must have an address; a domain with a null MX and `v=spf1 -all` sends and
//! receives no mail and is told what such a domain needs (DMARC p=reject), not DKIM or
//! MTA-STS.

use launchgate_core::{CheckStatus, Severity};

use crate::{only, rules_at, run_yaml, world_server};

fn email_yaml(domain: &str, extra: &str) -> String {
    format!("dns:\n  domain: {domain}\n{extra}  email: {{ mta_sts: required, tls_rpt: required }}\n")
}

#[test]
fn an_mx_host_without_an_address_is_an_error() {
    let dns = world_server();
    let records = "  records:\n    - { name: \"@\", type: MX, values: [\"10 mail.deadmx.test.\", \"20 mx1.provider.test.\"] }\n";
    let report = run_yaml(&dns, &email_yaml("deadmx.test", records));
    let f = only(&report, "mail.mx-host-unresolved");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject.as_deref(), Some("deadmx.test MX"));
    assert_eq!(
        f.message,
        "MX host mail.deadmx.test has no address (its A lookup ended in no records of this type (NODATA)): mail to deadmx.test cannot be delivered there"
    );
    // The record itself matches, but its check no longer says ok.
    let record = report
        .checks
        .iter()
        .find(|c| c.name == "deadmx.test MX")
        .expect("the record's check");
    assert_eq!(record.status, CheckStatus::Failed, "{:#?}", report.checks);
}

#[test]
fn a_domain_that_sends_and_receives_no_mail_is_told_to_reject_not_to_add_dkim_or_mta_sts() {
    let dns = world_server();
    let report = run_yaml(&dns, &email_yaml("nomail.test", ""));
    let all = rules_at(&report, Severity::Note);
    assert!(
        !all.iter()
            .any(|r| r.starts_with("dkim.") || r.starts_with("mta-sts.") || r.starts_with("tls-rpt.")),
        "{all:?}"
    );
    assert_eq!(only(&report, "mail.no-mail-domain").severity, Severity::Note);
    let dmarc = only(&report, "dmarc.missing");
    assert!(
        dmarc.help.as_deref().unwrap().contains("`v=DMARC1; p=reject;"),
        "{:?}",
        dmarc.help
    );
    for name in ["DKIM", "MTA-STS", "TLS-RPT"] {
        let check = report.checks.iter().find(|c| c.name == name).unwrap();
        assert_eq!(check.status, CheckStatus::Skipped, "{name}");
        assert!(
            check
                .detail
                .as_deref()
                .unwrap()
                .starts_with("not needed: the domain")
        );
    }

    // A parked domain with p=quarantine is told to reject, and nothing else.
    let report = run_yaml(&dns, &email_yaml("parked.test", ""));
    assert_eq!(
        rules_at(&report, Severity::Warning),
        vec!["dmarc.policy-too-weak"],
        "{:#?}",
        report.findings
    );
    let weak = only(&report, "dmarc.policy-too-weak");
    assert!(
        weak.message
            .contains("`p=quarantine`, weaker than the required `reject`")
    );
    assert!(
        weak.help.as_deref().unwrap().contains("p=reject"),
        "{:?}",
        weak.help
    );
}

#[test]
fn a_null_mx_beside_a_real_one_is_an_error() {
    let dns = world_server();
    let report = run_yaml(&dns, &email_yaml("mixednull.test", ""));
    assert_eq!(only(&report, "mail.null-mx-mixed").severity, Severity::Error);
}

#[test]
fn an_mx_host_that_is_a_cname_is_a_warning() {
    let dns = world_server();
    let report = run_yaml(&dns, &email_yaml("aliasmx.test", ""));
    let f = only(&report, "mail.mx-host-cname");
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message
            .starts_with("MX host mail.aliasmx.test is a CNAME (to mx1.provider.test)"),
        "{}",
        f.message
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.rule_id != "mail.mx-host-unresolved")
    );
}

#[test]
fn a_bimi_record_must_point_at_an_https_logo_under_an_enforced_dmarc_policy() {
    let dns = world_server();
    let report = run_yaml(&dns, &email_yaml("brand.test", ""));
    let syntax = only(&report, "bimi.syntax");
    assert_eq!(syntax.severity, Severity::Error);
    assert_eq!(
        syntax.message,
        "the BIMI logo `http://brand.test/logo.png` is not an https:// URL; mail clients fetch it only over HTTPS"
    );
    assert_eq!(
        syntax.subject.as_deref(),
        Some("default._bimi.brand.test TXT (BIMI)")
    );
    let dmarc = only(&report, "bimi.dmarc-not-enforced");
    assert!(
        dmarc.message.contains("its DMARC policy is `p=none`"),
        "{}",
        dmarc.message
    );

    // No record: nothing to say beyond the check's detail.
    let report = run_yaml(&dns, &email_yaml("deadmx.test", ""));
    assert!(report.findings.iter().all(|f| !f.rule_id.starts_with("bimi.")));
    let check = report.checks.iter().find(|c| c.name == "BIMI").unwrap();
    assert_eq!(check.detail.as_deref(), Some("no BIMI record (optional)"));
}

#[test]
fn an_mx_address_without_forward_confirmed_reverse_dns_is_a_warning() {
    let dns = world_server();
    let report = run_yaml(&dns, &email_yaml("rdns.test", ""));
    let mut found: Vec<(&str, &str)> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "mail.mx-reverse-dns")
        .map(|f| (f.subject.as_deref().unwrap(), f.message.as_str()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "40.2.0.192.in-addr.arpa PTR",
                "192.0.2.40, the address of MX host mx-noptr.rdns.test (rdns.test), has no PTR record (the lookup of 40.2.0.192.in-addr.arpa ended in NXDOMAIN (the name does not exist)): receivers distrust mail from an address without reverse DNS"
            ),
            (
                "41.2.0.192.in-addr.arpa PTR",
                "the PTR record of 192.0.2.41 (MX host mx-stale.rdns.test, rdns.test) names old-server.hosting.test, which does not resolve back to 192.0.2.41: reverse DNS is not forward-confirmed, and receivers distrust such addresses"
            ),
        ],
        "{:#?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .filter(|f| f.rule_id == "mail.mx-reverse-dns")
            .all(|f| f.severity == Severity::Warning)
    );
    let check = report.checks.iter().find(|c| c.name == "MX reverse DNS").unwrap();
    assert_eq!(check.status, CheckStatus::Warned);
    assert_eq!(check.detail.as_deref(), Some("2001:db8::25 → mx6.rdns.test"));

    // The providers' hosts have matching PTR records: nothing to say.
    let report = run_yaml(&dns, &email_yaml("good.test", ""));
    assert!(report.findings.iter().all(|f| f.rule_id != "mail.mx-reverse-dns"));
    let check = report.checks.iter().find(|c| c.name == "MX reverse DNS").unwrap();
    assert_eq!(check.status, CheckStatus::Passed);
}
