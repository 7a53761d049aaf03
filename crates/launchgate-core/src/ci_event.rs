//! Which commits a CI run should scan, decided from the GitHub event that started it.
//!
//! [`plan`] is pure: it reads the event name (`GITHUB_EVENT_NAME`) and the event payload
//! (the file at `GITHUB_EVENT_PATH`) and returns a [`ScanPlan`]. [`rev_list_args`] then checks
//! the plan against the local clone and returns the `git rev-list` arguments that select
//! those commits. A base commit missing from a shallow clone is an [`Error`] (exit 2) that
//! says how to fix the checkout, never a silent full or empty scan.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::error::Error;

/// The commits a CI run scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanPlan {
    /// The commits reachable from `head` and not from `base` (`git rev-list base..head`).
    ///
    /// A pull request's base and head, or a push's `before` and `after`. After a force push
    /// `base` is the old tip, which need not be an ancestor of `head`: `base..head` is still
    /// exactly the commits the push introduced (the rewritten ones), and `forced` records why
    /// the range may look odd.
    Range {
        base: String,
        head: String,
        forced: bool,
    },
    /// A push that created a branch (`before` is all zeros): the commits of `head` that are
    /// not on the default branch.
    NewBranch { head: String, default_branch: String },
    /// A scheduled or manual run: every commit of the repository.
    History,
    /// Nothing to scan, for the reason given (a push that deleted a branch).
    Nothing { reason: String },
}

impl ScanPlan {
    /// One line for logs: what is scanned and why.
    pub fn describe(&self) -> String {
        match self {
            ScanPlan::Range {
                base,
                head,
                forced: false,
            } => {
                format!("commits {}..{}", short(base), short(head))
            }
            ScanPlan::Range {
                base,
                head,
                forced: true,
            } => format!(
                "commits {}..{} (a force push: the commits of the new tip that the old tip did not have)",
                short(base),
                short(head)
            ),
            ScanPlan::NewBranch { head, default_branch } => format!(
                "commits of the new branch at {} that are not on {default_branch}",
                short(head)
            ),
            ScanPlan::History => "the whole history".to_string(),
            ScanPlan::Nothing { reason } => format!("nothing ({reason})"),
        }
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The scan plan for a GitHub event.
///
/// `event_name` is `GITHUB_EVENT_NAME`, `event_json` the payload at `GITHUB_EVENT_PATH`
/// (`event_file` names it in errors), `default_branch` the branch a new branch is compared
/// against; when `None`, the payload's `repository.default_branch` is used.
pub fn plan(
    event_name: &str,
    event_file: &str,
    event_json: &str,
    default_branch: Option<&str>,
) -> Result<ScanPlan, Error> {
    match event_name {
        "schedule" | "workflow_dispatch" => return Ok(ScanPlan::History),
        "pull_request" | "pull_request_target" | "push" | "merge_group" => {}
        other => {
            return Err(Error::input(format!(
                "GITHUB_EVENT_NAME `{other}` has no commit range launchgate knows how to scan"
            ))
            .with_help(
                "run on pull_request, push, merge_group, schedule or workflow_dispatch, \
                 or name the commits yourself with --range BASE..HEAD or --history",
            ));
        }
    }
    let event: Value = serde_json::from_str(event_json).map_err(|e| {
        let offset = crate::error::offset_of(event_json, e.line(), e.column());
        Error::at_source(
            format!("the {event_name} event payload {event_file} is not valid JSON: {e}"),
            event_file,
            event_json,
            offset,
            1,
            "here",
        )
        .with_help("GITHUB_EVENT_PATH must name the event file the runner wrote")
    })?;
    let field =
        |pointer: &str| -> Result<String, Error> { commit_at(&event, pointer, event_name, event_file) };
    match event_name {
        "pull_request" | "pull_request_target" => Ok(ScanPlan::Range {
            base: field("/pull_request/base/sha")?,
            head: field("/pull_request/head/sha")?,
            forced: false,
        }),
        "merge_group" => Ok(ScanPlan::Range {
            base: field("/merge_group/base_sha")?,
            head: field("/merge_group/head_sha")?,
            forced: false,
        }),
        _ => {
            let before = field("/before")?;
            let after = field("/after")?;
            if is_zero(&after) {
                return Ok(ScanPlan::Nothing {
                    reason: "the push deleted a branch".to_string(),
                });
            }
            if is_zero(&before) {
                let default_branch = match default_branch {
                    Some(b) if !b.is_empty() => b.to_string(),
                    _ => event
                        .pointer("/repository/default_branch")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| {
                            Error::input(format!(
                                "{event_file}: a push that created a branch, and no default branch to compare it with"
                            ))
                            .with_help("the payload has no repository.default_branch; pass the default branch explicitly")
                        })?,
                };
                return Ok(ScanPlan::NewBranch {
                    head: after,
                    default_branch,
                });
            }
            let forced = event.pointer("/forced").and_then(Value::as_bool).unwrap_or(false);
            Ok(ScanPlan::Range {
                base: before,
                head: after,
                forced,
            })
        }
    }
}

/// The scan plan of the current GitHub Actions run, from `GITHUB_EVENT_NAME` and
/// `GITHUB_EVENT_PATH`.
pub fn plan_from_env(default_branch: Option<&str>) -> Result<ScanPlan, Error> {
    let name = std::env::var("GITHUB_EVENT_NAME").map_err(|_| {
        Error::input("--ci needs GITHUB_EVENT_NAME, which GitHub Actions sets")
            .with_help("outside GitHub Actions, use --staged, --range BASE..HEAD or --history")
    })?;
    let path = std::env::var("GITHUB_EVENT_PATH").map_err(|_| {
        Error::input("--ci needs GITHUB_EVENT_PATH, which GitHub Actions sets")
            .with_help("outside GitHub Actions, use --staged, --range BASE..HEAD or --history")
    })?;
    if matches!(name.as_str(), "schedule" | "workflow_dispatch") {
        return Ok(ScanPlan::History);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(Path::new(&path), &e))?;
    plan(&name, &path, &text, default_branch)
}

fn commit_at(event: &Value, pointer: &str, event_name: &str, event_file: &str) -> Result<String, Error> {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    let value = event.pointer(pointer).ok_or_else(|| {
        Error::input(format!("{event_file}: the {event_name} event has no `{field}`"))
            .with_help("GITHUB_EVENT_PATH must name the payload of the event in GITHUB_EVENT_NAME")
    })?;
    let sha = value.as_str().unwrap_or_default();
    let is_hex = sha.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex || !(sha.len() == 40 || sha.len() == 64) {
        return Err(Error::input(format!(
            "{event_file}: `{field}` of the {event_name} event is {value}, not a commit id"
        ))
        .with_help("a commit id is 40 (or 64) hexadecimal digits"));
    }
    Ok(sha.to_ascii_lowercase())
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

/// Checks the plan against the clone at `repo` and returns the `git rev-list` arguments that
/// select its commits (empty for [`ScanPlan::Nothing`]; `--all` for the history).
pub fn rev_list_args(repo: &Path, plan: &ScanPlan) -> Result<Vec<String>, Error> {
    match plan {
        ScanPlan::Range { base, head, forced } => {
            verify_commit(repo, head, "head")?;
            match verify_commit(repo, base, "base") {
                Err(e) if *forced && !is_shallow(repo)? => Err(Error::input(format!(
                    "the commit {} before the force push is not in this clone: {}",
                    short(base),
                    e.message()
                ))
                .with_help("the rewritten commits are unreachable now; scan the branch with --range <default branch>..HEAD")),
                other => other,
            }?;
            Ok(vec![format!("{base}..{head}")])
        }
        ScanPlan::NewBranch { head, default_branch } => {
            verify_commit(repo, head, "head")?;
            let candidates = [
                format!("refs/remotes/origin/{default_branch}"),
                format!("refs/heads/{default_branch}"),
            ];
            let found = candidates.iter().find(|r| {
                git_ok(
                    repo,
                    &["rev-parse", "--verify", "--quiet", &format!("{r}^{{commit}}")],
                )
            });
            match found {
                Some(reference) => Ok(vec![head.clone(), "--not".to_string(), reference.clone()]),
                None => Err(Error::input(format!(
                    "the default branch `{default_branch}` is not in this clone, so the commits of the new branch cannot be told apart"
                ))
                .with_help(FETCH_DEPTH_FIX)),
            }
        }
        ScanPlan::History => {
            if is_shallow(repo)? {
                return Err(Error::input(
                    "the history scan needs the whole history, and this clone is shallow",
                )
                .with_help(FETCH_DEPTH_FIX));
            }
            Ok(vec!["--all".to_string()])
        }
        ScanPlan::Nothing { .. } => Ok(Vec::new()),
    }
}

const FETCH_DEPTH_FIX: &str = "set fetch-depth: 0 on actions/checkout";

/// Checks that `sha` names a commit of the clone at `repo`; `what` names it in the error
/// ("base", "head"). A missing commit is the exit-2 error with the checkout fix.
pub fn verify_commit(repo: &Path, sha: &str, what: &str) -> Result<(), Error> {
    if git_ok(repo, &["cat-file", "-e", &format!("{sha}^{{commit}}")]) {
        return Ok(());
    }
    let shallow = is_shallow(repo)?;
    let clone = if shallow {
        "this shallow clone"
    } else {
        "this clone"
    };
    Err(Error::input(format!(
        "the {what} commit {} is not in {clone} ({}), so the commits to scan are unknown",
        short(sha),
        repo.display()
    ))
    .with_help(FETCH_DEPTH_FIX))
}

fn is_shallow(repo: &Path) -> Result<bool, Error> {
    let out = git(repo, &["rev-parse", "--is-shallow-repository"])?;
    if !out.status.success() {
        return Err(Error::input(format!(
            "{} is not a git repository: {}",
            repo.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
        .with_help("run launchgate from the checked-out repository (actions/checkout)"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "true")
}

fn git(repo: &Path, args: &[&str]) -> Result<std::process::Output, Error> {
    Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|e| Error::input(format!("cannot run git: {e}")).with_help("install git and put it on PATH"))
}

fn git_ok(repo: &Path, args: &[&str]) -> bool {
    git(repo, args).map(|o| o.status.success()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
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
}
