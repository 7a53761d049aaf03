//! Where a blob came from: the first commit that put it at a path. Only blobs holding a
//! finding pay for this. The commits come in git's own order from `git rev-list --reverse`,
//! which runs while the blobs are scanned; the trees are read in-process, once each, and
//! each blob's paths are followed upwards from the trees that hold it to the commits.
//!
//! A commit introduces a blob at a path when the commit's tree holds it there and no parent's
//! does: what `git log --raw --no-renames --root -c` shows as new (a merge, only where it
//! differs from every parent; a commit whose parents the clone lacks, as a root).

use std::collections::{HashMap, HashSet};

use gix_hash::ObjectId;
use launchgate_core::Error;
use launchgate_core::git::{nul_fields, path_text};

use super::git::{Repo, lines};
use super::object_graph::{self, ObjectGraph};

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

/// The commits reachable from the scanned refs, oldest first in git's log order, listed by
/// git while the blobs are scanned.
#[derive(Debug)]
pub struct PendingOrder {
    lister: std::thread::JoinHandle<Result<Vec<ObjectId>, Error>>,
}

/// Starts listing the commits reachable from `refs`.
pub fn start_order(repo: &Repo, refs: &[String]) -> PendingOrder {
    let list = repo
        .git("the commit history", ["rev-list", "--reverse"])
        .args(refs)
        .arg("--");
    let lister = std::thread::spawn(move || {
        let out = list.output()?;
        Ok(lines(&out)
            .filter_map(|id| ObjectId::from_hex(id.as_bytes()).ok())
            .collect())
    });
    PendingOrder { lister }
}

impl PendingOrder {
    /// The first introduction of each wanted blob.
    pub fn first_introductions(
        self,
        repo: &Repo,
        wanted: &HashSet<String>,
    ) -> Result<HashMap<String, Introduced>, Error> {
        let order = self.lister.join().map_err(|_| {
            Error::input("reading the commit history failed unexpectedly").with_help("run the scan again")
        })??;
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let blobs: Vec<ObjectId> = wanted
            .iter()
            .filter_map(|id| ObjectId::from_hex(id.as_bytes()).ok())
            .collect();
        let graph = object_graph::read(repo, &blobs.iter().copied().collect())?;
        Ok(first_introductions(&graph, &order, &blobs))
    }
}

/// Paths below a tree, each a name and the path below it, stored once.
#[derive(Default)]
struct Paths {
    ids: foldhash::HashMap<(u32, u32), u32>,
    parts: Vec<(u32, u32)>,
}

/// The path id of a blob directly under its tree.
const LEAF: u32 = u32::MAX;

impl Paths {
    fn join(&mut self, name: u32, below: u32) -> u32 {
        let next = self.parts.len() as u32;
        *self.ids.entry((name, below)).or_insert_with(|| {
            self.parts.push((name, below));
            next
        })
    }

    fn text(&self, graph: &ObjectGraph, mut path: u32) -> String {
        let mut bytes = Vec::new();
        while path != LEAF {
            let (name, below) = self.parts[path as usize];
            if !bytes.is_empty() {
                bytes.push(b'/');
            }
            bytes.extend_from_slice(&graph.names[name as usize]);
            path = below;
        }
        path_text(&bytes)
    }
}

/// Each blob on its own: the commit trees that hold it, and where, found by walking up from
/// the trees that hold it; then, of the commits with those trees, the first in `order` that
/// holds it at a path none of its parents does. One blob's trees at a time: memory stays
/// the size of one blob's history, however many blobs have findings.
fn first_introductions(
    graph: &ObjectGraph,
    order: &[ObjectId],
    blobs: &[ObjectId],
) -> HashMap<String, Introduced> {
    // A tree stored twice (in two object folders) has two numbers; the index's is the one.
    let canonical = |tree: u32| graph.tree_index[&graph.trees[tree as usize]];
    let tree_of = |commit: &ObjectId| {
        graph
            .commits
            .get(commit)
            .and_then(|c| graph.tree_index.get(&c.tree).copied())
    };
    // The commits listed, by their tree, in order.
    let mut by_tree: foldhash::HashMap<u32, Vec<usize>> = foldhash::HashMap::default();
    for (at, commit) in order.iter().enumerate() {
        if let Some(tree) = tree_of(commit) {
            by_tree.entry(tree).or_default().push(at);
        }
    }
    let mut paths = Paths::default();
    let mut found = HashMap::new();
    let mut held: foldhash::HashMap<u32, Vec<u32>> = foldhash::HashMap::default();
    let mut seen = foldhash::HashSet::default();
    let mut stack = Vec::new();
    let mut candidates = Vec::new();
    for blob in blobs {
        held.clear();
        seen.clear();
        for edge in graph.parents_of(blob) {
            stack.push((edge.parent, paths.join(edge.name, LEAF)));
        }
        while let Some((tree, path)) = stack.pop() {
            if !seen.insert((tree, path)) {
                continue;
            }
            let tree_id = canonical(tree);
            if by_tree.contains_key(&tree_id) {
                held.entry(tree_id).or_default().push(path);
            }
            for edge in graph.parents_of_tree(tree) {
                stack.push((edge.parent, paths.join(edge.name, path)));
            }
        }
        candidates.clear();
        candidates.extend(held.keys().flat_map(|tree| by_tree[tree].iter().copied()));
        candidates.sort_unstable();
        for &at in &candidates {
            let commit = &order[at];
            let Some(here) = tree_of(commit).and_then(|t| held.get(&t)) else {
                continue;
            };
            let parents: Vec<&Vec<u32>> = graph.commits[commit]
                .parents
                .iter()
                .filter_map(|p| tree_of(p).and_then(|t| held.get(&t)))
                .collect();
            // git lists a commit's changes by path: the first path it appears at is the one.
            let first_new = here
                .iter()
                .filter(|path| !parents.iter().any(|p| p.contains(path)))
                .map(|&path| (paths.text(graph, path), path))
                .min();
            if let Some((text, _)) = first_new {
                let info = &graph.commits[commit];
                found.insert(
                    blob.to_string(),
                    Introduced {
                        commit: commit.to_string(),
                        author: info.author.clone(),
                        date: iso_date(info.author_time, info.author_offset),
                        time: info.commit_time,
                        path: text,
                    },
                );
                break;
            }
        }
    }
    found
}

/// A time as git's `%aI` writes it, in the author's own offset: `2023-11-14T22:13:20+01:00`,
/// or `2023-11-14T22:13:20Z` in UTC.
fn iso_date(seconds: i64, offset: i32) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let zone = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    let offset = time::UtcOffset::from_whole_seconds(offset).unwrap_or(time::UtcOffset::UTC);
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(seconds).map(|t| t.to_offset(offset)) else {
        return String::new();
    };
    let zone = if offset.is_utc() {
        "Z".to_string()
    } else {
        at.format(zone).unwrap_or_default()
    };
    at.format(format).map(|t| t + &zone).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_git_writes_them() {
        assert_eq!(iso_date(1_700_000_000, 0), "2023-11-14T22:13:20Z");
        assert_eq!(iso_date(1_700_000_000, 3600), "2023-11-14T23:13:20+01:00");
        assert_eq!(
            iso_date(1_700_000_000, -(7 * 3600 + 1800)),
            "2023-11-14T14:43:20-07:30"
        );
    }
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
    let out = repo
        .git(
            "HEAD's tree",
            ["ls-tree", "-r", "-z", "--full-tree", head.as_str()],
        )
        .output()?;
    for record in nul_fields(&out) {
        let Some(tab) = record.iter().position(|&b| b == b'\t') else {
            continue;
        };
        let meta = String::from_utf8_lossy(&record[..tab]);
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
