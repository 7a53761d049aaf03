//! Which files a working-tree scan reads: ignore files above a repository, tracked files
//! that ignore rules would hide, a scan emptied by ignore rules, symbolic links.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::{STRIPE_KEY, bin, findings, git, json_report, notes};

fn key_file(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, format!("[stripe]\nkey = {STRIPE_KEY}\n")).unwrap();
}

fn scan(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut c = bin(dir);
    c.arg("scan").args(args);
    json_report(c)
}

#[test]
fn ignore_files_above_the_repository_do_not_apply() {
    let home = tempfile::tempdir().unwrap();
    // A dotfiles-style home folder that ignores everything.
    fs::write(home.path().join(".gitignore"), "*\n").unwrap();
    fs::write(home.path().join(".ignore"), "*\n").unwrap();
    let repo = home.path().join("code/shop");
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    key_file(&repo.join("config/app.ini"));
    for args in [&[][..], &["."][..]] {
        let (code, report) = scan(&repo, args);
        assert_eq!(code, 1, "{report}");
        assert_eq!(
            findings(&report),
            vec![("stripe.secret-key".into(), "config/app.ini".into(), 2, 7)]
        );
    }
    // A subfolder of the repository: still nothing from above the top.
    let (code, report) = scan(&repo.join("config"), &[]);
    assert_eq!(code, 1, "{report}");

    // Outside a repository the scanned folder is the top.
    let plain = home.path().join("notes");
    key_file(&plain.join("app.ini"));
    let (code, report) = scan(&plain, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0].1, "app.ini");
}

#[test]
fn ignore_files_inside_the_repository_still_apply_from_its_top() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::write(dir.join(".gitignore"), "local.ini\n").unwrap();
    key_file(&dir.join("sub/local.ini"));
    key_file(&dir.join("sub/app.ini"));
    let (code, report) = scan(&dir.join("sub"), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report).len(), 1, "{report}");
    assert_eq!(findings(&report)[0].1, "app.ini");
}

#[test]
fn tracked_files_are_scanned_whatever_ignore_rules_say() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::write(dir.join(".gitignore"), ".env\n").unwrap();
    key_file(&dir.join(".env"));
    key_file(&dir.join("deploy/prod.ini"));
    git(dir, &["add", "-f", ".env", "deploy/prod.ini", ".gitignore"]);
    // The user's global excludes hide `*.ini`; the file is committed all the same.
    let xdg = tempfile::tempdir().unwrap();
    fs::create_dir_all(xdg.path().join("git")).unwrap();
    fs::write(xdg.path().join("git/ignore"), "*.ini\n").unwrap();
    let mut c = bin(dir);
    c.args(["scan"]).env("XDG_CONFIG_HOME", xdg.path());
    let (code, report) = json_report(c);
    assert_eq!(code, 1, "{report}");
    let mut paths: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    paths.sort();
    assert_eq!(paths, vec![".env", "deploy/prod.ini"], "{report}");
    assert!(
        notes(&report).contains("scanned 2 tracked file(s) that ignore rules would hide"),
        "{report}"
    );
}

#[test]
fn a_scan_that_ignore_rules_emptied_is_an_error_but_the_users_own_excludes_are_not() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::create_dir(dir.join("app")).unwrap();
    fs::write(dir.join("app/.gitignore"), "*\n").unwrap();
    key_file(&dir.join("app/app.ini"));
    let out = bin(&dir.join("app")).args(["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing to scan: ignore rules"), "{stderr}");
    assert!(stderr.contains("--no-ignore"), "{stderr}");

    let (code, report) = scan(&dir.join("app"), &["--no-ignore"]);
    assert_eq!(code, 1, "{report}");

    // Beside a folder with files, the emptied one is a warning in the notes.
    key_file(&dir.join("web/app.ini"));
    let (code, report) = scan(dir, &["app", "web"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        notes(&report).contains("warning: ignore rules leave out every file in app"),
        "{report}"
    );

    // Left out by the user's own exclude: noted, not an error.
    fs::remove_file(dir.join("app/.gitignore")).unwrap();
    let (code, report) = scan(&dir.join("app"), &["--exclude", "**/*.ini"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        notes(&report).contains("skipped 1 file(s) by include/exclude globs"),
        "{report}"
    );
}

#[test]
fn links_leaving_the_repository_are_never_read_and_links_inside_are_not_scanned_twice() {
    let outside = tempfile::tempdir().unwrap();
    key_file(&outside.path().join(".aws/credentials"));
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    symlink(outside.path().join(".aws/credentials"), dir.join("credentials")).unwrap();
    symlink(outside.path().join(".aws"), dir.join("aws")).unwrap();
    key_file(&dir.join("config/app.ini"));
    symlink("config/app.ini", dir.join("app.ini")).unwrap();
    let (code, report) = scan(dir, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "config/app.ini".into(), 2, 7)],
        "{report}"
    );
    let n = notes(&report);
    assert!(
        n.contains("skipped 2 symbolic link(s) leading outside the repository, never read: aws, credentials"),
        "{n}"
    );

    // A link from a scanned subfolder to a file elsewhere in the repository is read.
    fs::create_dir(dir.join("web")).unwrap();
    symlink("../config/app.ini", dir.join("web/app.ini")).unwrap();
    let (code, report) = scan(&dir.join("web"), &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0].1, "app.ini");
}

#[test]
fn staged_links_are_skipped_and_a_link_replaced_by_a_file_is_scanned() {
    let outside = tempfile::tempdir().unwrap();
    key_file(&outside.path().join("credentials"));
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    symlink(outside.path().join("credentials"), dir.join("credentials")).unwrap();
    git(dir, &["add", "credentials"]);
    let (code, report) = scan(dir, &["--staged"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        notes(&report).contains("skipped 1 staged symbolic link(s)"),
        "{report}"
    );

    git(dir, &["commit", "-q", "-m", "link"]);
    fs::remove_file(dir.join("credentials")).unwrap();
    key_file(&dir.join("credentials"));
    git(dir, &["add", "credentials"]);
    let (code, report) = scan(dir, &["--staged"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![("stripe.secret-key".into(), "credentials".into(), 2, 7)]
    );
}

#[test]
fn a_tracked_folder_replaced_by_a_link_to_outside_is_not_read_through() {
    let outside = tempfile::tempdir().unwrap();
    key_file(&outside.path().join("credentials"));
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    fs::create_dir(dir.join("aws")).unwrap();
    fs::write(dir.join("aws/credentials"), "[default]\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "aws"]);
    fs::remove_dir_all(dir.join("aws")).unwrap();
    symlink(outside.path(), dir.join("aws")).unwrap();
    let (code, report) = scan(dir, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        notes(&report).contains("leading outside the repository, never read: aws, aws/credentials"),
        "{report}"
    );
}

#[test]
fn a_nested_repository_is_scanned() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    let nested = dir.join("vendor/lib");
    fs::create_dir_all(&nested).unwrap();
    git(&nested, &["init", "-q"]);
    key_file(&nested.join("app.ini"));
    let (code, report) = scan(dir, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0].1, "vendor/lib/app.ini");
}

#[test]
fn a_plain_folder_inside_a_repository_that_ignores_everything_is_an_error_not_a_pass() {
    // A home folder that is itself a repository ignoring `*`; the project is not a repository.
    let home = tempfile::tempdir().unwrap();
    git(home.path(), &["init", "-q"]);
    fs::write(home.path().join(".gitignore"), "*\n").unwrap();
    let project = home.path().join("code/shop");
    key_file(&project.join("app.ini"));
    let out = bin(&project).args(["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing to scan: ignore rules"), "{stderr}");
}
