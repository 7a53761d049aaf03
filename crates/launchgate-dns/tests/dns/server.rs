//! A small authoritative DNS responder on 127.0.0.1 (UDP and TCP on one port), serving
//! zones built in the tests. UDP answers over 512 bytes are truncated so the client has to
//! retry over TCP, as a real server does.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CAA, CNAME, MX, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;

/// Records by owner name and type, plus names that misbehave.
#[derive(Debug, Default, Clone)]
pub struct Zone {
    records: HashMap<(String, RecordType), Vec<RData>>,
    /// Names that exist with no records of their own (empty non-terminals).
    names: HashSet<String>,
    /// Queries for these names are never answered.
    silent: HashSet<String>,
    /// Queries for these names get SERVFAIL.
    servfail: HashSet<String>,
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
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
        self.add(name, RData::A(A(ip.parse::<Ipv4Addr>().unwrap())))
    }

    pub fn aaaa(&mut self, name: &str, ip: &str) -> &mut Self {
        self.add(name, RData::AAAA(AAAA(ip.parse::<Ipv6Addr>().unwrap())))
    }

    pub fn cname(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(name, RData::CNAME(CNAME(fqdn(target))))
    }

    pub fn mx(&mut self, name: &str, preference: u16, host: &str) -> &mut Self {
        self.add(name, RData::MX(MX::new(preference, fqdn(host))))
    }

    /// A TXT record; text longer than 255 bytes is split into strings as DNS requires.
    pub fn txt(&mut self, name: &str, text: &str) -> &mut Self {
        let chunks: Vec<String> = text
            .as_bytes()
            .chunks(255)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
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

    pub fn caa_issue(&mut self, name: &str, issuer: &str) -> &mut Self {
        self.add(
            name,
            RData::CAA(CAA::new_issue(
                false,
                Some(Name::from_ascii(issuer).unwrap()),
                vec![],
            )),
        )
    }

    pub fn silent(&mut self, name: &str) -> &mut Self {
        self.silent.insert(key(name));
        self
    }

    pub fn servfail(&mut self, name: &str) -> &mut Self {
        self.servfail.insert(key(name));
        self
    }

    /// The answer to one query; `None` means stay silent.
    fn answer(&self, query: &Message) -> Option<Message> {
        let mut response = Message::response(query.metadata.id, query.metadata.op_code);
        response.metadata.authoritative = true;
        response.metadata.recursion_desired = query.metadata.recursion_desired;
        response.metadata.recursion_available = true;
        let q = query.queries.first()?.clone();
        response.add_query(q.clone());
        let name = key(&q.name().to_string());
        if self.silent.contains(&name) {
            return None;
        }
        if self.servfail.contains(&name) {
            response.metadata.response_code = ResponseCode::ServFail;
            return Some(response);
        }
        let rtype = q.query_type();
        let mut owner = name.clone();
        // Follow CNAMEs inside the zone, as a recursive resolver would.
        for _ in 0..8 {
            if let Some(records) = self.records.get(&(owner.clone(), rtype)) {
                for data in records {
                    response.add_answer(Record::from_rdata(fqdn(&owner), 300, data.clone()));
                }
                return Some(response);
            }
            match self.records.get(&(owner.clone(), RecordType::CNAME)) {
                Some(cnames) if rtype != RecordType::CNAME => {
                    let data = cnames[0].clone();
                    response.add_answer(Record::from_rdata(fqdn(&owner), 300, data.clone()));
                    let RData::CNAME(target) = data else {
                        unreachable!()
                    };
                    owner = key(&target.0.to_string());
                }
                _ => break,
            }
        }
        if !self.names.contains(&owner) {
            response.metadata.response_code = ResponseCode::NXDomain;
        }
        Some(response)
    }
}

fn fqdn(name: &str) -> Name {
    Name::from_ascii(format!("{}.", key(name))).unwrap()
}

/// A running responder; stops when dropped.
#[derive(Debug)]
pub struct DnsServer {
    pub addr: SocketAddr,
    pub udp_queries: Arc<AtomicUsize>,
    pub tcp_queries: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    /// `udp://127.0.0.1:PORT`, the form `--nameserver` and `resolver:` take.
    pub fn url(&self) -> String {
        format!("udp://{}", self.addr)
    }

    pub fn start(zone: Zone) -> DnsServer {
        let zone = Arc::new(zone);
        let udp_queries = Arc::new(AtomicUsize::new(0));
        let tcp_queries = Arc::new(AtomicUsize::new(0));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (udp_count, tcp_count) = (udp_queries.clone(), tcp_queries.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let (udp, tcp) = bind_same_port().await;
                addr_tx.send(udp.local_addr().unwrap()).unwrap();
                let udp = Arc::new(udp);
                let udp_zone = zone.clone();
                let udp_task = tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    loop {
                        let Ok((len, peer)) = udp.recv_from(&mut buf).await else {
                            continue;
                        };
                        udp_count.fetch_add(1, Ordering::SeqCst);
                        let Ok(query) = Message::from_vec(&buf[..len]) else {
                            continue;
                        };
                        let Some(response) = udp_zone.answer(&query) else {
                            continue;
                        };
                        let mut bytes = response.to_vec().unwrap();
                        if bytes.len() > 512 {
                            bytes = response.truncate().to_vec().unwrap();
                        }
                        let _ = udp.send_to(&bytes, peer).await;
                    }
                });
                let tcp_task = tokio::spawn(async move {
                    loop {
                        let Ok((mut stream, _)) = tcp.accept().await else {
                            continue;
                        };
                        let zone = zone.clone();
                        let count = tcp_count.clone();
                        tokio::spawn(async move {
                            loop {
                                let Ok(len) = stream.read_u16().await else { return };
                                let mut buf = vec![0u8; usize::from(len)];
                                if stream.read_exact(&mut buf).await.is_err() {
                                    return;
                                }
                                count.fetch_add(1, Ordering::SeqCst);
                                let Ok(query) = Message::from_vec(&buf) else {
                                    return;
                                };
                                let Some(response) = zone.answer(&query) else {
                                    continue;
                                };
                                let bytes = response.to_vec().unwrap();
                                let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
                                framed.extend_from_slice(&bytes);
                                if stream.write_all(&framed).await.is_err() {
                                    return;
                                }
                            }
                        });
                    }
                });
                let _ = stop_rx.await;
                udp_task.abort();
                tcp_task.abort();
            });
        });
        let addr = addr_rx.recv().unwrap();
        DnsServer {
            addr,
            udp_queries,
            tcp_queries,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

async fn bind_same_port() -> (UdpSocket, TcpListener) {
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
            return (udp, tcp);
        }
    }
    panic!("no free port for UDP and TCP on 127.0.0.1");
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
