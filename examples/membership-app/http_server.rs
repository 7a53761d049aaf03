//! The membership app's web server, as the smoke gate sees it: a small HTTP/1.1 responder
//! on 127.0.0.1 with the app's routes and its launch-day bugs.
//!
//! | route | what it does |
//! | --- | --- |
//! | `GET /` | the landing page, without any security header |
//! | `GET /login` | the login page, with the recommended headers |
//! | `POST /api/login` | checks the demo member's password, sets a session cookie without `Secure` |
//! | `GET /dashboard` | 200 with a session, else a redirect to `/login?next=/dashboard` |
//! | `GET /account` | the account page, without `X-Content-Type-Options` |
//! | `GET /pricing` | renders plans from the payment provider on every request: slow |
//! | `GET /api/members` | 500: the migration that creates the table never ran |
//! | `GET /api/health` | 200 |
//! | `GET /assets/index-a41f9c3d.js` | the bundle, cached for a year but sent uncompressed |
//! | `GET /assets/index-5e0b7f31.css` | the stylesheet: a hashed name with `max-age=0` |
//! | `GET /assets/hero-7c1d4e2a.png` | the hero photo, cached for a year |
//!
//! `POST /api/login` answers every wrong password with 401, however many come: nothing
//! throttles a bot guessing passwords.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The demo member the smoke gate logs in as.
pub const MEMBER_EMAIL: &str = "ada@makers-circle.test";
pub const MEMBER_PASSWORD: &str = "member-demo-password";

/// The session the server hands out; the smoke gate captures it, so it must never appear
/// in a report.
pub const SESSION_TOKEN: &str = "mcs_7Qd2Lx9Vb4Np8Tz1Hk6Rw3Fj5Gs0Ya";

/// How long `/pricing` takes: over the smoke gate's latency budget.
const PRICING_DELAY: Duration = Duration::from_millis(320);

const LANDING_PAGE: &str = include_str!("dist/index.html");
const BUNDLE: &[u8] = include_bytes!("dist/assets/index-a41f9c3d.js");
const STYLESHEET: &[u8] = include_bytes!("dist/assets/index-5e0b7f31.css");
const HERO: &[u8] = include_bytes!("dist/assets/hero-7c1d4e2a.png");

/// How the static files middleware caches what the build names by content hash.
const CACHED_FOR_A_YEAR: &str = "public, max-age=31536000, immutable";

/// The recommended headers, sent by the routes that got them right.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
];

/// A running server on its own thread; stops when dropped.
#[derive(Debug)]
pub struct HttpServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HttpServer {
    /// Serves the app on `addr`; a port already taken is an [`io::ErrorKind::AddrInUse`] error.
    pub fn bind(addr: SocketAddr) -> io::Result<HttpServer> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("membership-app-http".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match TcpListener::bind(addr).await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(listener.local_addr());
                    let accept = async {
                        loop {
                            if let Ok((stream, _)) = listener.accept().await {
                                tokio::spawn(serve_connection(stream));
                            }
                        }
                    };
                    tokio::select! {
                        _ = stop_rx => {}
                        () = accept => {}
                    }
                });
            })?;
        match ready_rx.recv() {
            Ok(Ok(addr)) => Ok(HttpServer {
                addr,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(io::Error::other("the HTTP server stopped while starting"))
            }
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One parsed request.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    cookie: String,
    body: String,
}

/// A response before serialisation.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
        }
    }

    fn html(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, "text/html; charset=utf-8", body)
    }

    fn json(status: u16, body: &str) -> Response {
        Response::new(status, "application/json", body)
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    fn secured(mut self) -> Response {
        for (name, value) in SECURITY_HEADERS {
            self.headers.push((name, value.to_string()));
        }
        self
    }
}

/// Serves requests on one connection until the client closes it (keep-alive).
async fn serve_connection(stream: TcpStream) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Ok(Some(request)) = read_request(&mut reader).await {
        let response = route(&request).await;
        if write.write_all(&serialise(&request, &response)).await.is_err() {
            return;
        }
    }
}

async fn read_request(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (method, target) = (method.to_string(), target.to_string());
    let mut content_length = 0usize;
    let mut cookie = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).await? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => content_length = value.trim().parse().unwrap_or(0),
                "cookie" => cookie = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0u8; content_length.min(64 * 1024)];
    reader.read_exact(&mut body).await?;
    let path = target.split('?').next().unwrap_or("/").to_string();
    Ok(Some(Request {
        method,
        path,
        cookie,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

fn serialise(request: &Request, response: &Response) -> Vec<u8> {
    let reason = match response.status {
        200 => "OK",
        302 => "Found",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
    let mut bytes = head.into_bytes();
    if request.method != "HEAD" {
        bytes.extend_from_slice(&response.body);
    }
    bytes
}

fn has_session(request: &Request) -> bool {
    request
        .cookie
        .split(';')
        .any(|c| c.trim() == format!("session={SESSION_TOKEN}"))
}

async fn route(request: &Request) -> Response {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET" | "HEAD", "/") => Response::html(LANDING_PAGE),
        ("GET" | "HEAD", "/login") => Response::html(
            "<!doctype html><title>Log in</title><form method=post action=/api/login>\
             <input name=email><input name=password type=password><button>Log in</button></form>",
        )
        .secured(),
        ("POST", "/api/login") => login(request),
        ("GET" | "HEAD", "/dashboard") if has_session(request) => {
            Response::html("<!doctype html><title>Dashboard</title><h1>Welcome back, Ada</h1>").secured()
        }
        ("GET" | "HEAD", "/dashboard") => {
            Response::new(302, "text/plain", "").header("Location", "/login?next=%2Fdashboard")
        }
        // Built from a template that predates the header middleware.
        ("GET" | "HEAD", "/account") => {
            Response::html("<!doctype html><title>Account</title><h1>Your membership</h1>")
                .header("X-Frame-Options", "DENY")
        }
        ("GET" | "HEAD", "/pricing") => {
            tokio::time::sleep(PRICING_DELAY).await;
            Response::html("<!doctype html><title>Pricing</title><h1>$19 a month</h1>").secured()
        }
        ("GET", "/api/members") => Response::json(500, r#"{"error":"relation \"members\" does not exist"}"#),
        ("GET" | "HEAD", "/api/health") => Response::json(200, r#"{"status":"ok"}"#),
        // The bundle is cached right, but compression was never turned on.
        ("GET" | "HEAD", "/assets/index-a41f9c3d.js") => Response::new(200, "text/javascript", BUNDLE)
            .header("Cache-Control", CACHED_FOR_A_YEAR)
            .header("ETag", "\"a41f9c3d\""),
        // A catch-all rule for CSS written before the build hashed file names.
        ("GET" | "HEAD", "/assets/index-5e0b7f31.css") => Response::new(200, "text/css", STYLESHEET)
            .header("Cache-Control", "public, max-age=0")
            .header("ETag", "\"5e0b7f31\""),
        ("GET" | "HEAD", "/assets/hero-7c1d4e2a.png") => Response::new(200, "image/png", HERO)
            .header("Cache-Control", CACHED_FOR_A_YEAR)
            .header("ETag", "\"7c1d4e2a\""),
        _ => Response::new(404, "text/plain", "not found"),
    }
}

/// Accepts the demo member's JSON credentials; the cookie lacks `Secure`, the bug the
/// smoke gate's cookie expectation catches.
fn login(request: &Request) -> Response {
    let body = request.body.replace(char::is_whitespace, "");
    let email_ok = body.contains(&format!("\"email\":\"{MEMBER_EMAIL}\""));
    let password_ok = request.body.contains(&format!("\"{MEMBER_PASSWORD}\""));
    if email_ok && password_ok {
        Response::json(200, r#"{"ok":true}"#).header(
            "Set-Cookie",
            format!("session={SESSION_TOKEN}; Path=/; HttpOnly; SameSite=Lax"),
        )
    } else {
        Response::json(401, r#"{"error":"wrong email or password"}"#)
    }
}
