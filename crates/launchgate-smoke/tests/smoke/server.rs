//! A small HTTP/1.1 server on 127.0.0.1 for the tests and the benchmark: plain or TLS (with
//! a certificate chosen by SNI), keep-alive, Content-Length bodies, optional delays.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn host(&self) -> String {
        let h = self.header("host").unwrap_or("");
        h.rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(h)
            .to_ascii_lowercase()
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.header("cookie")?.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Response::new(status, "").header("Location", location)
    }

    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A running server; it stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Server {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts a server on 127.0.0.1 (a free port) on its own thread and runtime.
    pub fn start(handler: Handler, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
                let accept_loop = async {
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else {
                            continue;
                        };
                        let _ = tcp.set_nodelay(true);
                        let handler = handler.clone();
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            match acceptor {
                                Some(a) => {
                                    if let Ok(tls) = a.accept(tcp).await {
                                        serve(tls, handler).await;
                                    }
                                }
                                None => serve(tcp, handler).await,
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = accept_loop => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("server address");
        Server {
            addr,
            stop: Some(stop_tx),
        }
    }
}

/// The requests a recording server received, in order.
pub type Seen = Arc<std::sync::Mutex<Vec<Request>>>;

/// Starts a plain-HTTP server that records every request before `handler` answers it.
pub fn recording(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> (Server, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let recorded: Handler = Arc::new(move |req: &Request| {
        s.lock().unwrap().push(req.clone());
        handler(req)
    });
    (Server::start(recorded, None), seen)
}

/// The paths of the requests seen so far.
pub fn paths(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|r| r.path().to_string())
        .collect()
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, handler: Handler) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, target) = (method.to_string(), target.to_string());
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let request = Request {
            method,
            target,
            headers,
            body,
        };
        let close = request
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let response = handler(&request);
        if let Some(d) = response.delay {
            tokio::time::sleep(d).await;
        }
        let mut out = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            response.status,
            response.body.len()
        );
        for (k, v) in &response.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        // One write per response: a head and a body in separate segments would meet the
        // client's delayed ACK and add 40 ms to every request.
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&response.body);
        let stream = reader.get_mut();
        if stream.write_all(&bytes).await.is_err() || stream.flush().await.is_err() {
            return;
        }
        if close {
            return;
        }
    }
}

/// Certificates made at test time: a CA and leaves valid, expiring, expired or for the
/// wrong host, served by SNI.
pub struct Pki {
    pub ca_pem: String,
    by_host: HashMap<String, Arc<CertifiedKey>>,
}

impl Pki {
    pub fn new() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().expect("ca key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "launchgate test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
        let issuer = Issuer::new(ca_params, ca_key);
        let now = time::OffsetDateTime::now_utc();
        let day = time::Duration::days(1);
        let leaf = |names: &[&str], not_before: time::OffsetDateTime, not_after: time::OffsetDateTime| {
            let key = KeyPair::generate().expect("leaf key");
            let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .expect("params");
            p.not_before = not_before;
            p.not_after = not_after;
            p.distinguished_name.push(DnType::CommonName, names[0]);
            let cert = p.signed_by(&key, &issuer).expect("sign leaf");
            let der_key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
            let signing = rustls::crypto::ring::sign::any_supported_type(&der_key).expect("signing key");
            Arc::new(CertifiedKey::new(vec![cert.der().clone()], signing))
        };
        let valid = leaf(
            &[
                "example.test",
                "www.example.test",
                "loop.example.test",
                "localhost",
            ],
            now - day,
            now + day * 90,
        );
        let mut by_host = HashMap::new();
        by_host.insert("example.test".to_string(), valid.clone());
        by_host.insert("www.example.test".to_string(), valid.clone());
        by_host.insert("localhost".to_string(), valid.clone());
        by_host.insert("loop.example.test".to_string(), valid);
        by_host.insert(
            "expiring.test".to_string(),
            leaf(
                &["expiring.test"],
                now - day * 80,
                now + day * 5 + time::Duration::hours(2),
            ),
        );
        by_host.insert(
            "expired.test".to_string(),
            leaf(
                &["expired.test"],
                now - day * 90,
                now - day * 3 - time::Duration::hours(2),
            ),
        );
        by_host.insert(
            "wrong.test".to_string(),
            leaf(&["other.example"], now - day, now + day * 90),
        );
        Pki {
            ca_pem: ca_cert.pem(),
            by_host,
        }
    }

    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.config_with(rustls::server::WebPkiClientVerifier::no_client_auth())
    }

    /// A server that completes the handshake only with a client certificate issued by the
    /// CA in `client_ca_pem`.
    pub fn server_config_requiring_client_cert(&self, client_ca_pem: &str) -> Arc<rustls::ServerConfig> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(client_ca_pem.as_bytes()).expect("client CA"))
            .expect("add client CA");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .expect("client verifier");
        self.config_with(verifier)
    }

    fn config_with(
        &self,
        client_verifier: Arc<dyn rustls::server::danger::ClientCertVerifier>,
    ) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_client_cert_verifier(client_verifier)
            .with_cert_resolver(Arc::new(BySni(self.by_host.clone())));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

#[derive(Debug)]
struct BySni(HashMap<String, Arc<CertifiedKey>>);

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.get(hello.server_name()?).cloned()
    }
}
