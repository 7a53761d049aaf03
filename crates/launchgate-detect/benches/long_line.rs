//! One long line: a 10 MB single line of key-shaped tokens (a minified bundle full of
//! keys), scanned with the built-in rules. Placing each match (line, column, allow comment)
//! must not read the line again, so this stays linear in the line's length.
//!
//! Run with `cargo bench -p launchgate-detect --bench long_line`.

use std::time::Instant;

use criterion::{Criterion, Throughput};
use launchgate_detect::{Engine, EngineConfig, RuleSet};

const LINE_BYTES: usize = 10 * 1024 * 1024;
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Distinct tokens in the shapes of three providers' keys, separated by `,"`.
fn long_line() -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: usize, line: &mut Vec<u8>| {
        for _ in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            line.push(ALPHABET[(state % ALPHABET.len() as u64) as usize]);
        }
    };
    let mut line = Vec::with_capacity(LINE_BYTES + 64);
    let mut i = 0usize;
    while line.len() < LINE_BYTES {
        match i % 3 {
            0 => {
                line.extend_from_slice(b"ghp_");
                next(36, &mut line);
            }
            1 => {
                line.extend_from_slice(b"sk_live_");
                next(24, &mut line);
            }
            _ => {
                line.extend_from_slice(b"xoxb-");
                next(10, &mut line);
                line.push(b'-');
                next(12, &mut line);
                line.push(b'-');
                next(24, &mut line);
            }
        }
        line.extend_from_slice(b"\",\"");
        i += 1;
    }
    line
}

fn main() {
    let line = long_line();
    let engine =
        Engine::new(RuleSet::embedded(), &EngineConfig::default()).expect("the built-in rules build");
    let started = Instant::now();
    let found = engine.scan_bytes("bundle.min.js", &line).len();
    println!(
        "one line of {:.1} MB: {found} findings, first pass {:.0} ms",
        line.len() as f64 / 1e6,
        started.elapsed().as_secs_f64() * 1e3
    );

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    let mut group = criterion.benchmark_group("engine");
    group.throughput(Throughput::Bytes(line.len() as u64));
    group.bench_function("scan_bytes/10MB-single-line", |b| {
        b.iter(|| std::hint::black_box(engine.scan_bytes("bundle.min.js", &line)))
    });
    group.finish();
    criterion.final_summary();
}
