//! A small SMTP server on 127.0.0.1 for the email alert tests: STARTTLS, TLS from the
//! first byte or plain, AUTH PLAIN and LOGIN (only once encrypted when TLS is on), and a
//! record of every message it accepted.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain, upgraded by STARTTLS; AUTH only after it.
    Starttls,
    /// TLS from the first byte.
    Implicit,
    /// Plain, no STARTTLS offered.
    Plain,
}

#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub credentials: Option<(String, String)>,
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    /// Whether the message came over TLS.
    pub encrypted: bool,
}

pub struct SmtpServer {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
    /// Every command line received, for tests that check what was never sent.
    pub commands: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

impl SmtpServer {
    pub fn start(mode: Mode, tls: Arc<rustls::ServerConfig>) -> SmtpServer {
        let mails = Arc::new(Mutex::new(Vec::new()));
        let commands = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (m, c) = (mails.clone(), commands.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                port_tx
                    .send(listener.local_addr().expect("addr").port())
                    .expect("port");
                let acceptor = tokio_rustls::TlsAcceptor::from(tls);
                let accept_loop = async {
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else {
                            continue;
                        };
                        let (acceptor, m, c) = (acceptor.clone(), m.clone(), c.clone());
                        tokio::spawn(async move {
                            let stream: Box<dyn Io> = if mode == Mode::Implicit {
                                match acceptor.accept(tcp).await {
                                    Ok(s) => Box::new(s),
                                    Err(_) => return,
                                }
                            } else {
                                Box::new(tcp)
                            };
                            session(stream, mode, acceptor, m, c).await;
                        });
                    }
                };
                tokio::select! {
                    _ = accept_loop => {}
                    _ = stop_rx => {}
                }
            });
        });
        SmtpServer {
            port: port_rx.recv().expect("smtp port"),
            mails,
            commands,
            stop: Some(stop_tx),
        }
    }
}

async fn session(
    stream: Box<dyn Io>,
    mode: Mode,
    acceptor: tokio_rustls::TlsAcceptor,
    mails: Arc<Mutex<Vec<Mail>>>,
    commands: Arc<Mutex<Vec<String>>>,
) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |s: &str| String::from_utf8_lossy(&b64.decode(s.trim()).unwrap_or_default()).into_owned();
    let mut encrypted = mode == Mode::Implicit;
    let mut reader = BufReader::new(stream);
    let mut mail = Mail::default();
    let mut credentials = None;
    if reply(&mut reader, "220 localhost ESMTP test").await.is_err() {
        return;
    }
    loop {
        let Some(line) = read_line(&mut reader).await else {
            return;
        };
        commands.lock().unwrap().push(line.clone());
        let upper = line.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let mut lines = vec!["250-localhost".to_string()];
            if mode == Mode::Starttls && !encrypted {
                lines.push("250-STARTTLS".into());
            }
            if encrypted || mode == Mode::Plain {
                lines.push("250-AUTH PLAIN LOGIN".into());
            }
            lines.push("250 8BITMIME".into());
            lines.join("\r\n")
        } else if upper == "STARTTLS" && mode == Mode::Starttls && !encrypted {
            if reply(&mut reader, "220 ready for TLS").await.is_err() {
                return;
            }
            let Ok(tls) = acceptor.accept(reader.into_inner()).await else {
                return;
            };
            reader = BufReader::new(Box::new(tls));
            encrypted = true;
            continue;
        } else if upper.starts_with("AUTH") && mode == Mode::Starttls && !encrypted {
            "530 issue STARTTLS first".into()
        } else if let Some(rest) = upper.strip_prefix("AUTH PLAIN") {
            let initial = if rest.trim().is_empty() {
                let _ = reply(&mut reader, "334 ").await;
                read_line(&mut reader).await.unwrap_or_default()
            } else {
                line[10..].trim().to_string()
            };
            let parts: Vec<String> = decode(&initial).split('\0').map(str::to_string).collect();
            credentials = parts
                .get(1)
                .zip(parts.get(2))
                .map(|(u, p)| (u.clone(), p.clone()));
            "235 authenticated".into()
        } else if upper.starts_with("AUTH LOGIN") {
            let _ = reply(&mut reader, "334 VXNlcm5hbWU6").await;
            let user = decode(&read_line(&mut reader).await.unwrap_or_default());
            let _ = reply(&mut reader, "334 UGFzc3dvcmQ6").await;
            let password = decode(&read_line(&mut reader).await.unwrap_or_default());
            credentials = Some((user, password));
            "235 authenticated".into()
        } else if upper.starts_with("MAIL FROM:") {
            mail = Mail {
                from: line[10..].trim().to_string(),
                ..Mail::default()
            };
            "250 ok".into()
        } else if upper.starts_with("RCPT TO:") {
            mail.to.push(line[8..].trim().to_string());
            "250 ok".into()
        } else if upper == "DATA" {
            if reply(&mut reader, "354 go ahead").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                let Some(l) = read_line(&mut reader).await else {
                    return;
                };
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push('\n');
            }
            mail.data = data;
            mail.encrypted = encrypted;
            mail.credentials = credentials.clone();
            mails.lock().unwrap().push(std::mem::take(&mut mail));
            "250 queued".into()
        } else if upper == "QUIT" {
            let _ = reply(&mut reader, "221 bye").await;
            return;
        } else if upper == "RSET" || upper == "NOOP" {
            "250 ok".into()
        } else {
            "502 not implemented".into()
        };
        if reply(&mut reader, &answer).await.is_err() {
            return;
        }
    }
}

async fn read_line(reader: &mut BufReader<Box<dyn Io>>) -> Option<String> {
    let mut line = String::new();
    match reader.read_line(&mut line).await {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

async fn reply(reader: &mut BufReader<Box<dyn Io>>, text: &str) -> std::io::Result<()> {
    let stream = reader.get_mut();
    stream.write_all(format!("{text}\r\n").as_bytes()).await?;
    stream.flush().await
}
