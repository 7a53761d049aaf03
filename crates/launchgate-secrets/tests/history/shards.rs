//! `--shard K/N` and `merge_reports`: shards merged equal a full scan.

use launchgate_core::Severity;
use launchgate_core::render::ReportFile;
use launchgate_secrets::history::{HistoryOptions, Shard, merge_reports, scan_history};

use crate::*;

/// What a finding says, where, since when, and whether it is still in HEAD.
type Keyed = (String, String, Option<u32>, Option<String>, String, String);

fn keyed(report: &launchgate_core::Report) -> Vec<Keyed> {
    let mut v: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let l = f.location.clone().unwrap();
            (
                f.fingerprint.clone(),
                l.path,
                l.line,
                l.commit,
                exposure(f).to_string(),
                f.message.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn three_shards_merged_equal_a_full_scan() {
    let (tmp, dir) = repo();
    let keys = [KEY_A, KEY_B, KEY_C, KEY_D];
    for (i, key) in keys.iter().enumerate() {
        for j in 0..3 {
            let body = format!("# service {i} version {j}\nKEY={key}\n");
            commit(&dir, &[(&format!("svc{i}/keys{j}.env"), body.as_str())], "add");
        }
    }
    // The same key at the same path in several blobs: shards must agree on the first one.
    commit(
        &dir,
        &[("svc0/keys0.env", &format!("# edited\nKEY={KEY_A}\n"))],
        "edit",
    );
    let full = history(&dir);
    assert_eq!(full.findings.len(), 12);

    let mut paths = Vec::new();
    let mut per_shard = 0;
    for k in 1..=3 {
        let opts = HistoryOptions {
            shard: Some(Shard { index: k, count: 3 }),
            ..history_options()
        };
        let report = scan_history(&config(&dir), &dir, &opts).unwrap();
        per_shard += report.findings.len();
        assert!(
            notes(&report).contains(&format!("shard {k}/3")),
            "{}",
            notes(&report)
        );
        let path = tmp.path().join(format!("shard-{k}.json"));
        let file = ReportFile::new(&[report], Severity::Error);
        std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
        paths.push(path);
    }
    // Shards split the work: together they report at least every finding, and the edited
    // file's newer blob may land in a different shard than its first one.
    assert!(per_shard >= 12);
    let merged = merge_reports(&paths).unwrap();
    assert_eq!(keyed(&merged), keyed(&full));
    // Merging a shard twice adds nothing.
    paths.push(paths[0].clone());
    assert_eq!(keyed(&merge_reports(&paths).unwrap()), keyed(&full));
    // A missing shard is an error, never a report that passes without its findings.
    let e = merge_reports(&paths[..2]).unwrap_err();
    assert!(
        e.message().contains("shard(s) 3/3 are missing"),
        "{}",
        e.message()
    );
    // Shards of different splits overlap and leave gaps.
    let opts = HistoryOptions {
        shard: Some(Shard { index: 1, count: 2 }),
        ..history_options()
    };
    let other = tmp.path().join("other-split.json");
    let report = scan_history(&config(&dir), &dir, &opts).unwrap();
    std::fs::write(
        &other,
        serde_json::to_string(&ReportFile::new(&[report], Severity::Error)).unwrap(),
    )
    .unwrap();
    paths.push(other);
    let e = merge_reports(&paths).unwrap_err();
    assert!(e.message().contains("different splits"), "{}", e.message());
    // A shard of a later commit (a push landed between the shard jobs).
    paths.pop();
    commit(&dir, &[("late.env", "NOTHING=here\n")], "late");
    let opts = HistoryOptions {
        shard: Some(Shard { index: 3, count: 3 }),
        ..history_options()
    };
    let late = tmp.path().join("late-shard.json");
    let report = scan_history(&config(&dir), &dir, &opts).unwrap();
    std::fs::write(
        &late,
        serde_json::to_string(&ReportFile::new(&[report], Severity::Error)).unwrap(),
    )
    .unwrap();
    let e = merge_reports(&[paths[0].clone(), paths[1].clone(), late]).unwrap_err();
    assert!(e.message().contains("different states"), "{}", e.message());
    assert!(e.hint().unwrap().contains("same ref"), "{:?}", e.hint());
    // A report whose shard note cannot be read is refused, never skipped.
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    let old = tmp.path().join("old-format.json");
    let note_start = text.find("(refs ").unwrap();
    std::fs::write(
        &old,
        format!("{}{}", &text[..note_start], &text[note_start + 6..]),
    )
    .unwrap();
    let e = merge_reports(&[old, paths[1].clone(), paths[2].clone()]).unwrap_err();
    assert!(e.message().contains("cannot check"), "{}", e.message());
}

#[test]
fn merging_something_that_is_not_a_report_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("notes.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let e = merge_reports(&[path]).unwrap_err();
    assert!(e.message().contains("notes.json"), "{}", e.message());
    assert!(merge_reports(&[]).is_err());
}

#[test]
fn a_merge_of_a_file_without_reports_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(
        &empty,
        "{\"version\": 2, \"tool\": {\"name\": \"launchgate\", \"version\": \"0.1.0\"}, \"status\": \"passed\", \"fail_on\": \"error\", \"summary\": {\"error\": 0, \"warning\": 0, \"note\": 0, \"suppressed\": 0}, \"reports\": []}",
    )
    .unwrap();
    let e = merge_reports(&[empty]).unwrap_err();
    assert!(e.message().contains("holds no report"), "{}", e.message());
}
