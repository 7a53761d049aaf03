//! Which commits a CI run should scan, decided from the GitHub event that started it.
//!
//! [`plan`] is pure: it reads the event name (`GITHUB_EVENT_NAME`) and the event payload
//! (the file at `GITHUB_EVENT_PATH`) and returns a [`ScanPlan`]. [`rev_list_args`] then checks
//! the plan against the local clone and returns the `git rev-list` arguments that select
//! those commits. A base commit missing from a shallow clone is an [`Error`] (exit 2) that
//! says how to fix the checkout, never a silent full or empty scan.

use std::path::Path;

use serde_json::Value;

use launchgate_core::Error;

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
        let offset = launchgate_core::error::offset_of(event_json, e.line(), e.column());
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

/// The most read of the event payload: GitHub caps webhook payloads at 25 MB.
pub const MAX_EVENT_FILE_SIZE: u64 = 32 * 1024 * 1024;

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
    let text =
        launchgate_core::bounded::read_file_text(Path::new(&path), MAX_EVENT_FILE_SIZE, "the event payload")?;
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
    if !out.success {
        return Err(Error::input(format!(
            "{} is not a git repository: {}",
            repo.display(),
            out.stderr.trim()
        ))
        .with_help("run launchgate from the checked-out repository (actions/checkout)"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "true")
}

fn git(repo: &Path, args: &[&str]) -> Result<launchgate_core::git::GitOutput, Error> {
    launchgate_core::git::Git::new(repo)
        .cmd("the event's commits", args)
        .run()
}

fn git_ok(repo: &Path, args: &[&str]) -> bool {
    git(repo, args).is_ok_and(|o| o.success)
}

#[cfg(test)]
mod tests;
