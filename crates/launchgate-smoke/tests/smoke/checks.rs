//! Checks and flows: statuses, redirects without following, login with cookies and a
//! bearer token, captures, retries, and failures described in words.

use crate::app::{Site, checks, findings, json_report, run};

#[test]
fn the_example_checks_pass_against_a_healthy_site() {
    let site = Site::start();
    let mut cmd = site.cmd(
        r#"
base_url: https://example.test:{https}
defaults: { timeout: 10s, retries: { attempts: 3, delay: 50ms } }
checks:
  - { name: homepage, get: /, expect: { status: 200, body_contains: "Join", max_ms: 5000 } }
  - { name: dashboard needs login, get: /dashboard, expect: { status: [302, 303, 307], location: "/login*" } }
  - name: login then dashboard
    steps:
      - { post: /api/login, json: { email: "${SMOKE_USER}", password: "${SMOKE_PASSWORD}" }, expect: { status: 200, cookies: { session: { secure: true, http_only: true, same_site: Lax } } }, capture: { token: "json:/token" } }
      - { get: /api/me, headers: { Authorization: "Bearer ${token}" }, expect: { status: 200, json: { /email: "${SMOKE_USER}", /plan: { matches: "^pro$" } }, content_type: application/json } }
      - { get: /dashboard, expect: { status: 200, body_contains: Dashboard } }
      - { post: /api/logout, expect: { status: 204 } }
      - { get: /dashboard, expect: { status: 302 } }
  - { name: query and form, post: /api/form, form: { a: "1", b: "x y" }, expect: { body_contains: "b=x+y" } }
  - { name: query, get: /api/echo, query: { q: "a&b" }, expect: { json: { /query: "q=a%26b" } } }
  - { name: following, get: /old-promo, follow_redirects: true, expect: { status: 200, final_url: "*/pricing" } }
"#,
    );
    let (code, report) = json_report(&mut cmd);
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
    let names: Vec<String> = checks(&report).into_iter().map(|c| c.0).collect();
    assert_eq!(
        names,
        [
            "homepage",
            "dashboard needs login",
            "login then dashboard",
            "query and form",
            "query",
            "following"
        ]
    );
    assert!(
        checks(&report)
            .iter()
            .all(|c| c.1 == "passed" && c.2.starts_with("HTTP "))
    );
}

#[test]
fn failed_expectations_are_told_in_words_with_exit_1() {
    let site = Site::start();
    let mut cmd = site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - { name: wrong status, get: /nope, expect: { status: 200 } }
  - { name: bad location, get: /dashboard, expect: { status: 302, location: "/signin*" } }
  - { name: header absent, get: /, expect: { headers: { X-Frame-Options: { absent: true }, Server: { contains: nginx } } } }
  - { name: json mismatch, get: /api/health, expect: { json: { /ok: false, /missing: { exists: true } } } }
  - name: bad token
    steps:
      - { get: /api/me, headers: { Authorization: "Bearer nope" }, expect: { status: 200 } }
"#,
    );
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1);
    let f = findings(&report);
    let msg = |name: &str| {
        f.iter()
            .find(|x| x.2.starts_with(name))
            .map(|x| x.2.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        msg("wrong status"),
        "wrong status: expected status 200, got 404; body: not found"
    );
    assert_eq!(
        msg("bad location"),
        "bad location: expected Location `/signin*`, got `/login?next=/dashboard`"
    );
    assert!(
        msg("header absent").contains("expected no `X-Frame-Options` header, got `DENY`"),
        "{f:?}"
    );
    assert!(msg("header absent").contains("expected a `Server` header, got none"));
    assert!(msg("json mismatch").contains("expected JSON /ok = false, got true"));
    assert!(msg("json mismatch").contains("expected JSON /missing to exist"));
    assert_eq!(
        msg("bad token"),
        "bad token: expected status 200, got 401; body: {\"error\":\"unauthorized\"}"
    );
    assert!(f.iter().all(|x| x.0 == "smoke.check" && x.1 == "error"));
}

#[test]
fn a_flake_retried_within_the_run_passes_and_says_so() {
    let site = Site::start();
    site.state
        .flaky_left
        .store(2, std::sync::atomic::Ordering::SeqCst);
    let mut cmd = site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - { name: flaky, get: /flaky, retries: { attempts: 3, delay: 10ms } }\n",
    );
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(checks(&report)[0].2, "HTTP 200 (passed on attempt 3 of 3)");

    site.state
        .flaky_left
        .store(5, std::sync::atomic::Ordering::SeqCst);
    let (code, report) = json_report(&mut site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - { name: flaky, get: /flaky, retries: { attempts: 2, delay: 10ms } }\n",
    ));
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report)[0].2,
        "flaky: expected status 2xx, got 503; body: warming up (after 2 attempts)"
    );
}

#[test]
fn connection_failures_are_named() {
    let site = Site::start();
    // A port with nothing listening: bind one, then free it. (DNS failures are unit-tested:
    // provoking one here would query a resolver beyond loopback.)
    let closed = crate::app::closed_port();
    let yaml = format!(
        r#"
base_url: https://example.test:{{https}}
defaults: {{ timeout: 2s }}
checks:
  - {{ name: refused, get: "https://example.test:{closed}/" }}
  - {{ name: expired, get: "https://expired.test:{{https}}/" }}
  - {{ name: wrong host, get: "https://wrong.test:{{https}}/" }}
  - {{ name: loop, get: /loop-a, follow_redirects: true }}
"#
    );
    let (code, report) = json_report(&mut site.cmd(&yaml));
    assert_eq!(code, 1);
    let f = findings(&report);
    let msg = |name: &str| {
        f.iter()
            .find(|x| x.2.starts_with(name))
            .map(|x| x.2.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        msg("refused"),
        format!("refused: connection refused by example.test:{closed}")
    );
    assert!(
        msg("expired").starts_with("expired: TLS error: certificate expired 3 days ago (not after "),
        "{}",
        msg("expired")
    );
    assert_eq!(
        msg("wrong host"),
        "wrong host: TLS error: certificate is for other.example, not wrong.test"
    );
    let port = site.https.port();
    assert_eq!(
        msg("loop"),
        format!(
            "loop: redirect loop: https://example.test:{port}/loop-a (302) -> https://example.test:{port}/loop-b (302) -> https://example.test:{port}/loop-a"
        )
    );
}

#[test]
fn a_timeout_is_reported_with_its_limit() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - { name: slow, get: /slow, timeout: 20ms }\n",
    ));
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0].2, "slow: timeout after 20 ms");
}

#[test]
fn human_output_is_a_table_of_checks() {
    let site = Site::start();
    let (code, stdout, _) = run(&mut site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - { name: homepage, get: / }\n  - { name: missing, get: /nope }\n",
    ));
    assert_eq!(code, 1);
    assert!(stdout.contains("ok   homepage"), "{stdout}");
    assert!(stdout.contains("FAIL missing"), "{stdout}");
    assert!(stdout.contains("HTTP 404: expected status 2xx"), "{stdout}");
    assert!(stdout.contains("1/2 checks passed"), "{stdout}");
}

#[test]
fn captures_from_header_cookie_and_regex_feed_later_steps() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
checks:
  - name: captures
    steps:
      - post: /api/login
        json: { email: "${SMOKE_USER}", password: "${SMOKE_PASSWORD}" }
        capture: { sid: "cookie:session", type: "header:Content-Type", tok: 'regex:"token":"([^"]+)"' }
      - { get: /api/me, headers: { Authorization: "Bearer ${tok}" }, expect: { headers: { Content-Type: "${type}" } } }
      - { get: /api/echo, query: { s: "${sid}" }, expect: { json: { /query: "s=${sid}" } } }
      - { get: /api/echo, expect: { json: { /query: { equals: "" } }, body_not_contains: "${sid}" } }
"#,
    ));
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
}
