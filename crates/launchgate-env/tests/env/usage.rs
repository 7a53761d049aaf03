//! The usage scan on the sample projects under tests/fixtures/usage.

use std::path::PathBuf;

use crate::{bin, positions, run_json};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/usage")
}

fn undeclared(lang: &str) -> Vec<(String, String, u64, u64)> {
    let root = fixtures().join(lang);
    let schema = fixtures().join("schema.yml");
    let (code, findings) = run_json(bin(&root).arg("--schema").arg(&schema).arg("usage"));
    assert_eq!(code, if findings.is_empty() { 0 } else { 1 }, "{lang}");
    assert!(findings.iter().all(|f| f["rule_id"] == "env.usage-not-in-schema"));
    positions(&findings)
}

fn at(path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    ("env.usage-not-in-schema".into(), path.into(), line, column)
}

#[test]
fn javascript_and_typescript() {
    assert_eq!(undeclared("js"), vec![at("src/server.js", 9, 38)]);
    assert_eq!(
        undeclared("ts"),
        vec![at("src/config.ts", 1, 32), at("src/config.ts", 3, 23)]
    );
}

#[test]
fn python_rust_go() {
    assert_eq!(
        undeclared("python"),
        vec![at("app/settings.py", 4, 13), at("app/settings.py", 5, 9)]
    );
    assert_eq!(undeclared("rust"), vec![at("src/main.rs", 3, 17)]);
    assert_eq!(undeclared("go"), vec![at("cmd/main.go", 7, 13)]);
}

#[test]
fn php_ruby_deno() {
    assert_eq!(
        undeclared("php"),
        vec![at("public/index.php", 3, 9), at("public/index.php", 4, 8)]
    );
    assert_eq!(undeclared("ruby"), vec![at("config/app.rb", 2, 19)]);
    assert_eq!(undeclared("deno"), vec![at("main.ts", 2, 13)]);
}

#[test]
fn gitignored_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    crate::write(dir.path(), "schema.yml", "vars: {}\n");
    crate::write(dir.path(), ".gitignore", "build/\n");
    crate::write(dir.path(), "build/out.js", "process.env.BUILD_ONLY\n");
    crate::write(dir.path(), "src/a.js", "process.env.REAL\n");
    std::process::Command::new("git")
        .arg("init")
        .arg("-q")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (_, findings) = run_json(bin(dir.path()).args(["--schema", "schema.yml", "usage"]));
    assert_eq!(positions(&findings), vec![at("src/a.js", 1, 1)]);
}

/// A bundle over the size limit is left out, and the report says so.
#[test]
fn files_left_out_for_their_size_are_noted() {
    let dir = tempfile::tempdir().unwrap();
    crate::write(dir.path(), "launchgate.yml", "env:\n  vars:\n    A: {}\n");
    let bundle = "x;process.env.ONLY_IN_BUNDLE;".repeat((5 << 20) / 29);
    crate::write(dir.path(), "dist/app.js", &bundle);
    crate::write(dir.path(), "src/a.js", "process.env.A\n");
    let out = bin(dir.path())
        .args(["usage", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = doc["reports"][0]["notes"].to_string();
    assert!(
        notes.contains(
            "left out 1 source files over 4 MiB (generated bundles); variables only they read are not listed"
        ),
        "{notes}"
    );
}
