//! dotenvx encrypted files, made by the real `@dotenvx/dotenvx` CLI
//! (`tests/fixtures/dotenvx/regenerate.sh`): decrypted and checked with the private key,
//! never printed; skipped with a note without it; malformed values and committed
//! `.env.keys` fail `lint`.

use std::path::Path;

use crate::redaction::outputs_in_every_format;
use crate::{bin, git_repo, positions, run_json, write};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dotenvx");
const PLAINTEXT: [&str; 2] = ["Pl4ntedDotenvxPassw0rd", "verbose"];

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

/// The private key from the fixture's `.env.keys`.
fn private_key() -> String {
    fixture("production.keys")
        .lines()
        .find_map(|l| l.strip_prefix("DOTENV_PRIVATE_KEY_PRODUCTION="))
        .unwrap()
        .to_string()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    SMTP_PASS: { type: url, required: all }\n    PORT: { type: port }\n    LOG_LEVEL: { type: enum, values: [info, warn] }\n",
    );
    write(dir.path(), ".env.production", &fixture("production.env"));
    dir
}

const CHECK: [&str; 5] = ["check", "--env", "production", "--file", ".env.production"];

#[test]
fn decrypted_values_are_checked_and_never_printed() {
    let dir = project();
    let key = private_key();
    let (code, findings) = run_json(
        bin(dir.path())
            .args(CHECK)
            .env("DOTENV_PRIVATE_KEY_PRODUCTION", &key),
    );
    assert_eq!(code, 1, "{findings:?}");
    let p = |l| {
        (
            "env.invalid-value".to_string(),
            ".env.production".to_string(),
            l,
            11,
        )
    };
    let mut got = positions(&findings);
    got.sort();
    assert_eq!(
        got,
        vec![p(8), p(10)],
        "SMTP_PASS is no URL, verbose is not listed; PORT is fine"
    );
    for (format, code, texts) in
        outputs_in_every_format(dir.path(), &CHECK, &[("DOTENV_PRIVATE_KEY_PRODUCTION", &key)])
    {
        assert_eq!(code, Some(1), "{format}");
        let all = texts.concat();
        for part in PLAINTEXT.iter().chain(&["Pl4nted", &key[..16]]) {
            assert!(!all.contains(part), "--format {format} printed {part}:\n{all}");
        }
    }
}

#[test]
fn without_the_key_encrypted_values_are_noted_not_judged() {
    let dir = project();
    let out = bin(dir.path())
        .args(CHECK)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = doc["reports"][0]["notes"].to_string();
    assert!(
        notes.contains(".env.production: 3 encrypted values were not checked against the schema; set DOTENV_PRIVATE_KEY_PRODUCTION"),
        "{notes}"
    );
}

#[test]
fn a_wrong_key_is_a_finding_per_value() {
    let dir = project();
    let wrong = "1".repeat(64);
    let (code, findings) = run_json(
        bin(dir.path())
            .args(CHECK)
            .env("DOTENV_PRIVATE_KEY_PRODUCTION", &wrong),
    );
    assert_eq!(code, 1);
    let undecryptable: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"] == "env.undecryptable-value")
        .collect();
    assert_eq!(undecryptable.len(), 3, "{findings:?}");
    assert!(
        undecryptable[0]["message"].as_str().unwrap().contains(
            "cannot be decrypted with DOTENV_PRIVATE_KEY_PRODUCTION: the private key does not open it"
        ),
        "{undecryptable:?}"
    );
}

#[test]
fn committed_keys_fail_lint_and_encrypted_files_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env.production", &fixture("production.env"));
    write(dir.path(), ".env.keys", &fixture("production.keys"));
    git_repo(dir.path(), &[".env.production", ".env.keys"]);
    let (code, findings) = run_json(bin(dir.path()).args(["lint"]));
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![("env.committed-secret".into(), ".env.keys".into(), 9, 31)]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("a dotenvx private key"),
        "{findings:?}"
    );
    assert!(!serde_json::to_string(&findings).unwrap().contains(&private_key()));
}

#[test]
fn text_after_encrypted_that_is_no_payload_fails_lint() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "DOTENV_PUBLIC_KEY=\"not-a-key\"\nSTRIPE=encrypted:sk_live_51HxYzAbCdEfGhIjKlMnOpQr\nSHORT=encrypted:aGVsbG8=\n",
    );
    let (code, findings) = run_json(bin(dir.path()).args(["lint", ".env"]));
    assert_eq!(code, 1);
    let malformed: Vec<_> = positions(&findings)
        .into_iter()
        .filter(|p| p.0 == "env.malformed-encrypted")
        .collect();
    assert_eq!(
        malformed,
        vec![
            ("env.malformed-encrypted".into(), ".env".into(), 1, 19),
            ("env.malformed-encrypted".into(), ".env".into(), 2, 8),
            ("env.malformed-encrypted".into(), ".env".into(), 3, 7),
        ]
    );
}

#[test]
fn drift_ignores_the_keys_file_and_the_header_key() {
    let dir = project();
    write(dir.path(), ".env.example", "SMTP_PASS=\nPORT=\nLOG_LEVEL=\n");
    write(dir.path(), ".env.keys", &fixture("production.keys"));
    let (code, findings) = run_json(bin(dir.path()).args(["diff"]));
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
}

/// A plain value built from an encrypted one is as secret as it (with the key), and not
/// judged without the key.
#[test]
fn values_built_from_encrypted_ones_inherit_their_encryption() {
    let dir = project();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    SMTP_URL: { type: url, schemes: [smtps], secret: false }\n",
    );
    let file = fixture("production.env") + "SMTP_URL=\"smtp://mailer:${SMTP_PASS}@mail.acme.io\"\n";
    write(dir.path(), ".env.production", &file);
    let (code, findings) = run_json(
        bin(dir.path())
            .args(CHECK)
            .env("DOTENV_PRIVATE_KEY_PRODUCTION", private_key()),
    );
    assert_eq!(code, 1);
    assert_eq!(
        positions(&findings),
        vec![("env.invalid-value".into(), ".env.production".into(), 11, 10)]
    );
    let text = serde_json::to_string(&findings).unwrap();
    assert!(!text.contains("Pl4nted") && !text.contains("mailer"), "{text}");

    let (code, findings) = run_json(bin(dir.path()).args(CHECK));
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
}
