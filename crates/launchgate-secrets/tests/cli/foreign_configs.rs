//! A team's gitleaks files: launchgate does not apply them, and every scan mode says so.

use std::fs;

use crate::{STRIPE_KEY, findings, git, notes, scan_json};

/// A value only the team's own gitleaks rule knows, and one its allowlist accepts.
const ACME_TOKEN: &str = "acme_q7zr2mxk9lpw4vtn8shb3kd9qw2lm7zx";
const ALLOWED: &str = "acme_00000000000000000000000000000000";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".gitleaks.toml"),
        format!(
            "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-token\"\nregex = '''acme_[a-z0-9]{{32}}'''\nkeywords = [\"acme_\"]\n\n[allowlist]\nregexes = ['''{ALLOWED}''']\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join(".gitleaksignore"),
        "# accepted\n0a1b2c3d:config/test.env:stripe-access-token:4\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("deploy.env"),
        format!("ACME={ACME_TOKEN}\nSTRIPE={STRIPE_KEY}\n"),
    )
    .unwrap();
    dir
}

fn assert_named(report: &serde_json::Value) {
    let notes = notes(report);
    assert!(
        notes.contains(".gitleaks.toml: its 1 custom rule(s) (acme-token) do not run"),
        "{notes}"
    );
    assert!(
        notes.contains("secrets.extra_rules"),
        "the note says where such rules go: {notes}"
    );
    assert!(
        notes.contains(".gitleaks.toml: its allowlists are not applied"),
        "{notes}"
    );
    assert!(
        notes.contains(".gitleaksignore: its 1 entry is not applied"),
        "{notes}"
    );
    assert!(!notes.contains(ALLOWED) && !notes.contains(ACME_TOKEN));
}

#[test]
fn a_working_tree_scan_names_the_gitleaks_files_it_does_not_apply() {
    let dir = project();
    let (code, report) = scan_json(dir.path(), &["scan"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "deploy.env".into(), 2, 8)]
    );
    assert_named(&report);
}

#[test]
fn a_staged_scan_names_them_too() {
    let dir = project();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "deploy.env"]);
    let (code, report) = scan_json(dir.path(), &["scan", "--staged"]);
    assert_eq!(code, 1);
    assert_named(&report);
}

#[test]
fn without_gitleaks_files_there_is_no_such_note() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "nothing\n").unwrap();
    let (code, report) = scan_json(dir.path(), &["scan"]);
    assert_eq!(code, 0);
    assert!(!notes(&report).contains("gitleaks"), "{}", notes(&report));
}
