//! DNSSEC status, as a note that never fails the gate: whether the parent zone publishes a
//! DS record and the domain DNSKEY records (the chain of trust), and whether the resolver
//! marked its answers as validated (the AD bit). Half a chain is a note-level finding,
//! since it is what breaks a domain when DNSSEC is turned on or off at one place only.

use hickory_resolver::proto::rr::RecordType;
use launchgate_core::Severity;

use crate::advice::RecordFindings;
use crate::resolve::{Answer, Dns};
use launchgate_core::Report;

/// Asks for the domain's DS and DNSKEY records and its SOA (for the AD bit).
pub async fn check(dns: &Dns, domain: &str) -> Report {
    let mut out = Report::default();
    let ((ds, _), (keys, keys_ad), (_, soa_ad)) = tokio::join!(
        dns.query_authenticated(domain, RecordType::DS),
        dns.query_authenticated(domain, RecordType::DNSKEY),
        dns.query_authenticated(domain, RecordType::SOA),
    );
    let subject = format!("{domain} DS/DNSKEY (DNSSEC)");
    let failure = [("DS", &ds), ("DNSKEY", &keys)]
        .into_iter()
        .find(|(_, answer)| answer.is_failure());
    let status = match (&ds, &keys) {
        _ if failure.is_some() => {
            let (what, failed) = failure.unwrap_or(("DS", &ds));
            format!("unknown: the {what} lookup ended in {}", failed.describe())
        }
        (Answer::Records(d), Answer::Records(k)) => format!(
            "signed: the parent zone publishes {} DS record(s) and the domain {} DNSKEY record(s)",
            d.len(),
            k.len()
        ),
        (Answer::Records(_), _) => {
            out.add(
                "dns.dnssec-incomplete",
                Severity::Note,
                &subject,
                format!("the parent zone publishes a DS record for {domain}, but {domain} has no DNSKEY record: validating resolvers answer SERVFAIL for every name in the domain"),
                "remove the DS record at your registrar, or turn DNSSEC signing back on at your DNS provider",
            );
            "broken: a DS record at the parent, no DNSKEY record".to_string()
        }
        (_, Answer::Records(_)) => {
            out.add(
                "dns.dnssec-incomplete",
                Severity::Note,
                &subject,
                format!("{domain} publishes DNSKEY records, but its parent zone has no DS record for it: without that link validating resolvers treat the domain as unsigned"),
                "add the DS record your DNS provider shows to the domain at your registrar, or turn DNSSEC signing off",
            );
            "incomplete: DNSKEY records, but no DS record at the parent".to_string()
        }
        _ => "not signed: no DS record at the parent and no DNSKEY record".to_string(),
    };
    let validation = if keys_ad || soa_ad {
        "the resolver validated its answers (AD bit set)"
    } else {
        "the resolver did not mark its answers as validated (no AD bit; only a validating resolver sets it)"
    };
    out.notes
        .push(format!("DNSSEC for {domain}: {status}; {validation}"));
    out
}
