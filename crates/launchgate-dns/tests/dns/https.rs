//! An HTTPS server on 127.0.0.1 with a certificate from a test CA (rcgen), answering every
//! request with one response: a fixed policy file, or a body that never ends or drips.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct HttpsServer {
    pub addr: SocketAddr,
    /// The CA certificate clients must trust, as PEM.
    pub ca_pem: String,
    /// Bytes written to clients so far.
    pub written: Arc<AtomicU64>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the server answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// One complete response.
    Fixed(String),
    /// A chunked text/plain body that goes on until the client leaves (or 256 MiB).
    Endless,
    /// A text/plain body announced as 1,000 bytes, sent one byte every 20 ms.
    Drip,
}

/// The most one connection writes, so a client that never stops reading still ends.
const WRITE_CAP: u64 = 256 * 1024 * 1024;

impl HttpsServer {
    /// Serves `body` with `content_type` and `status` for `host`.
    pub fn start(host: &str, status: u16, content_type: &str, body: &str) -> HttpsServer {
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        HttpsServer::with_reply(host, Reply::Fixed(response))
    }

    /// Serves `reply` for `host`.
    pub fn with_reply(host: &str, reply: Reply) -> HttpsServer {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec![host.to_string()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let chain = vec![CertificateDer::from(leaf.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let written = Arc::new(AtomicU64::new(0));
        let counter = written.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let serve = async move {
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else {
                            continue;
                        };
                        let acceptor = acceptor.clone();
                        let reply = reply.clone();
                        let counter = counter.clone();
                        tokio::spawn(async move {
                            let Ok(mut tls) = acceptor.accept(tcp).await else {
                                return;
                            };
                            let mut request = Vec::new();
                            let mut buf = [0u8; 1024];
                            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                                match tls.read(&mut buf).await {
                                    Ok(0) | Err(_) => return,
                                    Ok(n) => request.extend_from_slice(&buf[..n]),
                                }
                            }
                            let mut send = async |bytes: &[u8]| {
                                if counter.load(Ordering::SeqCst) > WRITE_CAP {
                                    return false;
                                }
                                counter.fetch_add(bytes.len() as u64, Ordering::SeqCst);
                                tls.write_all(bytes).await.is_ok()
                            };
                            match reply {
                                Reply::Fixed(response) => {
                                    send(response.as_bytes()).await;
                                }
                                Reply::Endless => {
                                    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n";
                                    let data = b"mx: mx.example\n".repeat(1024);
                                    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
                                    chunk.extend(data);
                                    chunk.extend_from_slice(b"\r\n");
                                    if send(head.as_bytes()).await {
                                        while send(&chunk).await {}
                                    }
                                }
                                Reply::Drip => {
                                    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n";
                                    if send(head.as_bytes()).await {
                                        while send(b"v").await {
                                            tokio::time::sleep(Duration::from_millis(20)).await;
                                        }
                                    }
                                }
                            }
                            let _ = tls.shutdown().await;
                        });
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stop_rx => {}
                }
            });
        });
        HttpsServer {
            addr: addr_rx.recv().unwrap(),
            ca_pem: ca_cert.pem(),
            written,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
