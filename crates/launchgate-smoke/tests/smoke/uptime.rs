//! Uptime mode: consecutive failed runs kept in a state file between separate runs, the
//! alert after two, one notification on alert and one on recovery.

use std::sync::atomic::Ordering;

use crate::app::{Site, findings, json_report, run};

const SPEC: &str = "base_url: https://example.test:{https}\nchecks:\n  - { name: health, get: /health }\n";

#[test]
fn fails_only_after_two_consecutive_failed_runs_and_notifies_once_each_way() {
    let site = Site::start();
    let state = site.dir.path().join("uptime-state.json");
    let hook = format!("https://example.test:{}/hooks/chat", site.https.port());
    let scheduled = |site: &Site| {
        let mut cmd = site.cmd(SPEC);
        cmd.arg("--state")
            .arg(&state)
            .args(["--fail-after", "2", "--notify", &hook]);
        json_report(&mut cmd)
    };
    site.state.health_down.store(true, Ordering::SeqCst);
    let (code, report) = scheduled(&site);
    assert_eq!(code, 0, "the first failed run only warns: {report:#}");
    assert_eq!(findings(&report)[0].1, "warning");
    assert!(
        report["reports"][0]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("failed run 1 of 2 in a row")
    );
    assert!(site.state.notifications.lock().unwrap().is_empty());

    let (code, report) = scheduled(&site);
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0].1, "error");
    let sent = site.state.notifications.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let message: serde_json::Value = serde_json::from_str(&sent[0]).unwrap();
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("failed 2 runs in a row"), "{text}");
    assert!(
        text.contains("health: expected status 2xx, got 500; body: database unreachable"),
        "{text}"
    );

    let (code, _) = scheduled(&site);
    assert_eq!(code, 1, "still failing, no second alert");
    assert_eq!(site.state.notifications.lock().unwrap().len(), 1);

    site.state.health_down.store(false, Ordering::SeqCst);
    let (code, _) = scheduled(&site);
    assert_eq!(code, 0);
    let sent = site.state.notifications.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].contains("recovered"));
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["consecutive_failures"], 0);
    assert_eq!(saved["runs"], 4);
}

#[test]
fn watch_runs_a_bounded_number_of_times() {
    let site = Site::start();
    let state = site.dir.path().join("w.json");
    let mut cmd = site.cmd(SPEC);
    cmd.args(["watch", "--interval", "10ms", "--count", "3"])
        .arg("--state")
        .arg(&state);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("launchgate smoke: passed").count(), 3, "{stdout}");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["runs"], 3);
}

#[test]
fn watch_without_a_bound_is_a_usage_error() {
    let site = Site::start();
    let mut cmd = site.cmd(SPEC);
    cmd.args(["watch", "--interval", "1s"]);
    let (code, _, stderr) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("watch needs --count N or --duration D"),
        "{stderr}"
    );
}

#[test]
fn a_webhook_url_never_shows_in_output_or_errors() {
    let site = Site::start();
    site.state.health_down.store(true, Ordering::SeqCst);
    let closed = crate::app::closed_port();
    let hook = format!("https://example.test:{closed}/services/T0001/B0002/hooksecretpath42");
    let mut cmd = site.cmd(SPEC);
    let (code, stdout, stderr) = run(cmd.args(["--notify", &hook]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains(&format!(
            "warning: could not send the alert to slack: connection refused by example.test:{closed}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("hooksecretpath42") && !stdout.contains("hooksecretpath42"));

    let mut cmd = site.cmd(SPEC);
    let (code, _, stderr) = run(cmd.args(["--notify", "hooks.example/secretpath"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--notify is not an http(s) URL") && !stderr.contains("secretpath"),
        "{stderr}"
    );
}

#[test]
fn a_state_file_with_counters_at_their_maximum_still_fails_and_keeps_them() {
    let site = Site::start();
    let state = site.dir.path().join("old-state.json");
    std::fs::write(
        &state,
        format!(
            "{{\"consecutive_failures\": {}, \"alerting\": true, \"runs\": {}}}",
            u32::MAX,
            u64::MAX
        ),
    )
    .unwrap();
    site.state.health_down.store(true, Ordering::SeqCst);
    let mut cmd = site.cmd(SPEC);
    cmd.arg("--state").arg(&state).args(["--fail-after", "2"]);
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(findings(&report)[0].1, "error");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["consecutive_failures"], u32::MAX);
    assert_eq!(saved["runs"], u64::MAX);
}

#[test]
fn a_corrupt_or_huge_state_file_is_a_clear_error() {
    let site = Site::start();
    let state = site.dir.path().join("bad-state.json");
    for (content, expected) in [
        (
            "{\"consecutive_failures\": 4294967296, \"alerting\": false, \"runs\": 1}".to_string(),
            "not a launchgate-smoke state file (invalid value: integer `4294967296`, expected u32",
        ),
        (
            "{\"consecutive_failures\": -1, \"alerting\": false, \"runs\": 1}".to_string(),
            "not a launchgate-smoke state file",
        ),
        (
            "\u{0}\u{1}binary".to_string(),
            "not a launchgate-smoke state file",
        ),
        (" ".repeat(100 * 1024), "is larger than 64 KiB"),
    ] {
        std::fs::write(&state, &content).unwrap();
        let mut cmd = site.cmd(SPEC);
        cmd.arg("--state").arg(&state);
        let (code, stdout, stderr) = run(&mut cmd);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains("delete the file to start counting afresh"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn recovery_is_declared_after_the_passing_runs_asked_for() {
    let site = Site::start();
    let state = site.dir.path().join("recovery-state.json");
    let hook = format!("https://example.test:{}/hooks/chat", site.https.port());
    let scheduled = |site: &Site| {
        let mut cmd = site.cmd(SPEC);
        cmd.arg("--state")
            .arg(&state)
            .args(["--success-after", "2", "--notify", &hook]);
        json_report(&mut cmd)
    };
    site.state.health_down.store(true, Ordering::SeqCst);
    let (code, _) = scheduled(&site);
    assert_eq!(code, 1);
    assert_eq!(site.state.notifications.lock().unwrap().len(), 1);

    site.state.health_down.store(false, Ordering::SeqCst);
    let (code, report) = scheduled(&site);
    assert_eq!(code, 0, "a passing run passes");
    assert_eq!(
        report["reports"][0]["notes"][0],
        "passing run 1 of 2 in a row after the alert; recovery is declared at 2"
    );
    assert_eq!(
        site.state.notifications.lock().unwrap().len(),
        1,
        "no recovery yet"
    );

    let (code, _) = scheduled(&site);
    assert_eq!(code, 0);
    let sent = site.state.notifications.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].contains("recovered"), "{}", sent[1]);

    let (code, _, stderr) = run(site.cmd(SPEC).args(["--success-after", "0"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--success-after must be at least 1"), "{stderr}");
}
