//! Where a blob came from: the first commit that put it at a path. Only blobs holding a
//! finding pay for this, with one `git log --raw` walk, oldest commit first.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Seek, Write};

use launchgate_core::Error;
use launchgate_core::git::{nul_fields, path_text};

use super::git::Repo;

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
const HEADER: &[u8] = b"\x01";

/// The commit history's raw diffs, which git writes to a temporary file while the blobs
/// are scanned: walking every commit's tree changes takes git about as long as decoding the
/// blobs takes the scan, and the two run side by side. The file, not memory, holds the log.
#[derive(Debug)]
pub struct PendingLog {
    writer: std::thread::JoinHandle<Result<std::fs::File, Error>>,
}

/// Starts git's walk of the history reachable from `refs`.
pub fn start_log(repo: &Repo, refs: &[String]) -> PendingLog {
    // Combined raw diffs (`-c`) show what a merge itself adds (a conflict resolution) without
    // repeating what its branches added. `-z`: paths raw, whatever bytes they hold.
    let log = repo
        .git(
            "the commit history",
            [
                // Trees are read once each, in commit order: a small delta base cache serves
                // that as well as git's 96 MiB default, at a fraction of the memory. Not
                // smaller: with 4 MiB, trees stored as long delta chains are resolved again
                // and again (over twice the page faults on the benchmark repository).
                "-c",
                "core.deltaBaseCacheLimit=16m",
                // It runs beside the blob scan, which maps the same packs: small windows
                // keep git from holding a second copy of their pages resident.
                "-c",
                "core.packedGitWindowSize=1m",
                "-c",
                "core.packedGitLimit=8m",
                "log",
                "--reverse",
                "--raw",
                "-z",
                "--no-abbrev",
                "--no-renames",
                "--root",
                "-c",
                "--format=%x01%H%x00%an <%ae>%x00%aI%x00%ct",
            ],
        )
        .args(refs)
        .arg("--");
    let writer = std::thread::spawn(move || {
        let unwritable = |e: std::io::Error| {
            Error::input(format!(
                "cannot write the commit history to a temporary file: {e}"
            ))
            .with_help("make room in the temporary folder (TMPDIR), or point TMPDIR elsewhere")
        };
        let mut file = tempfile::tempfile().map_err(unwritable)?;
        log.stream(|out| {
            let mut to = std::io::BufWriter::with_capacity(1 << 20, &mut file);
            std::io::copy(out, &mut to).map_err(unwritable)?;
            to.flush().map_err(unwritable)
        })?;
        file.seek(std::io::SeekFrom::Start(0)).map_err(unwritable)?;
        Ok(file)
    });
    PendingLog { writer }
}

impl PendingLog {
    /// The first introduction of each wanted blob, once git has written the whole log.
    pub fn first_introductions(self, wanted: &HashSet<String>) -> Result<HashMap<String, Introduced>, Error> {
        let file = self.writer.join().map_err(|_| {
            Error::input("reading the commit history failed unexpectedly").with_help("run the scan again")
        })??;
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        read_log(&mut std::io::BufReader::with_capacity(1 << 20, file), wanted)
    }
}

/// The first introduction of each wanted blob in a log `start_log` wrote, oldest commit first.
fn read_log(out: &mut dyn BufRead, wanted: &HashSet<String>) -> Result<HashMap<String, Introduced>, Error> {
    let mut found = HashMap::new();
    let mut current: Option<Introduced> = None;
    let mut field = Vec::new();
    let mut next = |field: &mut Vec<u8>| -> Result<bool, Error> {
        field.clear();
        let n = out
            .read_until(0, field)
            .map_err(|e| Error::input(format!("cannot read git's output for the commit history: {e}")))?;
        if field.last() == Some(&0) {
            field.pop();
        }
        // The raw entries of a commit start on a new line after its header.
        if field.first() == Some(&b'\n') {
            field.remove(0);
        }
        Ok(n > 0)
    };
    while next(&mut field)? {
        if let Some(commit) = field.strip_prefix(HEADER) {
            let commit = String::from_utf8_lossy(commit).into_owned();
            let mut header = [String::new(), String::new(), String::new()];
            for part in &mut header {
                next(&mut field)?;
                *part = String::from_utf8_lossy(&field).into_owned();
            }
            let [author, date, time] = header;
            current = Some(Introduced {
                commit,
                author,
                date,
                time: time.parse().unwrap_or(0),
                path: String::new(),
            });
            continue;
        }
        if !field.starts_with(b":") {
            continue;
        }
        // `:old_mode… new_mode old_id… new_id status`: the new id is next to last.
        let meta = String::from_utf8_lossy(&field).into_owned();
        if !next(&mut field)? {
            break;
        }
        let (Some(commit), Some(new_id)) = (&current, meta.split_whitespace().rev().nth(1)) else {
            continue;
        };
        if wanted.contains(new_id) && !found.contains_key(new_id) {
            found.insert(
                new_id.to_string(),
                Introduced {
                    path: path_text(&field),
                    ..commit.clone()
                },
            );
        }
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
