//! Where a blob came from: the first commit that put it at a path. Only blobs holding a
//! finding pay for this, with one `git log --raw` walk, oldest commit first.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use launchgate_core::Error;

use super::git::{Repo, git_failed, spawn_error, unquote_path};

/// The commit that introduced a blob at a path.
#[derive(Debug, Clone, PartialEq)]
pub struct Introduced {
    pub commit: String,
    pub author: String,
    /// Author date, ISO 8601.
    pub date: String,
    /// Committer time, seconds since the epoch: orders introductions across shards.
    pub time: i64,
    pub path: String,
}

/// Commit header lines start with this byte, which git never prints in a raw diff line.
const HEADER: char = '\u{1}';

/// The first introduction of each wanted blob in the history reachable from `refs`.
pub fn first_introductions(
    repo: &Repo,
    refs: &[String],
    wanted: &HashSet<String>,
) -> Result<HashMap<String, Introduced>, Error> {
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    // Combined raw diffs (`-c`) show what a merge itself adds (a conflict resolution) without
    // repeating what its branches added.
    let mut child = repo
        .git()
        .args([
            // Trees are read once each, in commit order: a small delta base cache serves that
            // as well as git's 96 MiB default, at a fraction of the memory.
            "-c",
            "core.deltaBaseCacheLimit=16m",
            "log",
            "--reverse",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--root",
            "-c",
            "--format=%x01%H%x00%an <%ae>%x00%aI%x00%ct",
        ])
        .args(refs)
        .arg("--")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error("the commit history", &e))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut current: Option<Introduced> = None;
    for line in BufReader::with_capacity(1 << 20, stdout).lines() {
        let Ok(line) = line else { continue };
        if let Some(header) = line.strip_prefix(HEADER) {
            let mut parts = header.split('\0');
            current = Some(Introduced {
                commit: parts.next().unwrap_or_default().to_string(),
                author: parts.next().unwrap_or_default().to_string(),
                date: parts.next().unwrap_or_default().to_string(),
                time: parts.next().and_then(|t| t.parse().ok()).unwrap_or(0),
                path: String::new(),
            });
            continue;
        }
        let (Some(commit), Some((meta, path))) = (&current, line.split_once('\t')) else {
            continue;
        };
        if !meta.starts_with(':') {
            continue;
        }
        // `:old_mode… new_mode old_id… new_id status`: the new id is next to last.
        let Some(new_id) = meta.split_whitespace().rev().nth(1) else {
            continue;
        };
        if wanted.contains(new_id) && !found.contains_key(new_id) {
            found.insert(
                new_id.to_string(),
                Introduced {
                    path: unquote_path(path),
                    ..commit.clone()
                },
            );
        }
    }
    let output = child
        .wait_with_output()
        .map_err(|e| spawn_error("the commit history", &e))?;
    if !output.status.success() {
        return Err(git_failed("the commit history", &output.stderr));
    }
    Ok(found)
}

/// HEAD's tree: its blob ids, and how many submodules it records.
#[derive(Debug, Default)]
pub struct HeadTree {
    pub blobs: HashSet<String>,
    pub submodules: usize,
}

pub fn head_tree(repo: &Repo) -> Result<HeadTree, Error> {
    let mut tree = HeadTree::default();
    let Some(head) = &repo.head else {
        return Ok(tree);
    };
    let mut cmd = repo.git();
    cmd.args(["ls-tree", "-r", "--full-tree", head]);
    let out = super::git::run(cmd, "HEAD's tree")?;
    for line in super::git::lines(&out) {
        let Some((meta, _path)) = line.split_once('\t') else {
            continue;
        };
        let mut fields = meta.split(' ');
        let (_mode, kind, id) = (fields.next(), fields.next(), fields.next());
        match (kind, id) {
            (Some("blob"), Some(id)) => {
                tree.blobs.insert(id.to_string());
            }
            (Some("commit"), _) => tree.submodules += 1,
            _ => {}
        }
    }
    Ok(tree)
}
