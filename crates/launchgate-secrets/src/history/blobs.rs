//! Every blob once, read straight from the object database. Each pack's delta chains are
//! resolved once, in parallel on every core (`pack_walk`), and each blob goes to the engine
//! on the thread that decoded it, with the keyword hits of the text it copied from its delta
//! base taken from that base (`delta_hits`); loose objects follow. A blob is dropped as soon
//! as it is scanned and only the matches are kept, so memory holds the objects being decoded
//! at the time; a pack with a huge object is read object by object instead, and blobs over
//! the size limit are then, as among loose objects, never inflated.
//!
//! Reading one object at a time (`git cat-file --batch`) decodes a delta chain again for
//! every object on it whose base fell out of the cache; the pack walk never does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use gix_hash::{ObjectId, oid};
use gix_pack::data::decode::{entry, header};
use launchgate_core::Error;
use rayon::iter::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};

use super::git::{Repo, lines};
use super::pack_walk::{self, Copied, PackEntry, entries_by_offset};
use super::progress::Counters;
use super::shard::Shard;
use super::{delta_hits, lfs_pointer};
use launchgate_detect::engine::{Engine, KeywordHit, Match};
use launchgate_detect::printable::is_binary;

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
    /// Binary blobs, scanned through their printable runs.
    pub binary: usize,
    /// Git LFS pointers: scanned, but the files they stand for live on the LFS server.
    pub lfs_pointers: usize,
    /// Blobs left to other shards.
    pub other_shards: usize,
}

/// Objects stored whole and larger than this are never inflated by the pack walk, which
/// holds each object it decodes in memory: a pack with one is read object by object, and
/// its blobs over the size limit are skipped by their stored size. git stores objects above
/// its `core.bigFileThreshold` (512 MiB by default) whole, so the largest ones are caught.
const HUGE_OBJECT: u64 = 256 << 20;

/// Scans each selected blob exactly once.
pub fn scan_blobs(
    repo: &Repo,
    engine: &Engine,
    selection: &Selection,
    shard: Option<Shard>,
    max_size: u64,
    progress: &Counters,
) -> Result<BlobScan, Error> {
    scan_blobs_with(repo, engine, selection, shard, max_size, HUGE_OBJECT, progress)
}

fn scan_blobs_with(
    repo: &Repo,
    engine: &Engine,
    selection: &Selection,
    shard: Option<Shard>,
    max_size: u64,
    huge: u64,
    progress: &Counters,
) -> Result<BlobScan, Error> {
    let hash = object_hash(repo)?;
    let reachable = match selection {
        Selection::AllObjects => None,
        Selection::Reachable(args) => Some(reachable_blobs(repo, args)?),
    };
    let dirs = object_dirs(repo)?;
    let mut packs = open_packs(&dirs, hash)?;
    let in_packs: u64 = packs
        .iter()
        .map(|p| u64::from(p.bundle.index.num_objects()))
        .sum();
    progress.total.fetch_add(in_packs, Ordering::Relaxed);
    let sink = Sink {
        engine,
        reachable: reachable.as_ref(),
        shard,
        max_size,
        counts: Counts::default(),
        hits: Mutex::new(Vec::new()),
        progress,
    };
    for i in 0..packs.len() {
        let (earlier, rest) = packs.split_at_mut(i);
        scan_pack(&mut rest[0], earlier, &sink, huge)?;
    }
    scan_loose(&dirs, hash, &packs, &sink)?;
    Ok(sink.finish())
}

/// The hash the repository names objects with.
pub(super) fn object_hash(repo: &Repo) -> Result<gix_hash::Kind, Error> {
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
    let mut cmd = repo
        .git(
            "the commits",
            [
                "rev-list",
                "--objects",
                "--no-object-names",
                "--filter=object:type=blob",
            ],
        )
        .args(args);
    if repo.partial {
        // Blobs a partial clone never downloaded are listed as missing, not fetched.
        cmd = cmd.arg("--missing=allow-promisor");
    }
    let stdout = cmd.arg("--").output()?;
    Ok(lines(&stdout)
        .filter_map(|id| ObjectId::from_hex(id.as_bytes()).ok())
        .collect())
}

/// The repository's object directory followed by its alternates (`objects/info/alternates`,
/// then `GIT_ALTERNATE_OBJECT_DIRECTORIES`), the order git reads them in.
pub(super) fn object_dirs(repo: &Repo) -> Result<Vec<PathBuf>, Error> {
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
pub(super) struct Pack {
    pub bundle: gix_pack::Bundle,
}

impl Pack {
    pub fn path(&self) -> &Path {
        self.bundle.pack.path()
    }

    /// The objects of this pack that one of `earlier` holds too: read there, not again.
    pub fn also_in(&self, earlier: &[Pack]) -> HashSet<ObjectId> {
        if earlier.is_empty() {
            return HashSet::new();
        }
        self.bundle
            .index
            .iter()
            .filter(|e| earlier.iter().any(|p| p.bundle.index.lookup(e.oid).is_some()))
            .map(|e| e.oid)
            .collect()
    }
}

/// Every pack with an index in `dirs`, in a stable order. A pack without its index is one
/// git is still writing or has abandoned, and git does not read it either.
pub(super) fn open_packs(dirs: &[PathBuf], hash: gix_hash::Kind) -> Result<Vec<Pack>, Error> {
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

pub(super) fn corrupt(what: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::input(format!("{} is corrupt or unreadable: {e}", what.display())).with_help(
        "run `git fsck` to see the damage, then re-clone the repository or restore the pack from a good copy",
    )
}

/// Decodes every object of one pack, resolving each delta once, and offers its blobs. An
/// object also stored in an earlier pack was offered there.
fn scan_pack(pack: &mut Pack, earlier: &[Pack], sink: &Sink, huge: u64) -> Result<(), Error> {
    let elsewhere = pack.also_in(earlier);
    let entries = entries_by_offset(&pack.bundle.index);
    let largest_whole = check_entries(pack, &entries)?;
    if largest_whole > huge {
        return scan_pack_by_object(pack, &entries, &elsewhere, sink);
    }
    let path = pack.path().to_path_buf();
    pack_walk::walk_objects(
        &mut pack.bundle,
        &entries,
        &[gix_object::Kind::Blob],
        |others| {
            sink.progress.walked.fetch_add(others, Ordering::Relaxed);
        },
        |blob| {
            sink.progress.walk();
            if elsewhere.contains(blob.id) {
                return None;
            }
            sink.offer_delta(blob.id, blob.data, blob.base)
        },
    )
    .map_err(|e| corrupt(&path, &e))
}

/// Checks every entry's bytes against the CRC32 its index records, as git does before it
/// trusts an entry, and returns the size of the largest object stored whole. The walk stops
/// inflating once it holds an object's stated size, so damaged bytes could otherwise decode
/// to garbage that passes for a blob. Cheap: CRC32 of the compressed pack, on every core.
fn check_entries(pack: &Pack, entries: &[PackEntry]) -> Result<u64, Error> {
    let index = &pack.bundle.index;
    let data = &pack.bundle.pack;
    let end = data.pack_end() as u64;
    let largest = entries
        .par_iter()
        .enumerate()
        .map(|(i, entry)| {
            let next = entries.get(i + 1).map_or(end, |e| e.pack_offset);
            let outside = (
                i,
                "lies outside the pack's data, so its index does not belong to it",
            );
            if next <= entry.pack_offset || next > end {
                return Err(outside);
            }
            // Version 1 indexes record no CRC32; their entries are checked by inflating alone.
            let len = (next - entry.pack_offset) as usize;
            if index
                .crc32_at_index(entry.index)
                .is_some_and(|crc| data.entry_crc32(entry.pack_offset, len) != crc)
            {
                return Err((i, "does not match the CRC32 in its index"));
            }
            let header = data
                .entry(entry.pack_offset)
                .map_err(|_| (i, "has an entry header that cannot be read"))?;
            Ok(if header.header.is_base() {
                header.decompressed_size
            } else {
                0
            })
        })
        .try_reduce(|| 0, |a, b| Ok(a.max(b)));
    largest.map_err(|(i, what)| {
        let entry = &entries[i];
        corrupt(
            pack.path(),
            &format!(
                "object {} at offset {} {what}",
                index.oid_at_index(entry.index),
                entry.pack_offset
            ),
        )
    })
}

/// Reads a pack object by object, for a pack holding an object too large to inflate whole:
/// each object's kind and size come from its headers first, so non-blobs and blobs over the
/// size limit are never inflated. Slower than the walk, since delta chains are resolved per
/// object (from a small cache of recent bases), which is why only such packs are read this
/// way. An object larger than `HUGE_OBJECT` stored as a delta of a smaller one is still
/// decoded in memory; git does not deltify objects above its big-file threshold.
fn scan_pack_by_object(
    pack: &Pack,
    entries: &[PackEntry],
    elsewhere: &HashSet<ObjectId>,
    sink: &Sink,
) -> Result<(), Error> {
    let index = &pack.bundle.index;
    let data = &pack.bundle.pack;
    // Bases are looked up in this pack; a repository's packs are never thin.
    let base = |id: &oid| {
        index
            .lookup(id)
            .map(|i| data.entry(index.pack_offset_at_index(i)))
    };
    let header_base = |id: &oid| base(id).transpose().map(|e| e.map(header::ResolvedBase::InPack));
    let entry_base =
        |id: &oid, _: &mut Vec<u8>| base(id).transpose().map(|e| e.map(entry::ResolvedBase::InPack));
    entries.par_iter().try_for_each_init(
        // Objects near each other in a pack share delta bases: a small cache of recent bases
        // per thread saves resolving each chain from its start.
        || {
            let cache = gix_pack::cache::lru::StaticLinkedList::<64>::new(32 << 20);
            (Vec::new(), gix_zlib::Inflate::default(), cache)
        },
        |(buf, inflate, cache), e| {
            sink.progress.walk();
            let id = index.oid_at_index(e.index);
            if elsewhere.contains(id) {
                return Ok(());
            }
            let damaged = |err: &dyn std::fmt::Display| {
                corrupt(
                    pack.path(),
                    &format!("object {id} at offset {}: {err}", e.pack_offset),
                )
            };
            let object = data.entry(e.pack_offset).map_err(|err| damaged(&err))?;
            let header = data
                .decode_header(object.clone(), inflate, &header_base)
                .map_err(|err| damaged(&err))?;
            if header.kind != gix_object::Kind::Blob || !sink.wants(id, header.object_size) {
                return Ok(());
            }
            data.decode_entry(object, buf, inflate, &entry_base, cache)
                .map_err(|err| damaged(&err))?;
            sink.scan(id, buf);
            Ok(())
        },
    )
}

/// The loose objects of each object folder that no pack holds, each listed once.
pub(super) fn loose_objects(
    dirs: &[PathBuf],
    hash: gix_hash::Kind,
    packs: &[Pack],
) -> Result<Vec<(gix_odb::loose::Store, Vec<ObjectId>)>, Error> {
    let mut seen = HashSet::new();
    let mut stores = Vec::new();
    for dir in dirs {
        let store = gix_odb::loose::Store::at(dir.clone(), hash);
        let mut ids = Vec::new();
        for id in store.iter() {
            let id = id.map_err(|e| corrupt(dir, &e))?;
            if packs.iter().all(|p| p.bundle.index.lookup(id).is_none()) && seen.insert(id) {
                ids.push(id);
            }
        }
        stores.push((store, ids));
    }
    Ok(stores)
}

/// Offers every loose blob that no pack holds, each once.
fn scan_loose(dirs: &[PathBuf], hash: gix_hash::Kind, packs: &[Pack], sink: &Sink) -> Result<(), Error> {
    for (store, ids) in loose_objects(dirs, hash, packs)? {
        sink.progress.total.fetch_add(ids.len() as u64, Ordering::Relaxed);
        ids.par_iter().try_for_each_init(Vec::new, |buf, id| {
            sink.progress.walk();
            // The header first: a commit, a tree or a blob over the size limit is never
            // inflated whole.
            match store.try_header(id) {
                Ok(Some((size, gix_object::Kind::Blob))) if sink.wants(id, size) => {}
                Ok(_) => return Ok(()),
                Err(e) => return Err(corrupt(&store.object_path(id), &e)),
            }
            match store.try_find(id, buf) {
                Ok(Some(object)) => sink.scan(id, object.data),
                Ok(None) => {}
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
    binary: AtomicUsize,
    lfs_pointers: AtomicUsize,
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
    progress: &'a Counters,
}

impl Sink<'_> {
    /// Scans a wanted blob of a pack walk, its keyword hits taken from its delta base where
    /// the base left them, and returns its hits for its own deltas (none for a binary blob).
    fn offer_delta(
        &self,
        id: &oid,
        data: &[u8],
        base: Option<(&Vec<KeywordHit>, &[Copied])>,
    ) -> Option<Vec<KeywordHit>> {
        if !self.wants(id, data.len() as u64) {
            return None;
        }
        // The NUL probe once per blob: it reads up to 8 KiB of every version.
        let binary = is_binary(data);
        self.count(data, binary);
        if binary {
            self.keep(id, self.engine.scan_bytes("", data));
            return None;
        }
        let hits = match base {
            Some((base_hits, copied)) => delta_hits::derive(self.engine, data, base_hits, copied),
            None => self.engine.keyword_hits(data),
        };
        self.keep(id, self.engine.scan_text_with_hits("", data, &hits));
        Some(hits)
    }

    /// Whether a blob of this size is to be scanned: selected, in this shard, within the
    /// size limit. Counts what it leaves out.
    fn wants(&self, id: &oid, size: u64) -> bool {
        let counts = &self.counts;
        if self.reachable.is_some_and(|r| !r.contains(id)) {
            return false;
        }
        if self.shard.is_some_and(|s| !s.contains(id)) {
            counts.other_shards.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if size > self.max_size {
            counts.skipped_large.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Scans a wanted blob; binary blobs through their printable runs.
    fn scan(&self, id: &oid, data: &[u8]) {
        self.count(data, is_binary(data));
        self.keep(id, self.engine.scan_bytes("", data));
    }

    /// Counts a wanted blob as scanned, and as a Git LFS pointer if it is one.
    fn count(&self, data: &[u8], binary: bool) {
        let counts = &self.counts;
        if !binary && lfs_pointer::is_lfs_pointer(data) {
            counts.lfs_pointers.fetch_add(1, Ordering::Relaxed);
        }
        if binary {
            counts.binary.fetch_add(1, Ordering::Relaxed);
        }
        counts.scanned.fetch_add(1, Ordering::Relaxed);
        counts.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.progress
            .bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed);
    }

    /// Keeps a blob's matches, if it has any. Paths are only known after provenance; path
    /// allowlists apply there.
    fn keep(&self, id: &oid, matches: Vec<Match>) {
        if matches.is_empty() {
            return;
        }
        let hit = BlobHit {
            id: id.to_string(),
            matches: matches
                .into_iter()
                .map(|m| {
                    let allowed = m.inline_allowed;
                    (m, allowed)
                })
                .collect(),
        };
        self.hits.lock().expect("not poisoned").push(hit);
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
            binary: c.binary.into_inner(),
            lfs_pointers: c.lfs_pointers.into_inner(),
            other_shards: c.other_shards.into_inner(),
        }
    }
}

#[cfg(test)]
#[path = "blobs_tests.rs"]
mod tests;
