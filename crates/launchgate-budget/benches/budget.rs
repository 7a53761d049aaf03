//! Reads the six fixture LHRs (LHCI's three runs of two URLs) with the fixture lighthouserc,
//! and sizes a generated 20 MB build folder raw and gzip (brotli-11 on 20 MB takes tens of
//! seconds per run, too long for criterion's samples: benches/compare.sh times it).
//!
//! cargo bench -p launchgate-budget --bench budget

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use launchgate_budget::Inputs;
use launchgate_budget::build_files::Compression;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// 20 MB of JavaScript-like text in 200 files of 100 kB, compressible like real bundles.
pub fn build_folder(dir: &Path) {
    let words = [
        "function", "return", "const", "let", "=>", "{", "}", "(", ")", "map", "filter", "this", "props",
        "state", "await", "import",
    ];
    for i in 0..200 {
        let mut text = String::with_capacity(100_000);
        let mut n: u64 = i as u64 + 1;
        while text.len() < 100_000 {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(words[(n >> 33) as usize % words.len()]);
            text.push_str(&format!("{}", (n >> 40) % 1000));
            text.push(if n.is_multiple_of(7) { '\n' } else { ' ' });
        }
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join(format!("assets/chunk{i}-Ab{i:06}.js")), &text[..100_000]).unwrap();
    }
}

fn benches(c: &mut Criterion) {
    let lighthouse = Inputs {
        lighthouse: vec![fixture("lhci/.lighthouseci")],
        lighthouserc: Some(fixture("lhci/lighthouserc.json")),
        ..Inputs::default()
    };
    c.bench_function("lhci assert: 6 LHRs (gzipped) + lighthouserc", |b| {
        b.iter(|| black_box(launchgate_budget::evaluate(&lighthouse).unwrap()))
    });

    let dir = tempfile::tempdir().unwrap();
    build_folder(dir.path());
    let build = Inputs {
        build: Some(dir.path().to_path_buf()),
        compressions: vec![Compression::Gzip],
        ..Inputs::default()
    };
    let mut group = c.benchmark_group("build folder");
    group.sample_size(10);
    group.bench_function("20 MB, 200 files: raw + gzip", |b| {
        b.iter(|| black_box(launchgate_budget::evaluate(&build).unwrap()))
    });
    group.finish();
}

criterion_group!(budget, benches);
criterion_main!(budget);
