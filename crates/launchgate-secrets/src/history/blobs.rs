//! Every blob once, read straight from the object database. Each pack's delta chains are
//! resolved once, in parallel on every core, the way `gix` verifies a pack, and each blob
//! goes to the engine on the thread that decoded it; loose objects follow. Memory stays
//! bounded: a blob is dropped as soon as it is scanned, and only the matches are kept.
//!
//! Reading one object at a time (`git cat-file --batch`) decodes a delta chain again for
//! every object on it whose base fell out of the cache; the pack walk never does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use gix_hash::{ObjectId, oid};
use launchgate_core::Error;
use rayon::iter::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};

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
    let hash = object_hash(repo)?;
    let reachable = match selection {
        Selection::AllObjects => None,
        Selection::Reachable(args) => Some(reachable_blobs(repo, args)?),
    };
    let dirs = object_dirs(repo)?;
    let packs = open_packs(&dirs, hash)?;
    let sink = Sink {
        engine,
        reachable: reachable.as_ref(),
        shard,
        max_size,
        counts: Counts::default(),
        hits: Mutex::new(Vec::new()),
    };
    for (i, pack) in packs.iter().enumerate() {
        scan_pack(pack, &packs[..i], &sink)?;
    }
    scan_loose(&dirs, hash, &packs, &sink)?;
    Ok(sink.finish())
}

/// The hash the repository names objects with.
fn object_hash(repo: &Repo) -> Result<gix_hash::Kind, Error> {
    match repo.object_format.as_str() {
        "sha1" => Ok(gix_hash::Kind::Sha1),
        "sha256" => Ok(gix_hash::Kind::Sha256),
        other => Err(Error::input(format!(
            "{} uses the object format `{other}`, which this version cannot read",
            repo.dir.display()
        ))
        .with_help("history scans read sha1 and sha256 repositories")),
    }
}

/// The blobs reachable from `git rev-list` arguments (refs, `--since`).
fn reachable_blobs(repo: &Repo, args: &[String]) -> Result<HashSet<ObjectId>, Error> {
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
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| spawn_error("the commits", &e))?;
    if !output.status.success() {
        return Err(git_failed("the commits", &output.stderr));
    }
    Ok(lines(&output.stdout)
        .filter_map(|id| ObjectId::from_hex(id.as_bytes()).ok())
        .collect())
}

/// The repository's object directory followed by its alternates (`objects/info/alternates`,
/// then `GIT_ALTERNATE_OBJECT_DIRECTORIES`), the order git reads them in.
fn object_dirs(repo: &Repo) -> Result<Vec<PathBuf>, Error> {
    let mut dirs = vec![repo.objects_dir.clone()];
    let cwd = std::env::current_dir().unwrap_or_else(|_| repo.dir.clone());
    let alternates = gix_odb::alternate::resolve(repo.objects_dir.clone(), &cwd).map_err(|e| {
        Error::input(format!(
            "cannot follow the alternates of {}: {e}",
            repo.objects_dir.display()
        ))
        .with_help("fix or remove objects/info/alternates; `git fsck` shows what is missing")
    })?;
    dirs.extend(alternates);
    if let Some(extra) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        for dir in std::env::split_paths(&extra) {
            let dir = if dir.is_absolute() {
                dir
            } else {
                repo.dir.join(dir)
            };
            if dir.is_dir() && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    Ok(dirs)
}

/// A pack and its index.
struct Pack {
    bundle: gix_pack::Bundle,
}

impl Pack {
    fn path(&self) -> &Path {
        self.bundle.pack.path()
    }
}

/// Every pack with an index in `dirs`, in a stable order. A pack without its index is one
/// git is still writing or has abandoned, and git does not read it either.
fn open_packs(dirs: &[PathBuf], hash: gix_hash::Kind) -> Result<Vec<Pack>, Error> {
    let mut packs = Vec::new();
    for dir in dirs {
        let mut indexes: Vec<PathBuf> = match std::fs::read_dir(dir.join("pack")) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "idx") && p.with_extension("pack").is_file())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(Error::input(format!(
                    "cannot list {}: {e}",
                    dir.join("pack").display()
                )));
            }
        };
        indexes.sort();
        for index in indexes {
            let bundle =
                gix_pack::Bundle::at(&index, hash).map_err(|e| corrupt(&index.with_extension("pack"), &e))?;
            packs.push(Pack { bundle });
        }
    }
    Ok(packs)
}

fn corrupt(what: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::input(format!("{} is corrupt or unreadable: {e}", what.display())).with_help(
        "run `git fsck` to see the damage, then re-clone the repository or restore the pack from a good copy",
    )
}

/// Decodes every object of one pack, resolving each delta once, and offers its blobs. An
/// object also stored in an earlier pack was offered there.
fn scan_pack(pack: &Pack, earlier: &[Pack], sink: &Sink) -> Result<(), Error> {
    let index = &pack.bundle.index;
    let elsewhere: HashSet<ObjectId> = if earlier.is_empty() {
        HashSet::new()
    } else {
        index
            .iter()
            .filter(|e| earlier.iter().any(|p| p.bundle.index.lookup(e.oid).is_some()))
            .map(|e| e.oid)
            .collect()
    };
    check_entries(pack)?;
    let interrupt = AtomicBool::new(false);
    index
        .traverse_with_index(
            &pack.bundle.pack,
            |kind, data, entry, _progress| {
                if kind == gix_object::Kind::Blob && !elsewhere.contains(&entry.oid) {
                    sink.offer(&entry.oid, data);
                }
                Ok(())
            },
            &mut gix_utils::progress::Discard,
            &interrupt,
            gix_pack::index::traverse::with_index::Options {
                // Hashing each object again to check its id would cost more than the scan;
                // `check_entries` has already caught damaged bytes.
                check: gix_pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerification,
                thread_limit: None,
                alloc_limit_bytes: None,
            },
        )
        .map_err(|e| corrupt(pack.path(), &e))?;
    Ok(())
}

/// Checks every entry's bytes against the CRC32 its index records, as git does before it
/// trusts an entry. The walk stops inflating once it holds an object's stated size, so
/// damaged bytes could otherwise decode to garbage that passes for a blob. Cheap: CRC32 of
/// the compressed pack, on every core.
fn check_entries(pack: &Pack) -> Result<(), Error> {
    let data = &pack.bundle.pack;
    let mut entries: Vec<gix_pack::index::Entry> = pack.bundle.index.iter().collect();
    entries.sort_by_key(|e| e.pack_offset);
    let end = data.pack_end() as u64;
    let damaged = entries.par_iter().enumerate().find_map_any(|(i, entry)| {
        let next = entries.get(i + 1).map_or(end, |e| e.pack_offset);
        if next <= entry.pack_offset || next > end {
            return Some((
                entry,
                "lies outside the pack's data, so its index does not belong to it",
            ));
        }
        // Version 1 indexes record no CRC32; their entries are checked by inflating alone.
        entry
            .crc32
            .is_some_and(|crc| {
                data.entry_crc32(entry.pack_offset, (next - entry.pack_offset) as usize) != crc
            })
            .then_some((entry, "does not match the CRC32 in its index"))
    });
    match damaged {
        Some((entry, what)) => Err(corrupt(
            pack.path(),
            &format!("object {} at offset {} {what}", entry.oid, entry.pack_offset),
        )),
        None => Ok(()),
    }
}

/// Offers every loose blob that no pack holds, each once.
fn scan_loose(dirs: &[PathBuf], hash: gix_hash::Kind, packs: &[Pack], sink: &Sink) -> Result<(), Error> {
    let mut seen = HashSet::new();
    for dir in dirs {
        let store = gix_odb::loose::Store::at(dir.clone(), hash);
        let mut ids = Vec::new();
        for id in store.iter() {
            let id = id.map_err(|e| corrupt(dir, &e))?;
            if packs.iter().all(|p| p.bundle.index.lookup(id).is_none()) && seen.insert(id) {
                ids.push(id);
            }
        }
        ids.par_iter().try_for_each_init(Vec::new, |buf, id| {
            match store.try_find(id, buf) {
                Ok(Some(object)) if object.kind == gix_object::Kind::Blob => sink.offer(id, object.data),
                Ok(_) => {}
                Err(e) => return Err(corrupt(&store.object_path(id), &e)),
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Skips and sizes, counted from every decoding thread.
#[derive(Debug, Default)]
struct Counts {
    scanned: AtomicUsize,
    bytes: AtomicU64,
    skipped_large: AtomicUsize,
    skipped_binary: AtomicUsize,
    skipped_lfs: AtomicUsize,
    other_shards: AtomicUsize,
}

/// Where decoded blobs go: the selection, the shard and the size limit decide, the engine
/// scans, and only the matches are kept.
struct Sink<'a> {
    engine: &'a Engine,
    reachable: Option<&'a HashSet<ObjectId>>,
    shard: Option<Shard>,
    max_size: u64,
    counts: Counts,
    hits: Mutex<Vec<BlobHit>>,
}

impl Sink<'_> {
    fn offer(&self, id: &oid, data: &[u8]) {
        let counts = &self.counts;
        if self.reachable.is_some_and(|r| !r.contains(id)) {
            return;
        }
        if self.shard.is_some_and(|s| !s.contains(id)) {
            counts.other_shards.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if data.len() as u64 > self.max_size {
            counts.skipped_large.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if data.starts_with(LFS_POINTER) && data.len() < 1024 {
            counts.skipped_lfs.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if is_binary(data) {
            counts.skipped_binary.fetch_add(1, Ordering::Relaxed);
            return;
        }
        counts.scanned.fetch_add(1, Ordering::Relaxed);
        counts.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        // Paths are only known after provenance; path allowlists apply there.
        let matches: Vec<(Match, bool)> = self
            .engine
            .scan_bytes("", data)
            .into_iter()
            .map(|m| {
                let allowed = inline_allowed(data, &m.range);
                (m, allowed)
            })
            .collect();
        if !matches.is_empty() {
            let hit = BlobHit {
                id: id.to_string(),
                matches,
            };
            self.hits.lock().expect("not poisoned").push(hit);
        }
    }

    fn finish(self) -> BlobScan {
        let mut hits = self.hits.into_inner().expect("not poisoned");
        hits.sort_by(|a, b| a.id.cmp(&b.id));
        let c = self.counts;
        BlobScan {
            hits,
            scanned: c.scanned.into_inner(),
            bytes: c.bytes.into_inner(),
            skipped_large: c.skipped_large.into_inner(),
            skipped_binary: c.skipped_binary.into_inner(),
            skipped_lfs: c.skipped_lfs.into_inner(),
            other_shards: c.other_shards.into_inner(),
        }
    }
}
