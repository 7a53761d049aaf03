//! Forward-confirmed reverse DNS of the MX hosts: each address has a PTR record naming a
//! host that resolves back to the same address. Receivers distrust mail from an address
//! without it, and MX hosts send mail too (bounces, forwards); a warning, since the PTR
//! record belongs to whoever owns the address, not to the domain's DNS.

use std::net::IpAddr;

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::Severity;
use serde_json::json;

use crate::advice::RecordFindings;
use crate::records::failed;
use crate::resolve::Dns;
use launchgate_core::Report;

/// The most MX addresses checked for one domain.
pub const MAX_ADDRESSES: usize = 16;
/// The most PTR names followed for one address.
pub const MAX_PTR_NAMES: usize = 4;

/// The name a PTR record for `ip` lives at: `25.2.0.192.in-addr.arpa` or the nibbles of an
/// IPv6 address under `ip6.arpa`.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut name = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                name.push_str(&format!("{:x}.{:x}.", byte & 0xf, byte >> 4));
            }
            name.push_str("ip6.arpa");
            name
        }
    }
}

/// Checks every address of `hosts` (the domain's MX hosts).
pub async fn check(dns: &Dns, domain: &str, hosts: &[String]) -> Report {
    let mut out = Report::default();
    let mut targets = Vec::new();
    for host in hosts {
        for ip in dns.addresses(host).await {
            targets.push((host.as_str(), ip));
        }
    }
    if targets.len() > MAX_ADDRESSES {
        out.notes.push(format!(
            "{domain}: the MX hosts have {} addresses; reverse DNS was checked for the first {MAX_ADDRESSES}",
            targets.len()
        ));
        targets.truncate(MAX_ADDRESSES);
    }
    let mut confirmed = Vec::new();
    for (host, ip) in &targets {
        if let Some(name) = confirm(dns, domain, host, *ip, &mut out).await {
            confirmed.push(format!("{ip} → {name}"));
        }
    }
    if !targets.is_empty() {
        let detail = (!confirmed.is_empty()).then(|| confirmed.join(", "));
        out.check_since("MX reverse DNS", 0, detail);
    }
    out
}

/// The PTR name of `ip` that resolves back to it, or `None` with a finding saying why not.
async fn confirm(dns: &Dns, domain: &str, host: &str, ip: IpAddr, out: &mut Report) -> Option<String> {
    let reverse = reverse_name(ip);
    let subject = format!("{reverse} PTR");
    let answer = dns.query(&reverse, RecordType::PTR).await;
    if answer.is_failure() {
        failed(out, &subject, &reverse, &answer);
        return None;
    }
    let names: Vec<String> = answer
        .records()
        .iter()
        .filter_map(|r| match r {
            RData::PTR(ptr) => Some(ptr.0.to_string().trim_end_matches('.').to_ascii_lowercase()),
            _ => None,
        })
        .take(MAX_PTR_NAMES)
        .collect();
    let help = format!(
        "ask whoever owns {ip} (your hosting or mail provider) to set its PTR record to {host}, which resolves to {ip}"
    );
    if names.is_empty() {
        let message = format!(
            "{ip}, the address of MX host {host} ({domain}), has no PTR record (the lookup of {reverse} ended in {}): receivers distrust mail from an address without reverse DNS",
            answer.describe()
        );
        mark(
            out.add("mail.mx-reverse-dns", Severity::Warning, &subject, message, help),
            host,
            ip,
        );
        return None;
    }
    for name in &names {
        if dns.addresses(name).await.contains(&ip) {
            return Some(name.clone());
        }
    }
    let message = format!(
        "the PTR record of {ip} (MX host {host}, {domain}) names {}, which does not resolve back to {ip}: reverse DNS is not forward-confirmed, and receivers distrust such addresses",
        names.join(", ")
    );
    mark(
        out.add("mail.mx-reverse-dns", Severity::Warning, &subject, message, help),
        host,
        ip,
    );
    None
}

fn mark(finding: &mut launchgate_core::Finding, host: &str, ip: IpAddr) {
    finding.properties.insert("mx".into(), json!(host));
    finding.properties.insert("address".into(), json!(ip.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names_for_both_families() {
        assert_eq!(
            reverse_name("192.0.2.25".parse().unwrap()),
            "25.2.0.192.in-addr.arpa"
        );
        assert_eq!(
            reverse_name("2001:db8::1".parse().unwrap()),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }
}
