//! Every blob once: enumerate the object database (packs and loose objects) in pack order,
//! stream each blob out of one `git cat-file --batch` process into the engine on every
//! core, and keep only the blobs that hold a finding.
//!
//! Pack order matters: git resolves a delta chain from its in-memory base cache when the
//! objects of one chain are asked for together, which is what `--unordered` yields. Memory
//! stays bounded: a blob is dropped as soon as it is scanned.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdout, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use launchgate_core::Error;
use rayon::iter::{IntoParallelIterator, ParallelBridge, ParallelIterator};

use super::git::{Repo, git_failed, lines, spawn_error};
use super::shard::Shard;
use crate::engine::{Engine, Match, inline_allowed};
use crate::files::is_binary;

/// Which blobs to scan.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Every blob in the object database; blobs that no ref reaches are dropped later, when
    /// provenance finds no commit for them.
    AllObjects,
    /// The blobs reachable from these `git rev-list` arguments (refs, `--since`).
    Reachable(Vec<String>),
}

/// A blob with at least one match.
#[derive(Debug)]
pub struct BlobHit {
    pub id: String,
    /// Each match, and whether its line carries an allow comment.
    pub matches: Vec<(Match, bool)>,
}

/// What a blob pass found and what it skipped.
#[derive(Debug, Default)]
pub struct BlobScan {
    pub hits: Vec<BlobHit>,
    pub scanned: usize,
    pub bytes: u64,
    pub skipped_large: usize,
    pub skipped_binary: usize,
    pub skipped_lfs: usize,
    /// Blobs left to other shards.
    pub other_shards: usize,
}

const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/";

/// Scans each selected blob exactly once.
pub fn scan_blobs(
    repo: &Repo,
    engine: &Engine,
    selection: &Selection,
    shard: Option<Shard>,
    max_size: u64,
) -> Result<BlobScan, Error> {
    // The listing streams runs of blob ids, in pack order, into a queue that one
    // `cat-file` process per core (up to 4) takes from as it goes: decoding starts with the
    // first run, a run's delta chains stay warm in one process's base cache, and a process
    // that meets cheap objects simply takes more runs.
    let processes = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    let (send, receive) = std::sync::mpsc::channel::<Vec<String>>();
    let queue = std::sync::Arc::new(Mutex::new(receive));
    let mut decoders = Vec::new();
    for _ in 0..processes {
        decoders.push(Decoder::spawn(repo, queue.clone())?);
    }
    let (listing, scan) = std::thread::scope(|scope| {
        let listing = scope.spawn(|| list_blobs(repo, selection, shard, max_size, send));
        let scan = scan_streams(engine, &mut decoders);
        (listing.join(), scan)
    });
    let counts = listing.unwrap_or_else(|_| Err(Error::input("listing the blobs failed")));
    for decoder in decoders {
        decoder.finish(repo)?;
    }
    let counts = counts?;
    let mut scan = scan?;
    scan.other_shards = counts.other_shards;
    scan.skipped_large = counts.skipped_large;
    Ok(scan)
}

/// Scans what the decoders stream, on every core.
fn scan_streams(engine: &Engine, decoders: &mut [Decoder]) -> Result<BlobScan, Error> {
    let mut scan = BlobScan::default();
    let readers: Vec<BlobReader> = decoders.iter_mut().filter_map(|d| d.reader.take()).collect();

    let hits = Mutex::new(Vec::new());
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let scanned = AtomicUsize::new(0);
    let bytes = AtomicU64::new(0);
    let binary = AtomicUsize::new(0);
    let lfs = AtomicUsize::new(0);
    let scan_one = |blob: Result<(String, Vec<u8>), Error>| {
        let (id, data) = match blob {
            Ok(blob) => blob,
            Err(e) => {
                failure.lock().expect("not poisoned").get_or_insert(e);
                return;
            }
        };
        if data.starts_with(LFS_POINTER) && data.len() < 1024 {
            lfs.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if is_binary(&data) {
            binary.fetch_add(1, Ordering::Relaxed);
            return;
        }
        scanned.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        // Paths are only known after provenance; path allowlists apply there.
        let matches: Vec<(Match, bool)> = engine
            .scan_bytes("", &data)
            .into_iter()
            .map(|m| {
                let allowed = inline_allowed(&data, &m.range);
                (m, allowed)
            })
            .collect();
        if !matches.is_empty() {
            hits.lock().expect("not poisoned").push(BlobHit { id, matches });
        }
    };
    readers
        .into_par_iter()
        .for_each(|reader| reader.par_bridge().for_each(scan_one));
    if let Some(e) = failure.into_inner().expect("not poisoned") {
        return Err(e);
    }
    scan.hits = hits.into_inner().expect("not poisoned");
    scan.hits.sort_by(|a, b| a.id.cmp(&b.id));
    scan.scanned = scanned.into_inner();
    scan.bytes = bytes.into_inner();
    scan.skipped_binary = binary.into_inner();
    scan.skipped_lfs = lfs.into_inner();
    Ok(scan)
}

/// What the listing left out.
#[derive(Debug, Default)]
struct ListCounts {
    other_shards: usize,
    skipped_large: usize,
}

/// Sends the blob ids to read, in pack order, each once, in runs of `RUN_LENGTH`.
fn list_blobs(
    repo: &Repo,
    selection: &Selection,
    shard: Option<Shard>,
    max_size: u64,
    send: std::sync::mpsc::Sender<Vec<String>>,
) -> Result<ListCounts, Error> {
    let mut counts = ListCounts::default();
    let reachable: Option<HashSet<String>> = match selection {
        Selection::AllObjects => None,
        Selection::Reachable(args) => {
            let mut cmd = repo.git();
            cmd.args([
                "rev-list",
                "--objects",
                "--no-object-names",
                "--filter=object:type=blob",
            ])
            .args(args)
            .arg("--");
            let output = cmd
                .stdin(Stdio::null())
                .output()
                .map_err(|e| spawn_error("the commits", &e))?;
            if !output.status.success() {
                return Err(object_error(repo, &output.stderr));
            }
            Some(lines(&output.stdout).map(str::to_string).collect())
        }
    };
    // Streamed, not collected: the listing has a line for every commit and tree too.
    let mut child = repo
        .git()
        .args([
            "cat-file",
            "--batch-all-objects",
            "--unordered",
            "--batch-check=%(objecttype) %(objectname) %(objectsize)",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error("the object database", &e))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut seen = HashSet::new();
    let mut run = Vec::with_capacity(RUN_LENGTH);
    for line in BufReader::with_capacity(1 << 16, stdout).lines() {
        let Ok(line) = line else { break };
        let Some(rest) = line.strip_prefix("blob ") else {
            continue;
        };
        let Some((id, size)) = rest.split_once(' ') else {
            continue;
        };
        if reachable.as_ref().is_some_and(|r| !r.contains(id)) || seen.contains(id) {
            continue;
        }
        seen.insert(id.to_string());
        if shard.is_some_and(|s| !s.contains(id)) {
            counts.other_shards += 1;
            continue;
        }
        let size = size.parse::<u64>().unwrap_or(0);
        if size > max_size {
            counts.skipped_large += 1;
            continue;
        }
        run.push(id.to_string());
        if run.len() == RUN_LENGTH {
            // A closed queue means every decoder is gone; their exit status says why.
            let _ = send.send(std::mem::replace(&mut run, Vec::with_capacity(RUN_LENGTH)));
        }
    }
    if !run.is_empty() {
        let _ = send.send(run);
    }
    drop(send);
    let output = child
        .wait_with_output()
        .map_err(|e| spawn_error("the object database", &e))?;
    if !output.status.success() {
        return Err(object_error(repo, &output.stderr));
    }
    Ok(counts)
}

/// Objects per run handed to one decoder: long enough to keep a delta chain together,
/// short enough to balance the processes.
const RUN_LENGTH: usize = 512;

/// Runs of blob ids in pack order, taken in turn by the decoders.
type RunQueue = std::sync::Arc<Mutex<std::sync::mpsc::Receiver<Vec<String>>>>;

/// A `git cat-file --batch` process reading the blobs named on its input.
struct Decoder {
    child: std::process::Child,
    writer: std::thread::JoinHandle<()>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
    reader: Option<BlobReader>,
}

impl Decoder {
    fn spawn(repo: &Repo, queue: RunQueue) -> Result<Decoder, Error> {
        let mut child = repo
            .git()
            // Several processes run at once: a smaller base cache each keeps their sum
            // well under what one git process uses by default (96 MiB).
            .args(["-c", "core.deltaBaseCacheLimit=32m", "cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| spawn_error("the object database", &e))?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let writer = std::thread::spawn(move || {
            loop {
                let next = queue.lock().map(|q| q.recv());
                let Ok(Ok(run)) = next else { break };
                let mut text = String::with_capacity(run.len() * 41);
                for id in run {
                    text.push_str(&id);
                    text.push('\n');
                }
                // Written per run, unbuffered, so git holds little more than one run ahead.
                if stdin.write_all(text.as_bytes()).is_err() {
                    break;
                }
            }
        });
        // Drained on its own thread so a chatty git never blocks on a full pipe.
        let stderr = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            text
        });
        let reader = BlobReader {
            input: BufReader::with_capacity(1 << 20, stdout),
            failed: false,
        };
        Ok(Decoder {
            child,
            writer,
            stderr,
            reader: Some(reader),
        })
    }

    fn finish(mut self, repo: &Repo) -> Result<(), Error> {
        let _ = self.writer.join();
        let status = self
            .child
            .wait()
            .map_err(|e| spawn_error("the object database", &e))?;
        let stderr = self.stderr.join().unwrap_or_default();
        if !status.success() {
            return Err(object_error(repo, &stderr));
        }
        Ok(())
    }
}

/// An error for an unreadable object database, naming the pack or object git complained of.
fn object_error(repo: &Repo, stderr: &[u8]) -> Error {
    let text = String::from_utf8_lossy(stderr);
    let pack = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '\'')
        .find(|w| w.ends_with(".pack") || w.ends_with(".idx"))
        .map(str::to_string);
    let first: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(3).collect();
    let what = match pack {
        Some(pack) => format!("the pack {pack}"),
        None if repo.packs().is_empty() => format!("the object database {}", repo.git_dir.display()),
        None => format!(
            "the object database {} (packs: {})",
            repo.git_dir.display(),
            repo.packs()
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if text.contains("corrupt")
        || text.contains("inflate")
        || text.contains("bad object")
        || text.contains("unable to")
    {
        Error::input(format!("{what} is corrupt or unreadable: {}", first.join(" ")))
            .with_help("run `git fsck` to see the damage, then re-clone the repository or restore the pack from a good copy")
    } else {
        git_failed(&what, stderr)
    }
}

/// Reads `<id> <type> <size>\n<content>\n` records from `git cat-file --batch` until git
/// closes its output (once its input is closed, or when it fails: `Decoder::finish` tells).
struct BlobReader {
    input: BufReader<ChildStdout>,
    failed: bool,
}

impl Iterator for BlobReader {
    type Item = Result<(String, Vec<u8>), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            let mut header = Vec::with_capacity(64);
            match self.input.read_until(b'\n', &mut header) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    self.failed = true;
                    return Some(Err(Error::input(format!("cannot read git's output: {e}"))));
                }
            }
            let header = String::from_utf8_lossy(&header);
            let mut fields = header.trim_end().split(' ');
            let id = fields.next().unwrap_or_default().to_string();
            let kind = fields.next().unwrap_or_default();
            if kind == "missing" {
                continue;
            }
            let size: usize = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let mut data = vec![0; size + 1];
            if self.input.read_exact(&mut data).is_err() {
                self.failed = true;
                return Some(Err(Error::input("git stopped in the middle of an object")));
            }
            data.truncate(size);
            return Some(Ok((id, data)));
        }
        None
    }
}
