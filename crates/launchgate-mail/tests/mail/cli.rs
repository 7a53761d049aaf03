//! The binary: exit codes, output formats, and nothing of the message's secrets printed.

use assert_cmd::Command;

use crate::support::{PROVIDER_IP, World};

fn mail() -> Command {
    Command::cargo_bin("launchgate-mail").unwrap()
}

#[test]
fn exit_codes_follow_the_findings_and_the_reset_token_is_never_printed() {
    let world = World::start(|_| {});
    let good = world.save("reset.eml", &world.aligned());
    let ns = world.dns.url();
    mail()
        .args([
            "verify",
            "--sending-domain",
            "membership.example",
            "--nameserver",
            &ns,
        ])
        .arg(&good)
        .assert()
        .code(0);

    let text = world.delivered(
        "https://app.membership.example/reset?token=k7Q2xV9pL4mN8rT1",
        (&world.provider, "provider.example", "pm"),
        "b@bounces.provider.example",
        PROVIDER_IP,
    );
    let bad = world.save("provider.eml", &text);
    for format in ["human", "json", "sarif", "markdown"] {
        let output = mail()
            .args(["verify", "--nameserver", &ns, "--format", format])
            .arg(&bad)
            .arg(&good)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("mail.dmarc-fail"), "{format}: {text}");
        assert!(
            !text.contains("k7Q2xV9pL4mN8rT1"),
            "{format} printed the reset token"
        );
        assert!(!String::from_utf8_lossy(&output.stderr).contains("k7Q2xV9pL4mN8rT1"));
    }
}

#[test]
fn input_errors_exit_2_and_name_the_input() {
    let world = World::start(|_| {});
    let missing = world.dir.path().join("missing.eml");
    let output = mail().arg("verify").arg(&missing).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.eml"));

    let huge = world.dir.path().join("huge.eml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(26 * 1024 * 1024)
        .unwrap();
    let output = mail().arg("verify").arg(&huge).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("huge.eml") && stderr.contains("25 MiB"),
        "{stderr}"
    );

    let good = world.save("reset.eml", &world.aligned());
    let output = mail()
        .args(["verify", "--nameserver", "dns.example"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`dns.example` is not a name server address"));
}

#[test]
fn lists_its_rules() {
    let output = mail().arg("--list-rules").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("mail.dmarc-fail") && text.contains("mail.one-click-unsubscribe"));
}

#[test]
fn a_damaged_state_file_is_exit_2_naming_the_mail_state_file_before_anything_is_sent() {
    let world = World::start(|_| {});
    // Nothing listens on port 1: the round trip would fail with another error.
    let config = world.save(
        "launchgate.yml",
        "mail:\n  inboxes:\n    - { name: seed, imap: \"imap://127.0.0.1:1\", user: seed@inbox.example, password: \"${SEED_PASSWORD}\" }\n  messages:\n    - { name: password reset, match: { subject: Reset } }\n  roundtrip: { enabled: true }\n",
    );
    let damaged = world.save("mail-state.json", "{\"runs\": \"three\"}");
    let huge = world.save("huge-state.json", &" ".repeat(65 * 1024));
    for (state, expected) in [
        (
            &damaged,
            format!(
                "--state {}: not a launchgate-mail state file (",
                damaged.display()
            ),
        ),
        (
            &huge,
            "the most launchgate reads for a launchgate-mail state file".to_string(),
        ),
    ] {
        let output = mail()
            .args(["roundtrip", "--fail-after", "2", "--state"])
            .arg(state)
            .arg("--config")
            .arg(&config)
            .env("SEED_PASSWORD", "seed-app-password-7Hq2")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&expected), "{stderr}");
        assert!(
            !stderr.contains("smoke") && !stderr.contains("inbox `seed`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("delete the file to start counting afresh"),
            "{stderr}"
        );
    }
}
