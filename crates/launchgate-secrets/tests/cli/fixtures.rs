//! Secrets in test-fixture paths: still reported, as warnings that say why.

use std::fs;

use crate::{STRIPE_KEY, bin, finding_rows, findings, git, json_report};

#[test]
fn a_key_in_a_test_fixture_is_a_warning_that_names_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("tests/fixtures")).unwrap();
    fs::write(
        d.join("tests/fixtures/billing.env"),
        format!("STRIPE_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    fs::create_dir_all(d.join("web/__snapshots__")).unwrap();
    fs::write(
        d.join("web/__snapshots__/Checkout.test.tsx.snap"),
        format!("exports[`checkout 1`] = `\"{STRIPE_KEY}\"`;\n"),
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan"]);
        c
    });
    assert_eq!(
        code, 0,
        "a warning does not fail at the default --fail-on error: {report}"
    );
    let found = finding_rows(&report);
    assert_eq!(found.len(), 2, "{report}");
    for (path, _, severity, message) in &found {
        assert_eq!(severity, "warning", "{path}");
        assert!(message.contains("so reported as a warning"), "{message}");
        assert!(!message.contains(STRIPE_KEY), "{message}");
    }
    assert!(
        found[0].3.contains("in a test fixture (tests/fixtures/)"),
        "{found:?}"
    );
    assert!(
        found[1].3.contains("in a test fixture (__snapshots__/)"),
        "{found:?}"
    );
    bin(d).args(["scan", "--fail-on", "warning"]).assert().code(1);
}

#[test]
fn the_same_key_outside_a_fixture_is_still_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("tests/fixtures")).unwrap();
    fs::create_dir_all(d.join("app/fixtures")).unwrap();
    fs::write(
        d.join("tests/fixtures/billing.env"),
        format!("STRIPE_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    // A `fixtures` folder outside a test folder is application data, not a test fixture.
    fs::write(
        d.join("app/fixtures/seed.env"),
        format!("STRIPE_KEY={STRIPE_KEY}\n"),
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan"]);
        c
    });
    assert_eq!(code, 1);
    let found = finding_rows(&report);
    assert_eq!(found[0].0, "app/fixtures/seed.env");
    assert_eq!(found[0].2, "error");
    assert!(!found[0].3.contains("fixture"), "{found:?}");
    assert_eq!(found[1].2, "warning");
}

#[test]
fn history_judges_the_path_a_blob_was_committed_at() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    fs::create_dir_all(d.join("pkg/testdata")).unwrap();
    fs::write(
        d.join("pkg/testdata/client.golden"),
        format!("key: {STRIPE_KEY}\n"),
    )
    .unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "golden file"]);
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "--history"]);
        c
    });
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        findings(&report),
        vec![(
            "stripe.secret-key".into(),
            "pkg/testdata/client.golden".into(),
            1,
            6
        )]
    );
    let found = finding_rows(&report);
    assert_eq!(found[0].2, "warning");
    assert!(found[0].3.contains("in a test fixture (testdata/)"), "{found:?}");
}
