//! The SMTP probe against a real STARTTLS server on 127.0.0.1 (the MX host of smtp.test
//! resolves there), with certificates made at test time.

use launchgate_core::{CheckStatus, Report, Severity};

use crate::cli::gate;
use crate::loopback::TestCa;
use crate::smtp_server::{Behaviour, SmtpServer};
use crate::{only, run_yaml, world_server};

/// Runs the gate on smtp.test with the probe on `port`, trusting `ca_pem`.
fn probe(port: u16, ca_pem: &str) -> Report {
    let dns = world_server();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    run_yaml(
        &dns,
        &format!(
            "dns:\n  domain: smtp.test\n  smtp: {{ probe: true, port: {port}, ca: {}, timeout_ms: 2000 }}\n",
            ca.display()
        ),
    )
}

fn smtp_findings(report: &Report) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("smtp."))
        .map(|f| f.rule_id.as_str())
        .collect()
}

#[test]
fn a_valid_certificate_after_starttls_passes() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("mx.smtp.test", false), Behaviour::Good);
    let report = probe(server.addr.port(), &ca.pem);
    assert!(smtp_findings(&report).is_empty(), "{:#?}", report.findings);
    let check = report.checks.iter().find(|c| c.name == "SMTP STARTTLS").unwrap();
    assert_eq!(check.status, CheckStatus::Passed);
    assert_eq!(check.detail.as_deref(), Some("mx.smtp.test (127.0.0.1): TLSv1_3"));
}

#[test]
fn a_certificate_for_another_name_is_a_name_mismatch() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("other.smtp.test", false), Behaviour::Good);
    let report = probe(server.addr.port(), &ca.pem);
    let f = only(&report, "smtp.certificate-name-mismatch");
    assert_eq!(f.severity, Severity::Error);
    let port = server.addr.port();
    assert_eq!(
        f.subject.as_deref(),
        Some(format!("mx.smtp.test:{port} SMTP").as_str())
    );
    assert!(
        f.message.starts_with(&format!(
            "the certificate of MX host mx.smtp.test (127.0.0.1, port {port}) does not name the MX host"
        )),
        "{}",
        f.message
    );
    assert!(f.message.contains("other.smtp.test"), "{}", f.message);
    assert_eq!(smtp_findings(&report), ["smtp.certificate-name-mismatch"]);
}

#[test]
fn an_expired_or_untrusted_certificate_is_an_error() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("mx.smtp.test", true), Behaviour::Good);
    let report = probe(server.addr.port(), &ca.pem);
    assert_eq!(
        only(&report, "smtp.certificate-expired").severity,
        Severity::Error
    );

    // Signed by a CA the gate was not told to trust.
    let stranger = TestCa::new();
    let server = SmtpServer::start(stranger.leaf("mx.smtp.test", false), Behaviour::Good);
    let report = probe(server.addr.port(), &ca.pem);
    let f = only(&report, "smtp.certificate-untrusted");
    assert!(f.message.contains("is not trusted"), "{}", f.message);
}

#[test]
fn a_server_without_starttls_is_an_error() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("mx.smtp.test", false), Behaviour::NoStartTls);
    let report = probe(server.addr.port(), &ca.pem);
    let f = only(&report, "smtp.no-starttls");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("does not offer STARTTLS (its EHLO reply lists PIPELINING, 8BITMIME): mail to smtp.test travels unencrypted"),
        "{}",
        f.message
    );
}

#[test]
fn data_after_the_starttls_reply_and_a_refusal_are_bad_replies() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("mx.smtp.test", false), Behaviour::InjectsAfterStartTls);
    let report = probe(server.addr.port(), &ca.pem);
    let f = only(&report, "smtp.bad-reply");
    assert!(
        f.message
            .contains("the server sent more data after its STARTTLS reply"),
        "{}",
        f.message
    );

    let server = SmtpServer::start(ca.leaf("mx.smtp.test", false), Behaviour::Refuses);
    let report = probe(server.addr.port(), &ca.pem);
    let f = only(&report, "smtp.bad-reply");
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message
            .contains("the greeting (banner) was `554 no service for you`"),
        "{}",
        f.message
    );
}

#[test]
fn an_mx_host_shared_by_several_domains_is_probed_once_and_reported_for_each() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("mx.smtp.test", false), Behaviour::NoStartTls);
    let dns = world_server();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let report = run_yaml(
        &dns,
        &format!(
            "dns:\n  domain: [smtp.test, smtp2.test]\n  smtp: {{ probe: true, port: {}, ca: {} }}\n",
            server.addr.port(),
            ca_file.display()
        ),
    );
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "smtp.no-starttls")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with("mail to smtp.test travels unencrypted"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with("mail to smtp2.test travels unencrypted"))
    );
    assert_eq!(server.connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_closed_port_is_a_warning_that_names_blocked_port_25() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let report = probe(port, &TestCa::new().pem);
    let f = only(&report, "smtp.unreachable");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("block outgoing port 25"), "{}", f.message);
}

#[test]
fn the_probe_is_off_unless_enabled_and_a_bad_ca_file_is_a_configuration_error() {
    let dns = world_server();
    let report = run_yaml(&dns, "dns:\n  domain: smtp.test\n");
    assert!(report.checks.iter().all(|c| c.name != "SMTP STARTTLS"));

    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let file = launchgate_core::config::ConfigFile {
        path: "launchgate.yml".into(),
        source: format!(
            "dns:\n  domain: smtp.test\n  smtp: {{ probe: true, ca: {} }}\n",
            not_pem.display()
        ),
    };
    let config = launchgate_dns::config::load(&file).unwrap().unwrap();
    let e = launchgate_dns::check(&config, &crate::options(&dns)).unwrap_err();
    assert!(
        e.message().contains("holds no PEM certificate"),
        "{}",
        e.message()
    );
    assert!(e.message().contains(&not_pem.display().to_string()));

    let file = launchgate_core::config::ConfigFile {
        path: "launchgate.yml".into(),
        source: "dns:\n  domain: smtp.test\n  smtp: { probe: true, timeout_ms: 0 }\n".into(),
    };
    let e = launchgate_dns::config::load(&file).unwrap_err();
    assert!(
        e.message().contains("dns.smtp.timeout_ms must be 1 to 60000"),
        "{}",
        e.message()
    );
}

#[test]
fn the_command_line_turns_the_probe_on_without_a_configuration_file() {
    let ca = TestCa::new();
    let server = SmtpServer::start(ca.leaf("other.smtp.test", false), Behaviour::Good);
    let dns = world_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
    let port = server.addr.port().to_string();
    gate(dir.path(), &dns)
        .args(["--domain", "smtp.test", "--smtp-probe", "--smtp-port", &port])
        .args([
            "--smtp-ca",
            "ca.pem",
            "--smtp-timeout-ms",
            "2000",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("\"smtp.certificate-name-mismatch\""));
    gate(dir.path(), &dns)
        .args([
            "--domain",
            "smtp.test",
            "--smtp-probe",
            "--smtp-ca",
            "missing.pem",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "dns.smtp.ca `missing.pem`: cannot read it",
        ));
}
