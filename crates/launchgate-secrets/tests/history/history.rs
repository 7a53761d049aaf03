//! `scan_history`: every reachable blob once, with provenance and exposure.

use launchgate_core::render::{Format, RenderOptions, render};
use launchgate_secrets::history::{HistoryOptions, Refs, scan_history};

use crate::*;

#[test]
fn a_deleted_secret_is_found_in_history_with_the_commit_that_added_it() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("README.md", "# app\n")], "start");
    let added = commit(
        &dir,
        &[("config/app.env", &format!("PORT=8080\nSTRIPE_KEY={KEY_A}\n"))],
        "add config",
    );
    commit(
        &dir,
        &[("config/app.env", "PORT=8080\nSTRIPE_KEY=${STRIPE_KEY}\n")],
        "load from env",
    );
    let kept = commit(
        &dir,
        &[("src/pay.js", &format!("// billing\nconst key = \"{KEY_B}\";\n"))],
        "pay",
    );

    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![
            (
                "stripe.secret-key".to_string(),
                "config/app.env".to_string(),
                2,
                added.clone()
            ),
            ("stripe.secret-key".to_string(), "src/pay.js".to_string(), 2, kept),
        ]
    );
    let deleted = &report.findings[0];
    assert_eq!(exposure(deleted), "history-only");
    assert!(deleted.message.contains("history only"), "{}", deleted.message);
    assert!(deleted.message.contains(&added[..12]), "{}", deleted.message);
    let location = deleted.location.as_ref().unwrap();
    assert_eq!(location.author.as_deref(), Some("Test <test@launchgate.invalid>"));
    assert!(
        location.date.as_deref().unwrap().starts_with("2023-11-14T22:"),
        "{location:?}"
    );
    assert_eq!(location.column, Some(12));
    assert_eq!(exposure(&report.findings[1]), "head");
    let table = &report.tables[0];
    assert_eq!(table.title, "Secrets by exposure");
    assert_eq!(table.rows[0][1], "1");
    assert_eq!(table.rows[1][1], "1");
    assert!(report.fails(launchgate_core::Severity::Error));
}

#[test]
fn a_secret_a_merge_resolution_added_is_dated_to_the_merge() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("shared.txt", "a\n")], "base");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    let feature = commit(&dir, &[("feature.env", &format!("KEY={KEY_A}\n"))], "feature");
    git(&dir, &["checkout", "-q", "main"]);
    commit(&dir, &[("main.txt", "b\n")], "main work");
    git(&dir, &["merge", "-q", "--no-commit", "--no-ff", "feature"]);
    // Neither parent has this file: only the merge's own diff shows where it came from.
    std::fs::write(dir.join("resolved.env"), format!("KEY={KEY_C}\n")).unwrap();
    let merge = commit(&dir, &[], "merge feature");

    let mut found = located(&history(&dir));
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        vec![
            (
                "stripe.secret-key".to_string(),
                "feature.env".to_string(),
                1,
                feature
            ),
            (
                "stripe.secret-key".to_string(),
                "resolved.env".to_string(),
                1,
                merge
            ),
        ]
    );
}

#[test]
fn a_blob_is_dated_to_the_first_commit_that_put_it_anywhere() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("README.md", "app\n")], "base");
    git(&dir, &["checkout", "-q", "-b", "side"]);
    // The same file at two paths at once: git lists a commit's changes by path.
    let side = commit(
        &dir,
        &[
            ("deploy/b.env", &format!("KEY={KEY_A}\n")),
            ("deploy/a.env", &format!("KEY={KEY_A}\n")),
        ],
        "side",
    );
    git(&dir, &["checkout", "-q", "main"]);
    commit(
        &dir,
        &[("src/config/old.env", &format!("KEY={KEY_B}\n"))],
        "config",
    );
    let moved_from = git(&dir, &["rev-parse", "HEAD"]);
    // A move is a deletion and an addition of the same blob: the blob came from before it.
    git(&dir, &["mv", "src/config", "settings"]);
    commit(&dir, &[], "move");
    // The merge brings the side branch's file in unchanged: the side branch introduced it.
    git(&dir, &["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let mut found = located(&history(&dir));
    found.sort();
    assert_eq!(
        found,
        vec![
            ("stripe.secret-key".into(), "deploy/a.env".into(), 1, side),
            (
                "stripe.secret-key".into(),
                "src/config/old.env".into(),
                1,
                moved_from
            ),
        ]
    );
}

#[test]
fn a_secret_moved_to_a_newer_version_of_a_file_is_still_in_head() {
    let (_tmp, dir) = repo();
    let added = commit(&dir, &[("app.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    commit(
        &dir,
        &[("app.env", &format!("DEBUG=1\nSTRIPE_KEY={KEY_A}\n"))],
        "edit",
    );
    let report = history(&dir);
    // Two blobs hold the key at the same path: one finding, at the commit that added it.
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "app.env".into(), 1, added)]
    );
    assert_eq!(exposure(&report.findings[0]), "head");
}

#[test]
fn the_same_blob_in_100_commits_is_scanned_and_reported_once() {
    let (_tmp, dir) = repo();
    let mut stream = String::new();
    let secret = format!("STRIPE_KEY={KEY_C}\n");
    for n in 1..=100 {
        let counter = format!("{n}\n");
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{n}\ncommitter Test <test@launchgate.invalid> {} +0000\ndata 7\nbump {:02}\n",
            1_700_000_000 + n * 60,
            n % 100
        ));
        if n > 1 {
            stream.push_str(&format!("from :{}\n", n - 1));
        }
        if n == 1 {
            stream.push_str(&format!(
                "M 100644 inline keys.env\ndata {}\n{secret}",
                secret.len()
            ));
        }
        stream.push_str(&format!(
            "M 100644 inline counter.txt\ndata {}\n{counter}",
            counter.len()
        ));
    }
    fast_import(&dir, &stream);
    git(&dir, &["reset", "-q", "--hard", "main"]);
    let first = git(&dir, &["rev-list", "--max-parents=0", "HEAD"]);

    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![("stripe.secret-key".into(), "keys.env".into(), 1, first)]
    );
    // 100 versions of counter.txt and one of keys.env: each blob read once.
    assert!(
        notes(&report).contains("scanned 101 unique blob(s)"),
        "{}",
        notes(&report)
    );
}

#[test]
fn branch_and_since_limit_what_is_reachable() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("old.env", &format!("STRIPE_KEY={KEY_A}\n"))], "old");
    commit(&dir, &[("old.env", "STRIPE_KEY=\n")], "remove");
    git(&dir, &["checkout", "-q", "-b", "topic"]);
    commit(&dir, &[("topic.env", &format!("STRIPE_KEY={KEY_B}\n"))], "topic");
    git(&dir, &["checkout", "-q", "main"]);

    let all = history(&dir);
    assert_eq!(all.findings.len(), 2, "{:?}", located(&all));

    let main_only = HistoryOptions {
        refs: Refs::Branches(vec!["main".into()]),
        ..history_options()
    };
    let report = scan_history(&config(&dir), &dir, &main_only).unwrap();
    assert_eq!(
        located(&report).into_iter().map(|f| f.1).collect::<Vec<_>>(),
        vec!["old.env".to_string()]
    );

    // Commits are dated 2023-11-14; nothing is newer than 2030.
    let recent = HistoryOptions {
        since: Some("2030-01-01".into()),
        ..history_options()
    };
    let report = scan_history(&config(&dir), &dir, &recent).unwrap();
    assert!(report.findings.is_empty(), "{:?}", located(&report));
    assert!(notes(&report).contains("since 2030-01-01"), "{}", notes(&report));

    let missing = HistoryOptions {
        refs: Refs::Branches(vec!["nope".into()]),
        ..history_options()
    };
    let e = scan_history(&config(&dir), &dir, &missing).unwrap_err();
    assert!(e.message().contains("--branch nope"), "{}", e.message());
}

#[test]
fn the_secret_never_appears_in_clear_in_any_format() {
    let (_tmp, dir) = repo();
    commit(&dir, &[("a.env", &format!("STRIPE_KEY={KEY_A}\n"))], "add");
    commit(&dir, &[("a.env", "STRIPE_KEY=\n")], "remove");
    let report = history(&dir);
    assert_eq!(report.findings.len(), 1);
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::Junit,
    ] {
        let text = render(format, std::slice::from_ref(&report), &RenderOptions::default());
        assert!(text.contains("a.env"), "{format:?}: {text}");
        assert!(!text.contains(KEY_A), "{format:?} shows the secret");
    }
}

#[test]
fn allowed_paths_and_baselines_apply_to_history() {
    let (_tmp, dir) = repo();
    commit(
        &dir,
        &[("fixtures/a.env", &format!("STRIPE_KEY={KEY_A}\n"))],
        "fixture",
    );
    let mut loaded = config(&dir);
    loaded.secrets.allow.paths = vec!["fixtures/**".into()];
    let report = scan_history(&loaded, &dir, &history_options()).unwrap();
    assert!(report.findings.is_empty());
    assert!(
        notes(&report).contains("excluded by secrets.allow.paths"),
        "{}",
        notes(&report)
    );
}

#[test]
fn a_folder_outside_any_repository_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let e = scan_history(&config(tmp.path()), tmp.path(), &history_options()).unwrap_err();
    assert!(
        e.message().contains("is not inside a git repository"),
        "{}",
        e.message()
    );
}

#[test]
fn history_finds_every_secret_a_file_scan_finds_in_the_same_blobs() {
    use launchgate_secrets::scan::{ScanOptions, Target, scan};
    use std::collections::BTreeSet;

    // Every example of every rule, one file each, committed and packed.
    let (_tmp, dir) = repo();
    let rules = launchgate_secrets::RuleSet::embedded();
    let files: Vec<(String, String)> = rules
        .rules
        .iter()
        .flat_map(|rule| {
            rule.spec
                .examples
                .iter()
                .enumerate()
                .map(move |(i, example)| (format!("cases/{}-{i}.txt", rule.id()), example.input.clone()))
        })
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    commit(&dir, &refs, "every rule's examples");
    git(&dir, &["repack", "-q", "-a", "-d"]);

    let mut options = ScanOptions::new(Target::Paths(vec![dir.join("cases")]));
    options.baseline = BaselineChoice::Ignore;
    let in_files = scan(&config(&dir), &options).unwrap().report;
    let in_history = history(&dir);
    let key = |f: &Finding| (f.rule_id.clone(), f.secret.as_ref().unwrap().fingerprint.clone());
    let files_keys: BTreeSet<_> = in_files.findings.iter().map(key).collect();
    let history_keys: BTreeSet<_> = in_history.findings.iter().map(key).collect();
    assert!(files_keys.len() >= 300, "{}", files_keys.len());
    assert_eq!(history_keys, files_keys);
    // And each at a place where the file scan saw the same secret.
    for found in &in_history.findings {
        let at = found.location.as_ref().unwrap();
        assert!(
            in_files.findings.iter().any(|f| {
                let l = f.location.as_ref().unwrap();
                key(f) == key(found)
                    && l.path.ends_with(&at.path)
                    && l.line == at.line
                    && l.column == at.column
            }),
            "{} at {}:{:?}",
            found.rule_id,
            at.path,
            at.line
        );
    }
}

#[test]
fn a_key_in_a_binary_blob_is_found_in_its_printable_runs() {
    let (_tmp, dir) = repo();
    let utf16: String = format!("token={KEY_B}").chars().flat_map(|c| [c, '\0']).collect();
    let added = commit(
        &dir,
        &[(
            "assets/app.db",
            &format!("SQLite format 3\0\0\u{1}\u{2}\nrow\0{KEY_A}\0\0{utf16}\0\0"),
        )],
        "add a database",
    );
    commit(&dir, &[("assets/app.db", "SQLite format 3\0\0")], "empty it");
    let report = history(&dir);
    assert_eq!(
        located(&report),
        vec![
            (
                "stripe.secret-key".to_string(),
                "assets/app.db".to_string(),
                2,
                added.clone()
            ),
            (
                "stripe.secret-key".to_string(),
                "assets/app.db".to_string(),
                2,
                added
            ),
        ]
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("binary blob(s) through their printable runs")),
        "{:?}",
        report.notes
    );
}
