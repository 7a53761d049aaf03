//! Logging in to a seed inbox with an OAuth2 access token (XOAUTH2), against pymap checking
//! the token itself.

use assert_cmd::Command;

use crate::mailhost::{MailHost, PASSWORD, TOKEN};
use crate::support::World;

fn config(world: &World, host: &MailHost) -> std::path::PathBuf {
    world.save(
        "launchgate.yml",
        &format!(
            r#"mail:
  sending_domain: membership.example
  resolver: ["{dns}"]
  timeout: 500ms
  inboxes:
    - {{ name: seed, imap: "imap://127.0.0.1:{imap}", user: seed@inbox.example, oauth_token: "${{SEED_TOKEN}}" }}
  smtp: {{ server: "127.0.0.1:{smtp}", tls: none, from: no-reply@membership.example }}
  messages:
    - {{ name: password reset, match: {{ subject: Reset your password }}, within: 20s }}
  roundtrip: {{ enabled: true, poll: 200ms }}
"#,
            dns = world.dns.url(),
            imap = host.imap,
            smtp = host.smtp,
        ),
    )
}

/// `launchgate-mail roundtrip` with `token` as the seed inbox's access token.
fn roundtrip(world: &World, host: &MailHost, token: &str) -> (Option<i32>, String, String) {
    let output = Command::cargo_bin("launchgate-mail")
        .unwrap()
        .args(["roundtrip", "--format", "json", "--config"])
        .arg(config(world, host))
        .env("SEED_TOKEN", token)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stdout.contains(token) && !stderr.contains(token),
        "the token was printed:\n{stdout}\n{stderr}"
    );
    (output.status.code(), stdout, stderr)
}

#[test]
fn the_right_token_logs_in_and_the_message_is_found() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    let (code, stdout, stderr) = roundtrip(&world, &host, TOKEN);
    // Found in the inbox, then verified: unsigned, so one finding and exit 1.
    assert_eq!(code, Some(1), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let report = &doc["reports"][0];
    assert_eq!(report["tables"][0]["title"], "Time to inbox");
    let row = report["tables"][0]["rows"][0].as_array().unwrap();
    assert_eq!(row[..3], ["password reset", "seed", "INBOX"]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["mail.dkim-missing"]);
}

#[test]
fn a_wrong_token_is_exit_2_and_never_printed() {
    let world = World::start(|_| {});
    let host = MailHost::start("INBOX");
    for wrong in ["ya29.expired-token-Pw3Lk", PASSWORD] {
        let (code, stdout, stderr) = roundtrip(&world, &host, wrong);
        assert_eq!(code, Some(2), "{stdout}{stderr}");
        assert!(
            stderr.contains(&format!("inbox `seed` (127.0.0.1:{})", host.imap))
                && stderr.contains("the server refused the login of seed@inbox.example"),
            "{stderr}"
        );
    }
    // Each refusal came as Gmail sends it, an error challenge, answered empty: the token
    // was not sent again.
    assert_eq!(
        host.sasl_log(),
        "error challenge answered: empty\nerror challenge answered: empty\n"
    );
}
