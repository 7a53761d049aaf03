//! An SMTP server on 127.0.0.1 for the STARTTLS probe: a banner, EHLO, STARTTLS upgraded
//! with tokio-rustls and a certificate from a CA made at test time (rcgen), then QUIT. Its
//! behaviour can be broken on purpose: no STARTTLS, a 554 greeting, data sent after the
//! STARTTLS reply.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::loopback::Loopback;

/// How the server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Offers STARTTLS and completes it.
    Good,
    /// Its EHLO reply lists no STARTTLS.
    NoStartTls,
    /// Greets with 554 (a server turning the client away).
    Refuses,
    /// Sends a second reply right after the STARTTLS reply, in the clear.
    InjectsAfterStartTls,
}

/// A running server; stops when dropped.
pub struct SmtpServer {
    _server: Loopback,
    pub addr: SocketAddr,
    /// Connections accepted so far.
    pub connections: Arc<AtomicUsize>,
}

impl SmtpServer {
    pub fn start(
        cert: (CertificateDer<'static>, PrivateKeyDer<'static>),
        behaviour: Behaviour,
    ) -> SmtpServer {
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert.0], cert.1)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        let server = Loopback::serve(move |tcp| {
            counter.fetch_add(1, Ordering::SeqCst);
            session(tcp, acceptor.clone(), behaviour)
        });
        SmtpServer {
            addr: server.addr,
            _server: server,
            connections,
        }
    }
}

async fn session(tcp: tokio::net::TcpStream, acceptor: TlsAcceptor, behaviour: Behaviour) {
    let mut conn = BufReader::new(tcp);
    if behaviour == Behaviour::Refuses {
        let _ = conn.get_mut().write_all(b"554 no service for you\r\n").await;
        return;
    }
    if conn
        .get_mut()
        .write_all(b"220 mx.smtp.test ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match (&mut conn).take(1024).read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            match behaviour {
                Behaviour::NoStartTls => b"250-mx.smtp.test greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
                _ => b"250-mx.smtp.test greets you\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
            }
        } else if command == "STARTTLS" {
            let reply: &[u8] = match behaviour {
                Behaviour::InjectsAfterStartTls => b"220 go ahead\r\n250 injected\r\n",
                _ => b"220 go ahead\r\n",
            };
            if conn.get_mut().write_all(reply).await.is_err() {
                return;
            }
            let Ok(mut tls) = acceptor.accept(conn.into_inner()).await else {
                return;
            };
            let mut buf = [0u8; 64];
            if let Ok(n) = tls.read(&mut buf).await
                && buf[..n].starts_with(b"QUIT")
            {
                let _ = tls.write_all(b"221 bye\r\n").await;
            }
            let _ = tls.shutdown().await;
            return;
        } else if command == "QUIT" {
            let _ = conn.get_mut().write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if conn.get_mut().write_all(reply).await.is_err() {
            return;
        }
    }
}
