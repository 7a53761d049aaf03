use std::collections::HashMap;
use std::path::Path;

use super::*;
use crate::history::test_git::git;

/// A repository whose blobs are versions of one file, stored as deltas, and small files;
/// its blob ids and its pack's index.
fn repository_with_deltas(dir: &Path) -> (Vec<String>, std::path::PathBuf) {
    git(dir, &["init", "-q"]);
    let mut lines: Vec<String> = (0..300)
        .map(|i| format!("let value_{i} = compute({i});"))
        .collect();
    for version in 0..12 {
        lines.insert(version * 7 % lines.len(), format!("// edit {version}"));
        std::fs::write(dir.join("main.rs"), lines.join("\n")).unwrap();
        std::fs::write(
            dir.join(format!("small-{}.txt", version % 3)),
            format!("v{version}\n"),
        )
        .unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "version"]);
    }
    git(dir, &["repack", "-q", "-a", "-d", "-f", "--depth=5"]);
    let listed = git(
        dir,
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objecttype) %(objectname)",
        ],
    );
    let blobs: Vec<String> = String::from_utf8(listed)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("blob ").map(str::to_string))
        .collect();
    assert!(blobs.len() >= 15);

    let pack_dir = dir.join(".git/objects/pack");
    let index = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    (blobs, index)
}

#[test]
fn every_blob_is_decoded_once_with_its_own_bytes_and_deltas_know_their_base() {
    let tmp = tempfile::tempdir().unwrap();
    let (blobs, index) = repository_with_deltas(tmp.path());
    // The pack mapped once for the whole walk, and mapped afresh after every tree.
    for remap_after in [REMAP_AFTER, 1] {
        walk_checks_every_blob(&blobs, &index, remap_after);
    }
}

fn walk_checks_every_blob(blobs: &[String], index: &Path, remap_after: u64) {
    let mut bundle = gix_pack::Bundle::at(index, gix_hash::Kind::Sha1).unwrap();
    let entries = entries_by_offset(&bundle.index);
    let seen = Mutex::new(HashMap::new());
    let others = AtomicUsize::new(0);
    walk_objects_with(
        &mut bundle,
        &entries,
        &[gix_object::Kind::Blob],
        remap_after,
        |n| {
            others.fetch_add(n as usize, Ordering::Relaxed);
        },
        |blob: Object<'_, usize>| {
            let id =
                gix_object::compute_hash(gix_hash::Kind::Sha1, gix_object::Kind::Blob, blob.data).unwrap();
            assert_eq!(id, blob.id, "a blob's bytes hash to its id");
            if let Some((&base_len, copied)) = blob.base {
                for run in copied {
                    assert!(run.from + run.len <= base_len && run.target().end <= blob.data.len());
                }
            }
            let from_base = blob.base.is_some();
            *seen.lock().unwrap().entry(blob.id.to_string()).or_insert(0) += 1;
            seen.lock()
                .unwrap()
                .insert(format!("delta {}", blob.id), usize::from(from_base));
            Some(blob.data.len())
        },
    )
    .unwrap();
    let seen = seen.into_inner().unwrap();
    for id in blobs {
        assert_eq!(seen.get(id), Some(&1), "{id} decoded once");
    }
    let deltas = blobs
        .iter()
        .filter(|id| seen[&format!("delta {id}")] == 1)
        .count();
    assert!(deltas >= 5, "versions of main.rs are stored as deltas: {deltas}");
    assert_eq!(others.load(Ordering::Relaxed) + blobs.len(), entries.len());
}

#[test]
fn a_pack_removed_during_the_walk_is_an_error_naming_the_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, index) = repository_with_deltas(tmp.path());
    let mut bundle = gix_pack::Bundle::at(&index, gix_hash::Kind::Sha1).unwrap();
    let entries = entries_by_offset(&bundle.index);
    let pack = index.with_extension("pack");
    let err = walk_objects_with(
        &mut bundle,
        &entries,
        &[gix_object::Kind::Blob],
        1,
        |_| {},
        |_: Object<'_, ()>| {
            // As `git gc` would, while the walk maps the pack.
            let _ = std::fs::remove_file(&pack);
            None
        },
    )
    .unwrap_err();
    assert!(
        err.contains("could not be read again during the scan (did `git gc` or `git repack` remove it?)"),
        "{err}"
    );
}

#[test]
fn a_damaged_delta_is_an_error_not_a_panic() {
    let base = b"hello world, this is the base";
    let (mut out, mut copied) = (Vec::new(), Vec::new());
    // base size 29, result size 11: copy 5 bytes from 0, insert " there".
    let good = [29, 11, 0x90, 5, 6, b' ', b't', b'h', b'e', b'r', b'e'];
    apply_delta(base, &good, &mut out, &mut copied).unwrap();
    assert_eq!(out, b"hello there");
    assert_eq!(
        copied,
        vec![Copied {
            to: 0,
            from: 0,
            len: 5
        }]
    );
    for (delta, message) in [
        (&[28, 11][..], "expects a base of another size"),
        (&[29, 11, 0x90], "truncated"),
        (&[29, 11, 0x91, 40, 5], "copies past the end"),
        (&[29, 11, 0], "reserved instruction"),
        (&[29, 3, 0x90, 5], "more bytes than it states"),
        (&[29, 11, 0x90, 5], "fewer bytes than it states"),
        (&[29, 11, 3, b'a'], "truncated"),
        (
            &[29, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            "impossible size",
        ),
    ] {
        let err = apply_delta(base, delta, &mut out, &mut copied).unwrap_err();
        assert!(err.contains(message), "{delta:?}: {err}");
    }
}
