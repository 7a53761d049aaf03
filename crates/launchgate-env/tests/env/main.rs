//! End-to-end tests of the env gate: real files in temp dirs, real git repositories, the
//! real binary with a controlled environment.

mod bad_input;
mod check;
mod committed;
mod conditions;
mod dotenvx;
mod drift_init;
mod env_spec;
mod links;
mod lint;
mod redaction;
mod usage;

use std::path::Path;

use assert_cmd::Command;

/// The binary with an empty environment plus PATH (for git), so the host's variables
/// cannot leak into a test.
pub fn bin(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("launchgate-env").expect("binary builds");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .current_dir(dir);
    cmd
}

/// Runs the binary with `--format json` and returns the exit code and the findings.
pub fn run_json(cmd: &mut Command) -> (i32, Vec<serde_json::Value>) {
    let out = cmd.args(["--format", "json"]).output().expect("runs");
    let code = out.status.code().expect("exit code");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    if code == 2 {
        return (code, Vec::new());
    }
    let doc: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("json: {e}\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let findings = doc["reports"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (code, findings)
}

/// `(rule_id, path, line, column)` of each finding.
pub fn positions(findings: &[serde_json::Value]) -> Vec<(String, String, u64, u64)> {
    findings
        .iter()
        .map(|f| {
            let l = &f["location"];
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                l["path"].as_str().unwrap_or("").to_string(),
                l["line"].as_u64().unwrap_or(0),
                l["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

pub fn rules(findings: &[serde_json::Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
        .collect()
}

/// For each `(schema, position, words)`: with the schema written to `name`, `check` exits 2
/// and its error names the position and holds the words.
pub fn assert_schema_errors(dir: &Path, name: &str, cases: &[(&str, &str, &str)]) {
    for (schema, at, words) in cases {
        write(dir, name, schema);
        let out = bin(dir).args(["check", "--env", "production"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{schema}\n{stderr}");
        assert!(stderr.contains(at), "{schema}\nwanted {at} in:\n{stderr}");
        assert!(stderr.contains(words), "{schema}\nwanted {words} in:\n{stderr}");
    }
}

pub fn write(dir: &Path, name: &str, contents: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, contents).expect("write");
}

/// A git repository in `dir` with `files` committed.
pub fn git_repo(dir: &Path, files: &[&str]) {
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    let mut add = vec!["add", "-f", "--"];
    add.extend_from_slice(files);
    git(&add);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t.invalid",
        "commit",
        "-q",
        "-m",
        "init",
    ]);
}

/// The schema from the documentation.
pub const SCHEMA: &str = "env:
  environments: [development, preview, staging, production]
  public_prefixes: [NEXT_PUBLIC_, VITE_, PUBLIC_, REACT_APP_, EXPO_PUBLIC_, NUXT_PUBLIC_, GATSBY_]
  vars:
    DATABASE_URL: { type: url, schemes: [postgres, postgresql], required: [staging, production], secret: true, description: Postgres connection string }
    STRIPE_SECRET_KEY: { type: string, starts_with: sk_, required: [production], secret: true, production: { starts_with: sk_live_ } }
    NEXT_PUBLIC_SITE_URL: { type: url, https: [staging, production], required: all }
    PORT: { type: port, default: 3000 }
    LOG_LEVEL: { type: enum, values: [debug, info, warn, error], default: info }
";
