//! Symbolic links and special files: nothing is read or written through a link that leaves
//! the repository, `--fix` keeps links and permissions, and oversized files and pipes are
//! errors, not unbounded reads.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use crate::{bin, git_repo, write};

const AWS_KEY: &str = "AKIAQ3EGT7X5KJ2MNW4P";

/// The exit code, findings and notes of a JSON run.
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>, Vec<String>) {
    let out = bin(dir)
        .args(args)
        .args(["--format", "json"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code().expect("exited");
    if code == 2 {
        return (
            code,
            Vec::new(),
            vec![String::from_utf8_lossy(&out.stderr).into_owned()],
        );
    }
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let report = &doc["reports"][0];
    let notes = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    (
        code,
        report["findings"].as_array().cloned().unwrap_or_default(),
        notes,
    )
}

/// A repository whose tracked `.env` links to a credentials file outside it.
fn repo_linking_outside() -> (tempfile::TempDir, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let credentials = home.path().join("credentials");
    std::fs::write(&credentials, format!("AWS_ACCESS_KEY_ID={AWS_KEY}\r\n")).unwrap();
    let repo = tempfile::tempdir().unwrap();
    symlink(&credentials, repo.path().join(".env")).unwrap();
    git_repo(repo.path(), &[".env"]);
    (repo, home)
}

#[test]
fn a_link_leaving_the_repository_is_skipped_with_a_note() {
    let (repo, home) = repo_linking_outside();
    for args in [
        &["lint"][..],
        &["lint", ".env"],
        &["check", "--env", "development", "--file", ".env"],
    ] {
        if args[0] == "check" {
            write(
                repo.path(),
                "launchgate.yml",
                "env:\n  vars:\n    AWS_ACCESS_KEY_ID: { type: string }\n",
            );
        }
        let (code, findings, notes) = run(repo.path(), args);
        assert_eq!((code, findings.len()), (0, 0), "{args:?}: {findings:?} {notes:?}");
        let note = notes
            .iter()
            .find(|n| n.starts_with("skipped .env: it is a symbolic link to "));
        assert!(
            note.is_some_and(|n| n.contains("credentials")),
            "{args:?}: {notes:?}"
        );
    }
    let _ = std::fs::remove_file(repo.path().join("launchgate.yml"));
    let (code, _, _) = run(repo.path(), &["lint", "--fix"]);
    assert_eq!(code, 0);
    assert!(
        std::fs::symlink_metadata(repo.path().join(".env"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("credentials")).unwrap(),
        format!("AWS_ACCESS_KEY_ID={AWS_KEY}\r\n"),
        "the outside file is left alone"
    );
}

#[test]
fn fix_through_a_link_inside_fixes_the_target_and_keeps_link_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "config/base.env", "A=1\r\nB = 2\n");
    let target = dir.path().join("config/base.env");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    symlink("config/base.env", dir.path().join(".env")).unwrap();
    let (code, _, notes) = run(dir.path(), &["lint", "--fix", ".env"]);
    assert_eq!(code, 0, "{notes:?}");
    assert!(notes.contains(&"fixed 1 of 1 files".to_string()), "{notes:?}");
    let link = std::fs::symlink_metadata(dir.path().join(".env")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "A=1\nB=2\n");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn fix_keeps_a_plain_files_mode() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "A=1  \n");
    let path = dir.path().join(".env");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, _) = run(dir.path(), &["lint", "--fix", ".env"]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=1\n");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

#[test]
fn an_oversized_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join(".env")).unwrap();
    file.set_len((16 << 20) + 1).unwrap();
    for args in [
        &["lint", ".env"][..],
        &["check", "--env", "development", "--file", ".env"],
    ] {
        write(
            dir.path(),
            "launchgate.yml",
            "env:\n  vars:\n    A: { type: string }\n",
        );
        let (code, _, stderr) = run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            stderr[0].contains(".env is larger than 16 MiB"),
            "{args:?}: {stderr:?}"
        );
    }
}

#[test]
fn a_pipe_is_an_error_not_a_read_that_never_ends() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join(".env"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (code, _, stderr) = run(dir.path(), &["lint", ".env"]);
    assert_eq!(code, 2);
    assert!(stderr[0].contains(".env is not a regular file"), "{stderr:?}");
}

#[test]
fn a_folder_named_as_a_file_is_an_error_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".env.local")).unwrap();
    let (code, _, stderr) = run(dir.path(), &["lint", ".env.local"]);
    assert_eq!(code, 2);
    assert!(
        stderr[0].contains(".env.local is not a regular file: it is a folder"),
        "{stderr:?}"
    );
}

#[test]
fn init_appends_through_a_link_inside_and_refuses_one_leaving() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env.example", "PORT=3000\n");
    write(dir.path(), "config/launchgate.yml", "secrets: {}\n");
    let real = dir.path().join("config/launchgate.yml");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o664)).unwrap();
    symlink("config/launchgate.yml", dir.path().join("launchgate.yml")).unwrap();
    bin(dir.path()).arg("init").assert().code(0);
    assert!(
        std::fs::symlink_metadata(dir.path().join("launchgate.yml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("PORT: { type: port")
    );
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o664
    );

    let outside = tempfile::tempdir().unwrap();
    let elsewhere = outside.path().join("config.yml");
    std::fs::write(&elsewhere, "secrets: {}\n").unwrap();
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), ".env.example", "PORT=3000\n");
    symlink(&elsewhere, repo.path().join("launchgate.yml")).unwrap();
    let out = bin(repo.path())
        .args(["--config", "/dev/null", "init"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not written: skipped launchgate.yml: it is a symbolic link"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "secrets: {}\n");
}

#[test]
fn a_file_named_through_a_linked_folder_is_judged_by_where_it_really_is() {
    // Files of one folder share its resolved path; a link in the path must still count.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".env"), format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n")).unwrap();
    std::fs::write(home.path().join(".env.local"), "A=1\n").unwrap();
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), "config/.env", "B=2\n");
    write(repo.path(), "config/.env.local", "C=3\n");
    symlink(home.path(), repo.path().join("outside")).unwrap();
    symlink("config", repo.path().join("inside")).unwrap();
    git_repo(repo.path(), &["config/.env", "config/.env.local"]);
    let (code, findings, notes) = run(
        repo.path(),
        &[
            "lint",
            "inside/.env",
            "outside/.env",
            "inside/.env.local",
            "outside/.env.local",
        ],
    );
    assert_eq!((code, findings.len()), (0, 0), "{findings:?} {notes:?}");
    for name in ["outside/.env", "outside/.env.local"] {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&format!("skipped {name}: it is a symbolic link to "))),
            "{name}: {notes:?}"
        );
    }
    assert!(
        !notes.iter().any(|n| n.contains("inside/")),
        "a link that stays inside is read: {notes:?}"
    );
}
