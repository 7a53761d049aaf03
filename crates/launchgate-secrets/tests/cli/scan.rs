use std::fs;

use crate::{STRIPE_KEY, TEST_TOKEN, bin, findings, fixture_rules, json_report, notes};

#[test]
fn a_key_in_a_file_fails_with_rule_file_line_column_and_help() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(
        dir.path().join("src/payments.js"),
        format!("// payments\nconst stripe = require('stripe');\nconst client = stripe('{STRIPE_KEY}');\n"),
    )
    .unwrap();
    fs::write(dir.path().join("README.md"), "nothing to see\n").unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["scan"]);
        c
    });
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "src/payments.js".into(), 3, 24)]
    );
    let f = &report["findings"][0];
    assert_eq!(f["properties"]["confidence"], "high");
    let help = f["help"].as_str().unwrap();
    assert!(help.contains("https://docs.stripe.com"), "{help}");
    assert!(
        help.contains("deleting the line is not enough once it was pushed"),
        "{help}"
    );
    assert!(!f["secret"]["display"].as_str().unwrap().contains(STRIPE_KEY));
    assert!(notes(&report).contains("scanned 2 file(s)"));
}

#[test]
fn a_clean_folder_passes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("main.rs"),
        "fn main() { let token = std::env::var(\"API_TOKEN\"); }\n",
    )
    .unwrap();
    bin(dir.path()).args(["scan", "."]).assert().code(0);
}

#[test]
fn large_and_ignored_files_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("big.txt"), format!("{}\n{STRIPE_KEY}\n", "a".repeat(4096))).unwrap();
    fs::write(d.join(".gitignore"), "ignored.env\n").unwrap();
    fs::write(d.join("ignored.env"), format!("STRIPE_KEY={STRIPE_KEY}\n")).unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "--max-file-size", "1K"]);
        c
    });
    assert_eq!(code, 0, "{report}");
    let n = notes(&report);
    assert!(n.contains("skipped 1 file(s) larger than 1024 bytes"), "{n}");

    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "--no-ignore"]);
        c
    });
    assert_eq!(code, 1);
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    assert_eq!(paths, vec!["big.txt", "ignored.env"]);
}

#[test]
fn symlink_loops_and_invalid_utf8_do_not_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", d.join("loop/up")).unwrap();
    fs::write(
        d.join("latin1.txt"),
        [b"caf\xe9 = 1\nkey = ".as_slice(), STRIPE_KEY.as_bytes(), b"\n"].concat(),
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan"]);
        c
    });
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "latin1.txt".into(), 2, 7)]
    );
    assert!(
        notes(&report).contains("did not follow 1 symbolic link(s) to folders"),
        "{}",
        notes(&report)
    );
}

#[test]
fn inline_allow_comments_suppress_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.py"),
        format!("KEY = '{STRIPE_KEY}'  # launchgate:allow\nOTHER = '{STRIPE_KEY}'  # gitleaks:allow\n"),
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["scan"]);
        c
    });
    assert_eq!(code, 0);
    assert_eq!(report["suppressed"], 2);
    assert!(notes(&report).contains("2 finding(s) suppressed by launchgate:allow comments"));
}

#[test]
fn configuration_allows_disables_and_adds_rules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("fixtures")).unwrap();
    fs::write(d.join("fixtures/keys.txt"), format!("{STRIPE_KEY}\n")).unwrap();
    fs::write(d.join("app.txt"), format!("{STRIPE_KEY}\nt = {TEST_TOKEN}\n")).unwrap();
    fs::write(
        d.join("launchgate.yml"),
        format!(
            "secrets:\n  allow:\n    paths: ['fixtures/**']\n  extra_rules: ['{}']\n",
            fixture_rules()
        ),
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan"]);
        c
    });
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            ("stripe.secret-key".into(), "app.txt".into(), 1, 1),
            ("test.token".into(), "app.txt".into(), 2, 5)
        ]
    );

    fs::write(
        d.join("launchgate.yml"),
        format!(
            "secrets:\n  allow:\n    paths: ['fixtures/**']\n    values: ['{TEST_TOKEN}']\n  disable: [stripe.secret-key]\n  extra_rules: ['{}']\n",
            fixture_rules()
        ),
    )
    .unwrap();
    bin(d).arg("scan").assert().code(0);
}

#[test]
fn configuration_mistakes_exit_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("launchgate.yml"),
        "secrets:\n  allow:\n    valeus: [x]\n",
    )
    .unwrap();
    let out = bin(dir.path()).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("launchgate.yml:3:5"), "{stderr}");
    assert!(stderr.contains("did you mean `values`?"), "{stderr}");

    fs::write(
        dir.path().join("launchgate.yml"),
        "secrets:\n  disable: [stripe.secrte-key]\n",
    )
    .unwrap();
    let out = bin(dir.path()).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stripe.secret-key"));

    std::fs::remove_file(dir.path().join("launchgate.yml")).unwrap();
    let out = bin(dir.path()).args(["scan", "no/such/dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir"));
}

#[test]
fn standard_input_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["scan", "-"])
            .write_stdin(format!("line one\nexport KEY={STRIPE_KEY}\n"));
        c
    });
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "<stdin>".into(), 2, 12)]
    );
}

/// Standard input is held whole for the scan: past the size limit it is refused, never
/// read without end nor passed unscanned.
#[test]
fn standard_input_past_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path())
        .args(["scan", "-", "--max-file-size", "1K"])
        .write_stdin(format!("{}\nexport KEY={STRIPE_KEY}\n", "a".repeat(2048)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("standard input holds more than 1 KiB, the most launchgate reads as the text to scan"),
        "{stderr}"
    );
    assert!(stderr.contains("--max-file-size"), "{stderr}");
    assert!(!stderr.contains(STRIPE_KEY));
}

/// A link in the scanned folder to a named pipe elsewhere in the repository: opening the
/// pipe would wait for a writer forever.
#[cfg(unix)]
#[test]
fn a_link_to_a_named_pipe_is_skipped_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::git(d, &["init", "-q"]);
    fs::create_dir_all(d.join("run")).unwrap();
    fs::create_dir_all(d.join("src")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("run/pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink("../run/pipe", d.join("src/pipe.env")).unwrap();
    fs::write(d.join("src/app.env"), format!("KEY={STRIPE_KEY}\n")).unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "src"])
            .timeout(std::time::Duration::from_secs(30));
        c
    });
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "src/app.env".into(), 1, 5)]
    );
    assert!(
        report
            .to_string()
            .contains("skipped src/pipe.env: it leads to a named pipe, not a regular file"),
        "{report}"
    );
}

/// Bytes of a binary file: a header with NUL bytes, then the key as plain ASCII on the
/// second "line", then the token in UTF-16LE.
fn binary_with_keys() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x00\x00\x00\x00\nid\x00".to_vec();
    bytes.extend_from_slice(format!("key:{STRIPE_KEY}\x00\x00").as_bytes());
    for b in format!("Stripe={STRIPE_KEY_2}").bytes() {
        bytes.extend_from_slice(&[b, 0]);
    }
    bytes.extend_from_slice(b"\x00\x00\xff\xfe");
    bytes
}

/// A second live-looking Stripe key, made up.
const STRIPE_KEY_2: &str = "sk_live_51Pm4Tq9Xv2Rw7Lk3Jh8Nc6Bd";

#[test]
fn keys_in_a_binary_file_are_found_in_its_printable_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bytes = binary_with_keys();
    fs::write(d.join("app.bin"), &bytes).unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "."]);
        c
    });
    assert_eq!(code, 1, "{report}");
    // Line and column in the file itself: the ASCII key after `\nid\0key:`, the UTF-16 key
    // further on the same line, each with its byte offset.
    let ascii_at = bytes.windows(8).position(|w| w == b"sk_live_").unwrap();
    assert_eq!(
        findings(&report),
        vec![
            ("stripe.secret-key".into(), "app.bin".into(), 2, 8),
            ("stripe.secret-key".into(), "app.bin".into(), 2, 58),
        ]
    );
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("in binary content at byte offset {ascii_at}")),
        "{message}"
    );
    assert!(
        notes(&report).contains("scanned 1 binary file(s)"),
        "{}",
        notes(&report)
    );
    let text = report.to_string();
    assert!(
        !text.contains(STRIPE_KEY) && !text.contains(STRIPE_KEY_2),
        "{text}"
    );
}

#[test]
fn keys_in_binary_standard_input_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = json_report({
        let mut c = bin(dir.path());
        c.args(["scan", "-"]).write_stdin(binary_with_keys());
        c
    });
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![
            ("stripe.secret-key".into(), "<stdin>".into(), 2, 8),
            ("stripe.secret-key".into(), "<stdin>".into(), 2, 58),
        ]
    );
}
