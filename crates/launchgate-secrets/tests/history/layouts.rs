//! Repository layouts: empty, loose objects only, several packs, a corrupt pack, shallow
//! clones, submodules and LFS pointers.

use crate::*;

fn packs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pack"))
        .collect()
}

#[test]
fn an_empty_repository_has_nothing_to_scan() {
    let (_tmp, dir) = repo();
    let report = history(&dir);
    assert!(report.findings.is_empty());
    assert!(notes(&report).contains("no commits"), "{}", notes(&report));
    assert!(report.error.is_none());
}

#[test]
fn loose_objects_alone_are_scanned() {
    let (_tmp, dir) = repo();
    let added = commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    assert!(packs(&dir).is_empty());
    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "a.env".into(), 1, added)]
    );
}

#[test]
fn several_packs_and_loose_objects_are_all_scanned() {
    let (_tmp, dir) = repo();
    let first = commit(&dir, &[("one.env", &format!("STRIPE_KEY={KEY_A}\n"))], "one");
    git(&dir, &["repack", "-q", "-d"]);
    let second = commit(&dir, &[("two.env", &format!("STRIPE_KEY={KEY_B}\n"))], "two");
    git(&dir, &["repack", "-q", "-d"]);
    let third = commit(&dir, &[("three.env", &format!("STRIPE_KEY={KEY_C}\n"))], "three");
    assert_eq!(packs(&dir).len(), 2);
    let report = history(&dir);
    let mut found: Vec<_> = located(&report).into_iter().map(|f| (f.1, f.3)).collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("one.env".into(), first),
            ("three.env".into(), third),
            ("two.env".into(), second)
        ]
    );
}

/// Replaces a file git wrote read-only.
fn overwrite(path: &std::path::Path, bytes: &[u8]) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Overwrites 80 bytes in the middle of a blob's compressed bytes in the only pack.
fn damage_blob_in_pack(dir: &std::path::Path, blob: &str) -> std::path::PathBuf {
    git(dir, &["repack", "-q", "-a", "-d"]);
    let pack = packs(dir).pop().unwrap();
    // `<id> <type> <size> <size in pack> <offset>`
    let listing = git(
        dir,
        &["verify-pack", "-v", pack.with_extension("idx").to_str().unwrap()],
    );
    let fields: Vec<usize> = listing
        .lines()
        .find(|l| l.starts_with(blob))
        .unwrap()
        .split_whitespace()
        .skip(3)
        .take(2)
        .map(|f| f.parse().unwrap())
        .collect();
    let middle = fields[1] + fields[0] / 2;
    let mut bytes = std::fs::read(&pack).unwrap();
    for b in &mut bytes[middle - 40..middle + 40] {
        *b = 0x55;
    }
    overwrite(&pack, &bytes);
    pack
}

#[test]
fn a_corrupt_pack_is_an_error_naming_the_pack() {
    let (_tmp, dir) = repo();
    let mut big = String::new();
    for i in 0..2000 {
        big.push_str(&format!("line {i} of a file that compresses well\n"));
    }
    commit(
        &dir,
        &[("big.txt", &big), ("a.env", &format!("STRIPE_KEY={KEY_A}\n"))],
        "add",
    );
    let big_id = git(&dir, &["rev-parse", "HEAD:big.txt"]).trim().to_string();
    let pack = damage_blob_in_pack(&dir, &big_id);

    let e = scan_history(&config(&dir), &dir, &history_options()).unwrap_err();
    let name = pack.file_name().unwrap().to_string_lossy().to_string();
    assert!(e.message().contains(&name), "{}", e.message());
    assert!(e.message().contains("corrupt"), "{}", e.message());
    assert!(e.message().contains(&big_id), "{}", e.message());
    assert!(e.hint().unwrap().contains("git fsck"), "{:?}", e.hint());
}

#[test]
fn damage_that_still_inflates_is_caught_by_the_index_crc() {
    // Incompressible bytes are stored uncompressed, so damaged bytes inflate without
    // complaint to a blob of the right length: only the CRC32 in the index tells.
    let (_tmp, dir) = repo();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: String = (0..65_536)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            char::from(b' ' + ((state >> 33) % 95) as u8)
        })
        .collect();
    commit(&dir, &[("noise.txt", &noise)], "add");
    let id = git(&dir, &["rev-parse", "HEAD:noise.txt"]).trim().to_string();
    let pack = damage_blob_in_pack(&dir, &id);
    let e = scan_history(&config(&dir), &dir, &history_options()).unwrap_err();
    let name = pack.file_name().unwrap().to_string_lossy().to_string();
    assert!(e.message().contains(&name), "{}", e.message());
    assert!(e.message().contains(&format!("object {id}")), "{}", e.message());
}

#[test]
fn a_shallow_clone_is_scanned_and_called_incomplete() {
    let (tmp, dir) = repo();
    commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    commit(&dir, &[("a.env", "STRIPE_KEY=\n")], "remove");
    let head = commit(&dir, &[("b.env", &format!("STRIPE_KEY={KEY_B}\n"))], "b");
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", dir.display()),
            "clone",
        ],
    );
    let report = history(&clone);
    // Only the last commit is in the clone: the deleted key is out of reach, and the report says so.
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "b.env".into(), 1, head)]
    );
    assert!(
        notes(&report).contains("shallow, so the history is incomplete"),
        "{}",
        notes(&report)
    );
    assert!(notes(&report).contains("fetch-depth: 0"), "{}", notes(&report));
}

#[test]
fn submodules_and_lfs_pointers_are_noted_not_entered() {
    let (_tmp, dir) = repo();
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    commit(&dir, &[("assets/big.bin", pointer), ("a.txt", "text\n")], "lfs");
    let id = git(&dir, &["rev-parse", "HEAD"]);
    git(
        &dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{id},vendor/lib"),
        ],
    );
    // `git add -A` would drop the gitlink, which has no folder in the working tree.
    git(&dir, &["commit", "-q", "-m", "submodule"]);
    let report = history(&dir);
    assert!(report.findings.is_empty(), "{:?}", located(&report));
    assert!(
        notes(&report).contains(
            "1 Git LFS pointer file(s): the files they point to live on the LFS server and were not scanned"
        ),
        "{}",
        notes(&report)
    );
    assert!(
        notes(&report).contains("1 submodule(s) in HEAD were not entered"),
        "{}",
        notes(&report)
    );
}

#[test]
fn text_that_only_starts_like_an_lfs_pointer_is_scanned() {
    let (_tmp, dir) = repo();
    let oid = "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
    let disguised =
        format!("version https://git-lfs.github.com/spec/v1\n{oid}\nsize 12345\nSTRIPE_KEY={KEY_A}\n");
    let added = commit(&dir, &[("assets/big.bin", &disguised)], "pointer");
    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "assets/big.bin".into(), 4, added)]
    );
    assert!(!notes(&report).contains("LFS"), "{}", notes(&report));
}

#[test]
fn blobs_over_the_size_limit_are_skipped_and_counted() {
    let (_tmp, dir) = repo();
    let big = format!("{}STRIPE_KEY={KEY_A}\n", "x = 1\n".repeat(500));
    commit(
        &dir,
        &[("big.env", &big), ("small.env", &format!("STRIPE_KEY={KEY_B}\n"))],
        "add",
    );
    let mut loaded = config(&dir);
    loaded.secrets.max_file_size = Some(1000);
    let report = scan_history(&loaded, &dir, &history_options()).unwrap();
    assert_eq!(
        located(&report).into_iter().map(|f| f.1).collect::<Vec<_>>(),
        vec!["small.env".to_string()]
    );
    assert!(
        notes(&report).contains("skipped 1 blob(s) larger than 1000 bytes"),
        "{}",
        notes(&report)
    );
}

#[test]
fn a_larger_deltified_history_decoded_on_every_core_loses_no_blob() {
    // 1,500 distinct blobs of 8 KB (12 MB), repacked so that most are deltas of one
    // another: long chains resolved across threads.
    let (_tmp, dir) = repo();
    let filler = "let value = compute(input, 42); // filler line of source text\n".repeat(130);
    let planted = [(3, KEY_A), (700, KEY_B), (1490, KEY_C)];
    let mut stream = String::new();
    for commit_no in 1..=3u64 {
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{commit_no}\ncommitter Test <test@launchgate.invalid> {} +0000\ndata 4\nbulk\n",
            1_700_000_000 + commit_no * 60
        ));
        if commit_no > 1 {
            stream.push_str(&format!("from :{}\n", commit_no - 1));
        }
        for n in (commit_no - 1) * 500..commit_no * 500 {
            // Each file adds a line to the one before it, so deltas chain.
            let items: String = (0..n % 60).map(|k| format!("item {k}\n")).collect();
            let mut body = format!("// file {n}\n{filler}{items}");
            if let Some((_, key)) = planted.iter().find(|(at, _)| *at == n) {
                body.push_str(&format!("const KEY: &str = \"{key}\";\n"));
            }
            stream.push_str(&format!(
                "M 100644 inline src/f{n}.rs\ndata {}\n{body}",
                body.len()
            ));
        }
    }
    fast_import(&dir, &stream);
    git(
        &dir,
        &["repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=20"],
    );
    let pack = packs(&dir).pop().unwrap();
    let stats = git(
        &dir,
        &["verify-pack", "-s", pack.with_extension("idx").to_str().unwrap()],
    );
    let whole: usize = stats
        .lines()
        .find_map(|l| l.strip_prefix("non delta: "))
        .and_then(|l| l.split(' ').next()?.parse().ok())
        .unwrap();
    assert!(whole < 100, "most objects should be deltas:\n{stats}");
    assert!(stats.contains("chain length = 3:"), "{stats}");
    git(&dir, &["reset", "-q", "--hard", "main"]);
    let commits: Vec<String> = git(&dir, &["rev-list", "--reverse", "HEAD"])
        .lines()
        .map(String::from)
        .collect();
    let report = history(&dir);
    let mut found: Vec<_> = located(&report).into_iter().map(|f| (f.1, f.2, f.3)).collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("src/f1490.rs".to_string(), 182, commits[2].clone()),
            ("src/f3.rs".to_string(), 135, commits[0].clone()),
            ("src/f700.rs".to_string(), 172, commits[1].clone()),
        ]
    );
    assert!(
        notes(&report).contains("scanned 1500 unique blob(s)"),
        "{}",
        notes(&report)
    );
}

#[test]
fn an_object_in_two_packs_and_loose_is_scanned_once() {
    let (_tmp, dir) = repo();
    let added = commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    // Without -d, repack leaves the loose objects and the earlier pack in place: a.env's
    // blob ends up loose, in the first pack and in the second.
    git(&dir, &["repack", "-q"]);
    commit(&dir, &[("b.txt", "nothing to see\n")], "more");
    git(&dir, &["repack", "-q", "-a"]);
    assert_eq!(packs(&dir).len(), 2);
    let loose = git(&dir, &["count-objects", "-v"]);
    assert!(loose.starts_with("count: 6\n"), "{loose}");
    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "a.env".into(), 1, added)]
    );
    assert!(
        notes(&report).contains("scanned 2 unique blob(s)"),
        "{}",
        notes(&report)
    );
}

#[test]
fn objects_borrowed_from_an_alternate_are_scanned() {
    let (tmp, dir) = repo();
    let added = commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    git(&dir, &["repack", "-q", "-a", "-d"]);
    let clone = tmp.path().join("shared");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--shared",
            dir.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    assert!(clone.join(".git/objects/info/alternates").is_file());
    assert!(packs(&clone).is_empty());
    let report = history(&clone);
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "a.env".into(), 1, added)]
    );
}

#[test]
fn a_corrupt_loose_object_is_an_error_naming_it() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    let blob = git(&dir, &["rev-parse", "HEAD:a.env"]);
    let blob = blob.trim();
    let path = dir.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    overwrite(&path, b"not a zlib stream");
    let e = scan_history(&config(&dir), &dir, &history_options()).unwrap_err();
    assert!(e.message().contains(&blob[2..]), "{}", e.message());
    assert!(e.message().contains("corrupt"), "{}", e.message());
}

#[test]
fn a_sha256_repository_is_scanned_loose_and_packed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    git(&dir, &["init", "-q", "--object-format=sha256"]);
    let added = commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    assert_eq!(added.len(), 64);
    let expected = vec![("stripe.secret-key".to_string(), "a.env".to_string(), 1, added)];
    assert_eq!(located(&history(&dir)), expected);
    git(&dir, &["repack", "-q", "-a", "-d"]);
    assert_eq!(packs(&dir).len(), 1);
    assert_eq!(located(&history(&dir)), expected);
}

#[test]
fn a_partial_clone_is_scanned_and_called_incomplete() {
    let (tmp, dir) = repo();
    commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    git(&dir, &["config", "uploadpack.allowFilter", "true"]);
    let clone = tmp.path().join("partial");
    let url = format!("file://{}", dir.display());
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            clone.to_str().unwrap(),
        ],
    );
    let report = history(&clone);
    assert!(notes(&report).contains("partial clone"), "{}", notes(&report));
    assert!(!notes(&history(&dir)).contains("partial clone"));
    // Limited to a branch, the scan lists reachable blobs without downloading them.
    let before = std::fs::read_dir(clone.join(".git/objects/pack"))
        .unwrap()
        .count();
    let branch = git(&clone, &["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_string();
    let opts = launchgate_secrets::history::HistoryOptions {
        refs: launchgate_secrets::history::Refs::Branches(vec![branch]),
        ..history_options()
    };
    let report = scan_history(&config(&clone), &clone, &opts).unwrap();
    assert!(notes(&report).contains("partial clone"), "{}", notes(&report));
    let after = std::fs::read_dir(clone.join(".git/objects/pack"))
        .unwrap()
        .count();
    assert_eq!(before, after, "the scan fetched objects");
}
