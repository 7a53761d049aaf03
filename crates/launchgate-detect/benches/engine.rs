//! Engine throughput on real source text, per core.
//!
//! The corpus is this repository's sources plus dependency sources from
//! `~/.cargo/registry/src`, copied into a temporary folder (about 64 MB), or the folder named
//! by `LAUNCHGATE_BENCH_CORPUS`. Run with `cargo bench -p launchgate-detect --bench engine`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput};
use launchgate_detect::{Engine, EngineConfig, RuleSet};

const CORPUS_BYTES: u64 = 64 * 1024 * 1024;
const EXTENSIONS: [&str; 9] = ["rs", "toml", "md", "json", "yml", "yaml", "js", "ts", "py"];

fn collect(dir: &Path, out: &mut Vec<PathBuf>, budget: &mut u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if *budget == 0 {
            return;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if entry.file_name() != "target" && entry.file_name() != ".git" {
                collect(&path, out, budget);
            }
        } else if kind.is_file()
            && path
                .extension()
                .is_some_and(|e| EXTENSIONS.iter().any(|x| e == *x))
        {
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if len < 1024 * 1024 {
                *budget = budget.saturating_sub(len);
                out.push(path);
            }
        }
    }
}

/// Copies the corpus into a temporary folder and reads it back: (name, bytes) per file.
fn corpus() -> (Option<tempfile::TempDir>, Vec<(String, Vec<u8>)>) {
    let (temp, root) = match std::env::var_os("LAUNCHGATE_BENCH_CORPUS") {
        Some(dir) => (None, PathBuf::from(dir)),
        None => {
            let temp = tempfile::tempdir().expect("a temporary folder");
            let mut sources = Vec::new();
            let mut budget = CORPUS_BYTES;
            let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            collect(&repo.join("crates"), &mut sources, &mut budget);
            let home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
                .expect("HOME or CARGO_HOME is set");
            collect(&home.join("registry/src"), &mut sources, &mut budget);
            for (i, src) in sources.iter().enumerate() {
                let name = src.file_name().expect("files have names").to_string_lossy();
                let _ = std::fs::copy(src, temp.path().join(format!("{i:06}-{name}")));
            }
            let root = temp.path().to_path_buf();
            (Some(temp), root)
        }
    };
    let mut files = Vec::new();
    let mut paths = Vec::new();
    collect(&root, &mut paths, &mut u64::MAX.clone());
    for path in paths {
        if let Ok(bytes) = std::fs::read(&path) {
            files.push((path.display().to_string(), bytes));
        }
    }
    (temp, files)
}

fn main() {
    let (_temp, files) = corpus();
    let total: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let started = Instant::now();
    let engine =
        Engine::new(RuleSet::embedded(), &EngineConfig::default()).expect("the built-in rules build");
    let build = started.elapsed();
    let rules = engine.rules().count();

    // The first pass compiles the regexes the corpus calls for; later passes are steady state.
    let started = Instant::now();
    let findings: usize = files.iter().map(|(p, b)| engine.scan_bytes(p, b).len()).sum();
    let cold = started.elapsed();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        for (p, b) in &files {
            std::hint::black_box(engine.scan_bytes(p, b));
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    let mb = total as f64 / 1e6;
    println!(
        "corpus: {} files, {mb:.1} MB; {rules} rules; engine built in {:.1} ms; {findings} findings",
        files.len(),
        build.as_secs_f64() * 1e3
    );
    println!(
        "single core: first pass (compiling regexes) {:.0} MB/s, steady state {:.0} MB/s",
        mb / cold.as_secs_f64(),
        mb / best
    );

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    let mut group = criterion.benchmark_group("engine");
    group.throughput(Throughput::Bytes(total));
    group.bench_function("scan_bytes/source-corpus/1-core", |b| {
        b.iter(|| {
            for (p, bytes) in &files {
                std::hint::black_box(engine.scan_bytes(p, bytes));
            }
        })
    });
    group.finish();
    criterion.final_summary();
}
