//! The domain's part in mail: which hosts receive it (each MX host must have an address),
//! whether it receives any (a null MX, RFC 7505, says it does not) and whether it sends any
//! (`v=spf1 -all` says it does not). A domain that neither sends nor receives needs no
//! DKIM, MTA-STS or TLS-RPT; it needs DMARC `p=reject`, so nobody can send in its name.

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::Severity;
use serde_json::json;

use crate::advice::{RecordFindings, host_field};
use crate::records::{addresses, failed};
use crate::resolve::{Answer, Dns};
use launchgate_core::Report;

/// What the domain's records say about its mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRole {
    /// The MX hosts (null MX left out), in the order of the answer.
    pub hosts: Vec<String>,
    /// False for a null MX: the domain accepts no mail.
    pub receives: bool,
    /// False for an SPF record that authorises no sender (`v=spf1 -all`).
    pub sends: bool,
}

/// Whether an SPF record authorises nobody: `v=spf1` followed by `-all` alone.
pub fn sends_nothing(spf: &str) -> bool {
    let mut terms = spf.split_whitespace();
    terms.next().is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        && terms.next().is_some_and(|t| t.eq_ignore_ascii_case("-all"))
        && terms.next().is_none()
}

/// The MX hosts of an answer; `None` in the list stands for a null MX (exchange `.`).
pub fn exchanges(answer: &Answer) -> Vec<Option<String>> {
    answer
        .records()
        .iter()
        .filter_map(|r| match r {
            RData::MX(mx) if mx.exchange.is_root() => Some(None),
            RData::MX(mx) => Some(Some(
                mx.exchange.to_string().trim_end_matches('.').to_ascii_lowercase(),
            )),
            _ => None,
        })
        .collect()
}

/// Reads the domain's MX and SPF records, checks that every MX host has an address, and
/// tells what the domain does with mail.
pub async fn check(dns: &Dns, domain: &str) -> (MailRole, Report) {
    let mut out = Report::default();
    let subject = format!("{domain} MX");
    let mx = dns.query(domain, RecordType::MX).await;
    let (_, texts) = dns.txt(domain).await;
    let spf: Vec<&String> = texts
        .iter()
        .filter(|t| t.trim_start().to_ascii_lowercase().starts_with("v=spf1"))
        .collect();
    let hosts = exchanges(&mx);
    let null_mx = hosts.contains(&None);
    if mx.is_failure() {
        failed(&mut out, &subject, domain, &mx);
    }
    if null_mx && hosts.len() > 1 {
        out.add(
            "mail.null-mx-mixed",
            Severity::Error,
            &subject,
            format!("{domain} publishes a null MX (`0 .`, \"accepts no mail\") beside other MX records; RFC 7505 forbids the mix and senders treat it as an error"),
            format!("keep only `0 .` at host/name `{}` if the domain takes no mail, or delete it if it does", host_field(domain, domain)),
        );
    }
    for host in hosts.iter().flatten() {
        mx_host_resolves(dns, domain, host, &mut out).await;
    }
    let role = MailRole {
        hosts: hosts.iter().flatten().cloned().collect(),
        receives: !null_mx,
        sends: !matches!(spf.as_slice(), [one] if sends_nothing(one)),
    };
    if !role.receives && !role.sends {
        out.add(
            "mail.no-mail-domain",
            Severity::Note,
            &subject,
            format!("{domain} neither receives mail (null MX) nor sends it (`v=spf1 -all`): DKIM, MTA-STS and TLS-RPT do not apply, and DMARC must say `p=reject` so nobody can send in its name"),
            "nothing to add beyond a DMARC record `v=DMARC1; p=reject;` at host/name `_dmarc`",
        );
    }
    out.check_since("MX hosts", 0, Some(describe(&role, &hosts)));
    (role, out)
}

fn describe(role: &MailRole, hosts: &[Option<String>]) -> String {
    match (role.receives, role.sends) {
        (false, false) => "no mail: null MX and `v=spf1 -all`".to_string(),
        (false, true) => "receives no mail (null MX)".to_string(),
        (true, _) => {
            let named: Vec<&str> = hosts.iter().flatten().map(String::as_str).collect();
            if named.is_empty() {
                "no MX records".to_string()
            } else {
                named.join(", ")
            }
        }
    }
}

/// An MX host must have an A or AAAA record: senders do not follow a CNAME there, and a
/// host without an address makes them queue and then bounce the mail.
pub async fn mx_host_resolves(dns: &Dns, domain: &str, host: &str, out: &mut Report) {
    let subject = format!("{domain} MX");
    let cname = dns.query(host, RecordType::CNAME).await;
    if let Some(RData::CNAME(target)) = cname.records().first() {
        out.add(
            "mail.mx-host-cname",
            Severity::Warning,
            &subject,
            format!(
                "MX host {host} is a CNAME (to {}): RFC 2181 §10.3 says an MX must name a host with its own address, and some senders refuse to deliver",
                target.0.to_string().trim_end_matches('.')
            ),
            "point the MX record at the host name the CNAME leads to",
        )
        .properties
        .insert("mx".into(), json!(host));
    }
    let Some((a, aaaa)) = addresses(dns, host, &subject, out).await else {
        return;
    };
    if a.records().is_empty() && aaaa.records().is_empty() {
        out.add(
            "mail.mx-host-unresolved",
            Severity::Error,
            &subject,
            format!(
                "MX host {host} has no address (its A lookup ended in {}): mail to {domain} cannot be delivered there",
                a.describe()
            ),
            format!(
                "point the MX record at host/name `{}` to a host with an A or AAAA record (your mail provider's domain settings give it), or add that record",
                host_field(domain, domain)
            ),
        )
        .properties
        .insert("mx".into(), json!(host));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bare_dash_all_sends_nothing() {
        assert!(sends_nothing("v=spf1 -all"));
        assert!(sends_nothing("V=SPF1   -ALL "));
        assert!(!sends_nothing("v=spf1 ~all"));
        assert!(!sends_nothing("v=spf1 include:_spf.example -all"));
        assert!(!sends_nothing("v=spf1"));
    }
}
