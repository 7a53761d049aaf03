//! Speed of the two bulk jobs: linting 10,000 `.env` files, and the usage scan of a 50 MB
//! source tree; and of the long lines that used to be quadratic: one value with 250,000 bad
//! substitutions, one 4 MB minified bundle (the usage scan skips files over 4 MiB). Every input is generated.
//!
//! The schema's own reading and conditions: a 20,000-item `.env.schema`, and a check of
//! 20,000 variables each with a `required_when` condition.
//!
//! Run with `cargo bench -p launchgate-env --bench env` (`-- env-schema` for the second
//! group alone).

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use launchgate_env::LintOptions;

const ENV_FILES: usize = 10_000;
const SOURCE_BYTES: usize = 50 << 20;
const BAD_SUBSTITUTIONS: usize = 250_000;
const BUNDLE_BYTES: usize = 4_000_000;

fn env_file(i: usize) -> String {
    let mut s = String::from("# generated\n");
    for k in 0..20 {
        match k % 5 {
            0 => s.push_str(&format!("APP_{k}_URL=https://app{i}.acme.io/path/{k}\n")),
            1 => s.push_str(&format!("APP_{k}_PORT={}\n", 3000 + k)),
            2 => s.push_str(&format!("APP_{k}_NAME=\"service number {i}\"\n")),
            3 => s.push_str(&format!("export APP_{k}_FLAG=true # toggled\n")),
            _ => s.push_str(&format!("APP_{k}_TOKEN=${{SHARED_{k}}}\n")),
        }
    }
    s
}

fn make_env_tree(root: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::with_capacity(ENV_FILES);
    for i in 0..ENV_FILES {
        let rel = PathBuf::from(format!("apps/app{:03}/svc{i}/.env.production", i % 100));
        let full = root.join(&rel);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(&full, env_file(i)).expect("write");
        paths.push(rel);
    }
    paths
}

fn make_source_tree(root: &Path) {
    let chunk_js = "export function handler(req, res) {\n  const url = process.env.API_URL;\n  const items = req.body.items.map((item) => item.id * 2);\n  return res.json({ items, url, region: process.env[\"REGION\"] });\n}\n";
    let chunk_py = "def handler(event):\n    url = os.environ.get(\"API_URL\")\n    items = [item[\"id\"] * 2 for item in event[\"items\"]]\n    return {\"items\": items, \"url\": url, \"debug\": os.getenv('DEBUG')}\n\n";
    let mut written = 0;
    let mut n = 0;
    while written < SOURCE_BYTES {
        let (ext, chunk) = if n % 2 == 0 {
            ("ts", chunk_js)
        } else {
            ("py", chunk_py)
        };
        let body = chunk.repeat(20_000 / chunk.len());
        let path = root.join(format!("src/module{:02}/file{n}.{ext}", n % 50));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &body).expect("write");
        written += body.len();
        n += 1;
    }
}

fn bench(c: &mut Criterion) {
    let env_dir = tempfile::tempdir().expect("tempdir");
    let paths = make_env_tree(env_dir.path());
    let src_dir = tempfile::tempdir().expect("tempdir");
    make_source_tree(src_dir.path());

    let mut group = c.benchmark_group("env");
    group.sample_size(10);
    group.bench_function("lint 10,000 .env files", |b| {
        b.iter(|| {
            let report =
                launchgate_env::lint_files(env_dir.path(), &paths, None, &LintOptions::default(), false)
                    .expect("lint runs");
            assert!(
                report.findings.len() >= ENV_FILES,
                "every file has an export prefix note"
            );
        })
    });
    group.bench_function("usage scan of 50 MB", |b| {
        b.iter(|| {
            let (used, files) = launchgate_env::usage::scan(src_dir.path());
            assert!(used.contains_key("API_URL") && files > 1000);
        })
    });
    let bad_line = format!("A={}\n", "é${!".repeat(BAD_SUBSTITUTIONS));
    group.bench_function("lint one value with 250,000 bad substitutions", |b| {
        b.iter(|| {
            let (findings, _, _) =
                launchgate_env::lint::lint_bytes(".env", bad_line.as_bytes(), &LintOptions::default());
            assert_eq!(findings.len(), BAD_SUBSTITUTIONS);
        })
    });
    let bundle_dir = tempfile::tempdir().expect("tempdir");
    let bundle = "x;process.env.API_URL;".repeat(BUNDLE_BYTES / 22);
    std::fs::write(bundle_dir.path().join("bundle.js"), &bundle).expect("write");
    group.bench_function("usage scan of a 4 MB one-line bundle", |b| {
        b.iter(|| {
            let (used, _) = launchgate_env::usage::scan(bundle_dir.path());
            assert_eq!(used["API_URL"].len(), BUNDLE_BYTES / 22);
        })
    });
    group.finish();
}

const SCHEMA_ITEMS: usize = 20_000;

/// A `.env.schema` of `SCHEMA_ITEMS` items, each with a description and decorators.
fn env_schema() -> String {
    let mut s = String::from("# @defaultRequired=false @defaultSensitive=true\n# ---\n\n");
    for i in 0..SCHEMA_ITEMS {
        s.push_str(&format!(
            "FLAG_{i}=off\n# Item {i}, generated\n# @type=string(minLength=3, startsWith=sk_) @example=\"sk_test_xxxx\"\n# @required=eq($FLAG_{}, on) @docs(\"Keys\", https://docs.acme.io/{i})\nKEY_{i}=\n\n",
            (i + 1) % SCHEMA_ITEMS
        ));
    }
    s
}

/// A YAML schema where each of `SCHEMA_ITEMS` keys is required when its flag is on.
fn conditional_schema() -> String {
    let mut s = String::from("env:\n  vars:\n");
    for i in 0..SCHEMA_ITEMS {
        s.push_str(&format!(
            "    FLAG_{i}: {{ type: bool, default: false }}\n    KEY_{i}: {{ required_when: [ {{ FLAG_{i}: true }}, OTHER_{i} ], example: sk_test_xxxx }}\n    OTHER_{i}: {{}}\n"
        ));
    }
    s
}

fn bench_schema(c: &mut Criterion) {
    let mut group = c.benchmark_group("env-schema");
    group.sample_size(10);
    let text = env_schema();
    group.bench_function("read a 20,000-item .env.schema", |b| {
        b.iter(|| {
            let schema = launchgate_env::Schema::from_env_spec_text(".env.schema".into(), text.clone())
                .expect("the schema reads");
            assert_eq!(schema.config.vars.len(), 2 * SCHEMA_ITEMS);
        })
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("launchgate.yml");
    std::fs::write(&path, conditional_schema()).expect("write");
    let schema = launchgate_env::Schema::from_file(&path).expect("the schema reads");
    let values = launchgate_env::Values::from_env(
        (0..SCHEMA_ITEMS).map(|i| (format!("FLAG_{i}").into(), "true".into())),
    );
    group.bench_function("check 20,000 required_when conditions", |b| {
        b.iter(|| {
            let report = launchgate_env::check_values(&schema, "production", &values).expect("checks");
            assert_eq!(report.findings.len(), SCHEMA_ITEMS);
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_schema);
criterion_main!(benches);
