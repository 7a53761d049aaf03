//! The SMTP conversation up to TLS, as a sending server has it: the banner, EHLO, STARTTLS
//! (RFC 5321, RFC 3207), then the TLS handshake against the MX host's name. Every step
//! waits a bounded time and every reply is read with a bounded size.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The longest reply line read, CRLF included; RFC 5321 §4.5.3.1.5 allows 512 octets.
pub const MAX_LINE_BYTES: usize = 2048;
/// The most lines one reply may have (an EHLO reply lists one extension a line).
pub const MAX_REPLY_LINES: usize = 100;

/// A step of the conversation, named in findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Banner,
    Ehlo,
    StartTls,
    Handshake,
}

impl Step {
    pub fn describe(self) -> &'static str {
        match self {
            Step::Banner => "the greeting (banner)",
            Step::Ehlo => "the EHLO reply",
            Step::StartTls => "the STARTTLS reply",
            Step::Handshake => "the TLS handshake",
        }
    }
}

/// How a conversation ended short of a verified TLS session.
#[derive(Debug, Clone)]
pub enum Failure {
    /// No TCP connection: refused, unreachable, or no answer in time.
    Unreachable(String),
    /// A step took longer than the timeout.
    TimedOut(Step),
    /// The server closed the connection.
    Closed(Step),
    /// A reply with an unexpected code, such as a 554 greeting.
    Refused { step: Step, reply: String },
    /// A reply that is not SMTP, or too long.
    Malformed { step: Step, why: String },
    /// The EHLO reply does not offer STARTTLS; the extensions it does offer.
    NoStartTls(Vec<String>),
    /// TLS failed: the handshake or the certificate.
    Tls(rustls::Error),
    /// TLS failed for a reason rustls does not name (an I/O error in the handshake).
    TlsIo(String),
}

/// What a successful conversation learnt.
#[derive(Debug, Clone)]
pub struct Secured {
    /// The negotiated protocol, such as `TLSv1_3`.
    pub protocol: String,
}

/// What the probe needs besides the address.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The MX host name: the name the certificate must carry.
    pub host: String,
    pub ehlo: String,
    pub timeout: Duration,
    pub tls: Arc<rustls::ClientConfig>,
}

/// Talks to `addr` up to a verified TLS session, then says QUIT.
pub async fn starttls(addr: SocketAddr, probe: &Probe) -> Result<Secured, Failure> {
    let timeout = probe.timeout;
    let tcp = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => {
            return Err(Failure::Unreachable(format!(
                "no answer within {} ms",
                timeout.as_millis()
            )));
        }
        Ok(Err(e)) => return Err(Failure::Unreachable(e.to_string())),
        Ok(Ok(tcp)) => tcp,
    };
    let mut conn = BufReader::new(tcp);
    expect(&mut conn, Step::Banner, 220, timeout).await?;
    send(
        &mut conn,
        format!("EHLO {}\r\n", probe.ehlo).as_bytes(),
        Step::Ehlo,
        timeout,
    )
    .await?;
    let ehlo = expect(&mut conn, Step::Ehlo, 250, timeout).await?;
    let extensions: Vec<String> = ehlo
        .iter()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_ascii_uppercase)
        .collect();
    if !extensions.iter().any(|e| e == "STARTTLS") {
        return Err(Failure::NoStartTls(extensions));
    }
    send(&mut conn, b"STARTTLS\r\n", Step::StartTls, timeout).await?;
    expect(&mut conn, Step::StartTls, 220, timeout).await?;
    // Bytes after the STARTTLS reply would be read as if they came over TLS (the
    // response injection of CVE-2011-0411); a server that sends them is broken.
    if !conn.buffer().is_empty() {
        return Err(Failure::Malformed {
            step: Step::StartTls,
            why: "the server sent more data after its STARTTLS reply, before TLS began".into(),
        });
    }
    let name = ServerName::try_from(probe.host.clone()).map_err(|e| Failure::Malformed {
        step: Step::Handshake,
        why: format!("`{}` is not a host name a certificate can carry: {e}", probe.host),
    })?;
    let connector = TlsConnector::from(probe.tls.clone());
    let mut tls = match tokio::time::timeout(timeout, connector.connect(name, conn.into_inner())).await {
        Err(_) => return Err(Failure::TimedOut(Step::Handshake)),
        Ok(Err(e)) => {
            let rustls_error = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .cloned();
            return Err(match rustls_error {
                Some(error) => Failure::Tls(error),
                None => Failure::TlsIo(e.to_string()),
            });
        }
        Ok(Ok(tls)) => tls,
    };
    let protocol = tls
        .get_ref()
        .1
        .protocol_version()
        .map_or_else(|| "TLS".to_string(), |v| format!("{v:?}"));
    // A polite end; the verdict is already known, so its errors do not matter.
    let _ = tokio::time::timeout(timeout, async {
        tls.write_all(b"QUIT\r\n").await?;
        tls.shutdown().await
    })
    .await;
    Ok(Secured { protocol })
}

async fn send(
    conn: &mut BufReader<TcpStream>,
    bytes: &[u8],
    step: Step,
    timeout: Duration,
) -> Result<(), Failure> {
    match tokio::time::timeout(timeout, conn.get_mut().write_all(bytes)).await {
        Err(_) => Err(Failure::TimedOut(step)),
        Ok(Err(_)) => Err(Failure::Closed(step)),
        Ok(Ok(())) => Ok(()),
    }
}

/// Reads one reply within the timeout and requires `code`; gives its lines' texts.
async fn expect<R: AsyncBufRead + Unpin>(
    conn: &mut R,
    step: Step,
    code: u16,
    timeout: Duration,
) -> Result<Vec<String>, Failure> {
    let (got, lines) = match tokio::time::timeout(timeout, read_reply(conn)).await {
        Err(_) => return Err(Failure::TimedOut(step)),
        Ok(Err(ReadError::Closed)) => return Err(Failure::Closed(step)),
        Ok(Err(ReadError::Malformed(why))) => return Err(Failure::Malformed { step, why }),
        Ok(Ok(reply)) => reply,
    };
    if got != code {
        let text = lines.join(" / ");
        return Err(Failure::Refused {
            step,
            reply: format!("{got} {}", cut(&text, 200)),
        });
    }
    Ok(lines)
}

/// At most `max` characters of `text`, marked when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[derive(Debug, PartialEq)]
pub enum ReadError {
    Closed,
    Malformed(String),
}

/// One reply: its code and the text of each line (`250-PIPELINING` gives `PIPELINING`).
pub async fn read_reply<R: AsyncBufRead + Unpin>(conn: &mut R) -> Result<(u16, Vec<String>), ReadError> {
    let mut lines = Vec::new();
    let mut code = None;
    loop {
        if lines.len() == MAX_REPLY_LINES {
            return Err(ReadError::Malformed(format!(
                "a reply of more than {MAX_REPLY_LINES} lines"
            )));
        }
        let raw = read_line(conn).await?;
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim_end_matches(['\r', '\n']);
        let this: u16 = line
            .get(..3)
            .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| {
                ReadError::Malformed(format!(
                    "`{}` is not an SMTP reply line",
                    cut(&line.escape_debug().to_string(), 80)
                ))
            })?;
        if code.is_some_and(|c| c != this) {
            return Err(ReadError::Malformed(format!(
                "a reply mixes the codes {} and {this}",
                code.unwrap_or_default()
            )));
        }
        code = Some(this);
        let separator = line.as_bytes().get(3).copied();
        lines.push(line.get(4..).unwrap_or_default().to_string());
        match separator {
            None | Some(b' ') => return Ok((this, lines)),
            Some(b'-') => {}
            Some(_) => {
                return Err(ReadError::Malformed(format!(
                    "`{}` is not an SMTP reply line",
                    cut(&line.escape_debug().to_string(), 80)
                )));
            }
        }
    }
}

/// One line up to and including its LF, at most [`MAX_LINE_BYTES`].
async fn read_line<R: AsyncBufRead + Unpin>(conn: &mut R) -> Result<Vec<u8>, ReadError> {
    let too_long = || ReadError::Malformed(format!("a reply line longer than {MAX_LINE_BYTES} bytes"));
    let mut line = Vec::new();
    loop {
        let buf = conn.fill_buf().await.map_err(|_| ReadError::Closed)?;
        if buf.is_empty() {
            return Err(ReadError::Closed);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if line.len() + take > MAX_LINE_BYTES {
            return Err(too_long());
        }
        line.extend_from_slice(&buf[..take]);
        conn.consume(take);
        if done {
            return Ok(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &[u8]) -> Result<(u16, Vec<String>), ReadError> {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut reader = BufReader::new(text);
        runtime.block_on(read_reply(&mut reader))
    }

    #[test]
    fn reads_multi_line_replies() {
        let (code, lines) =
            reply(b"250-mx.example greets you\r\n250-PIPELINING\r\n250 STARTTLS\r\nrest").unwrap();
        assert_eq!(code, 250);
        assert_eq!(lines, ["mx.example greets you", "PIPELINING", "STARTTLS"]);
        assert_eq!(reply(b"220\r\n").unwrap(), (220, vec![String::new()]));
    }

    #[test]
    fn bounds_and_rejects_what_is_not_smtp() {
        let long = [b"220 ".as_slice(), &[b'x'; MAX_LINE_BYTES], b"\r\n"].concat();
        assert_eq!(
            reply(&long).unwrap_err(),
            ReadError::Malformed(format!("a reply line longer than {MAX_LINE_BYTES} bytes"))
        );
        let many = b"250-x\r\n".repeat(MAX_REPLY_LINES + 1);
        assert!(matches!(reply(&many), Err(ReadError::Malformed(m)) if m.contains("more than 100 lines")));
        assert!(matches!(
            reply(b"HTTP/1.1 400 Bad\r\n"),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(reply(b"250-a\r\n251 b\r\n"), Err(ReadError::Malformed(m)) if m.contains("mixes")));
        assert_eq!(reply(b"250-a\r\n").unwrap_err(), ReadError::Closed);
    }
}
