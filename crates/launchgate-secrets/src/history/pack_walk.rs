//! The objects of one pack of the kinds asked for (the blobs, or the trees and commits),
//! decoded delta tree by delta tree. Each tree's base is inflated once and every delta on it
//! applied to the decoded base, so no chain is resolved twice; delta trees of other kinds are
//! never inflated. Each delta's copies from its base are handed on with the object, so the
//! scan can take what it learnt of the base for the copied text.
//!
//! Trees go to every core, largest first; each is walked depth first with an explicit stack,
//! so memory holds one path of bases per thread and a chain of any depth needs no recursion.
//!
//! The pack is read through a memory map, whose pages count as the process's resident memory
//! once touched. The walk maps the pack afresh after every `REMAP_AFTER` bytes it maps in, and lets
//! the old map go when its last tree is done, so the pages of trees already walked leave the
//! process (they stay in the page cache) instead of adding up to the whole pack.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use gix_hash::oid;
use gix_pack::data::entry::Header;
use gix_pack::{data, index};
use rayon::iter::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};

/// A run of a delta's bytes copied from its base: `len` bytes at `to` in the delta's object
/// were copied from `from` in the base's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Copied {
    pub to: usize,
    pub from: usize,
    pub len: usize,
}

impl Copied {
    /// Where the run sits in the delta's object.
    pub fn target(&self) -> Range<usize> {
        self.to..self.to + self.len
    }
}

/// One decoded object.
pub(super) struct Object<'a, T> {
    pub id: &'a oid,
    pub kind: gix_object::Kind,
    pub data: &'a [u8],
    /// For a delta whose base left a state: that state, and the runs copied from the base.
    pub base: Option<(&'a T, &'a [Copied])>,
}

const NO_PARENT: u32 = u32::MAX;

/// A pack entry: where its object sits in the pack, and its position in the pack's index,
/// which holds its id and CRC32. A quarter of the size of the index's own entry, which
/// copies the id, for every object of the pack.
#[derive(Debug, Clone, Copy)]
pub(super) struct PackEntry {
    pub pack_offset: u64,
    pub index: u32,
}

/// A pack's entries in the order their objects sit in the pack.
pub(super) fn entries_by_offset(index: &index::File) -> Vec<PackEntry> {
    let mut entries: Vec<PackEntry> = (0..index.num_objects())
        .map(|i| PackEntry {
            pack_offset: index.pack_offset_at_index(i),
            index: i,
        })
        .collect();
    entries.sort_unstable_by_key(|e| e.pack_offset);
    entries
}

/// Bytes of the pack mapped in through one map before the walk maps it afresh. The trees
/// being walked as the map changes keep the old one a little longer, so up to about twice
/// this stays resident; each new map costs a page fault per block the walk reads again,
/// which at 8 MiB made a pack whose files' versions are spread across it measurably slower.
const REMAP_AFTER: u64 = 16 << 20;

/// Decodes every object of the `kinds` asked for in a pack once and hands it to `visit`,
/// which may return a state for the object's deltas to be given. `entries` are the pack's
/// index entries sorted by offset; `skipped` is told how many objects were of other kinds.
/// An error is a message naming the object. The bundle's own map of the pack, which reading
/// every entry's header has filled, is replaced by an untouched one before the objects are
/// decoded.
pub(super) fn walk_objects<T, V, S>(
    bundle: &mut gix_pack::Bundle,
    entries: &[PackEntry],
    kinds: &[gix_object::Kind],
    skipped: S,
    visit: V,
) -> Result<(), String>
where
    T: Send + Sync,
    V: Fn(Object<'_, T>) -> Option<T> + Sync,
    S: Fn(u64),
{
    walk_objects_with(bundle, entries, kinds, REMAP_AFTER, skipped, visit)
}

fn walk_objects_with<T, V, S>(
    bundle: &mut gix_pack::Bundle,
    entries: &[PackEntry],
    kinds: &[gix_object::Kind],
    remap_after: u64,
    skipped: S,
    visit: V,
) -> Result<(), String>
where
    T: Send + Sync,
    V: Fn(Object<'_, T>) -> Option<T> + Sync,
    S: Fn(u64),
{
    let trees = Forest::build(bundle, entries, kinds)?;
    skipped((entries.len() - trees.walked_objects) as u64);
    bundle.pack = map_again(&bundle.pack)?;
    let mapped = Mutex::new(Arc::new(map_again(&bundle.pack)?));
    let read_since_mapped = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let error = Mutex::new(None);
    let fail = |e: String| {
        failed.store(true, Ordering::Relaxed);
        error.lock().expect("not poisoned").get_or_insert(e);
    };
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| {
                let mut walker = Walker {
                    index: &bundle.index,
                    entries,
                    trees: &trees,
                    inflate: gix_zlib::Inflate::default(),
                    delta: Vec::new(),
                    copies: Vec::new(),
                    leaf: Vec::new(),
                };
                while !failed.load(Ordering::Relaxed) {
                    let Some(tree) = trees.roots.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let pack = Arc::clone(&mapped.lock().expect("not poisoned"));
                    if let Err(e) = walker.tree(&pack, tree.root, tree.kind, &visit) {
                        fail(e);
                    }
                    drop(pack);
                    let read = read_since_mapped.fetch_add(tree.mapped, Ordering::Relaxed) + tree.mapped;
                    // One thread maps afresh; the others go on with the map they hold.
                    if read >= remap_after
                        && read_since_mapped
                            .compare_exchange(read, 0, Ordering::Relaxed, Ordering::Relaxed)
                            .is_ok()
                    {
                        let current = Arc::clone(&mapped.lock().expect("not poisoned"));
                        match map_again(&current) {
                            Ok(fresh) => *mapped.lock().expect("not poisoned") = Arc::new(fresh),
                            Err(e) => fail(e),
                        }
                    }
                }
            });
        }
    });
    match error.into_inner().expect("not poisoned") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A new, untouched map of the pack `pack` maps: the same file, checked to be the same size.
fn map_again(pack: &data::File) -> Result<data::File, String> {
    let again = |e: &dyn std::fmt::Display| {
        format!("it could not be read again during the scan (did `git gc` or `git repack` remove it?): {e}")
    };
    let fresh = data::File::at(pack.path(), pack.object_hash()).map_err(|e| again(&e))?;
    if fresh.data_len() != pack.data_len() {
        return Err(again(&"its size changed"));
    }
    Ok(fresh)
}

/// The root of a delta tree to walk, the kind of its objects, and the bytes of the pack a
/// walk of it maps in.
struct DeltaTree {
    root: u32,
    kind: gix_object::Kind,
    mapped: u64,
}

/// The kernel maps the pages of a file around each page read (64 KiB on Linux): a tree maps
/// in every such block its objects lie in, however few of their bytes it reads.
const MAPPED_BLOCK: u64 = 64 << 10;

/// The delta trees of a pack: each entry's children, and the roots of the trees of the kinds
/// to walk. Entry headers are read again when an entry is decoded: cheaper than holding one
/// per object.
struct Forest {
    /// Children of entry `i`: `children[child_start[i]..child_start[i + 1]]`.
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// The trees to walk, the largest first.
    roots: Vec<DeltaTree>,
    walked_objects: usize,
}

impl Forest {
    fn build(
        bundle: &gix_pack::Bundle,
        entries: &[PackEntry],
        kinds: &[gix_object::Kind],
    ) -> Result<Forest, String> {
        let pack = &bundle.pack;
        let at = |i: usize| {
            let entry = &entries[i];
            format!(
                "object {} at offset {}",
                bundle.index.oid_at_index(entry.index),
                entry.pack_offset
            )
        };
        let headers: Vec<data::Entry> = entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                pack.entry(e.pack_offset)
                    .map_err(|err| format!("{}: {err}", at(i)))
            })
            .collect::<Result<_, _>>()?;
        let by_offset = |offset: u64| entries.binary_search_by_key(&offset, |e| e.pack_offset).ok();
        let end = pack.pack_end() as u64;
        let blocks = |i: usize| {
            let next = entries.get(i + 1).map_or(end, |e| e.pack_offset);
            let start = entries[i].pack_offset;
            start / MAPPED_BLOCK..=next.max(start + 1).saturating_sub(1) / MAPPED_BLOCK
        };
        let mut tree_blocks = Vec::new();
        let mut parent = vec![NO_PARENT; entries.len()];
        for (i, header) in headers.iter().enumerate() {
            let base = match header.header {
                Header::OfsDelta { base_distance } => {
                    header.checked_base_pack_offset(base_distance).and_then(by_offset)
                }
                Header::RefDelta { base_id } => bundle
                    .index
                    .lookup(base_id)
                    .map(|k| bundle.index.pack_offset_at_index(k))
                    .and_then(by_offset),
                _ => continue,
            };
            // A repository's packs are never thin: every delta's base is in the same pack.
            parent[i] = base.ok_or_else(|| format!("{}: its delta base is not in the pack", at(i)))? as u32;
        }
        let mut child_start = vec![0u32; entries.len() + 1];
        for &p in parent.iter().filter(|&&p| p != NO_PARENT) {
            child_start[p as usize + 1] += 1;
        }
        for i in 0..entries.len() {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![0u32; child_start[entries.len()] as usize];
        for (i, &p) in parent.iter().enumerate().filter(|(_, p)| **p != NO_PARENT) {
            children[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
        let mut forest = Forest {
            child_start,
            children,
            roots: Vec::new(),
            walked_objects: 0,
        };
        // Each tree's size, breadth first from its root; an entry no root reaches sits on a
        // loop of deltas, which only a damaged pack holds.
        let mut reached = 0;
        let mut queue = Vec::new();
        let mut sized = Vec::new();
        for root in (0..entries.len()).filter(|&i| parent[i] == NO_PARENT) {
            queue.clear();
            queue.push(root as u32);
            let mut k = 0;
            while let Some(&node) = queue.get(k) {
                k += 1;
                queue.extend_from_slice(forest.children_of(node));
            }
            reached += queue.len();
            if let Some(kind) = headers[root].header.as_kind().filter(|k| kinds.contains(k)) {
                forest.walked_objects += queue.len();
                tree_blocks.clear();
                tree_blocks.extend(queue.iter().flat_map(|&node| blocks(node as usize)));
                tree_blocks.sort_unstable();
                tree_blocks.dedup();
                sized.push((
                    queue.len(),
                    root as u32,
                    kind,
                    tree_blocks.len() as u64 * MAPPED_BLOCK,
                ));
            }
        }
        if reached != entries.len() {
            return Err("some of its deltas form a loop and have no base object".to_string());
        }
        sized.sort_unstable_by_key(|s| std::cmp::Reverse((s.0, s.1)));
        forest.roots = sized
            .into_iter()
            .map(|(_, root, kind, mapped)| DeltaTree { root, kind, mapped })
            .collect();
        Ok(forest)
    }

    fn children_of(&self, node: u32) -> &[u32] {
        let i = node as usize;
        &self.children[self.child_start[i] as usize..self.child_start[i + 1] as usize]
    }
}

/// A decoded object whose deltas are still to be walked.
struct Decoded<T> {
    data: Vec<u8>,
    state: Option<T>,
}

/// One thread's walk and its reused buffers.
struct Walker<'a> {
    index: &'a index::File,
    entries: &'a [PackEntry],
    trees: &'a Forest,
    inflate: gix_zlib::Inflate,
    delta: Vec<u8>,
    copies: Vec<Copied>,
    /// The bytes of the last object without deltas, whose buffer the next one reuses.
    leaf: Vec<u8>,
}

impl Walker<'_> {
    /// Walks the tree at `root`, depth first, reading the pack through `pack`.
    fn tree<T, V>(
        &mut self,
        pack: &data::File,
        root: u32,
        kind: gix_object::Kind,
        visit: &V,
    ) -> Result<(), String>
    where
        V: Fn(Object<'_, T>) -> Option<T>,
    {
        let (entries, trees) = (self.entries, self.trees);
        let mut stack: Vec<(u32, Option<Arc<Decoded<T>>>)> = vec![(root, None)];
        while let Some((node, base)) = stack.pop() {
            let children = trees.children_of(node);
            let mut data = if children.is_empty() {
                std::mem::take(&mut self.leaf)
            } else {
                Vec::new()
            };
            let at = |e: &dyn std::fmt::Display| {
                let entry = &entries[node as usize];
                format!(
                    "object {} at offset {}: {e}",
                    self.index.oid_at_index(entry.index),
                    entry.pack_offset
                )
            };
            let header = &pack
                .entry(entries[node as usize].pack_offset)
                .map_err(|e| at(&e))?;
            self.copies.clear();
            match &base {
                None => {
                    inflate(pack, header, &mut self.inflate, &mut data).map_err(|e| at(&e))?;
                }
                Some(base) => {
                    inflate(pack, header, &mut self.inflate, &mut self.delta).map_err(|e| at(&e))?;
                    apply_delta(&base.data, &self.delta, &mut data, &mut self.copies).map_err(|e| at(&e))?;
                }
            }
            let base_state = base
                .as_deref()
                .and_then(|b| b.state.as_ref())
                .map(|state| (state, self.copies.as_slice()));
            let state = visit(Object {
                id: self.index.oid_at_index(entries[node as usize].index),
                kind,
                data: &data,
                base: base_state,
            });
            if children.is_empty() {
                self.leaf = data;
                continue;
            }
            let decoded = Arc::new(Decoded { data, state });
            stack.extend(children.iter().rev().map(|&c| (c, Some(Arc::clone(&decoded)))));
        }
        Ok(())
    }
}

/// Inflates an entry's stored bytes (a whole object, or a delta's instructions) into `out`.
fn inflate(
    pack: &data::File,
    header: &data::Entry,
    inflate: &mut gix_zlib::Inflate,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let size = usize::try_from(header.decompressed_size).map_err(|_| "too large to decode".to_string())?;
    out.clear();
    out.resize(size, 0);
    pack.decompress_entry(header, inflate, out)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Rebuilds an object from its base and a delta (git's format: the base's size, the
/// object's size, then instructions that copy a run of the base or insert bytes of their
/// own), noting each run copied; adjacent runs of one stretch of the base count as one.
pub(super) fn apply_delta(
    base: &[u8],
    delta: &[u8],
    out: &mut Vec<u8>,
    copies: &mut Vec<Copied>,
) -> Result<(), &'static str> {
    let mut i = 0;
    let base_size = varint(delta, &mut i)?;
    if base_size != base.len() as u64 {
        return Err("its delta expects a base of another size");
    }
    let size = usize::try_from(varint(delta, &mut i)?).map_err(|_| "its delta states an impossible size")?;
    out.clear();
    copies.clear();
    // The stated size is only trusted so far: the output grows as instructions add to it.
    out.reserve(size.min(64 << 20));
    let byte = |i: &mut usize| -> Result<usize, &'static str> {
        let b = *delta.get(*i).ok_or("its delta is truncated")?;
        *i += 1;
        Ok(usize::from(b))
    };
    while i < delta.len() {
        let op = delta[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut from = 0;
            for bit in 0..4 {
                if op & (1 << bit) != 0 {
                    from |= byte(&mut i)? << (8 * bit);
                }
            }
            let mut len = 0;
            for bit in 0..3 {
                if op & (0x10 << bit) != 0 {
                    len |= byte(&mut i)? << (8 * bit);
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            let run = base
                .get(from..from.saturating_add(len))
                .filter(|r| r.len() == len)
                .ok_or("its delta copies past the end of its base")?;
            let to = out.len();
            match copies.last_mut() {
                Some(last) if last.to + last.len == to && last.from + last.len == from => last.len += len,
                _ => copies.push(Copied { to, from, len }),
            }
            out.extend_from_slice(run);
        } else if op != 0 {
            let run = delta
                .get(i..i + usize::from(op))
                .ok_or("its delta is truncated")?;
            i += run.len();
            out.extend_from_slice(run);
        } else {
            return Err("its delta holds the reserved instruction 0");
        }
        if out.len() > size {
            return Err("its delta yields more bytes than it states");
        }
    }
    if out.len() != size {
        return Err("its delta yields fewer bytes than it states");
    }
    Ok(())
}

/// A size in a delta's header: 7 bits a byte, least significant first.
fn varint(delta: &[u8], i: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *delta.get(*i).ok_or("its delta is truncated")?;
        *i += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("its delta states an impossible size")
}

#[cfg(test)]
#[path = "pack_walk_tests.rs"]
mod tests;
