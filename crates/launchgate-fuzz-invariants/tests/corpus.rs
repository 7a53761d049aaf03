//! Replays every file of `fuzz/corpus/<target>/` through its target's invariants, so the
//! inputs the fuzzers keep stay checked on the stable toolchain.

use std::path::PathBuf;

use launchgate_fuzz_invariants::TARGETS;

fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

#[test]
fn every_corpus_file_keeps_its_targets_invariants() {
    for (name, check) in TARGETS {
        let dir = corpus_root().join(name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(files.len() >= 3, "{name}: the corpus holds {} files", files.len());
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&bytes));
            assert!(outcome.is_ok(), "{name}: {} breaks an invariant", file.display());
        }
    }
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    let dir = corpus_root().join("../fuzz_targets");
    for (name, _) in TARGETS {
        let file = dir.join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            text.contains(&format!("launchgate_fuzz_invariants::{name}(")),
            "{} does not run the {name} invariants",
            file.display()
        );
    }
}
