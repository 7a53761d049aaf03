//! An HTTPS server on 127.0.0.1 with a certificate from a test CA (rcgen), answering every
//! request with one response: a fixed policy file, or a body that never ends or drips.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use crate::loopback::{Loopback, TestCa};

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct HttpsServer {
    pub addr: SocketAddr,
    /// The CA certificate clients must trust, as PEM.
    pub ca_pem: String,
    /// Bytes written to clients so far.
    pub written: Arc<AtomicU64>,
    _server: Loopback,
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
        let ca = TestCa::new();
        let (cert, key) = ca.leaf(host, false);
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let written = Arc::new(AtomicU64::new(0));
        let counter = written.clone();
        let server = Loopback::serve(move |tcp| {
            let acceptor = acceptor.clone();
            let reply = reply.clone();
            let counter = counter.clone();
            async move {
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
                        let head =
                            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n";
                        if send(head.as_bytes()).await {
                            while send(b"v").await {
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                        }
                    }
                }
                let _ = tls.shutdown().await;
            }
        });
        HttpsServer {
            addr: server.addr,
            ca_pem: ca.pem,
            written,
            _server: server,
        }
    }
}
