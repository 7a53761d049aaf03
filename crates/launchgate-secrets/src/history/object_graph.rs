//! The commits and trees of a repository, read from its packs and loose objects in one walk
//! on every core: each commit's tree and parents, and which tree holds which tree (and which
//! of the blobs asked about) under which name. Provenance reads upwards from a blob through
//! these edges to the commits whose trees hold it.
//!
//! A tree's entries are kept only for its subtrees and the blobs asked about, eight bytes
//! each (half a million for rust-lang/cargo's 108,326 trees; 10.5 million for a history
//! whose vendored folder of hundreds of subfolders changes in 20,000 commits). Once all are
//! read, the trees that hold an asked-about blob at any depth are marked, and only their
//! edges are kept for the walk upwards.

use std::sync::Mutex;

use gix_hash::ObjectId;
use gix_hashtable::{HashMap as IdMap, HashSet as IdSet};
use gix_object::Kind;
use launchgate_core::Error;
use rayon::iter::{IntoParallelRefIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;

use super::blobs::{Pack, corrupt, loose_objects, object_dirs, object_hash, open_packs};
use super::git::Repo;
use super::pack_walk;

/// A tree or blob inside a tree: `parent` (an index into [`ObjectGraph::trees`]) holds the
/// child numbered `child` under the name `name` (an index into [`ObjectGraph::names`]).
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub child: u32,
    pub parent: u32,
    pub name: u32,
}

/// One kept entry of a tree, as read: its child's number and its name's.
#[derive(Debug, Clone, Copy)]
struct Entry {
    child: u32,
    name: u32,
}

/// What a commit object says of its place in history.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    /// `Name <email>` as the author line writes it.
    pub author: String,
    /// Author time, seconds since the epoch, and the author's offset from UTC in seconds.
    pub author_time: i64,
    pub author_offset: i32,
    /// Committer time, seconds since the epoch.
    pub commit_time: i64,
}

/// The repository's trees and commits, as provenance needs them.
#[derive(Debug, Default)]
pub struct ObjectGraph {
    pub trees: Vec<ObjectId>,
    pub tree_index: IdMap<ObjectId, u32>,
    pub names: Vec<Box<[u8]>>,
    /// The number of each object some tree holds.
    children: IdMap<ObjectId, u32>,
    /// The number each tree has as a child, or `NOT_HELD`.
    tree_as_child: Vec<u32>,
    /// The edges into marked children, sorted by child: those of child `c` are
    /// `edges[edge_start[c]..edge_start[c + 1]]`.
    edges: Vec<Edge>,
    edge_start: Vec<u32>,
    pub commits: IdMap<ObjectId, CommitInfo>,
}

/// A tree no other tree holds.
const NOT_HELD: u32 = u32::MAX;

impl ObjectGraph {
    /// The trees that hold the object `child` (an asked-about blob, or a tree that holds one
    /// at any depth), each with the name they hold it under.
    pub fn parents_of(&self, child: &ObjectId) -> &[Edge] {
        self.edges_of(self.children.get(child).copied().unwrap_or(NOT_HELD))
    }

    /// The trees that hold tree number `tree`, if it holds an asked-about blob.
    pub fn parents_of_tree(&self, tree: u32) -> &[Edge] {
        self.edges_of(self.tree_as_child[tree as usize])
    }

    fn edges_of(&self, child: u32) -> &[Edge] {
        if child == NOT_HELD {
            return &[];
        }
        let c = child as usize;
        &self.edges[self.edge_start[c] as usize..self.edge_start[c + 1] as usize]
    }
}

/// What one decoding thread read: trees numbered and names and children interned in its own
/// shard, so the threads never wait on each other; the shards are joined once the walk is
/// done.
#[derive(Default)]
struct Shard {
    trees: Vec<ObjectId>,
    /// Where each tree's entries end in `entries` (they start where the previous tree's end).
    entries_end: Vec<u32>,
    entries: Vec<Entry>,
    names: foldhash::HashMap<Box<[u8]>, u32>,
    children: IdMap<ObjectId, u32>,
    commits: Vec<(ObjectId, CommitInfo)>,
}

impl Shard {
    /// The kept entries of the shard's tree number `local`.
    fn entries_of(&self, local: usize) -> &[Entry] {
        let start = if local == 0 {
            0
        } else {
            self.entries_end[local - 1] as usize
        };
        &self.entries[start..self.entries_end[local] as usize]
    }
}

/// Reads every commit and tree of the repository, keeping the tree entries that are trees or
/// one of `blobs`.
pub fn read(repo: &Repo, blobs: &IdSet) -> Result<ObjectGraph, Error> {
    let hash = object_hash(repo)?;
    let dirs = object_dirs(repo)?;
    let mut packs = open_packs(&dirs, hash)?;
    let shards: Vec<Mutex<Shard>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::default())
        .collect();
    let offer = |id: &gix_hash::oid, kind: Kind, data: &[u8]| -> Result<(), String> {
        let shard = &shards[rayon::current_thread_index().unwrap_or(0) % shards.len()];
        match kind {
            Kind::Tree => add_tree(shard, id.to_owned(), data, blobs, hash.len_in_bytes()),
            Kind::Commit => {
                let info = parse_commit(data).ok_or_else(|| format!("commit {id} cannot be read"))?;
                shard
                    .lock()
                    .expect("not poisoned")
                    .commits
                    .push((id.to_owned(), info));
                Ok(())
            }
            _ => Ok(()),
        }
    };
    for i in 0..packs.len() {
        let (earlier, rest) = packs.split_at_mut(i);
        read_pack(&mut rest[0], earlier, &offer)?;
    }
    read_loose(&dirs, hash, &packs, &offer)?;
    Ok(join(
        shards
            .into_iter()
            .map(|s| s.into_inner().expect("not poisoned"))
            .collect(),
        blobs,
    ))
}

/// One graph from the shards: tree numbers offset, names and children numbered again; then
/// the trees that hold one of `blobs` at any depth are marked, and only the entries that
/// lead to one are kept, as edges upwards.
fn join(mut shards: Vec<Shard>, blobs: &IdSet) -> ObjectGraph {
    let mut graph = ObjectGraph::default();
    let mut names: foldhash::HashMap<Box<[u8]>, u32> = foldhash::HashMap::default();
    let mut offsets = Vec::with_capacity(shards.len());
    for shard in &mut shards {
        offsets.push(graph.trees.len() as u32);
        let mut renamed = vec![0u32; shard.names.len()];
        for (name, local) in shard.names.drain() {
            let next = names.len() as u32;
            renamed[local as usize] = *names.entry(name).or_insert(next);
        }
        let mut renumbered = vec![0u32; shard.children.len()];
        for (child, local) in shard.children.drain() {
            let next = graph.children.len() as u32;
            renumbered[local as usize] = *graph.children.entry(child).or_insert(next);
        }
        for e in &mut shard.entries {
            *e = Entry {
                child: renumbered[e.child as usize],
                name: renamed[e.name as usize],
            };
        }
        graph.trees.extend_from_slice(&shard.trees);
        graph.commits.extend(std::mem::take(&mut shard.commits));
    }
    graph.names = vec![Box::<[u8]>::default(); names.len()];
    for (name, i) in names {
        graph.names[i as usize] = name;
    }
    graph.tree_index = graph
        .trees
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    graph.tree_as_child = graph
        .trees
        .iter()
        .map(|id| graph.children.get(id).copied().unwrap_or(NOT_HELD))
        .collect();

    // Marked: the asked-about blobs, then every tree holding a marked child, until no tree is
    // added (as many rounds as the deepest blob is deep).
    let mut marked = vec![false; graph.children.len()];
    for blob in blobs {
        if let Some(&c) = graph.children.get(blob) {
            marked[c as usize] = true;
        }
    }
    loop {
        let mut added = false;
        for (shard, &offset) in shards.iter().zip(&offsets) {
            for local in 0..shard.trees.len() {
                let c = graph.tree_as_child[offset as usize + local];
                if c != NOT_HELD
                    && !marked[c as usize]
                    && shard.entries_of(local).iter().any(|e| marked[e.child as usize])
                {
                    marked[c as usize] = true;
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    for (shard, &offset) in shards.iter().zip(&offsets) {
        for local in 0..shard.trees.len() {
            let parent = offset + local as u32;
            graph.edges.extend(
                shard
                    .entries_of(local)
                    .iter()
                    .filter(|e| marked[e.child as usize])
                    .map(|e| Edge {
                        child: e.child,
                        parent,
                        name: e.name,
                    }),
            );
        }
    }
    drop(shards);
    graph.edges.par_sort_unstable_by_key(|e| e.child);
    let mut edge_start = vec![0u32; graph.children.len() + 1];
    for e in &graph.edges {
        edge_start[e.child as usize + 1] += 1;
    }
    for c in 0..graph.children.len() {
        edge_start[c + 1] += edge_start[c];
    }
    graph.edge_start = edge_start;
    graph
}

/// Reads a tree's entries (`<mode> <name>\0<id>`) and keeps its subtrees and wanted blobs.
fn add_tree(
    shard: &Mutex<Shard>,
    id: ObjectId,
    data: &[u8],
    blobs: &IdSet,
    id_len: usize,
) -> Result<(), String> {
    let mut kept: Vec<(ObjectId, &[u8])> = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let damaged = || format!("tree {id} cannot be read");
        let space = memchr::memchr(b' ', rest).ok_or_else(damaged)?;
        let nul = space + memchr::memchr(0, &rest[space..]).ok_or_else(damaged)?;
        let end = nul + 1 + id_len;
        let child = ObjectId::try_from(rest.get(nul + 1..end).ok_or_else(damaged)?).map_err(|_| damaged())?;
        // Some old tools wrote modes zero-padded (`040000`); git reads them all the same.
        let mode = &rest[..space];
        let mode = &mode[mode.iter().take_while(|&&b| b == b'0').count()..];
        let is_tree = mode == b"40000";
        // Gitlinks (submodules, mode 160000) name commits of another repository.
        if is_tree || (mode != b"160000" && blobs.contains(&child)) {
            kept.push((child, &rest[space + 1..nul]));
        }
        rest = &rest[end..];
    }
    let mut shard = shard.lock().expect("not poisoned");
    shard.trees.push(id);
    for (child, name) in kept {
        let next = shard.names.len() as u32;
        let name = match shard.names.get(name) {
            Some(&known) => known,
            None => *shard.names.entry(name.into()).or_insert(next),
        };
        let next = shard.children.len() as u32;
        let child = *shard.children.entry(child).or_insert(next);
        shard.entries.push(Entry { child, name });
    }
    let end = u32::try_from(shard.entries.len())
        .map_err(|_| "more tree entries than this version can hold".to_string())?;
    shard.entries_end.push(end);
    Ok(())
}

/// The tree, parents, author and committer time a commit's header states.
fn parse_commit(data: &[u8]) -> Option<CommitInfo> {
    let mut tree = None;
    let mut parents = Vec::new();
    let mut author = None;
    let mut commit_time = 0;
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() {
            break;
        }
        if let Some(hex) = line.strip_prefix(b"tree ") {
            tree = ObjectId::from_hex(hex).ok();
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(ObjectId::from_hex(hex).ok()?);
        } else if let Some(sig) = line.strip_prefix(b"author ") {
            author = signature(sig);
        } else if let Some(sig) = line.strip_prefix(b"committer ") {
            commit_time = signature(sig).map_or(0, |(_, time, _)| time);
        }
    }
    let (author, author_time, author_offset) = author.unwrap_or_default();
    Some(CommitInfo {
        tree: tree?,
        parents,
        author,
        author_time,
        author_offset,
        commit_time,
    })
}

/// `Name <email> <seconds> <±hhmm>`: the identity, the time and the offset in seconds.
fn signature(sig: &[u8]) -> Option<(String, i64, i32)> {
    let close = memchr::memrchr(b'>', sig)?;
    let identity = String::from_utf8_lossy(&sig[..=close]).into_owned();
    let mut fields = sig[close + 1..].split(|&b| b == b' ').filter(|f| !f.is_empty());
    let time = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    let zone = fields.next().unwrap_or(b"+0000");
    let (sign, digits) = match zone.split_first() {
        Some((b'-', d)) => (-1, d),
        Some((b'+', d)) => (1, d),
        _ => (1, zone),
    };
    let hhmm: i32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((identity, time, sign * ((hhmm / 100) * 3600 + (hhmm % 100) * 60)))
}

type Offer<'a> = dyn Fn(&gix_hash::oid, Kind, &[u8]) -> Result<(), String> + Sync + 'a;

/// Every tree and commit of one pack that no earlier pack holds.
fn read_pack(pack: &mut Pack, earlier: &[Pack], offer: &Offer<'_>) -> Result<(), Error> {
    let path = pack.path().to_path_buf();
    let elsewhere = pack.also_in(earlier);
    let entries = pack_walk::entries_by_offset(&pack.bundle.index);
    let failed = Mutex::new(None);
    pack_walk::walk_objects::<(), _, _>(
        &mut pack.bundle,
        &entries,
        &[Kind::Tree, Kind::Commit],
        |_| {},
        |object| {
            if elsewhere.contains(object.id) {
                return None;
            }
            if let Err(e) = offer(object.id, object.kind, object.data) {
                failed.lock().expect("not poisoned").get_or_insert(e);
            }
            None
        },
    )
    .map_err(|e| corrupt(&path, &e))?;
    match failed.into_inner().expect("not poisoned") {
        Some(e) => Err(corrupt(&path, &e)),
        None => Ok(()),
    }
}

/// Every loose tree and commit no pack holds.
fn read_loose(
    dirs: &[std::path::PathBuf],
    hash: gix_hash::Kind,
    packs: &[Pack],
    offer: &Offer<'_>,
) -> Result<(), Error> {
    for (store, ids) in loose_objects(dirs, hash, packs)? {
        ids.par_iter().try_for_each_init(Vec::new, |buf, id| {
            match store.try_header(id) {
                Ok(Some((_, Kind::Tree | Kind::Commit))) => {}
                Ok(_) => return Ok(()),
                Err(e) => return Err(corrupt(&store.object_path(id), &e)),
            }
            match store.try_find(id, buf) {
                Ok(Some(object)) => {
                    offer(id, object.kind, object.data).map_err(|e| corrupt(&store.object_path(id), &e))
                }
                Ok(None) => Ok(()),
                Err(e) => Err(corrupt(&store.object_path(id), &e)),
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_keeps_its_subtrees_and_the_blobs_asked_about() {
        let id = |byte: u8| ObjectId::from_bytes_or_panic(&[byte; 20]);
        let mut tree = Vec::new();
        for (mode, name, child) in [
            ("100644", "README.md", 1),
            ("100644", "secret.env", 2),
            ("40000", "src", 3),
            ("040000", "old", 4),
            ("160000", "vendor", 2),
        ] {
            tree.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            tree.extend_from_slice(id(child).as_bytes());
        }
        let shard = Mutex::new(Shard::default());
        let wanted: IdSet = [id(2)].into_iter().collect();
        add_tree(&shard, id(9), &tree, &wanted, 20).unwrap();
        let shard = shard.into_inner().unwrap();
        let mut kept: Vec<(ObjectId, Vec<u8>)> = shard
            .entries
            .iter()
            .map(|e| {
                let name = shard.names.iter().find(|(_, i)| **i == e.name).unwrap().0;
                let child = shard.children.iter().find(|(_, i)| **i == e.child).unwrap().0;
                (*child, name.to_vec())
            })
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            vec![
                (id(2), b"secret.env".to_vec()),
                (id(3), b"src".to_vec()),
                (id(4), b"old".to_vec()),
            ],
            "not a blob nobody asked about, nor a submodule's commit"
        );
        let cut = &tree[..tree.len() - 3];
        assert!(
            add_tree(&Mutex::default(), id(9), cut, &wanted, 20).is_err(),
            "a cut tree is an error"
        );
    }

    #[test]
    fn a_commit_header_gives_tree_parents_author_and_times() {
        let commit = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor Ada Lovelace <ada@example.org> 1700000000 -0130\ncommitter C <c@example.org> 1700000100 +0000\n\nmessage\nparent 3333333333333333333333333333333333333333\n";
        let info = parse_commit(commit).unwrap();
        assert_eq!(info.tree.to_string(), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        assert_eq!(info.parents.len(), 2, "a line of the message is not a parent");
        assert_eq!(info.author, "Ada Lovelace <ada@example.org>");
        assert_eq!((info.author_time, info.author_offset), (1_700_000_000, -5400));
        assert_eq!(info.commit_time, 1_700_000_100);
    }
}
