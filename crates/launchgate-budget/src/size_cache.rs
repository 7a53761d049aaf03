//! Compressed sizes remembered between runs, so an unchanged file is not compressed again.
//!
//! Brotli at quality 11 is most of a bundle-size check's time, and from one run to the next
//! most files are unchanged. An entry is keyed by the SHA-256 of the file's bytes, the
//! algorithm and its settings; it holds the size and a checksum, never the file's contents.
//! A changed file has another hash and is compressed again. An entry that does not read
//! back exactly (torn, edited, another format) is ignored and written again, so it cannot
//! change a verdict. Entries are written to a temporary file and renamed into place, so
//! concurrent runs see a whole entry or none. The folder holds at most [`MAX_ENTRIES`]; past
//! that, the oldest are removed. A cache that cannot be read or written is not used: the
//! sizes are computed as without it.
//!
//! Where: `$LAUNCHGATE_SIZE_CACHE` (a folder, or `off`), else
//! `$XDG_CACHE_HOME/launchgate/sizes`, else `~/.cache/launchgate/sizes`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use crate::build_files::Compression;

/// The variable that names the cache folder, or turns the cache off with `off`.
pub const ENVIRONMENT_VARIABLE: &str = "LAUNCHGATE_SIZE_CACHE";

/// The most entries kept (about 100 bytes each on disk, one file each).
pub const MAX_ENTRIES: usize = 20_000;

/// Entries' names carry this, so another format is never read as this one.
const FORMAT: &str = "v1";

/// Entries are written under this name first, then renamed into place.
const TEMPORARY_PREFIX: &str = ".launchgate-size-";

/// Whether a file of the folder is one this cache wrote (an entry, or a temporary file a
/// stopped run left): pruning never touches anything else, wherever the folder is.
fn is_own_file(name: &str) -> bool {
    let entry = name.len() > 65
        && name.as_bytes()[64] == b'.'
        && name.as_bytes()[..64]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        && name.ends_with(&format!(".{FORMAT}"));
    entry || (name.starts_with(TEMPORARY_PREFIX) && name.ends_with(".tmp"))
}

/// Where compressed sizes are remembered, or nowhere.
#[derive(Debug, Clone, Default)]
pub struct SizeCache {
    dir: Option<PathBuf>,
    /// Whether this run added an entry, so the folder may need pruning.
    wrote: Arc<AtomicBool>,
}

impl SizeCache {
    /// No cache: every size is computed.
    pub fn off() -> SizeCache {
        SizeCache::default()
    }

    /// A cache in `dir` (created when first written).
    pub fn at(dir: impl Into<PathBuf>) -> SizeCache {
        SizeCache {
            dir: Some(dir.into()),
            ..SizeCache::default()
        }
    }

    /// The documented default: [`ENVIRONMENT_VARIABLE`], else the user's cache folder.
    pub fn from_env() -> SizeCache {
        Self::from_vars(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
    }

    fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> SizeCache {
        if let Some(value) = var(ENVIRONMENT_VARIABLE) {
            return if value == "off" {
                SizeCache::off()
            } else {
                SizeCache::at(value)
            };
        }
        let base = var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")));
        SizeCache {
            dir: base.map(|b| b.join("launchgate").join("sizes")),
            ..SizeCache::default()
        }
    }

    /// The folder, when the cache is on.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The size of `bytes` in `compression`: remembered, or computed with `compute` and
    /// remembered. Raw sizes are never cached.
    pub fn size(&self, bytes: &[u8], compression: Compression, compute: impl FnOnce(&[u8]) -> u64) -> u64 {
        let Some(dir) = self.dir.as_deref().filter(|_| compression != Compression::None) else {
            return compute(bytes);
        };
        let name = entry_name(bytes, compression);
        let path = dir.join(&name);
        if let Some(size) = std::fs::read(&path)
            .ok()
            .and_then(|text| parse_entry(&name, &text))
        {
            return size;
        }
        let size = compute(bytes);
        // A cache that cannot be written only costs the next run the compression.
        if write_entry(dir, &path, &name, size).is_ok() {
            self.wrote.store(true, Ordering::Relaxed);
        }
        size
    }

    /// Removes the oldest entries when there are more than [`MAX_ENTRIES`], down to three
    /// quarters of it; only after this run wrote an entry, so a warm run lists nothing.
    pub fn prune(&self) {
        if let Some(dir) = self
            .dir
            .as_deref()
            .filter(|_| self.wrote.swap(false, Ordering::Relaxed))
        {
            prune_dir(dir, MAX_ENTRIES);
        }
    }
}

/// `<sha256>.<algorithm and settings>.v1`: what the size depends on.
fn entry_name(bytes: &[u8], compression: Compression) -> String {
    let hash = launchgate_core::secret::sha256_hex(bytes);
    format!("{hash}.{}.{FORMAT}", settings(compression))
}

/// The algorithm and the settings [`crate::build_files`] compresses with; changing those
/// must change this.
fn settings(compression: Compression) -> &'static str {
    match compression {
        Compression::None => "raw",
        Compression::Gzip => "gzip-zlibrs-8",
        Compression::Brotli => "brotli-q11-w22",
    }
}

/// An entry's text: the size, then a checksum of the name and the size.
fn entry_text(name: &str, size: u64) -> String {
    format!("{size} {}\n", checksum(name, size))
}

fn checksum(name: &str, size: u64) -> String {
    launchgate_core::secret::sha256_hex(format!("{name} {size}").as_bytes())[..16].to_string()
}

/// The size an entry holds, if it reads back exactly as [`entry_text`] wrote it.
fn parse_entry(name: &str, text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let (size, check) = text.strip_suffix('\n')?.split_once(' ')?;
    let size: u64 = size.parse().ok()?;
    (entry_text(name, size) == text && check.len() == 16).then_some(size)
}

fn write_entry(dir: &Path, path: &Path, name: &str, size: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp, entry_text(name, size).as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn prune_dir(dir: &Path, max: usize) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(SystemTime, PathBuf)> = read
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_own_file))
        .map(|e| {
            let modified = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            (modified, e.path())
        })
        .collect();
    if entries.len() <= max {
        return;
    }
    entries.sort();
    let remove = entries.len() - max * 3 / 4;
    for (_, path) in entries.into_iter().take(remove) {
        // Another run may have removed it first.
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_is_computed_once_then_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = SizeCache::at(tmp.path());
        let mut computed = 0;
        for _ in 0..3 {
            let size = cache.size(b"some text", Compression::Brotli, |b| {
                computed += 1;
                b.len() as u64 + 1
            });
            assert_eq!(size, 10);
        }
        assert_eq!(computed, 1);
        // Another compression of the same bytes is another entry.
        assert_eq!(cache.size(b"some text", Compression::Gzip, |_| 7), 7);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
    }

    #[test]
    fn changed_bytes_are_measured_again() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = SizeCache::at(tmp.path());
        assert_eq!(cache.size(b"one", Compression::Brotli, |_| 1), 1);
        assert_eq!(cache.size(b"two", Compression::Brotli, |_| 2), 2);
        assert_eq!(cache.size(b"one", Compression::Brotli, |_| 99), 1);
    }

    #[test]
    fn a_corrupt_entry_is_ignored_and_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = SizeCache::at(tmp.path());
        cache.size(b"text", Compression::Brotli, |_| 1234);
        let entry = std::fs::read_dir(tmp.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let good = std::fs::read_to_string(&entry).unwrap();
        for bad in [
            good.replacen("1234", "1", 1),
            good.replacen("1234", "12345", 1),
            String::new(),
            "1 \n".into(),
            good.trim_end().to_string(),
            format!("{good}{good}"),
        ] {
            std::fs::write(&entry, &bad).unwrap();
            assert_eq!(
                cache.size(b"text", Compression::Brotli, |_| 1234),
                1234,
                "{bad:?}"
            );
            assert_eq!(std::fs::read_to_string(&entry).unwrap(), good, "rewritten");
        }
    }

    #[test]
    fn raw_sizes_and_an_off_cache_write_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        SizeCache::at(tmp.path()).size(b"x", Compression::None, |_| 1);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        let mut computed = 0;
        for _ in 0..2 {
            SizeCache::off().size(b"x", Compression::Brotli, |_| {
                computed += 1;
                1
            });
        }
        assert_eq!(computed, 2);
    }

    #[test]
    fn an_unwritable_folder_still_gives_the_size() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        assert_eq!(
            SizeCache::at(file.join("sizes")).size(b"x", Compression::Gzip, |_| 5),
            5
        );
    }

    #[test]
    fn the_oldest_entries_go_past_the_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = SizeCache::at(tmp.path());
        for i in 0..8u64 {
            cache.size(&i.to_le_bytes(), Compression::Gzip, |_| i);
        }
        let unrelated = [
            "unrelated",
            "notes.v1",
            ".tmp-x",
            &format!("{}.v1", "A".repeat(66)),
        ];
        for name in unrelated {
            std::fs::write(tmp.path().join(name), "").unwrap();
        }
        let stale = tmp.path().join(format!("{TEMPORARY_PREFIX}abc.tmp"));
        std::fs::write(&stale, "").unwrap();
        prune_dir(tmp.path(), 4);
        let left = std::fs::read_dir(tmp.path()).unwrap().count();
        assert_eq!(
            left,
            3 + 4,
            "three quarters of the limit, and the unrelated files"
        );
    }

    #[test]
    fn the_folder_comes_from_the_environment() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let dir = |pairs| SizeCache::from_vars(vars(pairs)).dir;
        assert_eq!(dir(&[(ENVIRONMENT_VARIABLE, "off"), ("HOME", "/h")]), None);
        assert_eq!(dir(&[(ENVIRONMENT_VARIABLE, "/c")]), Some(PathBuf::from("/c")));
        assert_eq!(
            dir(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]),
            Some(PathBuf::from("/x/launchgate/sizes"))
        );
        assert_eq!(
            dir(&[("XDG_CACHE_HOME", "relative"), ("HOME", "/h")]),
            Some(PathBuf::from("/h/.cache/launchgate/sizes"))
        );
        assert_eq!(dir(&[]), None);
    }
}
