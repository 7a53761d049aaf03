//! The round trip over TLS: IMAP with TLS from the first byte, SMTP with STARTTLS and with
//! TLS from the first byte, against the mail host presenting a certificate from a CA made
//! now, trusted through `mail.ca`.

use assert_cmd::Command;

use crate::mailhost::{MailHost, PASSWORD, ServerCert};
use crate::support::World;

/// The round trip's configuration: IMAP over TLS on `imap`, SMTP on `smtp` with `tls`,
/// trusting `ca` when given.
fn config(world: &World, imap: &str, smtp: (u16, &str), ca: Option<&str>) -> std::path::PathBuf {
    let ca = ca.map_or(String::new(), |ca| format!("  ca: {ca}\n"));
    world.save(
        "launchgate.yml",
        &format!(
            r#"mail:
  sending_domain: membership.example
  resolver: ["{dns}"]
  timeout: 500ms
{ca}  inboxes:
    - {{ name: seed, imap: "{imap}", user: seed@inbox.example, password: "${{SEED_PASSWORD}}" }}
  smtp: {{ server: "127.0.0.1:{port}", tls: {tls}, from: no-reply@membership.example }}
  messages:
    - {{ name: password reset, match: {{ subject: Reset your password }}, within: 20s }}
  roundtrip: {{ enabled: true, poll: 200ms }}
"#,
            dns = world.dns.url(),
            port = smtp.0,
            tls = smtp.1,
        ),
    )
}

fn roundtrip(config: &std::path::Path) -> (Option<i32>, String, String) {
    roundtrip_with(config, PASSWORD)
}

/// The round trip with `smtp_password` as `SMTP_PASSWORD`.
fn roundtrip_with(config: &std::path::Path, smtp_password: &str) -> (Option<i32>, String, String) {
    let output = Command::cargo_bin("launchgate-mail")
        .unwrap()
        .args(["roundtrip", "--format", "json", "--config"])
        .arg(config)
        .env("SEED_PASSWORD", PASSWORD)
        .env("SMTP_PASSWORD", smtp_password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for secret in [PASSWORD, smtp_password] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "a password was printed"
        );
    }
    (output.status.code(), stdout, stderr)
}

#[test]
fn imaps_and_smtp_with_starttls_or_tls_trusting_the_configured_ca() {
    let world = World::start(|_| {});
    let cert = ServerCert::make(world.dir.path(), "Mail host test CA");
    let host = MailHost::start_tls("INBOX", &cert);
    let tls = host.tls.as_ref().unwrap();
    let imap = format!("127.0.0.1:{}", tls.imaps);
    for smtp in [(tls.starttls, "starttls"), (tls.smtps, "tls")] {
        let (code, stdout, stderr) = roundtrip(&config(&world, &imap, smtp, Some("test-ca.pem")));
        // Found in the inbox and verified: unsigned, so one finding.
        assert_eq!(code, Some(1), "{}: {stderr}", smtp.1);
        let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let report = &doc["reports"][0];
        let row = report["tables"][0]["rows"][0].as_array().unwrap();
        assert_eq!(row[..3], ["password reset", "seed", "INBOX"], "{}", smtp.1);
        assert_eq!(report["findings"][0]["rule_id"], "mail.dkim-missing");
    }
}

#[test]
fn an_imap_server_with_an_untrusted_certificate_is_exit_2() {
    let world = World::start(|_| {});
    let cert = ServerCert::make(world.dir.path(), "Mail host test CA");
    let host = MailHost::start_tls("INBOX", &cert);
    let imaps = host.tls.as_ref().unwrap().imaps;
    let imap = format!("127.0.0.1:{imaps}");
    // Another CA than the one that signed the server's certificate, then the Mozilla roots.
    let other = tempfile::tempdir().unwrap();
    let other_ca = ServerCert::make(other.path(), "Another test CA").ca;
    for ca in [Some(other_ca.to_str().unwrap()), None] {
        let (code, _, stderr) = roundtrip(&config(&world, &imap, (host.smtp, "none"), ca));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "inbox `seed` (127.0.0.1:{imaps}): TLS: invalid peer certificate: UnknownIssuer"
            )) && stderr.contains("name its CA's certificate file in `mail.ca`"),
            "{stderr}"
        );
    }
}

#[test]
fn an_smtp_server_with_an_untrusted_certificate_is_exit_2() {
    let world = World::start(|_| {});
    let cert = ServerCert::make(world.dir.path(), "Mail host test CA");
    let host = MailHost::start_tls("INBOX", &cert);
    let tls = host.tls.as_ref().unwrap();
    let imap = format!("imap://127.0.0.1:{}", host.imap);
    for (port, mode) in [(tls.starttls, "starttls"), (tls.smtps, "tls")] {
        let (code, _, stderr) = roundtrip(&config(&world, &imap, (port, mode), None));
        assert_eq!(code, Some(2), "{mode}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "mail.smtp 127.0.0.1:{port}: the test message was not accepted:"
            )) && stderr.contains("UnknownIssuer"),
            "{mode}: {stderr}"
        );
    }
    // The server requires STARTTLS: sending without TLS is refused, not skipped.
    let (code, _, stderr) = roundtrip(&config(&world, &imap, (tls.starttls, "none"), None));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("the test message was not accepted"), "{stderr}");
}

#[test]
fn a_ca_file_without_a_certificate_is_exit_2_naming_it() {
    let world = World::start(|_| {});
    world.save("not-a-ca.pem", "ca: none here\n");
    let path = config(&world, "127.0.0.1:1", (1, "tls"), Some("not-a-ca.pem"));
    let (code, _, stderr) = roundtrip(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("mail.ca `") && stderr.contains("not-a-ca.pem`: it holds no PEM certificate"),
        "{stderr}"
    );
    assert!(stderr.contains("name a PEM file of CA certificates"), "{stderr}");

    let path = config(&world, "127.0.0.1:1", (1, "tls"), Some("certs/missing-ca.pem"));
    let (code, _, stderr) = roundtrip(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("mail.ca `") && stderr.contains("certs/missing-ca.pem`: "),
        "{stderr}"
    );
}

#[test]
fn smtp_login_over_starttls_and_tls_and_a_wrong_password_is_exit_2() {
    let world = World::start(|_| {});
    let cert = ServerCert::make(world.dir.path(), "Mail host test CA");
    let host = MailHost::start_tls("INBOX", &cert);
    let tls = host.tls.as_ref().unwrap();
    let imap = format!("imap://127.0.0.1:{}", host.imap);
    for (port, mode) in [(tls.starttls, "starttls"), (tls.smtps, "tls")] {
        let path = config(&world, &imap, (port, mode), Some("test-ca.pem"));
        let yaml = std::fs::read_to_string(&path).unwrap().replace(
            ", from: no-reply",
            ", user: seed@inbox.example, password: \"${SMTP_PASSWORD}\", from: no-reply",
        );
        std::fs::write(&path, yaml).unwrap();
        let (code, stdout, stderr) = roundtrip_with(&path, PASSWORD);
        assert_eq!(code, Some(1), "{mode}: {stderr}");
        assert!(stdout.contains("\"Time to inbox\""), "{mode}: {stdout}");

        let (code, _, stderr) = roundtrip_with(&path, "wrong-smtp-password-Vb6");
        assert_eq!(code, Some(2), "{mode}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "mail.smtp 127.0.0.1:{port}: the test message was not accepted:"
            )) && stderr.contains("535"),
            "{mode}: {stderr}"
        );
    }
}
