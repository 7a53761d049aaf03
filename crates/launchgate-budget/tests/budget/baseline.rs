//! Regressions against a baseline written by `snapshot`, across renamed hashed files.

use std::path::Path;

use crate::bin;

fn build(dir: &Path, hash: &str, js_bytes: usize) {
    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    // Incompressible-ish content so sizes grow with the file.
    let body: String = (0..js_bytes)
        .map(|i| char::from(b'a' + ((i * 7919 + i / 3) % 26) as u8))
        .collect();
    std::fs::write(assets.join(format!("index-{hash}.js")), body).unwrap();
    std::fs::write(assets.join("logo-Ab12Cd34.svg"), "<svg/>").unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>x</title>").unwrap();
}

#[test]
fn snapshot_then_regression_with_renamed_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, head, baseline) = (
        tmp.path().join("base"),
        tmp.path().join("head"),
        tmp.path().join("baseline.json"),
    );
    build(&base, "D8xY2kQa", 40_000);
    bin()
        .arg("snapshot")
        .arg(&baseline)
        .arg("--build")
        .arg(&base)
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(&baseline)
            .unwrap()
            .contains("assets/index-[hash].js")
    );

    // Same content under a new hash: nothing changed.
    build(&head, "Zz9Yy8Xx", 40_000);
    std::fs::remove_file(head.join("assets/index-D8xY2kQa.js")).ok();
    bin()
        .arg("--build")
        .arg(&head)
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .code(0);

    // The renamed entry grew by half: a regression, listed with before, after and delta.
    let grown = tmp.path().join("grown");
    build(&grown, "Qq7Ww6Ee", 60_000);
    let out = bin()
        .arg("--build")
        .arg(&grown)
        .arg("--baseline")
        .arg(&baseline)
        .args(["--format", "markdown"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(
            "assets/index-[hash].js raw regressed against the baseline: 40.0 kB → 60.0 kB (+50.0%)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "| assets/index-[hash].js | raw | 40.0 kB | 60.0 kB | +20.0 kB (+50.0%) | regression |"
        ),
        "{text}"
    );
    let changes = &text[text.find("Changes against").unwrap()..text.find("**Measured values**").unwrap()];
    assert!(
        changes.contains("(2 changed)") && !changes.contains("logo"),
        "only changed values are listed: {changes}"
    );
}

#[test]
fn regression_thresholds_come_from_launchgate_yml() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, head, baseline) = (
        tmp.path().join("base"),
        tmp.path().join("head"),
        tmp.path().join("b.json"),
    );
    build(&base, "D8xY2kQa", 40_000);
    build(&head, "Qq7Ww6Ee", 44_000);
    bin()
        .arg("snapshot")
        .arg(&baseline)
        .arg("--build")
        .arg(&base)
        .assert()
        .code(0);
    // +10 %, +4 kB: over the default 5 % and 1 kB.
    bin()
        .current_dir(tmp.path())
        .arg("--build")
        .arg(&head)
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .code(1);
    std::fs::write(
        tmp.path().join("launchgate.yml"),
        "budget:\n  regression: { max_increase: 15%, max_increase_bytes: 10 kB }\n",
    )
    .unwrap();
    bin()
        .current_dir(tmp.path())
        .arg("--build")
        .arg(&head)
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .code(0);
}
