//! Values written in `.env.example` and friends: provider keys stay errors, generic values
//! the example documents become notes in every file that uses them.

use std::fs;

use crate::{STRIPE_KEY, bin, finding_rows, json_report};

/// A development default, found only by a generic rule (a secret-named key and its entropy).
const SAMPLE: &str = "dev-7Kq2Vx9Lm4Tz8Wp3Rb6N";

#[test]
fn a_generic_value_documented_in_the_example_is_a_note_everywhere_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join(".env.example"),
        format!("PORT=3000\nSESSION_SECRET={SAMPLE}\n"),
    )
    .unwrap();
    fs::write(
        d.join("compose.yml"),
        format!("services:\n  web:\n    environment:\n      SESSION_SECRET: {SAMPLE}\n"),
    )
    .unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "--no-ignore", "--fail-on", "warning"]);
        c
    });
    assert_eq!(code, 0, "{report}");
    let found = finding_rows(&report);
    assert_eq!(found.len(), 2, "{report}");
    for (path, rule, severity, message) in &found {
        assert_eq!(rule, "generic.secret-assignment", "{path}");
        assert_eq!(severity, "note", "{path}");
        assert!(
            message.contains("documented as the sample value in .env.example"),
            "{message}"
        );
        assert!(!message.contains(SAMPLE));
    }
    bin(d)
        .args(["scan", "--no-ignore", "--fail-on", "note"])
        .assert()
        .code(1);
}

#[test]
fn a_provider_key_in_an_example_file_is_still_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join(".env.sample"),
        format!("STRIPE_SECRET_KEY={STRIPE_KEY}\nSESSION_SECRET={SAMPLE}\n"),
    )
    .unwrap();
    fs::write(d.join("billing.env"), format!("STRIPE_SECRET_KEY={STRIPE_KEY}\n")).unwrap();
    let (code, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "--no-ignore"]);
        c
    });
    assert_eq!(code, 1);
    let found = finding_rows(&report);
    let severities: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|(p, r, s, _)| (p.as_str(), r.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        severities,
        vec![
            (".env.sample", "stripe.secret-key", "error"),
            (".env.sample", "generic.secret-assignment", "note"),
            ("billing.env", "stripe.secret-key", "error"),
        ]
    );
}

#[test]
fn a_generic_value_not_in_any_example_keeps_its_severity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join(".env.example"), "SESSION_SECRET=<a long random string>\n").unwrap();
    fs::write(d.join("app.env"), format!("SESSION_SECRET={SAMPLE}\n")).unwrap();
    let (_, report) = json_report({
        let mut c = bin(d);
        c.args(["scan", "--no-ignore"]);
        c
    });
    let found = finding_rows(&report);
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!((found[0].0.as_str(), found[0].2.as_str()), ("app.env", "warning"));
}
