//! Compressed sizes remembered between runs: a warm run gives the cold run's sizes and
//! verdicts, a changed file is measured again, and a corrupt entry changes nothing.

use std::path::{Path, PathBuf};

use launchgate_budget::build_files::brotli_size;
use serde_json::Value;

use crate::bin;

/// A project whose `app.js` is compressible text, checked in brotli against `limit` bytes.
fn project(limit: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.js"), text(0)).unwrap();
    std::fs::write(
        dir.path().join(".size-limit.json"),
        format!(r#"[{{"name": "app", "path": "app.js", "limit": "{limit} B"}}]"#),
    )
    .unwrap();
    dir
}

/// JavaScript that brotli shrinks to a size that grows with `extra`.
fn text(extra: usize) -> String {
    let mut out: String = (0..400)
        .map(|i| format!("export const v{i} = \"{}\";\n", i * 7919 % 1000))
        .collect();
    for i in 0..extra {
        out.push_str(&format!("const w{i} = {};\n", (i * 104_729) % 99_991));
    }
    out
}

/// Exit code and the measured size of check `app`, run in `dir` with the cache at `cache`.
fn run(dir: &Path, cache: &Path, extra_args: &[&str]) -> (i32, u64) {
    let out = bin()
        .current_dir(dir)
        .env("LAUNCHGATE_SIZE_CACHE", cache)
        .args([
            "--size-limit",
            ".size-limit.json",
            "--no-discover",
            "--format",
            "json",
        ])
        .args(extra_args)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let table = doc["reports"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Measured values")
        .unwrap()
        .clone();
    let row = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[1] == "app")
        .unwrap_or_else(|| panic!("{table}"))
        .clone();
    let size = row[3].as_str().unwrap().parse::<f64>().unwrap() as u64;
    (out.status.code().unwrap(), size)
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(cache) {
        Ok(read) => read.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn a_warm_run_gives_the_cold_runs_size_and_verdict() {
    let small = brotli_size(text(0).as_bytes());
    let dir = project(small + 50);
    let cache = dir.path().join("cache");
    assert_eq!(run(dir.path(), &cache, &[]), (0, small));
    let written = entries(&cache);
    assert_eq!(written.len(), 1, "one brotli entry: {written:?}");
    let entry = std::fs::read_to_string(&written[0]).unwrap();
    assert!(
        !entry.contains("export") && entry.len() < 64,
        "an entry holds a size, never the file: {entry:?}"
    );
    assert_eq!(run(dir.path(), &cache, &[]), (0, small));
}

#[test]
fn a_changed_file_is_measured_again() {
    let small = brotli_size(text(0).as_bytes());
    let large = brotli_size(text(300).as_bytes());
    assert!(large > small + 100, "{small} {large}");
    let dir = project(small + 50);
    let cache = dir.path().join("cache");
    assert_eq!(run(dir.path(), &cache, &[]), (0, small));
    std::fs::write(dir.path().join("app.js"), text(300)).unwrap();
    assert_eq!(run(dir.path(), &cache, &[]), (1, large), "over the limit now");
    assert_eq!(entries(&cache).len(), 2);
}

#[test]
fn a_corrupt_entry_does_not_change_the_verdict() {
    let large = brotli_size(text(300).as_bytes());
    let dir = project(large - 50);
    std::fs::write(dir.path().join("app.js"), text(300)).unwrap();
    let cache = dir.path().join("cache");
    assert_eq!(run(dir.path(), &cache, &[]), (1, large));
    let entry = entries(&cache).pop().unwrap();
    let good = std::fs::read_to_string(&entry).unwrap();
    // A size under the limit, with and without a checksum that fits; torn; not text.
    let forged = good.replacen(&large.to_string(), "10", 1);
    for bad in [forged.as_bytes(), b"10\n", b"", &[0xff, 0xfe, 0x00]] {
        std::fs::write(&entry, bad).unwrap();
        assert_eq!(run(dir.path(), &cache, &[]), (1, large), "{bad:?}");
        assert_eq!(std::fs::read_to_string(&entry).unwrap(), good, "written again");
    }
}

#[test]
fn the_cache_can_be_turned_off() {
    let small = brotli_size(text(0).as_bytes());
    let dir = project(small + 50);
    let cache = dir.path().join("cache");
    assert_eq!(run(dir.path(), &cache, &["--no-size-cache"]), (0, small));
    assert!(entries(&cache).is_empty());
    assert_eq!(run(dir.path(), Path::new("off"), &[]), (0, small));
    assert!(!dir.path().join("off").exists(), "`off` is not a folder name");
}
