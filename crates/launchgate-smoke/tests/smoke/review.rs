//! Secrets that take another shape on the way out (URL-encoded, in a URL's userinfo, cut
//! at the excerpt limit, captured from a failing response), redirects that leave the
//! origin, a spec with nothing to check, and the exit code of a watch.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use crate::app::{PASSWORD, Site, findings, json_report, run};
use crate::server::{Handler, Pki, Request, Response, Server};

/// The binary against a spec in a fresh directory (no --resolve, no extra CA).
fn bare_cmd(dir: &tempfile::TempDir, yaml: &str) -> assert_cmd::Command {
    let spec = dir.path().join("smoke.yml");
    std::fs::write(&spec, yaml).expect("write spec");
    let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").expect("binary");
    cmd.current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .arg("--spec")
        .arg(spec);
    cmd
}

fn plain(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
    let handler: Handler = Arc::new(handler);
    Server::start(handler, None)
}

#[test]
fn url_encoded_query_secrets_are_redacted() {
    let site = Site::start();
    let mut cmd = site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - { name: keyed, get: /nope, query: { key: "${SMOKE_ODD}" }, expect: { status: 200 } }
"#,
    );
    cmd.env("SMOKE_ODD", "s3cr@t pass/word&more");
    let (code, stdout, stderr) = run(cmd.args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("keyed"), "{stdout}");
    for part in [
        "pass/word",
        "pass%2Fword",
        "word%26more",
        "pass+word",
        "pass%20word",
    ] {
        assert!(!stdout.contains(part), "shows {part}:\n{stdout}");
        assert!(!stderr.contains(part), "shows {part}:\n{stderr}");
    }
}

#[test]
fn a_password_in_the_base_url_is_redacted() {
    let site = Site::start();
    let mut cmd = site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - { name: missing page, get: /nope, expect: { status: 200 } }
"#,
    );
    let base = format!(
        "https://deploy:hunter22%2Fsecret@example.test:{}",
        site.https.port()
    );
    let (code, stdout, stderr) = run(cmd.args(["--base-url", &base, "--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("missing page"), "{stdout}");
    for part in ["22%2Fsecret", "22/secret", "hunter22"] {
        assert!(!stdout.contains(part), "shows {part}:\n{stdout}");
        assert!(!stderr.contains(part), "shows {part}:\n{stderr}");
    }
}

#[test]
fn body_excerpts_are_redacted_before_they_are_cut() {
    let server = plain(|req: &Request| match req.path() {
        // The password straddles the 200-byte excerpt limit.
        "/cut" => Response::new(500, format!("{}{PASSWORD}", "x".repeat(190))),
        // A secret with a line break, which the excerpt folds to a space.
        "/lines" => Response::new(500, "error: line-one-secret\nline-two-secret"),
        _ => Response::new(404, "not found"),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare_cmd(
        &dir,
        &format!(
            "base_url: http://127.0.0.1:{}\nchecks:\n  \
             - {{ name: cut, get: /cut, headers: {{ X-P: \"${{SMOKE_PASSWORD}}\" }} }}\n  \
             - {{ name: lines, get: /lines, headers: {{ X-P: \"${{SMOKE_ML}}\" }} }}\n",
            server.port()
        ),
    );
    cmd.env("SMOKE_PASSWORD", PASSWORD)
        .env("SMOKE_ML", "line-one-secret\nline-two-secret");
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    let text = report.to_string();
    assert!(text.contains("expected status 2xx, got 500"), "{text}");
    assert!(!text.contains("correct-h"), "part of the password shows:\n{text}");
    assert!(
        !text.contains("one-secret"),
        "the multi-line secret shows:\n{text}"
    );
}

#[test]
fn credentials_an_error_page_prints_are_redacted_in_the_excerpt() {
    // A framework's debug page dumps the server's environment: keys this run never sent.
    let stripe = ["sk_live_", "51NbQk2LzVt8RwYpX3mHc7JdKe"].concat();
    let github = ["ghp_", "8f3kQ9zLm2XwR7vT1yB6nH4cJ0pD5sA2eG9u"].concat();
    let page = format!("Internal error\nSTRIPE_SECRET_KEY={stripe}\nGITHUB_TOKEN={github}\n");
    let server = plain(move |_: &Request| Response::new(500, page.clone()));
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare_cmd(
        &dir,
        &format!(
            "base_url: http://127.0.0.1:{}\nchecks:\n  - {{ name: home, get: / }}\n",
            server.port()
        ),
    );
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    let text = report.to_string();
    assert!(text.contains("expected status 2xx, got 500"), "{text}");
    assert!(
        text.contains("STRIPE_SECRET_KEY="),
        "the excerpt is kept:\n{text}"
    );
    for (name, key) in [("stripe", &stripe), ("github", &github)] {
        assert!(!text.contains(&key[..20]), "the {name} key shows:\n{text}");
    }
}

#[test]
fn captured_values_are_redacted_when_the_expectation_fails() {
    let server = plain(|_: &Request| {
        Response::new(
            500,
            r#"{"token":"tok_captured_0123456789abcdef","error":"half-done"}"#,
        )
        .header("Content-Type", "application/json")
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare_cmd(
        &dir,
        &format!(
            "base_url: http://127.0.0.1:{}\nchecks:\n  - name: issue\n    steps:\n      \
             - {{ post: /issue, capture: {{ token: \"json:/token\" }}, expect: {{ status: 200 }} }}\n      \
             - {{ get: /use, headers: {{ Authorization: \"Bearer ${{token}}\" }} }}\n",
            server.port()
        ),
    );
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    let text = report.to_string();
    assert!(text.contains("half-done"), "{text}");
    assert!(!text.contains("0123456789abcdef"), "the token shows:\n{text}");
}

#[test]
fn a_cross_origin_redirect_gets_no_step_headers_or_body() {
    let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
    let s = seen.clone();
    let other = plain(move |req: &Request| {
        s.lock().unwrap().push(req.clone());
        Response::new(200, "landed")
    });
    let other_port = other.port();
    let origin = plain(move |req: &Request| match req.path() {
        "/same" => Response::redirect(307, "/here"),
        "/here" => Response::new(
            200,
            if req.header("authorization").is_some() {
                "auth kept"
            } else {
                "auth lost"
            },
        ),
        _ => Response::redirect(307, &format!("http://127.0.0.1:{other_port}/land")),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare_cmd(
        &dir,
        &format!(
            "base_url: http://127.0.0.1:{}\nchecks:\n  \
             - {{ name: same origin, get: /same, follow_redirects: true, headers: {{ Authorization: \"Bearer ${{SMOKE_KEY}}\" }}, expect: {{ body_contains: auth kept }} }}\n  \
             - {{ name: away, post: /away, follow_redirects: true, headers: {{ Authorization: \"Bearer ${{SMOKE_KEY}}\", X-Api-Key: \"${{SMOKE_KEY}}\" }}, json: {{ password: \"${{SMOKE_KEY}}\" }}, expect: {{ status: 200 }} }}\n",
            origin.port()
        ),
    );
    cmd.env("SMOKE_KEY", "key_live_abcdef0123456789");
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 0, "{report:#}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, "POST", "307 keeps the method");
    assert!(req.header("authorization").is_none(), "{:?}", req.headers);
    assert!(req.header("x-api-key").is_none(), "{:?}", req.headers);
    assert!(req.body.is_empty(), "{}", String::from_utf8_lossy(&req.body));
}

#[test]
fn an_https_to_http_redirect_with_headers_is_refused() {
    let hits: Arc<Mutex<usize>> = Arc::default();
    let h = hits.clone();
    let insecure = plain(move |_: &Request| {
        *h.lock().unwrap() += 1;
        Response::new(200, "plain")
    });
    let insecure_port = insecure.port();
    let pki = Pki::new();
    let handler: Handler = Arc::new(move |_: &Request| {
        Response::redirect(302, &format!("http://127.0.0.1:{insecure_port}/plain"))
    });
    let secure = Server::start(handler, Some(pki.server_config()));
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let mut cmd = bare_cmd(
        &dir,
        &format!(
            "base_url: https://example.test:{}\nchecks:\n  \
             - {{ name: downgrade, get: /, follow_redirects: true, headers: {{ X-Api-Key: \"${{SMOKE_KEY}}\" }} }}\n",
            secure.port()
        ),
    );
    cmd.env("SMOKE_KEY", "key_live_abcdef0123456789")
        .arg("--ca-cert")
        .arg(&ca)
        .args(["--resolve", "example.test:443:127.0.0.1"]);
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    assert!(f[0].2.contains("leaves HTTPS for plain HTTP"), "{report:#}");
    assert_eq!(*hits.lock().unwrap(), 0, "the plain-HTTP server was reached");
}

#[test]
fn a_spec_with_nothing_to_check_is_an_error() {
    let site = Site::start();
    let mut cmd = site.cmd("base_url: https://example.test:{https}\n");
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("nothing to check"), "{stderr}");
    assert!(stderr.contains("checks:"), "{stderr}");
}

#[test]
fn watch_exits_with_the_worst_status_of_its_runs() {
    let site = Site::start();
    site.state.flaky_left.store(1, Ordering::SeqCst);
    let mut cmd = site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - { name: flaky, get: /flaky, expect: { status: 200 } }\n",
    );
    cmd.args(["watch", "--count", "2", "--interval", "10ms"]);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "the first run failed:\n{stdout}{stderr}");
}
