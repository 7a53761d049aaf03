//! The HTTP side: one shared client (connections are reused), redirects followed by hand
//! so every hop is seen, a cookie jar per check, and failures described in words.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use launchgate_core::Error;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use crate::cookies::{CookieJar, SetCookie};
use crate::limits::{ByteSize, DEFAULT_MAX_BODY, MAX_RESPONSE_HEADERS};
use crate::tls::{CertFacts, CertLog, RecordingVerifier};

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// How the client connects: overrides, trust roots and the default timeout.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// `--resolve host:port:addr`, by host.
    pub resolve: HashMap<String, IpAddr>,
    pub ca_certs: Vec<std::path::PathBuf>,
    pub timeout: Option<Duration>,
    /// The longest response body read; [`crate::limits::DEFAULT_MAX_BODY`] when unset.
    pub max_body: Option<ByteSize>,
    /// The run's secrets: body excerpts are redacted with them before they are cut.
    pub redactor: crate::vars::Redactor,
    /// Client certificates; a request names one by its index ([`Prepared::identity`]).
    pub identities: Vec<crate::client_cert::ClientIdentity>,
}

/// Parses `host:port:addr` (curl's form). The port names which URLs the entry is for; the
/// client applies the address to every port of the host.
pub fn parse_resolve(entry: &str) -> Result<(String, u16, IpAddr), Error> {
    let bad = || {
        Error::input(format!("--resolve {entry}: expected host:port:address"))
            .with_help("for example --resolve example.com:443:203.0.113.7 (IPv6 in brackets: [2001:db8::1])")
    };
    let (host, rest) = entry.split_once(':').ok_or_else(bad)?;
    let (port, addr) = rest.split_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = addr.parse().map_err(|_| bad())?;
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_ascii_lowercase(), port, ip))
}

/// The shared HTTP client of a run.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    /// One client per client certificate, as TLS settings are per client.
    identity_clients: Arc<Vec<reqwest::Client>>,
    pub timeout: Duration,
    pub max_body: ByteSize,
    pub verifier: Arc<RecordingVerifier>,
    pub certs: Arc<CertLog>,
    resolve: Arc<HashMap<String, IpAddr>>,
    redactor: crate::vars::Redactor,
}

impl HttpClient {
    pub fn new(options: &ClientOptions) -> Result<Self, Error> {
        let certs = Arc::new(CertLog::default());
        let roots = crate::tls::root_store(&options.ca_certs)?;
        let verifier = Arc::new(RecordingVerifier::new(roots, certs.clone())?);
        let timeout = options.timeout.unwrap_or(Duration::from_secs(10));
        let build =
            |identity: Option<&crate::client_cert::ClientIdentity>| -> Result<reqwest::Client, Error> {
                let config = crate::tls::client_config(verifier.clone(), identity)?;
                let mut builder = reqwest::Client::builder()
                    .tls_backend_preconfigured(config)
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(timeout)
                    .pool_max_idle_per_host(64)
                    .http1_max_headers(MAX_RESPONSE_HEADERS)
                    .user_agent(concat!("launchgate-smoke/", env!("CARGO_PKG_VERSION")));
                for (host, ip) in &options.resolve {
                    builder = builder.resolve(host, SocketAddr::new(*ip, 0));
                }
                builder
                    .build()
                    .map_err(|e| Error::input(format!("cannot build the HTTP client: {e}")))
            };
        let client = build(None)?;
        let identity_clients = options
            .identities
            .iter()
            .map(|id| build(Some(id)))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(HttpClient {
            client,
            identity_clients: Arc::new(identity_clients),
            timeout,
            max_body: options.max_body.unwrap_or(DEFAULT_MAX_BODY),
            verifier,
            certs,
            resolve: Arc::new(options.resolve.clone()),
            redactor: options.redactor.clone(),
        })
    }

    /// The address to connect to for a host and port: the `--resolve` entry, or DNS.
    pub async fn address(&self, host: &str, port: u16) -> Result<SocketAddr, Failure> {
        if let Some(ip) = self.resolve.get(&host.to_ascii_lowercase()) {
            return Ok(SocketAddr::new(*ip, port));
        }
        match tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, port))).await {
            Err(_) => Err(Failure::Timeout(self.timeout)),
            Ok(Ok(mut addrs)) => addrs.next().ok_or_else(|| Failure::Dns(host.to_string())),
            Ok(Err(_)) => Err(Failure::Dns(host.to_string())),
        }
    }

    /// Sends a request, following redirects when asked, with the jar's cookies. The
    /// timeout bounds the whole exchange: every hop, every header and every body byte.
    pub async fn send(
        &self,
        request: &Prepared,
        jar: &mut CookieJar,
        follow: bool,
        timeout: Option<Duration>,
    ) -> Result<Exchange, Failure> {
        let timeout = timeout.unwrap_or(self.timeout);
        tokio::time::timeout(timeout, self.send_within(request, jar, follow, timeout))
            .await
            .unwrap_or(Err(Failure::Timeout(timeout)))
    }

    async fn send_within(
        &self,
        request: &Prepared,
        jar: &mut CookieJar,
        follow: bool,
        timeout: Duration,
    ) -> Result<Exchange, Failure> {
        let start = Instant::now();
        let mut hops: Vec<Hop> = Vec::new();
        let mut set_cookies = Vec::new();
        let mut current = request.clone();
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            let response = self.send_once(&current, jar, left).await.map_err(|f| match f {
                Failure::Timeout(_) => Failure::Timeout(timeout),
                other => other,
            })?;
            let status = response.status;
            set_cookies.extend(response.set_cookies.iter().cloned());
            let location = response.location();
            let redirect = matches!(status, 301 | 302 | 303 | 307 | 308) && location.is_some();
            if !follow || !redirect {
                return Ok(Exchange {
                    hops,
                    set_cookies,
                    elapsed: start.elapsed(),
                    ..response
                });
            }
            let target = location
                .as_deref()
                .and_then(|l| current.url.join(l).ok())
                .ok_or_else(|| Failure::Other(format!("{} sent an invalid Location header", current.url)))?;
            hops.push(Hop {
                url: current.url.to_string(),
                status,
                location: Some(target.to_string()),
            });
            if hops.iter().any(|h| h.url == target.as_str()) {
                return Err(Failure::RedirectLoop(chain_text(&hops, &target)));
            }
            if hops.len() >= MAX_REDIRECTS {
                return Err(Failure::TooManyRedirects(chain_text(&hops, &target)));
            }
            let carries = !current.headers.is_empty() || current.body.is_some();
            if current.url.scheme() == "https" && target.scheme() == "http" && carries {
                return Err(Failure::Other(format!(
                    "refused to follow the redirect from {} to {target}: it leaves HTTPS for plain HTTP, \
                     and the request carries headers or a body that would travel unencrypted",
                    current.url
                )));
            }
            let keep_method = matches!(status, 307 | 308);
            // Another origin gets none of the step's headers (Authorization, API keys) nor
            // its body; the jar still sends only the cookies meant for that host.
            let same_origin = current.url.origin() == target.origin();
            current = Prepared {
                method: if keep_method || current.method == Method::HEAD {
                    current.method.clone()
                } else {
                    Method::GET
                },
                url: target,
                headers: if same_origin {
                    current.headers.clone()
                } else {
                    Vec::new()
                },
                body: if keep_method && same_origin {
                    current.body.clone()
                } else {
                    None
                },
                // Nor is the client certificate shown to another origin.
                identity: current.identity.filter(|_| same_origin),
            };
        }
    }

    async fn send_once(
        &self,
        request: &Prepared,
        jar: &mut CookieJar,
        timeout: Duration,
    ) -> Result<Exchange, Failure> {
        let start = Instant::now();
        let client = request
            .identity
            .and_then(|i| self.identity_clients.get(i))
            .unwrap_or(&self.client);
        let mut builder = client
            .request(request.method.clone(), request.url.clone())
            .timeout(timeout);
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Failure::Other(format!("`{name}` is not a valid header name")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Failure::Other(format!("the value of header `{name}` is not valid in a header"))
            })?;
            headers.append(name, value);
        }
        if let Some(cookie) = jar.header_for(&request.url)
            && let Ok(v) = HeaderValue::from_str(&cookie)
        {
            headers.insert(reqwest::header::COOKIE, v);
        }
        builder = builder.headers(headers);
        builder = match &request.body {
            Some(PreparedBody::Json(v)) => builder.json(v),
            Some(PreparedBody::Form(f)) => builder.form(f),
            Some(PreparedBody::Raw(s)) => builder.body(s.clone()),
            Some(PreparedBody::Multipart(parts)) => {
                builder.multipart(crate::multipart::form(parts).map_err(Failure::Other)?)
            }
            None => builder,
        };
        let response = builder
            .send()
            .await
            .map_err(|e| self.classify(&e, &request.url, timeout))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let url = response.url().clone();
        let body = self
            .read_body(response, &request.url, timeout)
            .await
            .map_err(|e| match e {
                Failure::BodyTooLarge { limit, .. } => Failure::BodyTooLarge { limit, status },
                other => other,
            })?;
        let set_cookies: Vec<SetCookie> = headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(SetCookie::parse)
            .collect();
        for c in &set_cookies {
            jar.store(&url, c);
        }
        Ok(Exchange {
            url,
            status,
            headers,
            body,
            elapsed: start.elapsed(),
            hops: Vec::new(),
            set_cookies,
            redactor: self.redactor.clone(),
        })
    }

    /// The body, chunk by chunk, up to `max_body`: past it the response is dropped, which
    /// closes the connection, so an endless body costs at most the limit in memory.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &Url,
        timeout: Duration,
    ) -> Result<Vec<u8>, Failure> {
        let limit = self.max_body;
        if response.content_length().is_some_and(|n| n > limit.bytes()) {
            return Err(Failure::BodyTooLarge { limit, status: 0 });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.classify(&e, url, timeout))?
        {
            if body.len().saturating_add(chunk.len()) > limit.as_usize() {
                return Err(Failure::BodyTooLarge { limit, status: 0 });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Turns a client error into words: DNS, refused, timeout, TLS and why.
    fn classify(&self, err: &reqwest::Error, url: &Url, timeout: Duration) -> Failure {
        let host = url.host_str().unwrap_or("").to_string();
        if err.is_timeout() {
            return Failure::Timeout(timeout);
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        let mut text = String::new();
        while let Some(e) = source {
            if let Some(tls) = tls_error(e) {
                let cert = self.certs.get(&host).and_then(|d| CertFacts::parse(&d));
                return Failure::Tls(crate::tls::describe_tls_error(
                    tls,
                    &host,
                    cert.as_ref(),
                    crate::tls::unix_now(),
                ));
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => {
                        let port = url.port_or_known_default().unwrap_or(0);
                        return Failure::Refused(format!("{host}:{port}"));
                    }
                    std::io::ErrorKind::TimedOut => return Failure::Timeout(timeout),
                    _ => {}
                }
            }
            text.push_str(&e.to_string().to_ascii_lowercase());
            text.push(' ');
            source = e.source();
        }
        if is_dns_failure(&text) {
            return Failure::Dns(host);
        }
        if text.contains("message head is too large") {
            return Failure::HeadTooLarge;
        }
        Failure::Other(describe_chain(err))
    }
}

/// Whether the lower-cased text of an error chain says the host name did not resolve
/// (hyper-util's resolver reports "dns error: failed to lookup address information: …").
fn is_dns_failure(text: &str) -> bool {
    text.contains("dns error")
        || text.contains("failed to lookup address")
        || text.contains("name or service not known")
        || text.contains("no address associated with hostname")
}

/// The rustls error behind a client error. `io::Error::source` skips the error it wraps,
/// so the wrapped error is unwrapped by hand.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(t) = e.downcast_ref::<rustls::Error>() {
        return Some(t);
    }
    if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        return tls_error(inner);
    }
    None
}

fn describe_chain(err: &reqwest::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        source = e.source();
    }
    parts.join(": ")
}

fn chain_text(hops: &[Hop], last: &Url) -> Vec<String> {
    let mut chain: Vec<String> = hops.iter().map(|h| format!("{} ({})", h.url, h.status)).collect();
    chain.push(last.to_string());
    chain
}

/// `10 s`, `500 ms`.
pub fn secs(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// A request with every `${NAME}` already substituted.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<PreparedBody>,
    /// The client certificate to present, by its index in [`ClientOptions::identities`].
    pub identity: Option<usize>,
}

impl Prepared {
    pub fn get(url: Url) -> Self {
        Prepared {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: None,
            identity: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum PreparedBody {
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
    Raw(String),
    Multipart(Vec<crate::multipart::PreparedPart>),
}

/// One redirect seen on the way.
#[derive(Debug, Clone)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    pub location: Option<String>,
}

/// A response and how it was reached.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The URL that answered last.
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub elapsed: Duration,
    /// Redirects followed before `url`.
    pub hops: Vec<Hop>,
    /// Every `Set-Cookie` of every hop.
    pub set_cookies: Vec<SetCookie>,
    /// The run's secrets, for [`Exchange::body_excerpt`].
    pub redactor: crate::vars::Redactor,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn location(&self) -> Option<String> {
        self.header("location")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first 200 bytes of the body, for failure messages. The whole body is redacted
    /// first, so a secret cut at the limit or spread over lines never shows in part: the
    /// values this run sent, and any credential the detector recognises (an error page that
    /// prints the server's environment must not put its keys into a CI log).
    pub fn body_excerpt(&self) -> String {
        let text = launchgate_detect::redact_secrets(&self.redactor.redact(&self.text()));
        let mut end = text.len().min(200);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let excerpt = text[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        if excerpt.is_empty() {
            "(empty body)".into()
        } else {
            format!("body: {excerpt}")
        }
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Dns(String),
    Refused(String),
    Timeout(Duration),
    Tls(String),
    RedirectLoop(Vec<String>),
    TooManyRedirects(Vec<String>),
    /// The body went past the limit; reading stopped there. The status had arrived.
    BodyTooLarge {
        limit: ByteSize,
        status: u16,
    },
    /// The status line and headers went past hyper's buffer or the header count.
    HeadTooLarge,
    Other(String),
}

impl Failure {
    /// The status of a response that came but was refused (its body was too large).
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Dns(host) => write!(f, "DNS failure: cannot resolve {host}"),
            Failure::Refused(target) => write!(f, "connection refused by {target}"),
            Failure::Timeout(d) => write!(f, "timeout after {}", secs(*d)),
            Failure::Tls(why) => write!(f, "TLS error: {why}"),
            Failure::RedirectLoop(chain) => write!(f, "redirect loop: {}", chain.join(" -> ")),
            Failure::TooManyRedirects(chain) => {
                write!(f, "more than {MAX_REDIRECTS} redirects: {}", chain.join(" -> "))
            }
            Failure::BodyTooLarge { limit, .. } => write!(
                f,
                "the response body is larger than the {limit} limit; reading stopped there \
                 (raise `defaults.max_body` or --max-body if the body is meant to be this large)"
            ),
            Failure::HeadTooLarge => write!(
                f,
                "the response head is too large: more than {MAX_RESPONSE_HEADERS} header fields \
                 or about 400 KiB of status line and headers; nothing more was read"
            ),
            Failure::Other(why) => f.write_str(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_failures_are_recognised_in_error_chains() {
        let chain = "error sending request for url (https://no-such.example/) client error (connect) \
                     dns error: failed to lookup address information: name or service not known";
        assert!(is_dns_failure(chain));
        assert!(!is_dns_failure(
            "client error (connect) tcp connect error: connection reset by peer"
        ));
        assert_eq!(
            Failure::Dns("api.example.com".into()).to_string(),
            "DNS failure: cannot resolve api.example.com"
        );
    }

    #[test]
    fn resolve_entries() {
        let (h, p, ip) = parse_resolve("WWW.example.test:8443:127.0.0.1").unwrap();
        assert_eq!(
            (h.as_str(), p, ip.to_string().as_str()),
            ("www.example.test", 8443, "127.0.0.1")
        );
        assert!(parse_resolve("example.test:443:[::1]").is_ok());
        assert!(parse_resolve("example.test:443").is_err());
        assert!(parse_resolve("example.test:x:127.0.0.1").is_err());
    }
}
