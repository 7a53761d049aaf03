//! Bad input gives a finding or a clear error with a position, never a panic.

use crate::{bin, positions, run_json, write};

#[test]
fn nul_invalid_utf8_and_unterminated_quotes_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        b"A=1\nB=x\0y\nC=\xff\xfe\nD=\"never closed\n",
    )
    .unwrap();
    let (code, findings) = run_json(bin(dir.path()).args(["lint", ".env"]));
    assert_eq!(code, 1);
    let mut got = positions(&findings);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("env.invalid-utf8".into(), ".env".into(), 3, 3),
            ("env.nul-byte".into(), ".env".into(), 2, 4),
            ("env.unterminated-quote".into(), ".env".into(), 4, 3),
        ]
    );
}

#[test]
fn a_ten_megabyte_line_is_handled() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = b"BIG=".to_vec();
    big.extend(std::iter::repeat_n(b'a', 10 << 20));
    big.extend_from_slice(b" b\nSMALL=1\nSMALL=2\n");
    std::fs::write(dir.path().join(".env"), &big).unwrap();
    let (code, findings) = run_json(bin(dir.path()).args(["lint", ".env"]));
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![
            ("env.unquoted-whitespace".into(), ".env".into(), 1, (10 << 20) + 5),
            ("env.duplicate-key".into(), ".env".into(), 3, 1),
        ]
    );
    let text = serde_json::to_string(&findings).unwrap();
    assert!(text.len() < 10_000, "messages do not carry the line");
}

#[test]
fn schema_errors_have_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    PORT: { type: prot }\n",
    );
    let out = bin(dir.path())
        .args(["check", "--env", "production"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("launchgate.yml:3:19"), "{stderr}");
    assert!(stderr.contains("unknown variant `prot`"), "{stderr}");
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    PORT: { type: port, reqired: all }\n",
    );
    let out = bin(dir.path())
        .args(["check", "--env", "production"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("launchgate.yml:3:25"), "{stderr}");
    assert!(stderr.contains("did you mean `required`?"), "{stderr}");
}

#[test]
fn missing_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    bin(dir.path())
        .args(["lint", "nope.env"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nope.env"));
    bin(dir.path())
        .args(["check", "--env", "production"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("launchgate-env init"));
    bin(dir.path())
        .args(["--schema", "missing.yml", "diff"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing.yml"));
}

#[test]
fn no_subcommand_is_exit_2_naming_them_and_list_rules_needs_none() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("needs a subcommand") && stderr.contains("launchgate-env lint"),
        "{stderr}"
    );
    let out = bin(dir.path()).arg("--list-rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("env.missing-required ")),
        "{stdout}"
    );
}
