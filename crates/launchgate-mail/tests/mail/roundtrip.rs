//! The round trip against a receiving host on 127.0.0.1: aiosmtpd accepts the test message,
//! the harness delivers it into pymap's seed mailbox (or drops it), the gate polls over IMAP.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

use crate::mailhost::{MailHost, PASSWORD};
use crate::support::{World, python};

pub fn config(world: &World, host: &MailHost, within: &str) -> std::path::PathBuf {
    world.save(
        "launchgate.yml",
        &format!(
            r#"mail:
  sending_domain: membership.example
  resolver: ["{dns}"]
  timeout: 500ms
  inboxes:
    - {{ name: seed, imap: "imap://127.0.0.1:{imap}", user: seed@inbox.example, password: "${{SEED_PASSWORD}}" }}
  smtp: {{ server: "127.0.0.1:{smtp}", tls: none, from: no-reply@membership.example }}
  messages:
    - {{ name: password reset, match: {{ subject: Reset your password }}, within: {within} }}
  roundtrip: {{ enabled: true, poll: 200ms }}
"#,
            dns = world.dns.url(),
            imap = host.imap,
            smtp = host.smtp,
        ),
    )
}

/// The round trip's configuration with the password written in (no environment to set
/// in-process), for `check_configured`.
pub fn in_process(world: &World, host: &MailHost) -> (std::path::PathBuf, String) {
    let path = config(world, host, "20s");
    let yaml = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"${SEED_PASSWORD}\"", PASSWORD);
    (path, yaml)
}

pub fn roundtrip(config: &Path, password: &str) -> (Option<i32>, String, String) {
    let output = Command::cargo_bin("launchgate-mail")
        .unwrap()
        .args(["roundtrip", "--format", "json", "--config"])
        .arg(config)
        .env("SEED_PASSWORD", password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stdout.contains(password) && !stderr.contains(password),
        "the password was printed"
    );
    (output.status.code(), stdout, stderr)
}

#[test]
fn a_message_delivered_to_junk_is_found_there_and_reported() {
    let world = World::start(|_| {});
    let host = MailHost::start("Junk");
    let (code, stdout, stderr) = roundtrip(&config(&world, &host, "20s"), PASSWORD);
    assert_eq!(code, Some(1), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let report = &doc["reports"][0];
    let junk = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "mail.junk")
        .expect("a mail.junk finding");
    assert_eq!(
        junk["message"],
        "`password reset` was delivered to Junk in inbox `seed`"
    );
    let table = &report["tables"][0];
    assert_eq!(table["title"], "Time to inbox");
    assert_eq!(table["rows"][0][2], "Junk");
    // Then verified: delivered by the listed address, aligned SPF, but unsigned.
    assert!(stdout.contains("mail.dkim-missing"));
}

#[test]
fn a_message_that_never_arrives_fails_at_its_deadline() {
    let world = World::start(|_| {});
    let host = MailHost::start("drop");
    let (code, stdout, stderr) = roundtrip(&config(&world, &host, "1s"), PASSWORD);
    assert_eq!(code, Some(1), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let finding = &doc["reports"][0]["findings"][0];
    assert_eq!(finding["rule_id"], "mail.not-delivered");
    assert_eq!(
        finding["message"],
        "`password reset` did not arrive in inbox `seed` within 1s"
    );
}

#[test]
fn an_imap_login_failure_is_exit_2_and_never_prints_the_password() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let wrong = "wrong-password-Zk81";
    let (code, _, stderr) = roundtrip(&config(&world, &host, "5s"), wrong);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("inbox `seed` (127.0.0.1:")
            && stderr.contains("the server refused the login of seed@inbox.example"),
        "{stderr}"
    );
}

#[test]
fn check_runs_the_round_trip_when_enabled() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let (path, yaml) = in_process(&world, &host);
    let file = launchgate_core::config::ConfigFile { path, source: yaml };
    let report = launchgate_mail::check_configured(&file, world.dir.path()).unwrap();
    let check = report
        .checks
        .iter()
        .find(|c| c.name == "round trip password reset")
        .unwrap();
    assert!(
        check.detail.as_deref().unwrap().starts_with("INBOX after "),
        "{:?}",
        check.detail
    );
    assert_eq!(report.tables[0].title, "Time to inbox");
    assert_eq!(report.tables[0].rows[0][..3], ["password reset", "seed", "INBOX"]);
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["mail.dkim-missing"]);
}

fn triggered(world: &World, host: &MailHost, path: &str) -> std::path::PathBuf {
    world.save(
        "launchgate.yml",
        &format!(
            r#"mail:
  sending_domain: membership.example
  resolver: ["{dns}"]
  timeout: 500ms
  link_domains: [127.0.0.1]
  inboxes:
    - {{ name: seed, imap: "imap://127.0.0.1:{imap}", user: seed@inbox.example, password: "${{SEED_PASSWORD}}" }}
  messages:
    - name: password reset
      trigger: {{ post: "http://127.0.0.1:{http}{path}", json: {{ email: "${{SEED_PASSWORD_USER}}" }} }}
      match: {{ subject: Reset your password, from: no-reply@membership.example }}
      within: 20s
  roundtrip: {{ enabled: true, poll: 200ms }}
"#,
            dns = world.dns.url(),
            imap = host.imap,
            http = host.http,
        ),
    )
}

/// `launchgate-mail roundtrip` with a trigger posting to `path` of the product.
fn run_triggered(world: &World, host: &MailHost, path: &str) -> std::process::Output {
    Command::cargo_bin("launchgate-mail")
        .unwrap()
        .args(["roundtrip", "--format", "json", "--config"])
        .arg(triggered(world, host, path))
        .env("SEED_PASSWORD", PASSWORD)
        .env("SEED_PASSWORD_USER", "seed@inbox.example")
        .output()
        .unwrap()
}

#[test]
fn an_http_trigger_makes_the_product_send_and_the_message_is_found() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let output = run_triggered(&world, &host, "/api/password-reset");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let report = &doc["reports"][0];
    assert_eq!(report["tables"][0]["rows"][0][2], "INBOX");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["mail.link-broken", "mail.dkim-missing", "mail.insecure-link"]
    );
    let broken = &report["findings"][0];
    assert_eq!(
        broken["message"],
        format!(
            "the link http://127.0.0.1:{}/help answers 404 Not Found",
            host.http
        )
    );
    assert!(!stdout.contains("r8Kq"), "the reset token was printed");
}

/// A trigger address that cannot be requested is the configuration's mistake: exit 2 naming
/// the message and the variable, never the variable's value, and no finding about the product.
#[test]
fn a_trigger_url_that_is_not_one_is_exit_2_naming_the_variable() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let config = triggered(&world, &host, "/api/password-reset");
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        &format!("http://127.0.0.1:{}/api/password-reset", host.http),
        "${RESET_URL}",
    );
    std::fs::write(&config, yaml).unwrap();
    let value = "app.membership.example/reset?key=Xq7vP2mK9w";
    let output = Command::cargo_bin("launchgate-mail")
        .unwrap()
        .args(["roundtrip", "--config"])
        .arg(&config)
        .env("SEED_PASSWORD", PASSWORD)
        .env("SEED_PASSWORD_USER", "seed@inbox.example")
        .env("RESET_URL", value)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("mail.messages `password reset` trigger: `${RESET_URL}` is not an http or https URL"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Xq7vP2mK9w") && output.stdout.is_empty(),
        "{stderr}"
    );
}

/// A header value HTTP cannot carry (a line break read from the environment) is exit 2
/// naming the message, never the value.
#[test]
fn a_trigger_header_http_cannot_carry_is_exit_2() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let config = triggered(&world, &host, "/api/password-reset");
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        "json: {",
        "headers: { Authorization: \"${RESET_AUTH}\" }, json: {",
    );
    std::fs::write(&config, yaml).unwrap();
    let output = Command::cargo_bin("launchgate-mail")
        .unwrap()
        .args(["roundtrip", "--config"])
        .arg(&config)
        .env("SEED_PASSWORD", PASSWORD)
        .env("SEED_PASSWORD_USER", "seed@inbox.example")
        .env("RESET_AUTH", "Bearer Jw4kT9\nzQ2")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "mail.messages `password reset` trigger: a header name or value cannot be sent over HTTP"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("Jw4kT9") && output.stdout.is_empty(), "{stderr}");
}

#[test]
fn a_trigger_the_product_refuses_is_a_finding() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let output = run_triggered(&world, &host, "/api/broken");
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &doc["reports"][0]["findings"][0];
    assert_eq!(finding["rule_id"], "mail.trigger-failed");
    assert_eq!(
        finding["message"],
        format!(
            "POST http://127.0.0.1:{}/api/broken answered 500 Internal Server Error",
            host.http
        )
    );
}

#[test]
fn a_scheduled_round_trip_fails_after_two_missed_runs_in_a_row() {
    let world = World::start(|_| {});
    let host = MailHost::start("drop");
    let config = config(&world, &host, "1s");
    let state = world.dir.path().join("mail-state.json");
    let run = || {
        Command::cargo_bin("launchgate-mail")
            .unwrap()
            .args(["roundtrip", "--fail-after", "2", "--state"])
            .arg(&state)
            .arg("--config")
            .arg(&config)
            .env("SEED_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&first.stdout).contains("failed run 1 of 2 in a row"));
    let second = run();
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stdout).contains("2 consecutive failed runs (threshold 2)"));
}

/// How many messages each folder of the seed mailbox holds, as `NAME=COUNT` words.
fn counts(host: &MailHost) -> String {
    let script = format!(
        "import imaplib\nc = imaplib.IMAP4('127.0.0.1', {})\nc.login('seed@inbox.example', '{PASSWORD}')\nfor f in ('INBOX', 'Archive'):\n    t, d = c.select(f, readonly=True)\n    print(f + '=' + (d[0].decode() if t == 'OK' else 'none'), end=' ')\n",
        host.imap
    );
    let output = Process::new(python()).args(["-c", &script]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn messages_found_are_archived_or_deleted_as_configured() {
    let world = World::start(|_| {});
    for (after, expected) in [
        ("archive", "INBOX=0 Archive=1"),
        ("delete", "INBOX=0 Archive=none"),
    ] {
        let host = MailHost::start("INBOX");
        let path = config(&world, &host, "20s");
        let yaml = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"${SEED_PASSWORD}\"", PASSWORD)
            .replace("poll: 200ms }", &format!("poll: 200ms, after: {after} }}"));
        let file = launchgate_core::config::ConfigFile { path, source: yaml };
        let report = launchgate_mail::check_configured(&file, world.dir.path()).unwrap();
        assert_eq!(report.tables[0].rows[0][2], "INBOX", "{after}");
        assert_eq!(counts(&host), expected, "{after}");
    }
}

#[test]
fn each_message_is_looked_for_in_its_own_inbox() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let (path, yaml) = in_process(&world, &host);
    // A second seed inbox (here the same mailbox), named by the message.
    let second = yaml
        .lines()
        .find(|l| l.contains("name: seed"))
        .unwrap()
        .replace("name: seed", "name: outlook-seed");
    let yaml = yaml
        .replace("  smtp:", &format!("{second}\n  smtp:"))
        .replace("within: 20s }", "within: 20s, inbox: outlook-seed }");
    let file = launchgate_core::config::ConfigFile {
        path: path.clone(),
        source: yaml.clone(),
    };
    let report = launchgate_mail::check_configured(&file, world.dir.path()).unwrap();
    assert_eq!(
        report.tables[0].rows[0][..3],
        ["password reset", "outlook-seed", "INBOX"]
    );

    let unknown = launchgate_core::config::ConfigFile {
        path,
        source: yaml.replace("inbox: outlook-seed", "inbox: yahoo-seed"),
    };
    let e = launchgate_mail::check_configured(&unknown, world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.messages `password reset` names inbox `yahoo-seed`, which mail.inboxes does not list"
    );
    assert_eq!(e.position().map(|(line, _)| line), Some(10));
}
