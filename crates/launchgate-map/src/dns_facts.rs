//! What DNS says about a domain: its name servers, each host's CNAME chain and addresses,
//! and its mail (MX, SPF includes, DKIM selectors, DMARC report addresses).

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::Error;
use launchgate_dns::DnsConfig;
use launchgate_dns::dkim::COMMON_SELECTORS;
use launchgate_dns::resolve::{Answer, Dns, ResolverSettings};
use launchgate_dns::spf::parse::{Mechanism, Term};

use crate::{DeploymentMap, DnsHosting, HostNode, Mail, MxHost, Named, providers};

/// A CNAME chain longer than this is reported as it stands: real chains have two or three.
const MAX_CNAME_HOPS: usize = 8;

/// The dns gate's resolver, with the section's name servers, timeout and attempts.
pub fn resolver(dns: &DnsConfig) -> Result<Dns, Error> {
    Dns::new(&ResolverSettings {
        spec: dns.resolver.clone(),
        timeout: dns.query_timeout(),
        attempts: dns.attempts,
    })
}

/// The map of `domain` as DNS shows it, without the web probes.
pub async fn discover(dns: &Dns, domain: &str, hosts: &[String], selectors: &[String]) -> DeploymentMap {
    let mut nodes = Vec::new();
    for host in hosts {
        nodes.push(host_node(dns, host).await);
    }
    DeploymentMap {
        domain: domain.to_string(),
        dns: name_servers(dns, domain).await,
        hosts: nodes,
        mail: mail(dns, domain, selectors).await,
        registration: None,
    }
}

fn name_of(data: &RData) -> Option<String> {
    let name = match data {
        RData::NS(ns) => &ns.0,
        RData::CNAME(cname) => &cname.0,
        RData::MX(mx) => &mx.exchange,
        _ => return None,
    };
    Some(name.to_ascii().trim_end_matches('.').to_ascii_lowercase())
}

async fn name_servers(dns: &Dns, domain: &str) -> DnsHosting {
    let answer = dns.query(domain, RecordType::NS).await;
    let mut name_servers: Vec<String> = answer.records().iter().filter_map(name_of).collect();
    name_servers.sort();
    let provider = name_servers
        .iter()
        .find_map(|ns| providers::name_server(ns))
        .map(str::to_string);
    let problem = match &answer {
        Answer::Records(_) => None,
        other => Some(format!("no name servers: {}", other.describe())),
    };
    DnsHosting {
        name_servers,
        provider,
        problem,
    }
}

/// Follows `host`'s CNAMEs, then asks for its addresses.
pub async fn host_node(dns: &Dns, host: &str) -> HostNode {
    let mut node = HostNode {
        name: host.to_string(),
        ..HostNode::default()
    };
    let mut current = host.to_string();
    for _ in 0..MAX_CNAME_HOPS {
        let answer = dns.query(&current, RecordType::CNAME).await;
        match answer.records().iter().find_map(name_of) {
            Some(target) if !node.cname_chain.contains(&target) => {
                node.cname_chain.push(target.clone());
                current = target;
            }
            _ => break,
        }
    }
    let (a, aaaa) = tokio::join!(
        dns.query(&current, RecordType::A),
        dns.query(&current, RecordType::AAAA)
    );
    node.addresses = a
        .records()
        .iter()
        .chain(aaaa.records())
        .filter_map(|r| match r {
            RData::A(a) => Some(a.0.to_string()),
            RData::AAAA(a) => Some(a.0.to_string()),
            _ => None,
        })
        .collect();
    node.resolves = !node.addresses.is_empty();
    if !node.resolves {
        // The A answer says why: NXDOMAIN, NODATA, a timeout.
        let why = if matches!(a, Answer::Records(_)) {
            aaaa.describe()
        } else {
            a.describe()
        };
        node.problem = Some(if node.cname_chain.is_empty() {
            format!("does not resolve: {why}")
        } else {
            format!("does not resolve: its CNAME leads to {current}, which answers {why}")
        });
    }
    let by_cname = node
        .cname_chain
        .iter()
        .find_map(|t| providers::web_host(t).map(|p| (p, format!("CNAME {t}"))));
    let by_address = node
        .addresses
        .iter()
        .find_map(|ip| providers::address(ip).map(|p| (p, format!("address {ip}"))));
    if let Some((platform, evidence)) = by_cname.or(by_address) {
        node.platform = Some(platform.to_string());
        node.platform_evidence = Some(evidence);
    }
    node
}

async fn mail(dns: &Dns, domain: &str, selectors: &[String]) -> Mail {
    let mut mail = Mail::default();
    let mx = dns.query(domain, RecordType::MX).await;
    for record in mx.records() {
        if let RData::MX(m) = record {
            let host = m.exchange.to_ascii().trim_end_matches('.').to_ascii_lowercase();
            mail.mx.push(MxHost {
                preference: m.preference,
                provider: providers::mail(&host).map(str::to_string),
                host,
            });
        }
    }
    mail.mx
        .sort_by(|a, b| (a.preference, &a.host).cmp(&(b.preference, &b.host)));

    let (_, texts) = dns.txt(domain).await;
    if let Some(spf) = texts.into_iter().find(|t| launchgate_dns::spf::parse::is_spf(t)) {
        for term in launchgate_dns::spf::parse::parse(&spf).terms {
            let target = match term {
                Term::Mechanism {
                    mechanism: Mechanism::Include(target),
                    ..
                } => target,
                Term::Redirect(target) => target,
                _ => continue,
            };
            mail.senders.push(named(&target));
        }
        mail.spf = Some(spf);
    }

    let mut candidates: Vec<&str> = selectors.iter().map(String::as_str).collect();
    candidates.extend(
        COMMON_SELECTORS
            .iter()
            .filter(|s| !selectors.iter().any(|c| c == *s)),
    );
    for selector in candidates {
        let (_, texts) = dns.txt(&format!("{selector}._domainkey.{domain}")).await;
        if texts.iter().any(|t| t.contains("p=")) {
            mail.dkim_selectors.push(selector.to_string());
        }
    }

    let (_, texts) = dns.txt(&format!("_dmarc.{domain}")).await;
    if let Some(text) = texts.iter().find(|t| launchgate_dns::dmarc::is_dmarc(t)) {
        let record = launchgate_dns::dmarc::parse(text);
        mail.dmarc_policy = record.get("p").map(str::to_string);
        for tag in ["rua", "ruf"] {
            for uri in record.get(tag).unwrap_or("").split(',') {
                let address = uri.trim().trim_start_matches("mailto:");
                let address = address.split('!').next().unwrap_or(address);
                if !address.is_empty() && !mail.dmarc_reports.iter().any(|n| n.name == address) {
                    let domain_part = address.rsplit('@').next().unwrap_or(address);
                    mail.dmarc_reports.push(Named {
                        name: address.to_string(),
                        provider: providers::mail(domain_part).map(str::to_string),
                    });
                }
            }
        }
    }
    mail
}

fn named(name: &str) -> Named {
    Named {
        name: name.to_string(),
        provider: providers::mail(name).map(str::to_string),
    }
}
