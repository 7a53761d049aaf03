//! Asking DNS, with the outcomes a gate must tell apart: records, a name that does not exist
//! (NXDOMAIN), a name without records of that type (NODATA), a timeout and a server failure.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::Error;

use crate::config::ResolverSpec;

/// What one query found.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The records of the asked type (CNAMEs met on the way are left out, unless asked for).
    Records(Vec<RData>),
    /// The name does not exist.
    NxDomain,
    /// The name exists but has no record of this type.
    NoData,
    /// No name server answered in time.
    Timeout,
    /// The name server answered with an error code (SERVFAIL, REFUSED, …).
    ServerError(String),
    /// Anything else: a malformed answer, a network error.
    Failed(String),
}

impl Answer {
    /// The records, or an empty list for every other outcome.
    pub fn records(&self) -> &[RData] {
        match self {
            Answer::Records(r) => r,
            _ => &[],
        }
    }

    /// Whether the query failed for a reason other than the record not existing.
    pub fn is_failure(&self) -> bool {
        matches!(self, Answer::Timeout | Answer::ServerError(_) | Answer::Failed(_))
    }

    /// Words for a finding: "NXDOMAIN (the name does not exist)" and so on.
    pub fn describe(&self) -> String {
        match self {
            Answer::Records(r) => format!("{} record(s)", r.len()),
            Answer::NxDomain => "NXDOMAIN (the name does not exist)".to_string(),
            Answer::NoData => "no records of this type (NODATA)".to_string(),
            Answer::Timeout => "a timeout (no name server answered)".to_string(),
            Answer::ServerError(code) => format!("a server error ({code})"),
            Answer::Failed(e) => format!("a failed query ({e})"),
        }
    }
}

/// The name servers, timeout and attempts to resolve with.
#[derive(Debug, Clone)]
pub struct ResolverSettings {
    pub spec: ResolverSpec,
    pub timeout: Duration,
    pub attempts: usize,
}

/// A resolver that counts its queries.
#[derive(Debug)]
pub struct Dns {
    resolver: TokioResolver,
    queries: AtomicUsize,
    timeouts: AtomicUsize,
}

impl Dns {
    /// Builds the resolver; a bad name server address is an input error.
    pub fn new(settings: &ResolverSettings) -> Result<Self, Error> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match &settings.spec {
            ResolverSpec::System => TokioResolver::builder(provider).map_err(|e| {
                Error::input(format!("cannot read the system resolver configuration: {e}")).with_help(
                    "name the servers instead: `resolver: [udp://9.9.9.9]` or `--nameserver 9.9.9.9`",
                )
            })?,
            ResolverSpec::Servers(list) => {
                if list.is_empty() {
                    return Err(Error::input("the resolver list is empty")
                        .with_help("write `resolver: system` or list servers such as `udp://9.9.9.9`"));
                }
                let servers = list
                    .iter()
                    .map(|s| parse_name_server(s))
                    .collect::<Result<Vec<_>, _>>()?;
                TokioResolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
            }
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = settings.timeout;
        opts.attempts = settings.attempts;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        opts.edns_payload_len = 1232;
        let resolver = builder.build().map_err(|e| {
            Error::input(format!("cannot start the DNS resolver: {e}"))
                .with_help("check the `resolver` setting")
        })?;
        Ok(Dns {
            resolver,
            queries: AtomicUsize::new(0),
            timeouts: AtomicUsize::new(0),
        })
    }

    /// The underlying resolver, for libraries that query through their own code (the mail
    /// gate's DKIM, SPF and DMARC verifier), so they share these name servers and limits.
    pub fn resolver(&self) -> &TokioResolver {
        &self.resolver
    }

    /// Asks for `name`'s records of `record_type`. `name` is taken as fully qualified.
    pub async fn query(&self, name: &str, record_type: RecordType) -> Answer {
        self.query_authenticated(name, record_type).await.0
    }

    /// [`Dns::query`], and whether the answer came with the AD (authenticated data) bit:
    /// the resolver says it validated the answer with DNSSEC.
    pub async fn query_authenticated(&self, name: &str, record_type: RecordType) -> (Answer, bool) {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let (answer, authenticated) = match self.resolver.lookup(fqdn.as_str(), record_type).await {
            Ok(lookup) => {
                let records: Vec<RData> = lookup
                    .answers()
                    .iter()
                    .filter(|r| r.record_type() == record_type)
                    .map(|r| r.data.clone())
                    .collect();
                let authenticated = lookup.message().metadata.authentic_data;
                if records.is_empty() {
                    (Answer::NoData, authenticated)
                } else {
                    (Answer::Records(records), authenticated)
                }
            }
            Err(e) => (classify(&e), false),
        };
        if answer == Answer::Timeout {
            self.timeouts.fetch_add(1, Ordering::Relaxed);
        }
        (answer, authenticated)
    }

    /// TXT records at `name`, each joined from its strings.
    pub async fn txt(&self, name: &str) -> (Answer, Vec<String>) {
        let answer = self.query(name, RecordType::TXT).await;
        let texts = answer.records().iter().filter_map(txt_string).collect();
        (answer, texts)
    }

    /// The A and then AAAA addresses of `host`; none when it has none or a query failed.
    pub async fn addresses(&self, host: &str) -> Vec<IpAddr> {
        let (a, aaaa) = tokio::join!(
            self.query(host, RecordType::A),
            self.query(host, RecordType::AAAA)
        );
        a.records()
            .iter()
            .chain(aaaa.records())
            .filter_map(|r| match r {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            })
            .collect()
    }

    /// How many queries were sent, and how many of them timed out.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.queries.load(Ordering::Relaxed),
            self.timeouts.load(Ordering::Relaxed),
        )
    }
}

/// A TXT record's strings joined, as SPF, DMARC and DKIM read them.
pub fn txt_string(data: &RData) -> Option<String> {
    match data {
        RData::TXT(txt) => {
            let mut bytes = Vec::new();
            for chunk in txt.txt_data.iter() {
                bytes.extend_from_slice(chunk);
            }
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => None,
    }
}

fn classify(error: &NetError) -> Answer {
    match error {
        NetError::Dns(DnsError::NoRecordsFound(no)) => {
            if no.response_code == ResponseCode::NXDomain {
                Answer::NxDomain
            } else {
                Answer::NoData
            }
        }
        NetError::Dns(DnsError::ResponseCode(code)) => Answer::ServerError(code.to_string()),
        NetError::Timeout => Answer::Timeout,
        other => {
            let text = other.to_string();
            if text.contains("timed out") {
                Answer::Timeout
            } else {
                Answer::Failed(text)
            }
        }
    }
}

/// `udp://127.0.0.1:5353` (UDP, with TCP on the same port for truncated answers),
/// `tcp://[::1]:53` (TCP only), or a bare `9.9.9.9` / `9.9.9.9:53`.
pub fn parse_name_server(text: &str) -> Result<NameServerConfig, Error> {
    let bad = || {
        Error::input(format!("`{text}` is not a name server address")).with_help(
            "write udp://IP:PORT, tcp://IP:PORT or a bare IP, e.g. udp://127.0.0.1:5353 or 9.9.9.9",
        )
    };
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("udp".to_string(), text),
    };
    let rest = rest.trim_end_matches('/');
    let addr: SocketAddr = match rest.parse::<SocketAddr>() {
        Ok(a) => a,
        Err(_) => match rest.parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, 53),
            Err(_) => return Err(bad()),
        },
    };
    let connections = match scheme.as_str() {
        "udp" => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            vec![udp, tcp]
        }
        "tcp" => {
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            vec![tcp]
        }
        _ => return Err(bad()),
    };
    Ok(NameServerConfig::new(addr.ip(), true, connections))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_server_forms() {
        let ns = parse_name_server("udp://127.0.0.1:5353").unwrap();
        assert_eq!(ns.ip, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(ns.connections.len(), 2);
        assert!(ns.connections.iter().all(|c| c.port == 5353));
        let ns = parse_name_server("tcp://[::1]:53").unwrap();
        assert_eq!(ns.connections.len(), 1);
        assert_eq!(parse_name_server("9.9.9.9").unwrap().connections[0].port, 53);
        let e = parse_name_server("dns.example").unwrap_err();
        assert!(e.message().contains("dns.example"));
        assert!(parse_name_server("https://1.1.1.1").is_err());
    }
}
