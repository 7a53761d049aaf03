//! Secrets in what a build ships: keys in bundles and in source maps' embedded sources, the
//! env schema's secret values inlined by a bundler, and source maps published with the build.

use std::path::Path;

use serde_json::Value;
use sourcemap::SourceMapBuilder;

use crate::bin;

/// A GitHub token shape nobody issued: random, of the documented length.
const TOKEN: &str = "ghp_Wq3ZtR8mWx2LpN7kd4Hs9Tb1Yc6Gv0JfQz5K";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A source map saying that generated line 1, column `column` (0-based) comes from line
/// `line` (0-based) of `source`, optionally embedding the source's text.
fn source_map(column: u32, source: &str, line: u32, contents: Option<&str>) -> String {
    let mut builder = SourceMapBuilder::new(Some("index.js"));
    let id = builder.add_source(source);
    if let Some(text) = contents {
        builder.set_source_contents(id, Some(text));
    }
    builder.add_raw(0, 0, 0, 0, Some(id), None, false);
    builder.add_raw(0, column, line, 4, Some(id), None, false);
    let mut out = Vec::new();
    builder.into_sourcemap().to_writer(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn run_json(dir: &Path, env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut cmd = bin();
    cmd.current_dir(dir).args(["--build", "dist", "--format", "json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (out.status.code().unwrap(), report, stdout + &stderr)
}

/// The finding of a GitHub rule among `all`.
fn github_finding(all: &[Value]) -> &Value {
    all.iter()
        .find(|f| f["rule_id"].as_str().unwrap().starts_with("github."))
        .unwrap_or_else(|| panic!("{all:#?}"))
}

fn findings(report: &Value) -> Vec<Value> {
    report["reports"][0]["findings"].as_array().unwrap().clone()
}

#[test]
fn a_key_in_a_minified_bundle_names_the_shipped_file_and_the_original_source() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = "(()=>{const e={base:\"/api\",token:\"";
    let bundle =
        format!("{prefix}{TOKEN}\"}};fetch(e.base)}})();\n//# sourceMappingURL=index-4f3a9c.js.map\n");
    write(dir.path(), "dist/assets/index-4f3a9c.js", &bundle);
    write(
        dir.path(),
        "dist/assets/index-4f3a9c.js.map",
        &source_map(
            prefix.len() as u32,
            "webpack://shop/./src/lib/github.ts",
            11,
            None,
        ),
    );
    let (code, report, output) = run_json(dir.path(), &[]);
    assert_eq!(code, 1, "{output}");
    let all = findings(&report);
    let key = github_finding(&all);
    assert_eq!(key["severity"], "error");
    assert_eq!(key["location"]["path"], "dist/assets/index-4f3a9c.js");
    assert_eq!(key["location"]["line"], 1);
    assert_eq!(key["location"]["column"], prefix.len() + 1);
    let message = key["message"].as_str().unwrap();
    assert!(
        message.contains("in the shipped file dist/assets/index-4f3a9c.js, from src/lib/github.ts:12"),
        "{message}"
    );
    assert!(key["help"].as_str().unwrap().contains("every browser"));
    let maps = all
        .iter()
        .find(|f| f["rule_id"] == "budget.source-map-published")
        .unwrap();
    assert_eq!(maps["severity"], "warning");
    assert!(
        maps["message"]
            .as_str()
            .unwrap()
            .contains("dist/assets/index-4f3a9c.js.map")
    );
    assert!(!output.contains(TOKEN), "the token is printed in clear");
}

#[test]
fn a_key_in_a_source_maps_embedded_source_points_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dist/app.js", "console.log(1);\n");
    let source =
        format!("import x from './x';\n\nexport const client = new Octokit({{ auth: \"{TOKEN}\" }});\n");
    write(
        dir.path(),
        "dist/app.js.map",
        &source_map(0, "../src/client.ts", 0, Some(&source)),
    );
    let (code, report, output) = run_json(dir.path(), &[]);
    assert_eq!(code, 1, "{output}");
    let all = findings(&report);
    let key = github_finding(&all);
    assert_eq!(key["location"]["path"], "src/client.ts");
    assert_eq!(key["location"]["line"], 3);
    assert_eq!(key["properties"]["shipped_file"], "dist/app.js.map");
    assert!(
        key["message"]
            .as_str()
            .unwrap()
            .contains("in dist/app.js.map, which ships the source src/client.ts:3"),
        "{}",
        key["message"]
    );
    assert!(!output.contains(TOKEN));
}

#[test]
fn an_env_secret_inlined_by_the_bundler_fails_as_is_and_base64_encoded() {
    let dir = tempfile::tempdir().unwrap();
    // A value of no known shape: only the env schema says it is a secret.
    let value = "kestrel-Mx82-vault-Qp17-harbor";
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    SUPABASE_SERVICE_ROLE_KEY: { type: string, secret: true }\n    NEXT_PUBLIC_SITE_URL: { type: url }\n",
    );
    let encoded = "a2VzdHJlbC1NeDgyLXZhdWx0LVFwMTctaGFyYm9y"; // base64 of the value
    write(
        dir.path(),
        "dist/assets/app-91bc.js",
        &format!("const a=\"https://shop.invalid\";\nconst s=\"{value}\",t=atob(\"{encoded}\");\n"),
    );
    let (code, report, output) = run_json(
        dir.path(),
        &[
            ("SUPABASE_SERVICE_ROLE_KEY", value),
            ("NEXT_PUBLIC_SITE_URL", "https://shop.invalid"),
        ],
    );
    assert_eq!(code, 1, "{output}");
    let hits: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["rule_id"] == "budget.shipped-env-secret")
        .collect();
    assert_eq!(hits.len(), 2, "{hits:#?}");
    assert_eq!(hits[0]["location"]["path"], "dist/assets/app-91bc.js");
    assert_eq!(
        (
            hits[0]["location"]["line"].as_u64(),
            hits[0]["location"]["column"].as_u64()
        ),
        (Some(2), Some(10))
    );
    assert!(
        hits[0]["message"]
            .as_str()
            .unwrap()
            .contains("SUPABASE_SERVICE_ROLE_KEY")
    );
    assert_eq!(hits[0]["properties"]["form"], "plain");
    assert_eq!(hits[1]["properties"]["form"], "base64-encoded");
    assert!(!output.contains(value), "the value is printed in clear");
    assert!(!output.contains(encoded), "the encoded value is printed in clear");
}

#[test]
fn a_clean_build_has_no_shipped_secret_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "dist/index.html",
        "<!doctype html><script src=\"/assets/a.js\"></script>\n",
    );
    write(
        dir.path(),
        "dist/assets/a.js",
        "const url=\"https://api.shop.invalid\";fetch(url);\n",
    );
    let (code, report, output) = run_json(dir.path(), &[]);
    assert_eq!(code, 0, "{output}");
    assert!(findings(&report).is_empty(), "{report:#}");
}
