//! A small authoritative responder for tests and demos; not a production DNS server.
//!
//! It serves a [`Zone`] built in code on 127.0.0.1, over UDP and TCP on one port, through
//! hickory-server; this file only decides the answers. UDP
//! answers over 512 bytes are truncated so the client has to retry over TCP, as a real
//! server does; names can be made to stay silent or answer SERVFAIL. CNAMEs inside the zone
//! are followed the way a recursive resolver would, so the gate can point at it directly.
//!
//! Enabled by the `responder` feature. The gate's tests compile this file into their own
//! binary, so it depends on nothing else in the crate.

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Duration;

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{Header, HeaderCounts, Metadata, ResponseCode};
use hickory_server::proto::rr::rdata::{A, AAAA, CAA, CNAME, MX, NS, NULL, PTR, TXT};
use hickory_server::proto::rr::{Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;

/// Records by owner name and type, plus names that misbehave.
///
/// The builders take literals written by the author of a test or demo and panic, naming
/// the value, when one is not an address or a domain name.
#[derive(Debug, Default, Clone)]
pub struct Zone {
    records: HashMap<(String, RecordType), Vec<RData>>,
    /// Names that exist with no records of their own (empty non-terminals).
    names: HashSet<String>,
    /// Queries for these names are never answered.
    silent: HashSet<String>,
    /// Queries for these names get SERVFAIL.
    servfail: HashSet<String>,
    /// Answers for these names carry the AD bit, as a validating resolver's would.
    authenticated: HashSet<String>,
}

/// How long a TCP connection may stay idle before the responder closes it.
const TCP_IDLE: Duration = Duration::from_secs(10);
/// Responses queued per TCP connection.
const TCP_RESPONSE_BUFFER: usize = 16;

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn fqdn(name: &str) -> Name {
    Name::from_ascii(format!("{}.", key(name)))
        .unwrap_or_else(|e| panic!("`{name}` is not a domain name: {e}"))
}

impl Zone {
    pub fn new() -> Self {
        Zone::default()
    }

    fn add(&mut self, name: &str, data: RData) -> &mut Self {
        let name = key(name);
        let mut parent = name.as_str();
        while let Some((_, rest)) = parent.split_once('.') {
            self.names.insert(rest.to_string());
            parent = rest;
        }
        self.names.insert(name.clone());
        self.records
            .entry((name, data.record_type()))
            .or_default()
            .push(data);
        self
    }

    pub fn a(&mut self, name: &str, ip: &str) -> &mut Self {
        let ip: Ipv4Addr = ip
            .parse()
            .unwrap_or_else(|_| panic!("`{ip}` is not an IPv4 address"));
        self.add(name, RData::A(A(ip)))
    }

    pub fn aaaa(&mut self, name: &str, ip: &str) -> &mut Self {
        let ip: Ipv6Addr = ip
            .parse()
            .unwrap_or_else(|_| panic!("`{ip}` is not an IPv6 address"));
        self.add(name, RData::AAAA(AAAA(ip)))
    }

    pub fn cname(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(name, RData::CNAME(CNAME(fqdn(target))))
    }

    /// An NS record at `name` naming the name server `host`.
    pub fn ns(&mut self, name: &str, host: &str) -> &mut Self {
        self.add(name, RData::NS(NS(fqdn(host))))
    }

    pub fn mx(&mut self, name: &str, preference: u16, host: &str) -> &mut Self {
        self.add(name, RData::MX(MX::new(preference, fqdn(host))))
    }

    /// A PTR record at `name` (such as `25.2.0.192.in-addr.arpa`) naming `target`.
    pub fn ptr(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(name, RData::PTR(PTR(fqdn(target))))
    }

    /// A TXT record; text longer than 255 bytes is split into strings as DNS requires.
    pub fn txt(&mut self, name: &str, text: &str) -> &mut Self {
        let chunks: Vec<String> = text
            .as_bytes()
            .chunks(255)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        self.add(name, RData::TXT(TXT::new(chunks)))
    }

    /// A TXT record made of exactly these strings.
    pub fn txt_strings(&mut self, name: &str, strings: &[&str]) -> &mut Self {
        self.add(
            name,
            RData::TXT(TXT::new(strings.iter().map(|s| s.to_string()).collect())),
        )
    }

    /// A CAA `issue` record allowing `issuer`.
    pub fn caa_issue(&mut self, name: &str, issuer: &str) -> &mut Self {
        let issuer =
            Name::from_ascii(issuer).unwrap_or_else(|e| panic!("`{issuer}` is not a domain name: {e}"));
        self.add(name, RData::CAA(CAA::new_issue(false, Some(issuer), vec![])))
    }

    /// A record of any type, given as its wire-format data (for DS and DNSKEY records).
    pub fn raw(&mut self, name: &str, record_type: RecordType, data: &[u8]) -> &mut Self {
        self.add(
            name,
            RData::Unknown {
                code: record_type,
                rdata: NULL::with(data.to_vec()),
            },
        )
    }

    /// Answers for `name` carry the AD (authenticated data) bit.
    pub fn authenticated(&mut self, name: &str) -> &mut Self {
        self.authenticated.insert(key(name));
        self
    }

    /// Queries for `name` are dropped, so the client times out.
    pub fn silent(&mut self, name: &str) -> &mut Self {
        self.silent.insert(key(name));
        self
    }

    /// Queries for `name` are answered with SERVFAIL.
    pub fn servfail(&mut self, name: &str) -> &mut Self {
        self.servfail.insert(key(name));
        self
    }

    /// The answer to a query for `name` and `rtype`: its header and answer records;
    /// `None` means stay silent.
    fn answer(&self, request: &Metadata, name: &str, rtype: RecordType) -> Option<(Metadata, Vec<Record>)> {
        let mut metadata = Metadata::response_from_request(request);
        metadata.authoritative = true;
        metadata.recursion_available = true;
        let name = key(name);
        if self.silent.contains(&name) {
            return None;
        }
        metadata.authentic_data = self.authenticated.contains(&name);
        if self.servfail.contains(&name) {
            metadata.response_code = ResponseCode::ServFail;
            return Some((metadata, Vec::new()));
        }
        let mut answers = Vec::new();
        let mut owner = name;
        // Follow CNAMEs inside the zone, as a recursive resolver would.
        for _ in 0..8 {
            if let Some(records) = self.records.get(&(owner.clone(), rtype)) {
                answers.extend(
                    records
                        .iter()
                        .map(|data| Record::from_rdata(fqdn(&owner), 300, data.clone())),
                );
                return Some((metadata, answers));
            }
            if rtype == RecordType::CNAME {
                break;
            }
            let Some(RData::CNAME(target)) = self
                .records
                .get(&(owner.clone(), RecordType::CNAME))
                .and_then(|c| c.first())
            else {
                break;
            };
            answers.push(Record::from_rdata(
                fqdn(&owner),
                300,
                RData::CNAME(target.clone()),
            ));
            owner = key(&target.0.to_string());
        }
        if !self.names.contains(&owner) {
            metadata.response_code = ResponseCode::NXDomain;
        }
        Some((metadata, answers))
    }
}

/// Answers hickory-server's requests from a [`Zone`], counting them by protocol.
struct ZoneHandler {
    zone: Zone,
    udp_queries: Arc<AtomicUsize>,
    tcp_queries: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl RequestHandler for ZoneHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
        let count = match request.protocol() {
            Protocol::Udp => &self.udp_queries,
            _ => &self.tcp_queries,
        };
        count.fetch_add(1, Ordering::SeqCst);
        let mut silent = Metadata::response_from_request(&request.metadata);
        silent.response_code = ResponseCode::ServFail;
        let silent = ResponseInfo::from(Header {
            metadata: silent,
            counts: HeaderCounts::default(),
        });
        let Some(query) = request.queries.queries().first() else {
            return silent;
        };
        let Some((metadata, answers)) =
            self.zone
                .answer(&request.metadata, &query.name().to_string(), query.query_type())
        else {
            return silent;
        };
        // No EDNS in the answer: a UDP answer over 512 bytes is truncated, so the client
        // retries over TCP as it would with a small server.
        let message = MessageResponseBuilder::from_message_request(request).build(
            metadata,
            answers.iter(),
            std::iter::empty(),
            std::iter::empty(),
            std::iter::empty(),
        );
        response.send_response(message).await.unwrap_or(silent)
    }
}

/// A running responder on its own thread and Tokio runtime; stops when dropped.
#[derive(Debug)]
pub struct DnsServer {
    /// The UDP and TCP address.
    pub addr: SocketAddr,
    /// Queries received over UDP.
    pub udp_queries: Arc<AtomicUsize>,
    /// Queries received over TCP.
    pub tcp_queries: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    /// `udp://127.0.0.1:PORT`, the form `--nameserver` and `resolver:` take.
    pub fn url(&self) -> String {
        format!("udp://{}", self.addr)
    }

    /// Serves `zone` on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When no port is free for both UDP and TCP after a few tries, or no thread can start.
    pub fn start(zone: Zone) -> DnsServer {
        DnsServer::serve(zone, None).expect("a free port for UDP and TCP on 127.0.0.1")
    }

    /// Serves `zone` on `addr` (UDP and TCP). A port already taken is an
    /// [`io::ErrorKind::AddrInUse`] error naming the protocol.
    pub fn bind(zone: Zone, addr: SocketAddr) -> io::Result<DnsServer> {
        DnsServer::serve(zone, Some(addr))
    }

    fn serve(zone: Zone, addr: Option<SocketAddr>) -> io::Result<DnsServer> {
        let udp_queries = Arc::new(AtomicUsize::new(0));
        let tcp_queries = Arc::new(AtomicUsize::new(0));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (udp_count, tcp_count) = (udp_queries.clone(), tcp_queries.clone());
        let thread = std::thread::Builder::new()
            .name("dns-responder".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = addr_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let bound = match addr {
                        Some(addr) => bind_both(addr).await,
                        None => bind_free_port().await,
                    };
                    let (udp, tcp) = match bound.and_then(|(u, t)| Ok((u.local_addr()?, u, t))) {
                        Ok((local, udp, tcp)) => {
                            let _ = addr_tx.send(Ok(local));
                            (udp, tcp)
                        }
                        Err(e) => {
                            let _ = addr_tx.send(Err(e));
                            return;
                        }
                    };
                    let mut server = Server::new(ZoneHandler {
                        zone,
                        udp_queries: udp_count,
                        tcp_queries: tcp_count,
                    });
                    server.register_socket(udp);
                    server.register_listener(tcp, TCP_IDLE, TCP_RESPONSE_BUFFER);
                    let _ = stop_rx.await;
                    let _ = server.shutdown_gracefully().await;
                });
            })?;
        let addr = match addr_rx.recv() {
            Ok(Ok(addr)) => addr,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(io::Error::other("the DNS responder stopped while starting"));
            }
        };
        Ok(DnsServer {
            addr,
            udp_queries,
            tcp_queries,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// UDP and TCP on exactly `addr`; an error says which of the two could not bind.
async fn bind_both(addr: SocketAddr) -> io::Result<(UdpSocket, TcpListener)> {
    let named = |proto: &str, e: io::Error| io::Error::new(e.kind(), format!("{proto} {addr}: {e}"));
    let udp = UdpSocket::bind(addr).await.map_err(|e| named("UDP", e))?;
    let tcp = TcpListener::bind(addr).await.map_err(|e| named("TCP", e))?;
    Ok((udp, tcp))
}

/// A port free for both UDP and TCP on 127.0.0.1: UDP picks one, TCP must get the same.
async fn bind_free_port() -> io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port for UDP and TCP on 127.0.0.1")))
}
