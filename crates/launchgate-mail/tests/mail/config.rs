//! The `mail:` section: the example configuration loads, `launchgate check`'s entry point
//! verifies the saved messages and skips the round trip, and mistakes point into the file.

use launchgate_core::CheckStatus;
use launchgate_core::config::ConfigFile;
use launchgate_mail::check_configured;

use crate::support::World;
use crate::{finding, ids};

fn file(world: &World, yaml: &str) -> ConfigFile {
    ConfigFile {
        path: world.dir.path().join("launchgate.yml"),
        source: yaml.to_string(),
    }
}

fn example(world: &World, roundtrip: &str) -> String {
    format!(
        r#"mail:
  sending_domain: membership.example
  resolver: ["{}"]
  timeout: 500ms
  inboxes:
    - {{ name: gmail-seed, imap: "imap.gmail.com:993", user: "${{SEED_GMAIL_USER}}", password: "${{SEED_GMAIL_APP_PASSWORD}}" }}
    - {{ name: outlook-seed, imap: "outlook.office365.com:993", user: "${{SEED_OUTLOOK_USER}}", oauth_token: "${{SEED_OUTLOOK_TOKEN}}" }}
  messages:
    - name: password reset
      kind: transactional
      saved: reset.eml
      trigger: {{ post: "https://app.membership.example/api/password-reset", json: {{ email: "${{SEED_GMAIL_USER}}" }} }}
      match: {{ subject: "Reset your password", from: no-reply@membership.example }}
      within: 5m
    - name: newsletter
      kind: bulk
      saved: news.eml
  roundtrip: {roundtrip}
"#,
        world.dns.url()
    )
}

#[test]
fn check_verifies_the_saved_messages_and_says_the_round_trip_was_not_run() {
    let world = World::start(|_| {});
    world.save("reset.eml", &world.aligned());
    // The same message as bulk mail: one-click unsubscribe is now required.
    world.save("news.eml", &world.aligned());
    let config = file(
        &world,
        &example(&world, "{ enabled: false, poll: 10s, after: archive }"),
    );
    let report = check_configured(&config, world.dir.path()).unwrap();
    assert_eq!(report.gate, "mail");
    assert_eq!(ids(&report), ["mail.one-click-unsubscribe"]);
    let f = finding(&report, "mail.one-click-unsubscribe");
    assert!(f.location.as_ref().unwrap().path.ends_with("news.eml"));
    let statuses: Vec<(&str, CheckStatus)> = report
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.status))
        .collect();
    assert_eq!(statuses.len(), 3);
    assert_eq!(statuses[0].1, CheckStatus::Passed);
    assert_eq!(statuses[1].1, CheckStatus::Failed);
    assert_eq!(statuses[2], ("round trip", CheckStatus::Skipped));
    assert_eq!(
        report.checks[2].detail.as_deref(),
        Some("not run: mail.roundtrip.enabled is false (the round trip sends real mail)")
    );
}

#[test]
fn mistakes_in_the_section_point_at_file_line_and_column() {
    let world = World::start(|_| {});
    let typo = file(&world, "mail:\n  sending_domian: membership.example\n");
    let e = check_configured(&typo, world.dir.path()).unwrap_err();
    assert!(
        e.message().contains("unknown field `sending_domian`"),
        "{}",
        e.message()
    );
    assert_eq!(e.position(), Some((2, 3)));

    let yaml = example(&world, "{ enabled: false }").replace(r#", oauth_token: "${SEED_OUTLOOK_TOKEN}""#, "");
    let e = check_configured(&file(&world, &yaml), world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.inboxes `outlook-seed` needs exactly one of password and oauth_token"
    );
    assert_eq!(e.position(), Some((7, 15)));

    let e = check_configured(
        &file(&world, "mail:\n  sending_domain: membership\n"),
        world.dir.path(),
    )
    .unwrap_err();
    assert_eq!(e.position(), Some((2, 19)));
    // A secret in the file is never shown in the error.
    let yaml = example(&world, "{ enabled: false }")
        .replace("${SEED_GMAIL_APP_PASSWORD}", "hunter2-app-password")
        .replace("imap.gmail.com:993", "imap.gmail.com");
    let e = check_configured(&file(&world, &yaml), world.dir.path()).unwrap_err();
    assert!(
        !e.render(false).contains("hunter2-app-password"),
        "{}",
        e.render(false)
    );
}

#[test]
fn a_configuration_without_saved_messages_says_so() {
    let world = World::start(|_| {});
    let config = file(&world, "mail:\n  sending_domain: membership.example\n");
    let report = check_configured(&config, world.dir.path()).unwrap();
    assert!(report.findings.is_empty());
    assert_eq!(report.checks[0].status, CheckStatus::Skipped);
    assert_eq!(report.checks[1].name, "round trip");
}

/// IMAP SEARCH cannot carry a line break: such a match is an input error pointing at the
/// message, not a round trip that waits and reports the message as never delivered.
#[test]
fn a_match_with_a_line_break_is_refused_before_anything_is_sent() {
    let world = World::start(|_| {});
    let yaml = example(&world, "{ enabled: true }").replace(
        r#"subject: "Reset your password""#,
        r#"subject: "Reset your\npassword""#,
    );
    let e = check_configured(&file(&world, &yaml), world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.messages `password reset`: match holds a line break, which IMAP cannot search for"
    );
    assert_eq!(e.position(), Some((9, 13)));
}

/// Plain IMAP or SMTP without TLS is for a server on this machine: to any other host it
/// would send the inbox's password or the app's SMTP credentials in clear.
#[test]
fn credentials_never_go_in_clear_to_another_machine() {
    let world = World::start(|_| {});
    let yaml =
        example(&world, "{ enabled: true }").replace("imap.gmail.com:993", "imap://imap.gmail.com:143");
    let e = check_configured(&file(&world, &yaml), world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.inboxes `gmail-seed`: `imap://imap.gmail.com:143` would send the inbox's credential in clear over the network"
    );
    assert_eq!(e.position(), Some((6, 34)));

    let smtp = |server: &str| {
        format!(
            "{}  smtp: {{ server: \"{server}\", tls: none, user: app, password: \"${{SMTP_PASSWORD}}\", from: no-reply@membership.example }}\n",
            example(&world, "{ enabled: false }")
        )
    };
    let e = check_configured(&file(&world, &smtp("smtp.provider.example:25")), world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.smtp: `tls: none` would send the test message and the credentials in clear to smtp.provider.example:25"
    );
    assert_eq!(e.position().map(|(line, _)| line), Some(19));
    // On this machine it is allowed, as the round-trip tests use it.
    world.save("reset.eml", &world.aligned());
    world.save("news.eml", &world.aligned());
    check_configured(&file(&world, &smtp("127.0.0.1:2525")), world.dir.path()).unwrap();
}

/// A user without a password (or the reverse) used to send without logging in at all, so
/// the server's refusal named anything but the missing half.
#[test]
fn smtp_credentials_come_in_pairs() {
    let world = World::start(|_| {});
    let yaml = format!(
        "{}  smtp: {{ server: \"smtp.provider.example:587\", user: app, from: no-reply@membership.example }}\n",
        example(&world, "{ enabled: false }")
    );
    let e = check_configured(&file(&world, &yaml), world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.smtp needs both user and password, or neither (a server that takes mail without logging in)"
    );
    assert_eq!(e.position(), Some((19, 20)));
}

/// A zero poll would ask the seed inboxes again and again without a pause until `within`.
#[test]
fn a_zero_poll_is_refused() {
    let world = World::start(|_| {});
    let yaml = example(&world, "{ enabled: true, poll: 0s }");
    let e = check_configured(&file(&world, &yaml), world.dir.path()).unwrap_err();
    assert_eq!(
        e.message(),
        "mail.roundtrip.poll is zero: the inboxes would be asked again without a pause"
    );
    assert_eq!(e.position(), Some((18, 31)));
}
