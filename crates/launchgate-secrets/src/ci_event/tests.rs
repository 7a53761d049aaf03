use super::*;

const A: &str = "1111111111111111111111111111111111111111";
const B: &str = "2222222222222222222222222222222222222222";
const ZERO: &str = "0000000000000000000000000000000000000000";

fn plan_of(event: &str, json: &str) -> Result<ScanPlan, Error> {
    plan(event, "event.json", json, None)
}

#[test]
fn pull_request_scans_base_to_head() {
    let json = format!(r#"{{"pull_request": {{"base": {{"sha": "{A}"}}, "head": {{"sha": "{B}"}}}}}}"#);
    let expected = ScanPlan::Range {
        base: A.into(),
        head: B.into(),
        forced: false,
    };
    assert_eq!(plan_of("pull_request", &json).unwrap(), expected);
    assert_eq!(plan_of("pull_request_target", &json).unwrap(), expected);
}

#[test]
fn push_scans_before_to_after() {
    let json = format!(r#"{{"before": "{A}", "after": "{B}", "forced": false}}"#);
    assert_eq!(
        plan_of("push", &json).unwrap(),
        ScanPlan::Range {
            base: A.into(),
            head: B.into(),
            forced: false
        }
    );
}

#[test]
fn force_push_is_still_before_to_after_and_says_why() {
    let json = format!(r#"{{"before": "{A}", "after": "{B}", "forced": true}}"#);
    let plan = plan_of("push", &json).unwrap();
    assert_eq!(
        plan,
        ScanPlan::Range {
            base: A.into(),
            head: B.into(),
            forced: true
        }
    );
    assert!(plan.describe().contains("force push"), "{}", plan.describe());
}

#[test]
fn new_branch_push_compares_with_the_default_branch() {
    let json =
        format!(r#"{{"before": "{ZERO}", "after": "{B}", "repository": {{"default_branch": "trunk"}}}}"#);
    assert_eq!(
        plan_of("push", &json).unwrap(),
        ScanPlan::NewBranch {
            head: B.into(),
            default_branch: "trunk".into()
        }
    );
    assert_eq!(
        plan("push", "event.json", &json, Some("main")).unwrap(),
        ScanPlan::NewBranch {
            head: B.into(),
            default_branch: "main".into()
        }
    );
    let without = format!(r#"{{"before": "{ZERO}", "after": "{B}"}}"#);
    let err = plan_of("push", &without).unwrap_err();
    assert!(err.message().contains("created a branch"), "{}", err.message());
}

#[test]
fn deleting_a_branch_scans_nothing() {
    let json = format!(r#"{{"before": "{A}", "after": "{ZERO}"}}"#);
    assert!(matches!(
        plan_of("push", &json).unwrap(),
        ScanPlan::Nothing { .. }
    ));
}

#[test]
fn schedule_and_dispatch_scan_the_history() {
    assert_eq!(plan_of("schedule", "{}").unwrap(), ScanPlan::History);
    assert_eq!(
        plan_of("workflow_dispatch", "not even json").unwrap(),
        ScanPlan::History
    );
}

#[test]
fn merge_group_scans_its_range() {
    let json = format!(r#"{{"merge_group": {{"base_sha": "{A}", "head_sha": "{B}"}}}}"#);
    assert_eq!(
        plan_of("merge_group", &json).unwrap(),
        ScanPlan::Range {
            base: A.into(),
            head: B.into(),
            forced: false
        }
    );
}

#[test]
fn malformed_payload_names_file_line_and_column() {
    let err = plan_of("pull_request", "{\n  \"pull_request\": {\n    \"base\": ,\n").unwrap_err();
    assert!(
        err.message().contains("event.json is not valid JSON"),
        "{}",
        err.message()
    );
    assert_eq!(err.position(), Some((3, 13)));
    assert!(err.hint().unwrap().contains("GITHUB_EVENT_PATH"));
}

#[test]
fn missing_or_bad_commit_ids_are_errors() {
    let err = plan_of("pull_request", r#"{"pull_request": {"head": {"sha": "x"}}}"#).unwrap_err();
    assert_eq!(
        err.message(),
        "event.json: the pull_request event has no `pull_request.base.sha`"
    );
    let json = format!(r#"{{"before": "{A}", "after": "main"}}"#);
    let err = plan_of("push", &json).unwrap_err();
    assert_eq!(
        err.message(),
        "event.json: `after` of the push event is \"main\", not a commit id"
    );
    let err = plan_of("release", "{}").unwrap_err();
    assert!(err.message().contains("`release`"), "{}", err.message());
    assert!(err.hint().unwrap().contains("--range"));
}

mod git_repos {
    use super::super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn commit(dir: &Path, file: &str) -> String {
        std::fs::write(dir.join(file), file).unwrap();
        git(dir, &["add", file]);
        git(dir, &["commit", "-q", "-m", file]);
        git(dir, &["rev-parse", "HEAD"])
    }

    /// main: c1 - c2 - c3; feature (from c2): f1 - f2.
    struct Repo {
        _tmp: tempfile::TempDir,
        dir: PathBuf,
        c2: String,
        c3: String,
        f1: String,
        f2: String,
    }

    fn repo() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("origin");
        std::fs::create_dir(&dir).unwrap();
        git(&dir, &["init", "-q", "-b", "main"]);
        commit(&dir, "c1");
        let c2 = commit(&dir, "c2");
        let c3 = commit(&dir, "c3");
        git(&dir, &["checkout", "-q", "-b", "feature", &c2]);
        let f1 = commit(&dir, "f1");
        let f2 = commit(&dir, "f2");
        Repo {
            _tmp: tmp,
            dir,
            c2,
            c3,
            f1,
            f2,
        }
    }

    /// A `file://` URL, which `git clone --depth` needs (a plain path ignores the depth).
    fn file_url(path: &Path) -> String {
        let path = path.display().to_string().replace('\\', "/");
        if path.starts_with('/') {
            format!("file://{path}")
        } else {
            format!("file:///{path}")
        }
    }

    fn commits(dir: &Path, args: &[String]) -> Vec<String> {
        let mut cmd = vec!["rev-list"];
        cmd.extend(args.iter().map(String::as_str));
        git(dir, &cmd).lines().map(str::to_string).collect()
    }

    #[test]
    fn pull_request_range_selects_the_branch_commits() {
        let r = repo();
        let plan = ScanPlan::Range {
            base: r.c2.clone(),
            head: r.f2.clone(),
            forced: false,
        };
        let args = rev_list_args(&r.dir, &plan).unwrap();
        assert_eq!(args, vec![format!("{}..{}", r.c2, r.f2)]);
        assert_eq!(commits(&r.dir, &args), vec![r.f2.clone(), r.f1.clone()]);
    }

    #[test]
    fn new_branch_selects_the_commits_not_on_the_default_branch() {
        let r = repo();
        let clone = r.dir.parent().unwrap().join("clone");
        let url = file_url(&r.dir);
        git(
            r.dir.parent().unwrap(),
            &["clone", "-q", "--no-checkout", &url, "clone"],
        );
        let plan = ScanPlan::NewBranch {
            head: r.f2.clone(),
            default_branch: "main".into(),
        };
        let args = rev_list_args(&clone, &plan).unwrap();
        assert_eq!(
            args,
            vec![r.f2.clone(), "--not".into(), "refs/remotes/origin/main".into()]
        );
        assert_eq!(commits(&clone, &args), vec![r.f2.clone(), r.f1.clone()]);

        let plan = ScanPlan::NewBranch {
            head: r.f2.clone(),
            default_branch: "trunk".into(),
        };
        let err = rev_list_args(&clone, &plan).unwrap_err();
        assert!(
            err.message().contains("`trunk` is not in this clone"),
            "{}",
            err.message()
        );
        assert_eq!(err.hint(), Some("set fetch-depth: 0 on actions/checkout"));
    }

    #[test]
    fn force_push_range_selects_the_rewritten_commits() {
        let r = repo();
        // The branch was main at c3, then force-pushed to the feature tip f2.
        let plan = ScanPlan::Range {
            base: r.c3.clone(),
            head: r.f2.clone(),
            forced: true,
        };
        let args = rev_list_args(&r.dir, &plan).unwrap();
        assert_eq!(commits(&r.dir, &args), vec![r.f2.clone(), r.f1.clone()]);

        let gone = "3333333333333333333333333333333333333333".to_string();
        let plan = ScanPlan::Range {
            base: gone,
            head: r.f2.clone(),
            forced: true,
        };
        let err = rev_list_args(&r.dir, &plan).unwrap_err();
        assert!(
            err.message()
                .contains("before the force push is not in this clone"),
            "{}",
            err.message()
        );
        assert!(err.hint().unwrap().contains("--range"), "{:?}", err.hint());
    }

    #[test]
    fn shallow_clone_without_the_base_is_an_error_with_the_fix() {
        let r = repo();
        let parent = r.dir.parent().unwrap();
        let url = file_url(&r.dir);
        git(
            parent,
            &[
                "clone", "-q", "--depth", "1", "--branch", "feature", &url, "shallow",
            ],
        );
        let shallow = parent.join("shallow");
        let plan = ScanPlan::Range {
            base: r.c2.clone(),
            head: r.f2.clone(),
            forced: false,
        };
        let err = rev_list_args(&shallow, &plan).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "the base commit {} is not in this shallow clone ({}), so the commits to scan are unknown",
                &r.c2[..12],
                shallow.display()
            )
        );
        assert_eq!(err.hint(), Some("set fetch-depth: 0 on actions/checkout"));
        // A forced push gets the same fix in a shallow clone: fetching more helps there.
        let plan = ScanPlan::Range {
            base: r.c2.clone(),
            head: r.f2.clone(),
            forced: true,
        };
        assert_eq!(
            rev_list_args(&shallow, &plan).unwrap_err().hint(),
            Some(FETCH_DEPTH_FIX)
        );
        let err = rev_list_args(&shallow, &ScanPlan::History).unwrap_err();
        assert!(err.message().contains("shallow"), "{}", err.message());
        assert_eq!(err.hint(), Some(FETCH_DEPTH_FIX));
    }

    #[test]
    fn history_and_nothing() {
        let r = repo();
        assert_eq!(
            rev_list_args(&r.dir, &ScanPlan::History).unwrap(),
            vec!["--all".to_string()]
        );
        let nothing = ScanPlan::Nothing {
            reason: "the push deleted a branch".into(),
        };
        assert!(rev_list_args(&r.dir, &nothing).unwrap().is_empty());
    }

    #[test]
    fn not_a_repository_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = verify_commit(tmp.path(), &"a".repeat(40), "base").unwrap_err();
        assert!(
            err.message().contains("is not a git repository"),
            "{}",
            err.message()
        );
    }
}
