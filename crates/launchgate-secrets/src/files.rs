//! Scanning files and folders: walking with `.gitignore` respected, skipping huge files (and
//! saying so), in parallel over files.

use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::bounded::FileRead;
use rayon::prelude::*;

use globset::GlobSet;
use launchgate_detect::globs::glob_set;
pub use launchgate_detect::printable::is_binary;
use launchgate_detect::{Engine, Match};

/// What to walk and what to leave out.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub paths: Vec<PathBuf>,
    /// Scan files that `.gitignore` and friends exclude.
    pub no_ignore: bool,
    /// When not empty, only files matching one of these globs.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
}

/// The matches of one file, each with whether its line carries an allow comment.
#[derive(Debug)]
pub struct ScannedFile {
    pub path: String,
    pub matches: Vec<(Match, bool)>,
}

/// What a walk scanned and what it skipped, and why.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    pub files: Vec<ScannedFile>,
    pub scanned: usize,
    pub bytes: u64,
    /// Binary files, scanned through their printable runs.
    pub binary: usize,
    pub skipped_large: usize,
    pub skipped_excluded: usize,
    /// Symbolic links leading outside the repository, never read.
    pub links_outside: Vec<String>,
    pub links_to_folders: usize,
    pub tracked_but_ignored: usize,
    pub tracked_missing: usize,
    /// Unreadable files, loops, permission problems: one sentence each.
    pub warnings: Vec<String>,
}

impl WalkOutcome {
    /// Plain sentences for the report's notes.
    pub fn notes(&self, max_file_size: u64) -> Vec<String> {
        let mut notes = vec![format!("scanned {} file(s), {} bytes", self.scanned, self.bytes)];
        if self.binary > 0 {
            notes.push(format!(
                "scanned {} binary file(s) (a NUL byte in the first 8 KiB) through their printable runs",
                self.binary
            ));
        }
        if self.skipped_large > 0 {
            notes.push(format!(
                "skipped {} file(s) larger than {max_file_size} bytes (--max-file-size)",
                self.skipped_large
            ));
        }
        if self.skipped_excluded > 0 {
            notes.push(format!(
                "skipped {} file(s) by include/exclude globs or secrets.allow.paths",
                self.skipped_excluded
            ));
        }
        notes.extend(crate::walk::notes(self));
        notes.extend(self.warnings.iter().map(|w| format!("warning: {w}")));
        notes
    }
}

enum Entry {
    /// A file: the path to read, the path as walked, its path relative to the walked root,
    /// and its size.
    File(PathBuf, PathBuf, Option<String>, u64),
    Warning(String),
}

/// Walks the paths and scans every file found.
pub fn scan_paths(engine: &Engine, options: &WalkOptions) -> Result<WalkOutcome, Error> {
    let include = glob_set(&options.include, "--include / secrets.include")?;
    let exclude = glob_set(&options.exclude, "--exclude / secrets.exclude")?;
    let mut outcome = WalkOutcome::default();
    let mut entries = Vec::new();
    let mut all_ignored = Vec::new();
    for root in &options.paths {
        if std::fs::symlink_metadata(root).is_err() {
            return Err(Error::input(format!("{} does not exist", root.display()))
                .with_help("name files or folders to scan, relative to the current directory"));
        }
        let walked = crate::walk::walk_root(root, options.no_ignore)?;
        all_ignored.extend(walked.all_ignored.then(|| root.clone()));
        entries.extend(
            walked
                .files
                .into_iter()
                .map(|f| Entry::File(f.read_from, f.path, f.relative, f.len)),
        );
        entries.extend(walked.warnings.into_iter().map(Entry::Warning));
        outcome.links_outside.extend(walked.links_outside);
        outcome.links_to_folders += walked.links_to_folders;
        outcome.tracked_but_ignored += walked.tracked_but_ignored;
        outcome.tracked_missing += walked.tracked_missing;
    }
    if !all_ignored.is_empty() && !entries.iter().any(|e| matches!(e, Entry::File(..))) {
        return Err(crate::walk::all_ignored_error(&all_ignored));
    }
    for root in &all_ignored {
        outcome.warnings.push(format!(
            "ignore rules leave out every file in {}; scan it with --no-ignore",
            display_path(root)
        ));
    }

    let mut to_scan = Vec::new();
    for entry in entries {
        match entry {
            Entry::Warning(w) => outcome.warnings.push(w),
            Entry::File(read_from, path, relative, len) => {
                let display = display_path(&path);
                // Globs match the path as shown or relative to the folder being walked, so
                // `--include 'src/**'` works for `scan .` and for `scan /abs/repo` alike.
                let names = [Some(display.as_str()), relative.as_deref()];
                let matches = |g: &GlobSet| names.iter().flatten().any(|n| g.is_match(n));
                let excluded = include.as_ref().is_some_and(|g| !matches(g))
                    || exclude.as_ref().is_some_and(matches)
                    || names.iter().flatten().any(|n| engine.path_allowed(n));
                if excluded {
                    outcome.skipped_excluded += 1;
                } else if len > options.max_file_size {
                    outcome.skipped_large += 1;
                } else {
                    to_scan.push((read_from, display));
                }
            }
        }
    }

    let results: Vec<FileResult> = to_scan
        .par_iter()
        .map(|(path, display)| scan_file(engine, path, display, options.max_file_size))
        .collect();
    for result in results {
        match result {
            FileResult::Scanned(file, bytes, binary) => {
                outcome.scanned += 1;
                outcome.binary += usize::from(binary);
                outcome.bytes += bytes;
                if !file.matches.is_empty() {
                    outcome.files.push(file);
                }
            }
            FileResult::Large => outcome.skipped_large += 1,
            FileResult::Unreadable(w) => outcome.warnings.push(w),
        }
    }
    outcome.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(outcome)
}

enum FileResult {
    /// The file, its size, and whether it was binary.
    Scanned(ScannedFile, u64, bool),
    Large,
    Unreadable(String),
}

fn scan_file(engine: &Engine, path: &Path, display: &str, max: u64) -> FileResult {
    // A link may lead to a pipe (opening it would wait forever) or to a file that grew
    // after the walk measured it.
    let bytes = match launchgate_core::bounded::try_read_file(path, max) {
        Ok(FileRead::Read(bytes)) => bytes,
        Ok(FileRead::TooLarge) => return FileResult::Large,
        Ok(FileRead::NotRegular(kind)) => {
            return FileResult::Unreadable(format!(
                "skipped {display}: it leads to {kind}, not a regular file"
            ));
        }
        Err(e) => return FileResult::Unreadable(format!("cannot read {display}: {e}")),
    };
    FileResult::Scanned(
        ScannedFile {
            path: display.to_string(),
            matches: scan_with_allow(engine, display, &bytes),
        },
        bytes.len() as u64,
        is_binary(&bytes),
    )
}

/// Scans bytes and marks each match whose line carries an allow comment.
pub fn scan_with_allow(engine: &Engine, path: &str, bytes: &[u8]) -> Vec<(Match, bool)> {
    engine
        .scan_bytes(path, bytes)
        .into_iter()
        .map(|m| {
            let allowed = m.inline_allowed;
            (m, allowed)
        })
        .collect()
}

/// The path as findings show it: `/` separators, no leading `./`.
pub fn display_path(path: &Path) -> String {
    launchgate_core::finding::normalize_path(&path.to_string_lossy())
}
