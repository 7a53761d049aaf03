//! `${NAME}` in every part of the spec, `--variable NAME=VALUE` and `--check NAME`: a
//! preview deploy's URL is shown as it is, a variable used in a request is a secret, and a
//! subset of the checks runs on its own.

use crate::app::{Site, checks, findings, json_report, run};

const API_KEY: &str = "sk_preview_5f4e3d2c1b0a";

#[test]
fn a_preview_url_from_a_variable_is_used_and_shown_in_clear() {
    let site = Site::start();
    let preview = format!("https://example.test:{}", site.https.port());
    let mut cmd = site.cmd(
        "base_url: ${PREVIEW_URL}\nlatency: { routes: [\"${HEALTH}\"], samples: 2, p95_ms: 60000 }\nchecks:\n  - { name: homepage, get: / }\n",
    );
    cmd.args(["--variable", &format!("PREVIEW_URL={preview}")])
        .args(["--variable", "HEALTH=/api/health"]);
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["reports"][0]["inputs"][0], format!("{preview}/"));
    let c = checks(&report);
    assert!(c.iter().any(|x| x.0 == "homepage" && x.1 == "passed"), "{c:?}");
    assert!(c.iter().any(|x| x.0 == "latency /api/health"), "{c:?}");
}

#[test]
fn credentials_in_a_url_variable_and_request_variables_are_redacted() {
    let site = Site::start();
    let port = site.https.port();
    let mut cmd = site.cmd(
        "base_url: ${PREVIEW_URL}\nchecks:\n  - { name: echo, get: /api/echo, query: { k: \"${API_KEY}\" }, expect: { json: { /query: nothing } } }\n",
    );
    cmd.args([
        "--variable",
        &format!("PREVIEW_URL=https://deploy-bot:pw-7d1e9c42aa@example.test:{port}"),
        "--variable",
        &format!("API_KEY={API_KEY}"),
    ]);
    let (code, stdout, stderr) = run(cmd.args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    for secret in [API_KEY, "pw-7d1e9c42aa", "deploy-bot"] {
        assert!(!stdout.contains(secret), "{secret} in {stdout}");
        assert!(!stderr.contains(secret), "{secret} in {stderr}");
    }
    assert!(stdout.contains(&format!("example.test:{port}")), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        findings(&report)[0].2.starts_with(&format!(
            "echo: expected JSON /query = \"nothing\", got \"k={}\"",
            launchgate_core::secret::redact(API_KEY)
        )),
        "{report:#}"
    );
}

#[test]
fn a_variable_overrides_the_environment_and_a_missing_one_is_named() {
    let site = Site::start();
    let spec = "base_url: https://example.test:{https}\nchecks:\n  - { name: me, get: /api/echo, query: { u: \"${SMOKE_USER}\" }, expect: { json: { /query: \"u=other\" } } }\n";
    let (code, report) = json_report(site.cmd(spec).args(["--variable", "SMOKE_USER=other"]));
    assert_eq!(code, 0, "{report:#}");

    let mut cmd = site.cmd("base_url: ${NOWHERE_URL}\nchecks:\n  - { get: / }\n");
    let (code, _, stderr) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("environment variable NOWHERE_URL not set"),
        "{stderr}"
    );
    assert!(stderr.contains("smoke.yml:1:"), "{stderr}");
    assert!(stderr.contains("--variable NAME=VALUE"), "{stderr}");

    let (code, _, stderr) = run(site.cmd(spec).args(["--variable", "no-equals"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("expected NAME=VALUE"), "{stderr}");
}

#[test]
fn check_runs_only_the_named_checks() {
    let site = Site::start();
    let spec = "base_url: https://example.test:{https}\nlatency: { routes: [/], samples: 2, p95_ms: 1 }\nchecks:\n  - { name: homepage, get: / }\n  - { name: missing, get: /nope }\n  - { get: /api/health }\n";
    let (code, report) =
        json_report(
            site.cmd(spec)
                .args(["--check", "homepage", "--check", "GET /api/health"]),
        );
    assert_eq!(code, 0, "{report:#}");
    let names: Vec<String> = checks(&report).into_iter().map(|c| c.0).collect();
    assert_eq!(names, ["homepage", "GET /api/health"]);
    assert_eq!(
        report["reports"][0]["notes"][0],
        "--check: ran 2 of 3 checks; site, latency, burst, rate limit and rdap were skipped"
    );

    let (code, _, stderr) = run(site.cmd(spec).args(["--check", "nope"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--check nope: no check has that name"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the checks are: homepage, missing, GET /api/health"),
        "{stderr}"
    );
}

#[test]
fn basic_auth_is_sent_and_its_password_never_shown() {
    let site = Site::start();
    let spec = "base_url: https://example.test:{https}\nchecks:\n  - { name: right, get: /basic, basic_auth: { user: \"${SMOKE_USER}\", password: \"${SMOKE_PASSWORD}\" } }\n  - { name: wrong, get: /basic, basic_auth: { user: \"${SMOKE_USER}\", password: \"${SMOKE_PASSWORD}-x\" } }\n";
    let (code, stdout, stderr) = run(site.cmd(spec).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let c = checks(&report);
    assert_eq!((c[0].0.as_str(), c[0].1.as_str()), ("right", "passed"));
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].2
            .starts_with("wrong: expected status 2xx, got 401; body: wrong credentials: Basic "),
        "{}",
        f[0].2
    );
    // The server echoed the encoded credentials; neither they nor the password show.
    assert!(!stdout.contains(crate::app::PASSWORD), "{stdout}");
    assert!(!stdout.contains("c21va2VAZXhhbXBsZS50ZXN0"), "{stdout}");

    let (code, _, stderr) = run(&mut site.cmd(
        "base_url: https://example.test:{https}\nchecks:\n  - { get: /basic, headers: { Authorization: x }, basic_auth: { user: a, password: b } }\n",
    ));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("both `basic_auth` and an Authorization header"),
        "{stderr}"
    );
}
