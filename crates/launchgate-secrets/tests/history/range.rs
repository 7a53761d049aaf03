//! `scan_range`: the lines a pull request or push adds.

use crate::*;

#[test]
fn only_added_lines_are_blamed_on_the_range() {
    let (_tmp, dir) = repo();
    let base = commit(
        &dir,
        &[("app.env", &format!("OLD_KEY={KEY_A}\nPORT=1\n"))],
        "base",
    );
    let add = commit(
        &dir,
        &[("app.env", &format!("OLD_KEY={KEY_A}\nPORT=1\nNEW_KEY={KEY_B}\n"))],
        "add",
    );
    let report = range(&dir, &format!("{base}..HEAD")).unwrap();
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "app.env".into(), 3, add)]
    );
    assert_eq!(exposure(&report.findings[0]), "range");
    assert!(notes(&report).contains("1 commit(s)"), "{}", notes(&report));
}

#[test]
fn a_key_added_then_removed_inside_the_range_is_still_found() {
    let (_tmp, dir) = repo();
    let base = commit(&dir, &[("README.md", "hi\n")], "base");
    let added = commit(&dir, &[("a.env", &format!("KEY={KEY_C}\n"))], "oops");
    commit(&dir, &[("a.env", "KEY=\n")], "fix");
    let report = range(&dir, &format!("{base}..HEAD")).unwrap();
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "a.env".into(), 1, added)]
    );
}

#[test]
fn a_merge_commit_adds_only_its_own_lines() {
    let (_tmp, dir) = repo();
    let base = commit(&dir, &[("shared.txt", "a\n")], "base");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    let feature = commit(&dir, &[("feature.env", &format!("KEY={KEY_A}\n"))], "feature");
    git(&dir, &["checkout", "-q", "main"]);
    let other = commit(&dir, &[("main.env", &format!("KEY={KEY_B}\n"))], "main work");
    git(&dir, &["merge", "-q", "--no-commit", "--no-ff", "feature"]);
    // The merge itself adds a line neither parent has.
    std::fs::write(dir.join("resolved.env"), format!("KEY={KEY_C}\n")).unwrap();
    let merge = commit(&dir, &[], "merge feature");
    let report = range(&dir, &format!("{base}..{merge}")).unwrap();
    let mut found = located(&report);
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        vec![
            ("stripe.secret-key".into(), "feature.env".into(), 1, feature),
            ("stripe.secret-key".into(), "main.env".into(), 1, other),
            ("stripe.secret-key".into(), "resolved.env".into(), 1, merge),
        ]
    );
    assert!(notes(&report).contains("1 merge commit(s)"), "{}", notes(&report));
}

#[test]
fn a_force_pushed_range_scans_only_the_new_commits() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("README.md", "hi\n")], "base");
    let old_tip = commit(&dir, &[("old.env", &format!("KEY={KEY_A}\n"))], "old work");
    git(&dir, &["reset", "-q", "--hard", "HEAD~1"]);
    let new_tip = commit(&dir, &[("new.env", &format!("KEY={KEY_B}\n"))], "rewritten work");
    // A force push from old_tip to new_tip: the event's `before` is not an ancestor.
    let report = range(&dir, &format!("{old_tip}..{new_tip}")).unwrap();
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "new.env".into(), 1, new_tip)]
    );
}

#[test]
fn a_rename_adds_no_lines() {
    let (_tmp, dir) = repo();
    let added = commit(
        &dir,
        &[("a.env", &format!("KEY={KEY_A}\nPORT=1\nHOST=x\n"))],
        "add",
    );
    git(&dir, &["mv", "a.env", "b.env"]);
    commit(&dir, &[], "rename");
    let report = range(&dir, &format!("{added}..HEAD")).unwrap();
    assert!(report.findings.is_empty(), "{:?}", located(&report));
    // In history the blob is reported once, at the path and commit that introduced it, and
    // it is still in HEAD under its new name.
    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "a.env".into(), 1, added)]
    );
    assert_eq!(exposure(&report.findings[0]), "head");
}

#[test]
fn a_base_missing_from_a_shallow_clone_is_an_error_with_the_fix() {
    let (tmp, dir) = repo();
    let base = commit(&dir, &[("a.txt", "1\n")], "one");
    commit(&dir, &[("a.txt", "2\n")], "two");
    commit(&dir, &[("a.txt", "3\n")], "three");
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
    let clone = tmp.path().join("clone");
    let e = range(&clone, &format!("{base}..HEAD")).unwrap_err();
    assert!(e.message().contains("shallow clone"), "{}", e.message());
    assert!(e.message().contains(&base), "{}", e.message());
    assert!(e.hint().unwrap().contains("fetch-depth: 0"), "{:?}", e.hint());
}

#[test]
fn bad_ranges_are_errors() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("a.txt", "1\n")], "one");
    let e = range(&dir, "main...HEAD").unwrap_err();
    assert!(e.message().contains("expected BASE..HEAD"), "{}", e.message());
    let e = range(&dir, "nope").unwrap_err();
    assert!(e.message().contains("nope is not a commit"), "{}", e.message());
    let e = range(&dir, "nope..HEAD").unwrap_err();
    assert!(e.message().contains("nope is not a commit"), "{}", e.message());
}

#[test]
fn a_single_revision_scans_everything_reachable_from_it_root_commit_included() {
    let (_tmp, dir) = repo();
    let root = commit(&dir, &[("first.env", &format!("KEY={KEY_A}\n"))], "root");
    let second = commit(&dir, &[("second.env", &format!("KEY={KEY_B}\n"))], "second");
    let report = range(&dir, "HEAD").unwrap();
    let mut found = located(&report);
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        vec![
            ("stripe.secret-key".into(), "first.env".into(), 1, root),
            ("stripe.secret-key".into(), "second.env".into(), 1, second),
        ]
    );
    assert!(notes(&report).contains("2 commit(s)"), "{}", notes(&report));
}

/// A range's added lines are held for the scan within two limits: a file change past the
/// size limit is skipped (and keeps nothing), and the range as a whole keeps a stated most.
#[test]
fn added_lines_are_kept_within_the_file_and_range_limits() {
    let (_tmp, dir) = repo();
    let base = commit(&dir, &[("README.md", "hi\n")], "base");
    // One long line (a minified bundle) past the file limit, then two small changes.
    let bundle = format!("var k=\"{KEY_A}\";{}\n", "x".repeat(64 * 1024));
    commit(&dir, &[("dist/app.js", &bundle)], "bundle");
    let (a, b) = (format!("KEY={KEY_B}\n"), format!("OTHER={KEY_C}\n"));
    let small = commit(&dir, &[("a.env", &a)], "a");
    commit(&dir, &[("b.env", &b)], "b");
    let added = (a.len() + b.len()) as u64;
    let scan = |max_added_bytes| {
        let opts = RangeOptions {
            range: format!("{base}..HEAD"),
            baseline: BaselineChoice::Ignore,
            max_file_size: Some(1024),
            max_added_bytes: Some(max_added_bytes),
        };
        scan_range(&config(&dir), &dir, &opts)
    };
    // Only a.env and b.env are kept: the skipped bundle counts for nothing.
    let report = scan(added).unwrap();
    let mut found = located(&report);
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0], ("stripe.secret-key".into(), "a.env".into(), 1, small));
    assert!(
        notes(&report).contains("skipped 1 file change(s) adding more than 1024 bytes"),
        "{}",
        notes(&report)
    );
    let err = scan(added - 1).unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "--range {base}..HEAD: the commits add more than {} bytes of text to the files scanned, the most launchgate holds for one range",
            added - 1
        )
    );
    assert!(err.hint().unwrap().contains("--history"), "{:?}", err.hint());
}
