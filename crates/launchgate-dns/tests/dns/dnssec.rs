//! DNSSEC status is a note: signed (with the resolver's AD bit), not signed, or half a
//! chain, which is a note-level finding; none of it fails the gate.

use launchgate_core::Severity;

use crate::{only, run_yaml, world_server};

fn dnssec_note(report: &launchgate_core::Report) -> &str {
    let notes: Vec<&String> = report.notes.iter().filter(|n| n.starts_with("DNSSEC")).collect();
    assert_eq!(notes.len(), 1, "{:#?}", report.notes);
    notes[0]
}

#[test]
fn a_signed_domain_and_an_unsigned_one_are_told_apart_in_a_note() {
    let dns = world_server();
    let report = run_yaml(&dns, "dns:\n  domain: signed.test\n");
    assert_eq!(
        dnssec_note(&report),
        "DNSSEC for signed.test: signed: the parent zone publishes 1 DS record(s) and the domain 1 DNSKEY record(s); the resolver validated its answers (AD bit set)"
    );
    assert!(report.findings.is_empty(), "{:#?}", report.findings);

    let report = run_yaml(&dns, "dns:\n  domain: good.test\n");
    assert_eq!(
        dnssec_note(&report),
        "DNSSEC for good.test: not signed: no DS record at the parent and no DNSKEY record; the resolver did not mark its answers as validated (no AD bit; only a validating resolver sets it)"
    );
}

#[test]
fn half_a_chain_is_a_note_level_finding_that_passes() {
    let dns = world_server();
    let report = run_yaml(&dns, "dns:\n  domain: lameds.test\n");
    let f = only(&report, "dns.dnssec-incomplete");
    assert_eq!(f.severity, Severity::Note);
    assert!(
        f.message.contains("validating resolvers answer SERVFAIL"),
        "{}",
        f.message
    );
    assert!(
        !report.fails(Severity::Warning),
        "a note never fails the default gate"
    );

    let report = run_yaml(&dns, "dns:\n  domain: keysonly.test\n");
    let f = only(&report, "dns.dnssec-incomplete");
    assert!(
        f.message.contains("its parent zone has no DS record"),
        "{}",
        f.message
    );
    assert!(dnssec_note(&report).contains("incomplete: DNSKEY records, but no DS record"));
}
