//! Bad input: a clear message naming the input, exit 2; never a panic or a silent pass.

use predicates::str::contains;

use crate::{bin, fixture};

#[test]
fn truncated_lhr_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(fixture("lighthouse/lhr-good.json")).unwrap();
    let cut = dir.path().join("lhr.json");
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    bin()
        .arg("--lighthouse")
        .arg(&cut)
        .assert()
        .code(2)
        .stderr(contains("lhr.json is not valid JSON"))
        .stderr(contains("truncated"));
}

#[test]
fn report_of_another_tool_is_exit_2() {
    bin()
        .arg("--lighthouse")
        .arg(fixture("bundles/stats-good.json"))
        .assert()
        .code(2)
        .stderr(contains("stats-good.json is not a Lighthouse"))
        .stderr(contains("no `lighthouseVersion`"));
}

#[test]
fn lighthouserc_with_unknown_key_points_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("lighthouserc.json");
    std::fs::write(
        &rc,
        "{\n  \"ci\": {\n    \"assert\": {\n      \"assertion\": {}\n    }\n  }\n}\n",
    )
    .unwrap();
    bin()
        .arg("--lighthouse")
        .arg(fixture("lighthouse/lhr-good.json"))
        .arg("--lighthouserc")
        .arg(&rc)
        .assert()
        .code(2)
        .stderr(contains("unknown key `assertion`"))
        .stderr(contains("lighthouserc.json:4:7"))
        .stderr(contains("did you mean `assertions`?"));
}

#[test]
fn empty_build_folder_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .arg("--build")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("is empty"));
}

#[test]
fn nothing_to_check_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(contains("nothing to check"));
}

#[test]
fn ambiguous_unit_in_launchgate_yml_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("launchgate.yml"),
        "budget:\n  bundles:\n    - { path: '*.js', max: 170 KB }\n",
    )
    .unwrap();
    bin()
        .current_dir(dir.path())
        .arg("--build")
        .arg(fixture("site/dist/good"))
        .assert()
        .code(2)
        .stderr(contains("ambiguous"))
        .stderr(contains("170 KiB"));
}

#[test]
fn unknown_budget_key_has_line_and_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("launchgate.yml"), "budget:\n  bundle: []\n").unwrap();
    bin()
        .current_dir(dir.path())
        .arg("--build")
        .arg(fixture("site/dist/good"))
        .assert()
        .code(2)
        .stderr(contains("launchgate.yml:2:3"))
        .stderr(contains("did you mean `bundles`?"));
}

#[test]
fn check_configured_reads_the_section_and_refuses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let yml = dir.path().join("launchgate.yml");
    std::fs::write(&yml, "budget:\n  lighthouse: [lhr.json]\n").unwrap();
    std::fs::copy(fixture("lighthouse/lhr-bad.json"), dir.path().join("lhr.json")).unwrap();
    let file = launchgate_core::config::ConfigFile::read(&yml).unwrap();
    let report = launchgate_budget::check_configured(&file, dir.path()).unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "budget.category" && f.message.contains("51"))
    );

    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("launchgate.yml"), "budget: {}\n").unwrap();
    let file = launchgate_core::config::ConfigFile::read(&empty.path().join("launchgate.yml")).unwrap();
    let err = launchgate_budget::check_configured(&file, empty.path()).unwrap_err();
    assert!(
        err.message().contains("found nothing to check"),
        "{}",
        err.message()
    );
}

#[test]
fn every_format_renders() {
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        bin()
            .arg("--lighthouse")
            .arg(fixture("lighthouse/lhr-bad.json"))
            .args(["--format", format])
            .assert()
            .code(1)
            .stdout(contains("4174"));
    }
}

#[test]
fn empty_lhci_manifest_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let ci = dir.path().join(".lighthouseci");
    std::fs::create_dir(&ci).unwrap();
    std::fs::write(ci.join("manifest.json"), "[]\n").unwrap();
    bin()
        .arg("--lighthouse")
        .arg(&ci)
        .assert()
        .code(2)
        .stderr(contains("manifest.json lists no Lighthouse reports"))
        .stderr(contains("lhci collect"));
}

#[test]
fn vite_manifest_that_is_not_an_object_or_is_empty_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.json");
    std::fs::write(&manifest, "[]\n").unwrap();
    bin()
        .arg("--vite-manifest")
        .arg(&manifest)
        .assert()
        .code(2)
        .stderr(contains("manifest.json is not a Vite manifest"));
    std::fs::write(&manifest, "{}\n").unwrap();
    bin()
        .arg("--vite-manifest")
        .arg(&manifest)
        .assert()
        .code(2)
        .stderr(contains("manifest.json is an empty Vite manifest"));
}

#[test]
fn config_in_a_subfolder_discovers_inputs_next_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    let ci = sub.join(".lighthouseci");
    std::fs::create_dir_all(&ci).unwrap();
    std::fs::write(sub.join("launchgate.yml"), "budget: {}\n").unwrap();
    std::fs::copy(fixture("lighthouse/lhr-bad.json"), ci.join("lhr-1.json")).unwrap();
    bin()
        .current_dir(dir.path())
        .arg("--config")
        .arg("sub/launchgate.yml")
        .assert()
        .code(1)
        .stdout(contains("categories:performance is below budget: 51"));
}

/// A gzip of a few hundred kB that inflates past the 256 MiB cap: refused once the cap is
/// passed, exit 2, never inflated whole.
#[test]
fn gzip_bomb_lighthouse_result_is_exit_2() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("lhr-1.json.gz");
    let mut gz =
        flate2::write::GzEncoder::new(std::fs::File::create(&bomb).unwrap(), flate2::Compression::best());
    gz.write_all(b"{\"lighthouseVersion\": \"12.8.2\", \"pad\": \"")
        .unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..257 {
        gz.write_all(&spaces).unwrap();
    }
    gz.write_all(b"\"}").unwrap();
    gz.finish().unwrap();
    let compressed = std::fs::metadata(&bomb).unwrap().len();
    assert!(
        compressed < 1 << 20,
        "the bomb is small on disk: {compressed} bytes"
    );
    bin()
        .arg("--lighthouse")
        .arg(&bomb)
        .assert()
        .code(2)
        .stderr(contains(
            "lhr-1.json.gz inflates to more than 256 MiB, the most launchgate reads for a Lighthouse result",
        ))
        .stderr(contains("it may be damaged, endless or not a Lighthouse result"));
}

/// Standard input that never ends, named as a config file: read up to the 16 MiB cap.
#[cfg(unix)]
#[test]
fn endless_standard_input_is_exit_2() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("launchgate-budget"))
        .args(["--budget-json", "/dev/stdin", "--lighthouse"])
        .arg(fixture("lighthouse/lhr-good.json"))
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/dev/stdin holds more than 16 MiB, the most launchgate reads for a config file"),
        "{stderr}"
    );
}

/// A file over the cap on disk is refused from its size, before it is read.
#[test]
fn oversized_size_limit_config_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".size-limit.json");
    let file = std::fs::File::create(&config).unwrap();
    file.set_len(17 << 20).unwrap();
    bin()
        .arg("--size-limit")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(contains(
            ".size-limit.json holds more than 16 MiB, the most launchgate reads for a config file",
        ));
}

/// More result files than one run reads: refused before any is read.
#[test]
fn too_many_lighthouse_results_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..1001 {
        std::fs::write(dir.path().join(format!("lhr-{i}.json")), "").unwrap();
    }
    bin()
        .arg("--lighthouse")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains(
            "1001 Lighthouse results were given, more than the 1000 launchgate reads in one run",
        ));
}
