//! `rate_limit` against login routes on 127.0.0.1: one that throttles after N failed
//! attempts (with 429, or only with a RateLimit header), one that never does, and specs that
//! would leave the configured host or send too much.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::app::{checks, findings, json_report, run};
use crate::server::{Request, Response, Seen, Server, recording};

/// A login route that answers 401, then `throttled` once `limit` attempts were made.
fn login(limit: usize, throttled: fn() -> Response) -> (Server, Seen) {
    let attempts = Arc::new(AtomicUsize::new(0));
    recording(move |req: &Request| {
        if (req.method.as_str(), req.path()) != ("POST", "/api/login") {
            return Response::new(404, "not found");
        }
        let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if n > limit {
            throttled()
        } else {
            Response::new(401, "{\"error\":\"wrong email or password\"}")
                .header("Content-Type", "application/json")
        }
    })
}

fn cmd(server: &Server, rate_limit: &str) -> (assert_cmd::Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("smoke.yml");
    std::fs::write(
        &spec,
        format!(
            "base_url: http://127.0.0.1:{}\nrate_limit: {rate_limit}\n",
            server.port()
        ),
    )
    .unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").unwrap();
    cmd.current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .arg("--spec")
        .arg(spec);
    (cmd, dir)
}

const PROBE: &str = "{ post: /api/login, json: { email: probe@example.test, password: wrong }, requests: 30, expect: { status: [429] } }";

/// The detail of the rate-limit check.
fn detail(report: &serde_json::Value) -> String {
    checks(report)
        .into_iter()
        .find(|c| c.0 == "rate limit POST /api/login")
        .expect("a rate-limit check")
        .2
}

#[test]
fn a_login_that_throttles_after_five_attempts_passes_and_says_when() {
    let (server, seen) = login(5, || Response::new(429, "slow down").header("Retry-After", "60"));
    let (mut c, _dir) = cmd(&server, PROBE);
    let (code, report) = json_report(&mut c);
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
    assert_eq!(
        detail(&report),
        "throttled after 6 of 30 attempts (status 429, Retry-After: 60)"
    );
    // It stops at the first sign: six requests, each a JSON failed login without cookies.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 6);
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "email": "probe@example.test", "password": "wrong" })
    );
    assert!(seen.iter().all(|r| r.header("cookie").is_none()));
}

#[test]
fn an_exhausted_ratelimit_header_counts_as_throttling() {
    let (server, _seen) = login(3, || {
        Response::new(401, "no").header("RateLimit", "\"login\";r=0;t=30")
    });
    let (mut c, _dir) = cmd(
        &server,
        "{ post: /api/login, form: { email: a@b.test, password: x } }",
    );
    let (code, report) = json_report(&mut c);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        detail(&report),
        "throttled after 4 of 30 attempts (RateLimit: \"login\";r=0;t=30)"
    );
}

#[test]
fn a_login_that_never_throttles_fails_after_exactly_the_configured_attempts() {
    let (server, seen) = login(usize::MAX, || unreachable!());
    let (mut c, _dir) = cmd(&server, PROBE);
    let (code, report) = json_report(&mut c);
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1.as_str()), ("smoke.rate-limit", "error"));
    assert!(
        f[0].2
            .starts_with("rate limit POST /api/login: 30 failed logins in "),
        "{}",
        f[0].2
    );
    assert!(
        f[0].2
            .ends_with(" and none was throttled (answers: 401 ×30); nothing stops a bot guessing passwords"),
        "{}",
        f[0].2
    );
    assert_eq!(seen.lock().unwrap().len(), 30);
    // A route that does not exist is named as such, not as a missing limit.
    let (mut c, _dir) = cmd(&server, "{ post: /api/signin, requests: 3 }");
    let (code, report) = json_report(&mut c);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report)[0].2,
        "rate limit POST /api/signin: every attempt was refused as an unknown route (answers: 404 ×3); is `/api/signin` the login route?"
    );
    // A 403 from bot protection counts only when configured.
    let (server, _seen) = login(2, || Response::new(403, "challenge"));
    let (mut c, _dir) = cmd(&server, "{ post: /api/login, requests: 5 }");
    assert_eq!(json_report(&mut c).0, 1);
    let (mut c, _dir) = cmd(
        &server,
        "{ post: /api/login, requests: 5, expect: { status: [429, 403] } }",
    );
    assert_eq!(json_report(&mut c).0, 0);
}

#[test]
fn a_spec_that_leaves_the_host_or_asks_too_much_is_refused_at_its_line() {
    let (server, seen) = login(usize::MAX, || unreachable!());
    for (rate_limit, words) in [
        ("{ post: \"http://127.0.0.1:9/api/login\" }", "is not a path"),
        ("{ post: //evil.test/api/login }", "is not a path"),
        (
            "{ post: /api/login, requests: 1000 }",
            "rate_limit.requests must be 2 to 100 (got 1000)",
        ),
        (
            "{ post: /api/login, get: /api/login }",
            "smoke.rate_limit names one route",
        ),
    ] {
        let (mut c, _dir) = cmd(&server, rate_limit);
        let (code, stdout, stderr) = run(&mut c);
        assert_eq!(code, 2, "{rate_limit}: {stdout}{stderr}");
        assert!(stderr.contains(words), "{stderr}");
        assert!(stderr.contains("smoke.yml:2:"), "{stderr}");
    }
    assert!(seen.lock().unwrap().is_empty());
}
