//! The work a whole bundle-size config asks for, done once and in parallel: each distinct
//! esbuild bundle is built once, each file is read once, and each of its sizes is computed
//! once, only in the compressions some check asks for. Checks often measure the same entry
//! in two compressions, or the same files under two names; brotli 11 of one large file is
//! the longest job, so the other files' sizes are computed beside it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use rayon::prelude::*;

use crate::build_files::{Compression, brotli_size, gzip_size};
use crate::rebundle::{self, Bundle, BundleRequest};
use crate::size_cache::SizeCache;

/// A file's size in one compression, keyed by the file and the compression.
pub type Sizes = HashMap<(PathBuf, Compression), u64>;

/// The sizes of files (absolute, or relative to `root`) in the compressions asked for,
/// keyed by file and compression, through `cache`. Fails on the first unreadable file, in
/// path order.
pub fn sizes(
    root: &Path,
    wanted: impl IntoIterator<Item = (PathBuf, Compression)>,
    cache: &SizeCache,
) -> Result<Sizes, Error> {
    let mut by_file: BTreeMap<PathBuf, Vec<Compression>> = BTreeMap::new();
    for (path, compression) in wanted {
        let list = by_file.entry(path).or_default();
        if !list.contains(&compression) {
            list.push(compression);
        }
    }
    let per_file: Vec<Result<Sizes, Error>> = by_file
        .par_iter()
        .map(|(path, compressions)| {
            let full = if path.is_absolute() {
                path.clone()
            } else {
                root.join(path)
            };
            let bytes = crate::read::build_file(&full)?;
            Ok(compressions
                .par_iter()
                .map(|&compression| {
                    let size = cache.size(&bytes, compression, |bytes| match compression {
                        Compression::None => bytes.len() as u64,
                        Compression::Gzip => gzip_size(bytes),
                        Compression::Brotli => brotli_size(bytes),
                    });
                    ((path.clone(), compression), size)
                })
                .collect())
        })
        .collect();
    let mut out = HashMap::new();
    for file in per_file {
        out.extend(file?);
    }
    Ok(out)
}

/// Distinct esbuild bundles, each asked for by one or more checks.
#[derive(Debug, Default)]
pub struct Bundles {
    /// Each distinct request and the check that asked for it first (named in errors).
    requests: Vec<(BundleRequest, String)>,
}

impl Bundles {
    /// The index of the bundle for `request`, adding it when no earlier check asked for it.
    pub fn add(&mut self, request: BundleRequest, check: String) -> usize {
        match self.requests.iter().position(|(r, _)| *r == request) {
            Some(i) => i,
            None => {
                self.requests.push((request, check));
                self.requests.len() - 1
            }
        }
    }

    pub fn request(&self, index: usize) -> &BundleRequest {
        &self.requests[index].0
    }

    /// Builds every bundle and sizes its outputs in the compressions `compressions[i]` lists
    /// for bundle `i`, while the files `on_disk` are sized. Each bundle is compressed as soon
    /// as esbuild has written it, beside the files on disk: a bundle never waits for another
    /// bundle or for the largest file. On failure, the error of the first check's bundle,
    /// then of the files on disk. The bundles' folders go when the returned bundles are
    /// dropped.
    pub fn build_and_size(
        &self,
        esbuild: Option<&Path>,
        dir: &Path,
        compressions: &[Vec<Compression>],
        on_disk: Vec<(PathBuf, Compression)>,
        cache: &SizeCache,
    ) -> Result<(Vec<Bundle>, Sizes), Error> {
        let requests = match esbuild {
            Some(esbuild) => self.requests.iter().map(|r| (esbuild, r)).collect(),
            None => Vec::new(),
        };
        let (built, on_disk) = std::thread::scope(|scope| {
            // A thread per bundle, outside the compression threads: esbuild is another
            // process, and waiting for it must not hold a core the compression could use.
            let builders: Vec<_> = requests
                .into_iter()
                .enumerate()
                .map(|(i, (esbuild, (request, check)))| {
                    let asked = compressions.get(i).map(Vec::as_slice).unwrap_or_default();
                    scope.spawn(move || {
                        let bundle = rebundle::build(esbuild, dir, request, check)?;
                        let wanted = bundle
                            .outputs
                            .iter()
                            .flat_map(|f| asked.iter().map(move |&c| (f.clone(), c)));
                        let sized = sizes(dir, wanted, cache);
                        Ok::<_, Error>((bundle, sized))
                    })
                })
                .collect();
            let on_disk = sizes(dir, on_disk, cache);
            let built: Vec<_> = builders
                .into_iter()
                .map(|b| b.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect();
            (built, on_disk)
        });
        let mut bundles = Vec::with_capacity(built.len());
        let mut of_bundles = Vec::with_capacity(built.len());
        for result in built {
            let (bundle, sized) = result?;
            bundles.push(bundle);
            of_bundles.push(sized);
        }
        let mut all = on_disk?;
        for sized in of_bundles {
            all.extend(sized?);
        }
        Ok((bundles, all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_is_sized_once_per_compression_asked_for() {
        let tmp = tempfile::tempdir().unwrap();
        let text = "export const value = [1, 2, 3].map((n) => n * 2);\n".repeat(200);
        std::fs::write(tmp.path().join("a.js"), &text).unwrap();
        std::fs::write(tmp.path().join("b.js"), "x").unwrap();
        let a = PathBuf::from("a.js");
        let sizes = sizes(
            tmp.path(),
            [
                (a.clone(), Compression::Gzip),
                (a.clone(), Compression::Gzip),
                (a.clone(), Compression::None),
                (PathBuf::from("b.js"), Compression::None),
            ],
            &SizeCache::off(),
        )
        .unwrap();
        assert_eq!(sizes.len(), 3, "a duplicate request is sized once: {sizes:?}");
        assert_eq!(sizes[&(a.clone(), Compression::None)], text.len() as u64);
        assert_eq!(sizes[&(a.clone(), Compression::Gzip)], gzip_size(text.as_bytes()));
        assert!(
            !sizes.contains_key(&(a, Compression::Brotli)),
            "brotli was not asked for"
        );
        assert_eq!(sizes[&(PathBuf::from("b.js"), Compression::None)], 1);
    }

    #[test]
    fn an_unreadable_file_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let err = sizes(
            tmp.path(),
            [(PathBuf::from("gone.js"), Compression::Gzip)],
            &SizeCache::off(),
        )
        .unwrap_err();
        assert!(format!("{err:?}").contains("gone.js"), "{err:?}");
    }

    #[test]
    fn the_same_bundle_asked_twice_is_built_once() {
        let mut bundles = Bundles::default();
        let request = BundleRequest {
            files: vec![PathBuf::from("/p/src/main.js")],
            ..BundleRequest::default()
        };
        let first = bundles.add(request.clone(), "check one".into());
        let again = bundles.add(request, "check two".into());
        let other = bundles.add(BundleRequest::default(), "check three".into());
        assert_eq!((first, again, other), (0, 0, 1));
        assert_eq!(bundles.requests.len(), 2);
    }
}
