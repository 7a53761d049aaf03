//! MTA-STS (TXT record and HTTPS policy file), TLS-RPT and CAA.

use std::time::Duration;

use launchgate_core::Severity;
use launchgate_dns::HttpsSettings;

use crate::https::{HttpsServer, Reply};
use crate::server::DnsServer;
use crate::{only, options, rules_at, run_with, run_yaml, world_server};

const GOOD_POLICY: &str =
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.provider.test\r\nmx: *.provider.test\r\nmax_age: 604800\r\n";

fn mta_sts_yaml(domain: &str, requirement: &str) -> String {
    format!("dns:\n  domain: {domain}\n  email:\n    mta_sts: {requirement}\n    tls_rpt: off\n")
}

fn mail_rules(report: &launchgate_core::Report, prefix: &str) -> Vec<String> {
    rules_at(report, Severity::Note)
        .into_iter()
        .filter(|r| r.starts_with(prefix))
        .collect()
}

/// Runs with the policy host resolved to `https` and its CA trusted.
fn run_policy(dns: &DnsServer, https: &HttpsServer, domain: &str, trust: bool) -> launchgate_core::Report {
    let mut opts = options(dns);
    opts.https = HttpsSettings {
        resolve: vec![(format!("mta-sts.{domain}"), https.addr)],
        root_certificates_pem: if trust {
            vec![https.ca_pem.clone().into_bytes()]
        } else {
            Vec::new()
        },
        timeout: Duration::from_secs(5),
    };
    run_with(&mta_sts_yaml(domain, "required"), opts)
}

#[test]
fn good_policy_over_https_passes() {
    let dns = world_server();
    let https = HttpsServer::start("mta-sts.good.test", 200, "text/plain; charset=utf-8", GOOD_POLICY);
    let report = run_policy(&dns, &https, "good.test", true);
    assert_eq!(
        mail_rules(&report, "mta-sts."),
        Vec::<String>::new(),
        "{:#?}",
        report.findings
    );
    let check = report.checks.iter().find(|c| c.name == "MTA-STS").unwrap();
    assert_eq!(check.detail.as_deref(), Some("mode enforce"));
}

#[test]
fn policy_with_wrong_type_short_max_age_and_missing_mx() {
    let dns = world_server();
    let policy = "version: STSv1\nmode: enforce\nmx: mx1.provider.test\nmax_age: 3600\n";
    let https = HttpsServer::start("mta-sts.good.test", 200, "text/html", policy);
    let report = run_policy(&dns, &https, "good.test", true);
    assert_eq!(
        mail_rules(&report, "mta-sts."),
        vec![
            "mta-sts.max-age-short",
            "mta-sts.mx-mismatch",
            "mta-sts.policy-content-type"
        ]
    );
    let mx = only(&report, "mta-sts.mx-mismatch");
    assert_eq!(mx.severity, Severity::Error);
    assert_eq!(
        mx.subject.as_deref(),
        Some("https://mta-sts.good.test/.well-known/mta-sts.txt")
    );
    assert!(
        mx.message.starts_with("MX host mx2.provider.test is not covered"),
        "{}",
        mx.message
    );
    assert!(
        mx.help
            .as_deref()
            .unwrap()
            .contains("add `mx: mx2.provider.test`")
    );
}

#[test]
fn untrusted_certificate_and_http_errors_make_the_policy_unreachable() {
    let dns = world_server();
    let https = HttpsServer::start("mta-sts.good.test", 200, "text/plain", GOOD_POLICY);
    let report = run_policy(&dns, &https, "good.test", false);
    let f = only(&report, "mta-sts.policy-unreachable");
    assert!(f.message.to_lowercase().contains("certificate"), "{}", f.message);

    let not_found = HttpsServer::start("mta-sts.good.test", 404, "text/plain", "no");
    let report = run_policy(&dns, &not_found, "good.test", true);
    assert!(
        only(&report, "mta-sts.policy-unreachable")
            .message
            .contains("404")
    );

    let redirect = HttpsServer::start("mta-sts.good.test", 301, "text/plain", "");
    let report = run_policy(&dns, &redirect, "good.test", true);
    assert!(
        only(&report, "mta-sts.policy-unreachable")
            .message
            .contains("senders do not follow redirects")
    );
}

#[test]
fn an_endless_policy_stops_at_64_kib_and_a_dripping_one_at_the_timeout() {
    let dns = world_server();
    let endless = HttpsServer::with_reply("mta-sts.good.test", Reply::Endless);
    let report = run_policy(&dns, &endless, "good.test", true);
    let f = only(&report, "mta-sts.policy-unreachable");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.message,
        "the MTA-STS policy cannot be fetched: the policy is larger than 64 KiB, the limit \
         senders apply (RFC 8461 §3.3); reading stopped there"
    );
    // Reading stopped at the limit: the server wrote what fits in the sockets' buffers
    // on top of it, not the 256 MiB it would have sent to a client that reads on.
    let written = endless.written.load(std::sync::atomic::Ordering::SeqCst);
    assert!(written < 32 * 1024 * 1024, "{written} bytes were written");

    let drip = HttpsServer::with_reply("mta-sts.good.test", Reply::Drip);
    let mut opts = options(&dns);
    opts.https = HttpsSettings {
        resolve: vec![("mta-sts.good.test".to_string(), drip.addr)],
        root_certificates_pem: vec![drip.ca_pem.clone().into_bytes()],
        timeout: Duration::from_millis(700),
    };
    let report = run_with(&mta_sts_yaml("good.test", "required"), opts);
    assert_eq!(
        only(&report, "mta-sts.policy-unreachable").message,
        "the MTA-STS policy cannot be fetched: no complete answer within 700 ms \
         (the limit covers the headers and the body)"
    );
}

#[test]
fn missing_mta_sts_is_an_error_only_when_required() {
    let dns = world_server();
    let required = run_yaml(&dns, &mta_sts_yaml("lookups.test", "required"));
    assert_eq!(only(&required, "mta-sts.missing").severity, Severity::Error);
    let optional = run_yaml(&dns, &mta_sts_yaml("lookups.test", "optional"));
    assert_eq!(only(&optional, "mta-sts.missing").severity, Severity::Note);
    let bad_id = run_with(&mta_sts_yaml("broken.test", "optional"), {
        let mut o = options(&dns);
        o.https.resolve = vec![("mta-sts.broken.test".into(), "127.0.0.1:9".parse().unwrap())];
        o.https.timeout = Duration::from_secs(2);
        o
    });
    assert!(mail_rules(&bad_id, "mta-sts.").contains(&"mta-sts.policy-unreachable".to_string()));
}

#[test]
fn tls_rpt_present_or_missing() {
    let dns = world_server();
    let yaml = |domain: &str| {
        format!("dns:\n  domain: {domain}\n  email:\n    mta_sts: off\n    tls_rpt: required\n")
    };
    assert_eq!(
        mail_rules(&run_yaml(&dns, &yaml("good.test")), "tls-rpt."),
        Vec::<String>::new()
    );
    let report = run_yaml(&dns, &yaml("broken.test"));
    let f = only(&report, "tls-rpt.missing");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.help.as_deref(),
        Some(
            "add a TXT record in your DNS provider with host/name `_smtp._tls` and value `v=TLSRPTv1; rua=mailto:tls-reports@broken.test`"
        )
    );
}

#[test]
fn caa_names_the_issuer_or_says_it_is_missing() {
    let dns = world_server();
    let yaml = |domain: &str| format!("dns:\n  domain: {domain}\n  caa: {{ issuers: [letsencrypt.org] }}\n");
    assert_eq!(
        mail_rules(&run_yaml(&dns, &yaml("good.test")), "caa."),
        vec!["caa.no-iodef"]
    );
    let broken = run_yaml(&dns, &yaml("broken.test"));
    let f = only(&broken, "caa.issuer-missing");
    assert!(
        f.message
            .contains("CAA allows digicert.com but not letsencrypt.org"),
        "{}",
        f.message
    );
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .contains("value `0 issue \"letsencrypt.org\"`")
    );
    let none = run_yaml(&dns, &yaml("lookups.test"));
    assert_eq!(only(&none, "caa.missing").severity, Severity::Note);
}

#[test]
fn failed_mx_lookup_is_reported_not_passed() {
    let mut zone = crate::zones::world();
    zone.txt("_mta-sts.mxfail.test", "v=STSv1; id=20260101T000000")
        .servfail("mxfail.test");
    let dns = DnsServer::start(zone);
    let https = HttpsServer::start("mta-sts.mxfail.test", 200, "text/plain", GOOD_POLICY);
    let report = run_policy(&dns, &https, "mxfail.test", true);
    let f = only(&report, "dns.server-error");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject.as_deref(), Some("mxfail.test MX"));
    let check = report.checks.iter().find(|c| c.name == "MTA-STS").unwrap();
    assert_eq!(check.status, launchgate_core::CheckStatus::Failed);
}
