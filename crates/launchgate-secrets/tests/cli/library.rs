//! The library API the umbrella calls.

use std::fs;

use launchgate_core::config::ConfigFile;
use launchgate_secrets::check_configured;

use crate::{STRIPE_KEY, TEST_TOKEN, fixture_rules};

#[test]
fn check_configured_scans_the_root_with_the_section() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.txt"), format!("{STRIPE_KEY}\nx = {TEST_TOKEN}\n")).unwrap();
    fs::create_dir_all(d.join("vendor")).unwrap();
    fs::write(d.join("vendor/lib.txt"), format!("{TEST_TOKEN}\n")).unwrap();
    let path = d.join("launchgate.yml");
    fs::write(
        &path,
        format!(
            "secrets:\n  disable: [stripe.secret-key]\n  allow:\n    paths: ['vendor/**']\n  extra_rules: ['{}']\n",
            fixture_rules()
        ),
    )
    .unwrap();
    let report = check_configured(&ConfigFile::read(&path).unwrap(), d).unwrap();
    let ids: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, vec!["test.token"]);
    let location = report.findings[0].location.as_ref().unwrap();
    assert_eq!((location.path.as_str(), location.line), ("a.txt", Some(2)));

    fs::write(&path, "secrets:\n  alow: {}\n").unwrap();
    let err = check_configured(&ConfigFile::read(&path).unwrap(), d).unwrap_err();
    assert_eq!(err.position(), Some((2, 3)));
}
