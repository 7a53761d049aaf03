//! A bad spec or bad flags: exit 2 with the file, line and column and a hint.

use crate::app::{Site, run};

fn error_of(site: &Site, yaml: &str, extra: &[&str]) -> String {
    let mut cmd = site.cmd(yaml);
    cmd.args(extra);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    stderr
}

#[test]
fn unknown_key_points_at_line_and_column_with_a_hint() {
    let site = Site::start();
    let err = error_of(
        &site,
        "base_url: https://example.test\nchecks:\n  - { name: a, get: /, expect: { bodycontains: x } }\n",
        &[],
    );
    assert!(err.contains("smoke.yml:3:"), "{err}");
    assert!(err.contains("`bodycontains`"), "{err}");
    assert!(err.contains("did you mean `body_contains`?"), "{err}");
}

#[test]
fn bad_values_are_errors_where_they_stand() {
    let site = Site::start();
    let err = error_of(
        &site,
        "base_url: https://example.test\ndefaults:\n  timeout: 10 seconds\n",
        &[],
    );
    assert!(err.contains("invalid duration `10 seconds`"), "{err}");
    assert!(err.contains("smoke.yml:3:"), "{err}");

    let err = error_of(
        &site,
        "base_url: https://example.test\nchecks:\n  - { name: a, get: /, expect: { status: 700 } }\n",
        &[],
    );
    assert!(err.contains("invalid status `700`"), "{err}");
    assert!(err.contains("smoke.yml:3:"), "{err}");

    let err = error_of(
        &site,
        "base_url: https://example.test\nchecks:\n  - { name: two, get: /, post: /x }\n",
        &[],
    );
    assert!(err.contains("check `two` names 2 requests"), "{err}");
    assert!(err.contains("smoke.yml:3:"), "{err}");
}

#[test]
fn a_missing_environment_variable_is_named() {
    let site = Site::start();
    let err = error_of(
        &site,
        "base_url: https://example.test\nchecks:\n  - { name: a, get: /, headers: { X-Key: \"${SMOKE_API_KEY}\" } }\n",
        &[],
    );
    assert!(
        err.contains("environment variable SMOKE_API_KEY not set"),
        "{err}"
    );
    assert!(err.contains("smoke.yml:3:"), "{err}");
}

#[test]
fn unbounded_bursts_and_bad_flags_are_refused() {
    let site = Site::start();
    let err = error_of(
        &site,
        "base_url: https://example.test\nburst: { get: /, concurrency: 5000, requests: 10 }\n",
        &[],
    );
    assert!(err.contains("concurrency 1..=500"), "{err}");
    let err = error_of(
        &site,
        "base_url: https://example.test\n",
        &["--resolve", "example.test:443"],
    );
    assert!(
        err.contains("--resolve example.test:443: expected host:port:address"),
        "{err}"
    );
    let err = error_of(&site, "base_url: example.test\n", &[]);
    assert!(err.contains("`example.test` is not an http(s) URL"), "{err}");
}

#[test]
fn numbers_past_their_range_are_errors_not_wraps() {
    let site = Site::start();
    let err = error_of(
        &site,
        "base_url: https://example.test\ndefaults:\n  timeout: 5124095576030432h\n",
        &[],
    );
    assert!(
        // The long digit run is masked in the message, as any token-like quote is.
        err.contains("is too long: the limit is 8784 hours"),
        "{err}"
    );
    assert!(err.contains("smoke.yml:3:"), "{err}");

    let err = error_of(
        &site,
        "base_url: https://example.test\nchecks:\n  - { get: /, retries: { attempts: 4000000000 } }\n",
        &[],
    );
    assert!(err.contains("retries.attempts must be 1 to 100"), "{err}");
    assert!(err.contains("smoke.yml:3:"), "{err}");

    let err = error_of(
        &site,
        "base_url: https://example.test\nburst: { get: /, concurrency: 5, requests: 10, max_error_rate: .nan }\n",
        &[],
    );
    assert!(
        err.contains("smoke.burst.max_error_rate must be a fraction from 0 to 1 (got NaN)"),
        "{err}"
    );

    let err = error_of(
        &site,
        "base_url: https://example.test\nlatency: { routes: [/], warmup: 1000000000, p95_ms: 100 }\n",
        &[],
    );
    assert!(err.contains("at most 1000 warm-up requests"), "{err}");

    let err = error_of(
        &site,
        "base_url: https://example.test\nchecks:\n  - { get: / }\n",
        &["watch", "--count", "1", "--interval", "99999999999999999999h"],
    );
    assert!(err.contains("is too long"), "{err}");
}
