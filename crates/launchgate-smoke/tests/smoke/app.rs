//! The fixture product the tests deploy on 127.0.0.1: one HTTPS listener routing by Host
//! (apex, www, and hosts with bad certificates), a plain-http listener that upgrades to
//! https, a login flow with a cookie and a bearer API, redirects, a loop, a flaky route, a
//! mixed-content page and slow routes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::server::{Handler, Pki, Request, Response, Server};

pub const USER: &str = "smoke@example.test";
pub const PASSWORD: &str = "correct-horse-battery-staple-42";
pub const TOKEN: &str = "tok_live_9f8e7d6c5b4a39281706";
pub const SESSION: &str = "sess_7c1f0aa5e2d94b3c";
pub const NEW_SHA: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// Hosts the tests reach through `--resolve`.
pub const HOSTS: [&str; 5] = [
    "example.test",
    "www.example.test",
    "expiring.test",
    "expired.test",
    "wrong.test",
];

#[derive(Default)]
pub struct AppState {
    https_port: AtomicU16,
    /// Failures the flaky route still has to serve.
    pub flaky_left: AtomicUsize,
    /// Polls of /version still answering the old release.
    pub old_version_polls: AtomicUsize,
    pub notifications: Mutex<Vec<String>>,
    /// Force /health to fail (for the watch tests).
    pub health_down: std::sync::atomic::AtomicBool,
}

pub struct Site {
    pub https: Server,
    pub http: Server,
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub state: Arc<AppState>,
    /// The TLS settings of the HTTPS listener, for other test servers (SMTP) to share.
    pub server_tls: Arc<rustls::ServerConfig>,
    /// The certificates behind them, for servers with other TLS settings.
    pub pki: Pki,
}

const SECURE_HEADERS: [(&str, &str); 4] = [
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
];

fn html(body: &str) -> Response {
    let mut r = Response::new(200, body.to_string()).header("Content-Type", "text/html; charset=utf-8");
    for (k, v) in SECURE_HEADERS {
        r = r.header(k, v);
    }
    r
}

fn json(status: u16, body: serde_json::Value) -> Response {
    Response::new(status, body.to_string()).header("Content-Type", "application/json")
}

fn route(state: &AppState, req: &Request) -> Response {
    let port = state.https_port.load(Ordering::SeqCst);
    let host = req.host();
    if host == "www.example.test" {
        return Response::redirect(301, &format!("https://example.test:{port}{}", req.target));
    }
    if host == "loop.example.test" {
        return Response::redirect(301, &format!("https://loop.example.test:{port}{}", req.target));
    }
    match (req.method.as_str(), req.path()) {
        ("GET", "/") => html("<html><body><h1>Join the club</h1><img src=\"/logo.png\"></body></html>"),
        ("GET", "/weak-headers") => Response::new(200, "<p>hi</p>")
            .header("Content-Type", "text/html")
            .header("Strict-Transport-Security", "max-age=300"),
        ("GET", "/mixed") => html(
            "<html><head><script src=\"http://cdn.example.test/app.js\"></script>\
             <link rel=\"stylesheet\" href='http://cdn.example.test/site.css'></head>\
             <body><a href=\"http://elsewhere.test/\">a plain link is fine</a></body></html>",
        ),
        ("GET", "/login") => html("<form method=post action=/api/login></form>"),
        ("GET", "/dashboard") => match req.cookie("session") {
            Some(s) if s == SESSION => html("<h1>Dashboard</h1>"),
            _ => Response::redirect(302, "/login?next=/dashboard"),
        },
        ("POST", "/api/login") => {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let given = body["password"].as_str().unwrap_or("");
            if body["email"] == USER && given == PASSWORD {
                json(
                    200,
                    serde_json::json!({ "token": TOKEN, "user": { "email": USER } }),
                )
                .header(
                    "Set-Cookie",
                    &format!("session={SESSION}; Path=/; Secure; HttpOnly; SameSite=Lax"),
                )
            } else {
                // A careless app echoing what it got: the gate must still not print it.
                json(
                    401,
                    serde_json::json!({ "error": format!("wrong password {given}") }),
                )
            }
        }
        ("POST", "/api/logout") => Response::new(204, "").header("Set-Cookie", "session=; Path=/; Max-Age=0"),
        ("GET", "/api/me") => {
            if req.header("authorization") == Some(&format!("Bearer {TOKEN}")) {
                json(200, serde_json::json!({ "email": USER, "plan": "pro" }))
            } else {
                json(401, serde_json::json!({ "error": "unauthorized" }))
            }
        }
        ("GET", "/api/echo") => json(
            200,
            serde_json::json!({ "query": req.target.split_once('?').map(|x| x.1).unwrap_or("") }),
        ),
        ("POST", "/api/form") => Response::new(200, String::from_utf8_lossy(&req.body).into_owned()),
        ("GET", "/old-promo") => Response::redirect(301, "/pricing"),
        ("GET", "/join") => Response::redirect(308, "/signup"),
        ("GET", "/gone") => Response::redirect(301, "/missing"),
        ("GET", "/pricing" | "/signup") => html("<h1>ok</h1>"),
        ("GET", "/temp") => Response::redirect(302, "/"),
        ("GET", "/loop-a") => Response::redirect(302, "/loop-b"),
        ("GET", "/loop-b") => Response::redirect(302, "/loop-a"),
        ("GET", "/flaky") => {
            let left = state.flaky_left.load(Ordering::SeqCst);
            if left > 0 {
                state.flaky_left.store(left - 1, Ordering::SeqCst);
                Response::new(503, "warming up")
            } else {
                Response::new(200, "ok")
            }
        }
        ("GET", "/health") => {
            if state.health_down.load(Ordering::SeqCst) {
                Response::new(500, "database unreachable")
            } else {
                Response::new(200, "ok")
            }
        }
        ("GET", "/api/health") => json(200, serde_json::json!({ "ok": true })),
        // "smoke@example.test:correct-horse-battery-staple-42", base64-encoded.
        ("GET", "/basic") => match req.header("authorization") {
            Some("Basic c21va2VAZXhhbXBsZS50ZXN0OmNvcnJlY3QtaG9yc2UtYmF0dGVyeS1zdGFwbGUtNDI=") => {
                Response::new(200, "welcome")
            }
            other => Response::new(401, format!("wrong credentials: {}", other.unwrap_or("none")))
                .header("WWW-Authenticate", "Basic realm=\"smoke\""),
        },
        ("GET", "/api/items") => json(
            200,
            serde_json::json!({
                "items": [{ "id": 1, "name": "alpha", "price": 9.5 }, { "id": 2, "name": "beta", "price": 0 }],
                "user": { "email": USER },
                "plan": "pro",
                "empty": []
            }),
        )
        .header("Vary", "Accept-Encoding")
        .header("Vary", "Origin")
        .header("Set-Cookie", "a=1; Path=/; Secure; HttpOnly")
        .header("Set-Cookie", "b=2; Path=/")
        .header("Link", "</style.css>; rel=preload; as=style"),
        ("GET", "/slow") => Response::new(200, "slow").delayed(Duration::from_millis(200)),
        ("GET", "/version") => {
            let left = state.old_version_polls.load(Ordering::SeqCst);
            if left > 0 {
                state.old_version_polls.store(left - 1, Ordering::SeqCst);
                Response::new(200, "release 1111111")
            } else {
                Response::new(200, format!("release {NEW_SHA}"))
            }
        }
        ("POST", "/hooks/chat") => {
            state
                .notifications
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&req.body).into_owned());
            Response::new(200, "ok")
        }
        _ => Response::new(404, "not found"),
    }
}

impl Site {
    pub fn start() -> Site {
        let pki = Pki::new();
        let state = Arc::new(AppState::default());
        let s = state.clone();
        let handler: Handler = Arc::new(move |req| route(&s, req));
        let server_tls = pki.server_config();
        let https = Server::start(handler, Some(server_tls.clone()));
        state.https_port.store(https.port(), Ordering::SeqCst);
        let s = state.clone();
        let upgrade: Handler = Arc::new(move |req: &Request| {
            let port = s.https_port.load(Ordering::SeqCst);
            // cross.example.test upgrades straight to another host, which HSTS cannot cover.
            let host = match req.host().as_str() {
                "cross.example.test" => "example.test".to_string(),
                other => other.to_string(),
            };
            Response::redirect(301, &format!("https://{host}:{port}{}", req.target))
        });
        let http = Server::start(upgrade, None);
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &pki.ca_pem).expect("write ca");
        Site {
            https,
            http,
            dir,
            ca,
            state,
            server_tls,
            pki,
        }
    }

    /// Replaces `{https}` and `{http}` with the listeners' ports.
    pub fn fill(&self, text: &str) -> String {
        text.replace("{https}", &self.https.port().to_string())
            .replace("{http}", &self.http.port().to_string())
    }

    /// Writes the spec (a bare smoke spec) and returns its path.
    pub fn spec(&self, yaml: &str) -> PathBuf {
        let path = self.dir.path().join("smoke.yml");
        std::fs::write(&path, self.fill(yaml)).expect("write spec");
        path
    }

    /// The binary with `--spec`, `--ca-cert` and a `--resolve` for every test host.
    pub fn cmd(&self, yaml: &str) -> assert_cmd::Command {
        let spec = self.spec(yaml);
        let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").expect("binary");
        cmd.current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env("SMOKE_USER", USER)
            .env("SMOKE_PASSWORD", PASSWORD)
            .arg("--spec")
            .arg(spec)
            .arg("--ca-cert")
            .arg(&self.ca);
        for host in HOSTS
            .iter()
            .chain(["loop.example.test", "cross.example.test"].iter())
        {
            cmd.arg("--resolve").arg(format!("{host}:443:127.0.0.1"));
        }
        cmd
    }
}

/// A port on 127.0.0.1 with nothing listening: bound, then freed.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.timeout(Duration::from_secs(60)).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON report of a run with `--format json`.
pub fn json_report(cmd: &mut assert_cmd::Command) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = run(cmd.arg("--format").arg("json"));
    let value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (code, value)
}

/// The findings of the (single) report: (rule id, severity, message).
pub fn findings(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["reports"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The checks: (name, status, detail).
pub fn checks(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["reports"][0]["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_string(),
                c["status"].as_str().unwrap_or("").to_string(),
                c["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
