//! The example from the documentation, whole, against the fixture site; `launchgate check`'s
//! entry point; and `--wait-until-ready`.

use std::sync::atomic::Ordering;

use crate::app::{NEW_SHA, Site, checks, findings, json_report};

const EXAMPLE: &str = r#"
base_url: https://example.test:{https}
defaults: { timeout: 10s, retries: { attempts: 3, delay: 2s } }
site:
  canonical: https://example.test:{https}
  aliases: ["http://example.test:{http}", "https://www.example.test:{https}", "http://www.example.test:{http}"]
  redirects: { /old-promo: /pricing, /join: /signup }
  tls: { min_days_left: 14, min_version: "1.2" }
  security_headers: recommended
checks:
  - { name: homepage, get: /, expect: { status: 200, body_contains: "Join", max_ms: 800 } }
  - { name: dashboard needs login, get: /dashboard, expect: { status: [302, 303, 307], location: "/login*" } }
  - name: login then dashboard
    steps:
      - { post: /api/login, json: { email: "${SMOKE_USER}", password: "${SMOKE_PASSWORD}" }, expect: { status: 200 }, capture: { token: "json:/token" } }
      - { get: /api/me, headers: { Authorization: "Bearer ${token}" }, expect: { status: 200, json: { /email: "${SMOKE_USER}" } } }
latency: { routes: [/, /api/health], samples: 20, p95_ms: 300 }
burst: { get: /, concurrency: 50, requests: 500, p95_ms: 1000, max_error_rate: 0.01 }
live_version: { get: /version, body_contains: "${GITHUB_SHA}" }
"#;

#[test]
fn the_documented_example_passes_end_to_end() {
    let site = Site::start();
    let mut cmd = site.cmd(EXAMPLE);
    let (code, report) = json_report(cmd.env("GITHUB_SHA", NEW_SHA));
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
    let names: Vec<String> = checks(&report).into_iter().map(|c| c.0).collect();
    for expected in [
        "live version",
        "homepage",
        "login then dashboard",
        "redirect /join -> /signup",
        "tls www.example.test",
        "latency /api/health",
        "burst /",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("security headers https://example.test"))
    );
}

#[test]
fn check_configured_runs_the_smoke_section_once() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("launchgate.yml");
    // No --resolve or private CA here: the plain listener on 127.0.0.1 answers directly.
    let yaml = format!(
        "secrets: {{}}\nsmoke:\n  base_url: http://127.0.0.1:{}\n  checks:\n    - {{ name: upgrade, get: /x, expect: {{ status: 301, location: \"https://*\" }} }}\n    - {{ name: wrong, get: /x, expect: {{ status: 200 }} }}\n",
        site.http.port()
    );
    std::fs::write(&path, yaml).unwrap();
    let config = launchgate_core::config::ConfigFile::read(&path).unwrap();
    let report = launchgate_smoke::check_configured(&config, dir.path()).unwrap();
    assert_eq!(report.gate, "smoke");
    assert_eq!(report.checks.len(), 2);
    assert_eq!(report.checks[0].status, launchgate_core::CheckStatus::Passed);
    assert_eq!(report.findings.len(), 1);
    assert!(
        report.findings[0]
            .message
            .starts_with("wrong: expected status 200, got 301")
    );

    std::fs::write(&path, "secrets: {}\n").unwrap();
    let config = launchgate_core::config::ConfigFile::read(&path).unwrap();
    let report = launchgate_smoke::check_configured(&config, dir.path()).unwrap();
    assert!(report.checks.is_empty());
    assert!(report.notes[0].contains("no `smoke:` section"));
}

#[test]
fn wait_until_ready_reruns_the_suite_until_it_passes() {
    let site = Site::start();
    site.state.flaky_left.store(2, Ordering::SeqCst);
    let mut cmd =
        site.cmd("base_url: https://example.test:{https}\nchecks: [{ name: flaky, get: /flaky }]\n");
    let (code, report) = json_report(cmd.args(["--wait-until-ready", "30s"]));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(site.state.flaky_left.load(Ordering::SeqCst), 0);
}
