//! Bad input: what is not a message, a header bomb, an over-size file, a key record that
//! does not parse, a name server that never answers. Each a finding or exit 2, bounded.

use launchgate_core::Severity;
use launchgate_mail::verify;

use crate::support::{PROVIDER_IP, World};
use crate::{finding, ids};

#[test]
fn what_is_not_a_message_is_a_finding_and_nothing_else_is_checked() {
    let world = World::start(|_| {});
    let path = world.save("scan.eml", "%PDF-1.7\n\u{0}\u{1}binary\n");
    let report = verify(&[path], &world.options()).unwrap();
    assert_eq!(ids(&report), ["mail.malformed"]);
    assert_eq!(
        finding(&report, "mail.malformed").message,
        "line 1 is neither a header field nor the blank line before the body; nothing else was checked"
    );
}

#[test]
fn a_header_bomb_is_refused_before_parsing() {
    let world = World::start(|_| {});
    let many = "X-Tracking: 1\r\n".repeat(20_000);
    let path = world.save(
        "fields.eml",
        &format!("From: a@membership.example\r\n{many}\r\nbody\r\n"),
    );
    let folded = format!(
        "From: a@membership.example\r\nSubject: x\r\n{}\r\nbody\r\n",
        " y\r\n".repeat(200_000)
    );
    let long = world.save("folded.eml", &folded);
    let report = verify(&[path, long], &world.options()).unwrap();
    let messages: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the message has more than 1000 header fields; nothing else was checked",
            "the header field at line 2 is folded over more than 64 KiB; nothing else was checked",
        ]
    );
}

#[test]
fn a_key_record_that_does_not_parse_is_a_key_finding() {
    let world = World::start(|zone| {
        zone.txt(
            "bad._domainkey.membership.example",
            "v=DKIM1; k=rsa; p=@@not-base64@@",
        );
    });
    let text = world.delivered(
        "https://membership.example/reset",
        (&world.own, "membership.example", "bad"),
        "bounce@membership.example",
        PROVIDER_IP,
    );
    let path = world.save("bad-key.eml", &text);
    let report = verify(&[path], &world.options()).unwrap();
    let f = finding(&report, "mail.dkim-key");
    assert_eq!(
        f.message,
        "DKIM signature d=membership.example s=bad cannot be checked: the key record does not parse at bad._domainkey.membership.example"
    );
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn a_name_server_that_never_answers_is_a_timeout_finding() {
    let world = World::start(|zone| {
        zone.silent("s1._domainkey.membership.example");
    });
    let path = world.save("reset.eml", &world.aligned());
    let report = verify(&[path], &world.options()).unwrap();
    let f = finding(&report, "mail.dns-timeout");
    assert!(
        f.message.starts_with("the key for DKIM signature d=membership.example s=s1 could not be fetched from s1._domainkey.membership.example"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn a_verification_past_its_deadline_stops_with_a_finding() {
    let world = World::start(|zone| {
        zone.silent("s1._domainkey.membership.example");
    });
    let path = world.save("reset.eml", &world.aligned());
    let mut options = world.options();
    options.timeout = std::time::Duration::from_secs(5);
    options.deadline = std::time::Duration::from_millis(300);
    let report = verify(&[path], &options).unwrap();
    assert_eq!(
        finding(&report, "mail.dns-timeout").message,
        "authentication did not finish within 300ms: DNS did not answer"
    );
}
