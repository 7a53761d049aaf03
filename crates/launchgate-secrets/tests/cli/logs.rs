use std::fs;
use std::io::Write;

use crate::{STRIPE_KEY, bin, findings, json_report};

const DEPLOY_TOKEN: &str = "Vq3Zt/R8m Wx2+LpN7c";

#[test]
fn known_values_are_found_plain_url_encoded_and_inside_basic_auth() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("build.log"),
        "step 1: checkout\n\
         echo Vq3Zt/R8m Wx2+LpN7c\n\
         GET /hook?token=Vq3Zt%2FR8m%20Wx2%2BLpN7c 200\n\
         curl -H 'Authorization: Basic Y2k6VnEzWnQvUjhtIFd4MitMcE43Yw==' https://ci.internal\n\
         done\n",
    )
    .unwrap();
    let mut cmd = bin(dir.path());
    cmd.env("DEPLOY_TOKEN", DEPLOY_TOKEN)
        .env_remove("MISSING_ONE")
        .args([
            "logs",
            "build.log",
            "--known-values-from-env",
            "DEPLOY_TOKEN,MISSING_ONE",
        ]);
    let out = cmd.args(["--format", "json"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(DEPLOY_TOKEN), "the value itself never appears");
    assert_eq!(out.status.code(), Some(1));
    let report = &serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["reports"][0];
    let known: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "logs.known-value")
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["properties"]["form"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        known,
        vec![
            (2, "plain".to_string()),
            (3, "URL-encoded".to_string()),
            (4, "base64-encoded".to_string())
        ]
    );
    assert!(
        findings(report)
            .iter()
            .any(|f| f.0 == "log.authorization-basic" && f.2 == 4)
    );
    assert!(crate::notes(report).contains("MISSING_ONE is not set"));
}

#[test]
fn log_only_rules_run_in_logs_and_not_in_scans() {
    let dir = tempfile::tempdir().unwrap();
    let text = "user maria.lopez@fastmail.fm paid with 4539 1488 0343 1641\nsms to +4917623981547\n";
    fs::write(dir.path().join("app.log"), text).unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["logs", "app.log"]);
        c
    });
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            ("log.email-address".into(), "app.log".into(), 1, 6),
            ("log.card-number".into(), "app.log".into(), 1, 40),
            ("log.phone-number".into(), "app.log".into(), 2, 8),
        ]
    );
    bin(dir.path()).args(["scan", "app.log"]).assert().code(0);
}

/// Peak resident memory of a child process, read from /proc while it runs.
#[cfg(target_os = "linux")]
fn peak_rss_kib(mut child: std::process::Child) -> (u64, std::process::Output) {
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            peak = peak.max(kib);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    (peak, child.wait_with_output().unwrap())
}

#[cfg(target_os = "linux")]
#[test]
fn a_log_over_100_mib_is_streamed_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.log");
    let line = "INFO request handled path=/api/items status=ok user=anonymous cache=hit\n";
    let block: String = line.repeat(1024 * 1024 / line.len() + 1);
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    let mut lines = 0;
    let mut written = 0;
    while written < 101 * 1024 * 1024 {
        file.write_all(block.as_bytes()).unwrap();
        written += block.len();
        lines += block.len() / line.len();
    }
    writeln!(file, "deploy used STRIPE_SECRET_KEY={STRIPE_KEY}").unwrap();
    drop(file);

    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("launchgate-secrets"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["logs", "huge.log", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (peak_kib, out) = peak_rss_kib(child);
    assert_eq!(out.status.code(), Some(1));
    let report = &serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["reports"][0];
    assert_eq!(
        findings(report),
        vec![(
            "stripe.secret-key".into(),
            "huge.log".into(),
            lines as u64 + 1,
            31
        )]
    );
    assert!(peak_kib > 0, "VmHWM was read");
    assert!(peak_kib < 48 * 1024, "peak RSS {peak_kib} KiB for a 101 MiB log");
}
