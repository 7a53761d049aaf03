//! Latency, burst and the live-version wait, end to end with wide margins (the p95 logic
//! itself is unit-tested with injected durations).

use std::sync::atomic::Ordering;

use crate::app::{NEW_SHA, Site, checks, findings, json_report};

#[test]
fn latency_and_burst_report_figures_and_judge_budgets() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
latency: { routes: [/, /api/health, /slow], samples: 10, p95_ms: 150 }
burst: { get: /, concurrency: 20, requests: 200, p95_ms: 5000, max_error_rate: 0.01 }
"#,
    ));
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    // Only the route that sleeps 200 ms per request is over a 150 ms budget.
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, "smoke.latency.p95");
    assert!(f[0].2.starts_with("/slow: p95 2"), "{}", f[0].2);
    let tables = report["reports"][0]["tables"].as_array().unwrap();
    let latency = &tables[0];
    assert_eq!(latency["columns"][4], "p95 ms");
    let rows = latency["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][1], "10");
    assert_eq!(rows[2][6], "failed");
    let burst = &tables[1]["rows"][0];
    assert_eq!((burst[1].as_str(), burst[2].as_str()), (Some("200"), Some("0")));
    let c = checks(&report);
    assert!(c.iter().any(|x| x.0 == "burst /"
        && x.1 == "passed"
        && x.2 == "200 requests at concurrency 20, 0.0% errors"));
}

#[test]
fn a_burst_against_a_failing_route_breaks_the_error_rate() {
    let site = Site::start();
    site.state.health_down.store(true, Ordering::SeqCst);
    let (code, report) = json_report(&mut site.cmd(
        "base_url: https://example.test:{https}\nburst: { get: /health, concurrency: 5, requests: 40, max_error_rate: 0.01 }\n",
    ));
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report)[0].2,
        "/health: 40 of 40 requests failed (100.0%, limit 1.0%): status 500"
    );
}

#[test]
fn live_version_polls_until_the_new_release_answers() {
    let site = Site::start();
    site.state.old_version_polls.store(3, Ordering::SeqCst);
    let mut cmd = site.cmd(
        r#"
base_url: https://example.test:{https}
live_version: { get: /version, body_contains: "${GITHUB_SHA}", interval: 20ms, timeout: 20s }
checks: [{ name: homepage, get: / }]
"#,
    );
    let (code, report) = json_report(cmd.env("GITHUB_SHA", NEW_SHA));
    assert_eq!(code, 0, "{report:#}");
    let c = checks(&report);
    assert_eq!(
        c[0],
        (
            "live version".into(),
            "passed".into(),
            "HTTP 200, live after 4 polls".into()
        )
    );
    assert_eq!(c[1].1, "passed");
}

#[test]
fn a_release_that_never_goes_live_fails_and_skips_the_rest() {
    let site = Site::start();
    site.state.old_version_polls.store(1000, Ordering::SeqCst);
    let mut cmd = site.cmd(
        r#"
base_url: https://example.test:{https}
live_version: { get: /version, body_contains: "${GITHUB_SHA}", interval: 20ms, timeout: 200ms }
checks: [{ name: homepage, get: / }]
"#,
    );
    let (code, report) = json_report(cmd.env("GITHUB_SHA", NEW_SHA));
    assert_eq!(code, 1);
    let f = findings(&report);
    assert_eq!(f[0].0, "smoke.live-version");
    assert!(
        f[0].2.contains("did not show `…4904` within 200 ms"),
        "{}",
        f[0].2
    );
    assert!(f[0].2.contains("last answer: status 200; body: release 1111111"));
    assert_eq!(checks(&report)[1].1, "skipped");
}
