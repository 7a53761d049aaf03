use super::*;
use crate::history::test_git::git;

#[test]
fn a_pack_with_a_huge_object_is_read_object_by_object_with_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    let key = "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"; // launchgate:allow (made up for the test)
    let filler = "let value = compute(input, 42); // a line of ordinary source\n".repeat(40);
    // Versions of one file, so the pack holds delta chains, each with the key.
    for version in 0..5 {
        let body = format!("// version {version}\n{filler}const KEY: &str = \"{key}\";\n");
        std::fs::write(dir.join("config.rs"), body).unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "version"]);
    }
    // One big file, stored whole, with the key too: over the size limit.
    let mut big = String::new();
    let mut state = 7u64;
    while big.len() < 300_000 {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        big.push_str(&format!("{:016x}\n", state));
    }
    big.push_str(&format!("KEY={key}\n"));
    std::fs::write(dir.join("big.txt"), big).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "big"]);
    git(dir, &["repack", "-q", "-a", "-d", "-f"]);

    let repo = Repo::open(dir).unwrap();
    let packs = open_packs(&object_dirs(&repo).unwrap(), gix_hash::Kind::Sha1).unwrap();
    assert_eq!(packs.len(), 1);
    assert!(
        check_entries(&packs[0], &entries_by_offset(&packs[0].bundle.index)).unwrap() > 300_000,
        "the big file is stored whole"
    );
    let engine = crate::default_engine();
    let scan = |huge| {
        scan_blobs_with(
            &repo,
            engine,
            &Selection::AllObjects,
            None,
            100_000,
            huge,
            &Counters::default(),
        )
        .unwrap()
    };
    let walked = scan(u64::MAX);
    let by_object = scan(200_000);
    let summary = |s: &BlobScan| {
        let hits: Vec<(String, usize)> = s.hits.iter().map(|h| (h.id.clone(), h.matches.len())).collect();
        (hits, s.scanned, s.bytes, s.skipped_large, s.binary)
    };
    assert_eq!(walked.hits.len(), 5);
    assert_eq!(walked.skipped_large, 1);
    assert_eq!(summary(&by_object), summary(&walked));
}
