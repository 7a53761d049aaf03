//! The authentication cases: aligned and passing, signed by the provider only, body
//! changed after signing, a 1024-bit key, SPF softfail for the written sending address.

use launchgate_core::{CheckStatus, Severity};
use launchgate_mail::verify;

use crate::support::{PROVIDER_IP, World, line_of, received, reset_message, sign};
use crate::{finding, ids};

#[test]
fn an_aligned_signed_message_passes_every_check() {
    let world = World::start(|_| {});
    let path = world.save("reset.eml", &world.aligned());
    let report = verify(&[path], &world.options()).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.checks[0].status, CheckStatus::Passed);
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("dkim=pass spf=pass dmarc=pass")
    );
    let table = &report.tables[0];
    assert_eq!(
        table.rows[0][2..],
        ["DKIM", "membership.example", "pass", "yes (relaxed)"]
    );
    assert_eq!(
        table.rows[1][2..],
        ["SPF", "membership.example", "pass", "yes (relaxed)"]
    );
}

#[test]
fn a_message_signed_only_by_the_provider_fails_dmarc_alignment() {
    let world = World::start(|_| {});
    let text = world.delivered(
        "https://app.membership.example/reset",
        (&world.provider, "provider.example", "pm"),
        "b-1@bounces.provider.example",
        PROVIDER_IP,
    );
    let path = world.save("provider.eml", &text);
    let report = verify(std::slice::from_ref(&path), &world.options()).unwrap();
    assert_eq!(ids(&report), ["mail.dmarc-fail"]);
    let f = finding(&report, "mail.dmarc-fail");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.message,
        "DMARC fails for From membership.example: DKIM d=provider.example (pass, not aligned); SPF domain=bounces.provider.example (pass, not aligned)"
    );
    let location = f.location.as_ref().unwrap();
    assert_eq!(
        (location.path.as_str(), location.line),
        (path.to_str().unwrap(), Some(line_of(&text, "From:")))
    );
    assert!(f.help.as_deref().unwrap().contains("d=membership.example"));
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("dkim=pass spf=pass dmarc=fail")
    );
}

#[test]
fn a_body_changed_after_signing_fails_dkim_and_contradicts_the_receiver() {
    let world = World::start(|_| {});
    let text = world
        .aligned()
        .replace("Reset your password:", "Reset your password now:");
    let text = format!(
        "Authentication-Results: mx.inbox.example;\r\n dkim=pass header.d=membership.example; spf=pass; dmarc=pass\r\n{text}"
    );
    let path = world.save("changed.eml", &text);
    let report = verify(&[path], &world.options()).unwrap();
    let f = finding(&report, "mail.dkim-fail");
    assert_eq!(
        f.message,
        "DKIM signature d=membership.example s=s1 fails: the body changed after signing (body hash mismatch)"
    );
    assert_eq!(f.location.as_ref().unwrap().line, Some(6));
    // SPF still aligns, so DMARC passes; the receiver's dkim=pass disagrees with now.
    let f = finding(&report, "mail.auth-results-disagree");
    assert_eq!(
        f.message,
        "Authentication-Results says dkim=pass; verified now: dkim=fail"
    );
    assert_eq!(f.location.as_ref().unwrap().line, Some(1));
    assert_eq!(ids(&report), ["mail.auth-results-disagree", "mail.dkim-fail"]);
}

#[test]
fn a_1024_bit_key_is_reported_and_still_verifies() {
    let world = World::start(|_| {});
    let text = world.delivered(
        "https://membership.example/reset",
        (&world.weak, "membership.example", "old"),
        "bounce@membership.example",
        PROVIDER_IP,
    );
    let path = world.save("weak.eml", &text);
    let report = verify(&[path], &world.options()).unwrap();
    assert_eq!(ids(&report), ["mail.dkim-weak-key"]);
    let f = finding(&report, "mail.dkim-weak-key");
    assert_eq!(
        f.message,
        "DKIM signature d=membership.example s=old uses a 1024-bit RSA key"
    );
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("dkim=pass spf=pass dmarc=pass")
    );
}

#[test]
fn spf_softfails_for_a_sending_address_outside_the_record() {
    let world = World::start(|_| {});
    let text = world.delivered(
        "https://membership.example/reset",
        (&world.provider, "provider.example", "pm"),
        "bounce@membership.example",
        "198.51.100.7",
    );
    let path = world.save("softfail.eml", &text);
    let report = verify(&[path], &world.options()).unwrap();
    let f = finding(&report, "mail.spf-fail");
    assert_eq!(
        f.message,
        "SPF softfail for 198.51.100.7 sending as membership.example: the address is not in membership.example's SPF record"
    );
    assert_eq!(f.subject.as_deref(), Some("Return-Path"));
    assert_eq!(f.location.as_ref().unwrap().line, Some(1));
    assert_eq!(ids(&report), ["mail.dmarc-fail", "mail.spf-fail"]);
}

#[test]
fn a_body_length_limit_and_the_content_rules_are_reported() {
    let world = World::start(|_| {});
    let message = reset_message(
        "no-reply@membership.example",
        "http://click.tracker.example/c?u=1",
    )
    .replace("To: seed", "Reply-To: help@support-desk.example\r\nTo: seed")
    .replace(
        "Message-ID: <reset-1@membership.example>",
        "Message-ID: <x@localhost>",
    );
    let signed = sign(&message, &world.own, "membership.example", "s1", true);
    let path = world.save(
        "content.eml",
        &received(&signed, "bounce@membership.example", PROVIDER_IP),
    );
    let mut options = world.options();
    options.kind = launchgate_mail::Kind::Bulk;
    let report = verify(&[path], &options).unwrap();
    assert_eq!(
        ids(&report),
        [
            "mail.dkim-body-length",
            "mail.insecure-link",
            "mail.link-domain",
            "mail.message-id",
            "mail.one-click-unsubscribe",
            "mail.reply-to-domain"
        ]
    );
    assert_eq!(
        finding(&report, "mail.link-domain").message,
        "the body links to click.tracker.example, outside membership.example"
    );
    assert_eq!(
        finding(&report, "mail.one-click-unsubscribe").message,
        "bulk mail without a List-Unsubscribe header"
    );
}

#[test]
fn a_from_address_at_another_domain_is_reported() {
    let world = World::start(|_| {});
    let text = world.aligned();
    let path = world.save("reset.eml", &text);
    let mut options = world.options();
    options.sending_domain = Some("app.example".into());
    let report = verify(&[path], &options).unwrap();
    let f = finding(&report, "mail.from-domain");
    assert_eq!(
        f.message,
        "From is `no-reply@membership.example`, not an address at app.example"
    );
    assert_eq!(f.location.as_ref().unwrap().line, Some(line_of(&text, "From:")));
}

#[test]
fn a_message_the_mailbox_put_in_spam_is_reported_at_its_label() {
    let world = World::start(|_| {});
    let text = format!("X-Gmail-Labels: Spam,Category Updates\r\n{}", world.aligned());
    let path = world.save("spam.eml", &text);
    let report = verify(&[path], &world.options()).unwrap();
    assert_eq!(ids(&report), ["mail.junk"]);
    let f = finding(&report, "mail.junk");
    assert_eq!(
        f.message,
        "the receiving mailbox put the message in spam (X-Gmail-Labels: Spam,Category Updates)"
    );
    assert_eq!(f.location.as_ref().unwrap().line, Some(1));
}

#[test]
fn an_arc_chain_is_verified_and_a_broken_one_reported() {
    let world = World::start(|_| {});
    let checked = format!(
        "Authentication-Results: mx.provider.example; dkim=pass header.d=membership.example; spf=pass smtp.mailfrom=membership.example; dmarc=pass\r\n{}",
        world.aligned()
    );
    let sealed = crate::support::arc_seal(
        &checked,
        &world.provider,
        "provider.example",
        "pm",
        "mx.provider.example",
    );
    let path = world.save("forwarded.eml", &sealed);
    let report = verify(&[path], &world.options()).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("dkim=pass spf=pass dmarc=pass arc=pass")
    );

    let broken = world.save("broken.eml", &sealed.replace("Reset your password:", "Reset it:"));
    let report = verify(&[broken], &world.options()).unwrap();
    let f = finding(&report, "mail.arc-fail");
    assert!(
        f.message.starts_with("the ARC chain does not verify: arc=fail"),
        "{}",
        f.message
    );
    assert_eq!(f.subject.as_deref(), Some("ARC-Seal"));
}

/// A message from `from`, signed as `d=signer; s=s1` with `key`, received with
/// `bounce@signer` as Return-Path from the provider's listed address.
fn under_co_uk(world: &World, key: &crate::support::Key, from: &str, signer: &str) -> std::path::PathBuf {
    let domain = from.rsplit_once('@').unwrap().1;
    let message = reset_message(from, &format!("https://{domain}/reset"));
    let text = received(
        &sign(&message, key, signer, "s1", false),
        &format!("bounce@{signer}"),
        PROVIDER_IP,
    );
    world.save(&format!("{domain}.eml"), &text)
}

#[test]
fn relaxed_alignment_under_co_uk_compares_organizational_domains() {
    let keys = tempfile::tempdir().unwrap();
    let key = crate::support::rsa_key(keys.path(), "shop", 2048);
    let world = World::start(|zone| {
        for signer in ["mail.shop.co.uk", "b.co.uk"] {
            zone.txt(
                &format!("s1._domainkey.{signer}"),
                &format!("v=DKIM1; k=rsa; p={}", key.public),
            )
            .txt(signer, &format!("v=spf1 ip4:{PROVIDER_IP} -all"));
        }
        zone.txt("_dmarc.shop.co.uk", "v=DMARC1; p=reject");
    });
    let mut options = world.options();
    options.sending_domain = None;
    let alignment = |report: &launchgate_core::Report| -> Vec<String> {
        report.tables[0].rows.iter().map(|r| r[5].clone()).collect()
    };

    // Both names are under shop.co.uk, the organizational domain: aligned, DMARC passes.
    let path = under_co_uk(&world, &key, "no-reply@news.shop.co.uk", "mail.shop.co.uk");
    let report = verify(&[path], &options).unwrap();
    assert_eq!(
        report.checks[0].detail.as_deref(),
        Some("dkim=pass spf=pass dmarc=pass")
    );
    assert!(
        !ids(&report).iter().any(|id| id.starts_with("mail.dmarc")),
        "{:#?}",
        report.findings
    );
    assert_eq!(alignment(&report), ["yes (relaxed)", "yes (relaxed)"]);

    // a.co.uk and b.co.uk share only the public suffix: not aligned. Without a DMARC record
    // the verdict is the gate's own alignment, so this fails DMARC too.
    let path = under_co_uk(&world, &key, "no-reply@a.co.uk", "b.co.uk");
    let report = verify(&[path], &options).unwrap();
    assert_eq!(ids(&report), ["mail.dmarc-fail", "mail.dmarc-missing"]);
    assert_eq!(
        finding(&report, "mail.dmarc-fail").message,
        "no passing identity is aligned with From a.co.uk: DKIM d=b.co.uk (pass, not aligned); SPF domain=b.co.uk (pass, not aligned)"
    );
    assert_eq!(alignment(&report), ["no (relaxed)", "no (relaxed)"]);
}
