//! The project's configs are applied whenever they are not named, as LHCI and size-limit
//! find them, and the report says which were.

use std::path::Path;

use serde_json::Value;

use crate::{bin, fixture};

/// A project with one Lighthouse run (performance 100, best practices 93) and a 6.7 kB
/// `dist/app.js`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".lighthouseci")).unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::copy(
        fixture("lighthouse/lhr-good.json"),
        dir.path().join(".lighthouseci/lhr-1.json"),
    )
    .unwrap();
    let text: String = (0..600)
        .map(|i| format!("v{i}=\"{}\";", i * 7919 % 1000))
        .collect();
    std::fs::write(dir.path().join("dist/app.js"), text).unwrap();
    dir
}

const STRICT_RC: &str =
    r#"{"ci": {"assert": {"assertions": {"categories:best-practices": ["error", {"minScore": 1}]}}}}"#;
const TINY_LIMIT: &str = r#"[{"path": "dist/app.js", "limit": "10 B"}]"#;

/// Runs the gate in `dir` with `args` and the JSON format; returns the exit code and report.
fn run(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = bin()
        .current_dir(dir)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report["reports"][0].clone())
}

/// `(rule id, source)` of every finding.
fn failures(report: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        let source = f["properties"]["source"].as_str().unwrap_or("");
        out.push((f["rule_id"].as_str().unwrap().to_string(), source.to_string()));
    }
    out
}

/// A list of strings of the report; an empty list is left out of it.
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Runs the README's command in `dir` and checks that both configs failed it; returns the report.
fn assert_both_applied(dir: &Path, lighthouserc: &str, size_limit: &str) -> Value {
    let (code, report) = run(dir, &["--lighthouse", ".lighthouseci/", "--build", "dist/"]);
    assert_eq!(code, 1, "{report:#}");
    let failed = failures(&report);
    for expected in [("budget.category", lighthouserc), ("budget.bundle", size_limit)] {
        assert!(
            failed.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {failed:?}"
        );
    }
    report
}

#[test]
fn the_readme_command_applies_the_configs_beside_it() {
    let dir = project();
    std::fs::write(dir.path().join("lighthouserc.json"), STRICT_RC).unwrap();
    std::fs::write(dir.path().join(".size-limit.json"), TINY_LIMIT).unwrap();
    let report = assert_both_applied(dir.path(), "lighthouserc.json", ".size-limit.json");
    let notes = strings(&report["notes"]).join("\n");
    assert!(
        notes.contains("found in the project and applied: lighthouserc.json, .size-limit.json"),
        "{notes}"
    );
    let inputs = strings(&report["inputs"]);
    for name in ["lighthouserc.json", ".size-limit.json"] {
        assert!(inputs.iter().any(|i| i == name), "{inputs:?}");
    }
}

#[test]
fn no_discover_applies_only_what_is_named() {
    let dir = project();
    std::fs::write(dir.path().join("lighthouserc.json"), STRICT_RC).unwrap();
    std::fs::write(dir.path().join(".size-limit.json"), TINY_LIMIT).unwrap();
    let args = ["--lighthouse", ".lighthouseci/", "--build", "dist/"];
    let (code, report) = run(dir.path(), &[&args[..], &["--no-discover"]].concat());
    assert_eq!(code, 0, "{report:#}");
    assert!(strings(&report["notes"]).iter().all(|n| !n.contains("applied")));
    std::fs::write(dir.path().join("launchgate.yml"), "budget:\n  discover: false\n").unwrap();
    let (code, _) = run(dir.path(), &args);
    assert_eq!(code, 0);
}

#[test]
fn a_named_config_is_used_instead_of_the_one_found() {
    let dir = project();
    std::fs::write(dir.path().join("lighthouserc.json"), STRICT_RC).unwrap();
    std::fs::write(
        dir.path().join("lenient.json"),
        r#"{"ci": {"assert": {"assertions": {"categories:best-practices": ["error", {"minScore": 0.5}]}}}}"#,
    )
    .unwrap();
    let (code, report) = run(
        dir.path(),
        &["--lighthouse", ".lighthouseci/", "--lighthouserc", "lenient.json"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(!strings(&report["inputs"]).contains(&"lighthouserc.json".to_string()));
}

#[test]
fn package_json_size_limit_is_read_found_or_named() {
    let dir = project();
    std::fs::write(
        dir.path().join("package.json"),
        format!(r#"{{"name": "app", "size-limit": {TINY_LIMIT}}}"#),
    )
    .unwrap();
    for args in [&["--build", "dist/"][..], &["--size-limit", "package.json"]] {
        let (code, report) = run(dir.path(), args);
        assert_eq!(code, 1, "{args:?}: {report:#}");
        assert!(
            failures(&report).contains(&("budget.bundle".into(), "package.json".into())),
            "{args:?}: {report:#}"
        );
    }
    // size-limit's order: package.json before .size-limit.json.
    std::fs::write(
        dir.path().join(".size-limit.json"),
        r#"[{"path": "dist/app.js", "limit": "1 MB"}]"#,
    )
    .unwrap();
    let (code, _) = run(dir.path(), &["--build", "dist/"]);
    assert_eq!(code, 1);
}

#[test]
fn a_package_json_without_the_key_is_not_a_size_limit_config() {
    let dir = project();
    std::fs::write(dir.path().join("package.json"), r#"{"name": "app"}"#).unwrap();
    let (code, report) = run(dir.path(), &["--build", "dist/"]);
    assert_eq!(code, 0, "{report:#}");
    bin()
        .current_dir(dir.path())
        .args(["--size-limit", "package.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("package.json has no `size-limit` key"));
}

#[test]
fn budget_json_is_found_when_there_is_no_lighthouserc() {
    let dir = project();
    std::fs::write(
        dir.path().join("budget.json"),
        r#"[{"path": "/*", "resourceSizes": [{"resourceType": "total", "budget": 1}]}]"#,
    )
    .unwrap();
    let (code, report) = run(dir.path(), &["--lighthouse", ".lighthouseci/"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        failures(&report)
            .iter()
            .any(|(_, source)| source == "budget.json"),
        "{report:#}"
    );
    assert!(
        strings(&report["notes"])
            .join("\n")
            .contains("applied: budget.json")
    );
}

/// JavaScript configs are evaluated with Node, as LHCI and size-limit load them.
#[test]
fn javascript_configs_are_evaluated_with_node() {
    let dir = project();
    std::fs::write(
        dir.path().join("lighthouserc.js"),
        format!("const strict = {STRICT_RC};\nmodule.exports = strict;\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".size-limit.js"),
        format!("console.log('loading');\nmodule.exports = {TINY_LIMIT};\n"),
    )
    .unwrap();
    assert_both_applied(dir.path(), "lighthouserc.js", ".size-limit.js");
    // ES modules and CommonJS, named.
    for (file, source) in [
        ("limits.mjs", format!("export default {TINY_LIMIT};\n")),
        ("limits.cjs", format!("module.exports = {TINY_LIMIT};\n")),
    ] {
        std::fs::write(dir.path().join(file), source).unwrap();
        let (code, report) = run(dir.path(), &["--size-limit", file]);
        assert_eq!(code, 1, "{file}: {report:#}");
        assert!(
            failures(&report).contains(&("budget.bundle".into(), file.into())),
            "{report:#}"
        );
    }
}

#[test]
fn a_javascript_config_without_node_or_that_throws_is_exit_2() {
    let dir = project();
    // Writes `.size-limit.cjs`, runs the gate with `node` and returns its standard error.
    let stderr_with = |source: &str, node: &str| {
        std::fs::write(dir.path().join(".size-limit.cjs"), source).unwrap();
        let out = bin()
            .current_dir(dir.path())
            .env("LAUNCHGATE_NODE", node)
            .args(["--build", "dist/"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let missing = dir.path().join("no-such-node");
    let stderr = stderr_with(
        &format!("module.exports = {TINY_LIMIT};\n"),
        missing.to_str().unwrap(),
    );
    assert!(
        stderr.contains(".size-limit.cjs is JavaScript, and reading it needs Node, which could not be run")
            && stderr.contains("install Node as size-limit itself needs it"),
        "{stderr}"
    );
    let stderr = stderr_with("throw new Error('no limits today');\n", "node");
    assert!(
        stderr.contains(".size-limit.cjs could not be evaluated with Node")
            && stderr.contains("Error: no limits today"),
        "{stderr}"
    );
    // Node quotes the line of source under a syntax error; it is not repeated.
    let stderr = stderr_with(
        "module.exports = [\n  { path: 'dist/app.js', note: 'pw=Tr0ub4dor3xyz' oops }\n];\n",
        "node",
    );
    assert!(
        stderr.contains("SyntaxError: Unexpected identifier 'oops'") && stderr.contains(".size-limit.cjs:2"),
        "{stderr}"
    );
    assert!(!stderr.contains("Tr0ub4dor3xyz"), "{stderr}");
}

#[test]
fn a_javascript_lighthouserc_error_points_into_its_source() {
    let dir = project();
    std::fs::write(
        dir.path().join("lighthouserc.js"),
        "module.exports = {\n  ci: {\n    assert: {\n      assertion: {},\n    },\n  },\n};\n",
    )
    .unwrap();
    bin()
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown key `assertion`"))
        .stderr(predicates::str::contains("lighthouserc.js:4:7"));
}
