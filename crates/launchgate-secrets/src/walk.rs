//! Which files a working-tree scan reads.
//!
//! Ignore files apply as git applies them: from the top of the repository down, never from
//! the folders above it (a home folder's `.gitignore` with `*` hides nothing in a repository
//! inside it); outside a repository the scanned folder is the top. Files git tracks are read
//! whatever any ignore file says, since they are committed. Symbolic links are never
//! followed: one that leads outside the repository is skipped and named in a note, one that
//! leads to a file inside it is left to that file's own entry, so nothing is read twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::git::{Git, nul_fields};

/// A file found by the walk: its path as walked, its path relative to the walked root, its
/// size, and the path to read it from (a link's target inside the repository).
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    pub relative: Option<String>,
    pub len: u64,
    pub read_from: PathBuf,
}

/// What walking one root found.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<Found>,
    pub warnings: Vec<String>,
    /// Links that lead outside the repository (or the scanned folder outside one).
    pub links_outside: Vec<String>,
    /// Links to folders inside, not followed: their contents are walked where they live.
    pub links_to_folders: usize,
    /// Tracked files that ignore rules hid and that were read anyway.
    pub tracked_but_ignored: usize,
    /// Tracked files absent from the working tree (sparse checkout, deleted).
    pub tracked_missing: usize,
    /// Set when ignore rules left out every file of a tree that holds some.
    pub all_ignored: bool,
}

/// The top of the git work tree holding `dir`, if any: the nearest folder with a `.git`.
fn work_tree_top(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// Walks one root (a folder or a file).
pub fn walk_root(root: &Path, no_ignore: bool) -> Result<Walked, Error> {
    let mut walked = Walked::default();
    let top = work_tree_top(if root.is_dir() {
        root
    } else {
        root.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    });
    // Links may lead anywhere inside the repository; outside one, inside the scanned folder.
    let boundary = top.clone().or_else(|| root.canonicalize().ok());
    let canonical_root = root.canonicalize().ok();
    // Below the top of a repository, the ignore files from the top down to the scanned
    // folder apply as git applies them, and no file above the top is ever read. The walk
    // then runs on the absolute folder, so those files' patterns match from the top.
    let narrowed = match (&top, &canonical_root) {
        (Some(top), Some(croot)) if root.is_dir() && top != croot => Some(croot.clone()),
        _ => None,
    };
    let mut builder = ignore::WalkBuilder::new(narrowed.as_deref().unwrap_or(root));
    builder
        .hidden(false)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .ignore(!no_ignore)
        .parents(false)
        // The repository is known; the walker's own search for `.git` would stop at the
        // scanned folder and drop every `.gitignore` below it.
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git");
    if let (Some(top), Some(croot), false) = (&top, &narrowed, no_ignore) {
        for file in ignore_files_between(top, croot) {
            if let Some(e) = builder.add_ignore(&file) {
                walked.warnings.push(format!("{}: {e}", file.display()));
            }
        }
    }
    let mut seen = HashSet::new();
    for result in builder.build() {
        let entry = match result {
            Ok(entry) => entry,
            Err(e) => {
                walked.warnings.push(e.to_string());
                continue;
            }
        };
        let Some(kind) = entry.file_type() else { continue };
        // The path under the scanned folder, spelled as the user spelled the folder.
        let path = match &narrowed {
            Some(croot) => match entry.path().strip_prefix(croot) {
                Ok(rest) => root.join(rest),
                Err(_) => continue,
            },
            None => entry.path().to_path_buf(),
        };
        let relative = relative_to(root, &path);
        if kind.is_symlink() {
            link(
                &mut walked,
                &path,
                relative,
                boundary.as_deref(),
                canonical_root.as_deref(),
            );
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        seen.insert(path.clone());
        walked.files.push(Found {
            read_from: path.clone(),
            path,
            relative,
            len,
        });
    }
    if let (Some(top), false, true) = (&top, no_ignore, root.is_dir()) {
        add_tracked(&mut walked, root, top, &seen)?;
    }
    if walked.files.is_empty() && !no_ignore && walked.links_outside.is_empty() {
        walked.all_ignored = holds_any_file(root);
    }
    Ok(walked)
}

/// `.gitignore` and `.ignore` files from the top of the repository down to the scanned
/// folder's parent, and the repository's own excludes: the scanned folder's own files are
/// read by the walk.
fn ignore_files_between(top: &Path, croot: &Path) -> Vec<PathBuf> {
    let mut files = vec![top.join(".git/info/exclude")];
    let mut dir = top.to_path_buf();
    let below = croot.strip_prefix(top).unwrap_or(Path::new(""));
    let mut steps = below.components().peekable();
    loop {
        files.push(dir.join(".gitignore"));
        files.push(dir.join(".ignore"));
        match steps.next() {
            Some(step) if steps.peek().is_some() => dir.push(step),
            _ => break,
        }
    }
    files.retain(|f| f.is_file());
    files
}

fn relative_to(root: &Path, path: &Path) -> Option<String> {
    path.strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .map(crate::files::display_path)
}

/// Sorts a link: outside the boundary it is skipped and named; to a file inside the boundary
/// but outside the scanned folder it is read under its own name; anything else inside is
/// left to the walk of its target.
fn link(
    walked: &mut Walked,
    path: &Path,
    relative: Option<String>,
    boundary: Option<&Path>,
    root: Option<&Path>,
) {
    let shown = crate::files::display_path(path);
    let Ok(target) = path.canonicalize() else {
        // A dangling link or a loop reads nothing.
        walked
            .warnings
            .push(format!("{shown}: a symbolic link whose target cannot be read"));
        return;
    };
    let inside = boundary.is_some_and(|b| target.starts_with(b));
    if !inside {
        walked.links_outside.push(shown);
        return;
    }
    if target.is_dir() {
        walked.links_to_folders += 1;
        return;
    }
    if root.is_some_and(|r| target.starts_with(r)) {
        // The target is scanned at its own path.
        return;
    }
    let len = target.metadata().map(|m| m.len()).unwrap_or(0);
    walked.files.push(Found {
        path: path.to_path_buf(),
        relative,
        len,
        read_from: target,
    });
}

/// Adds the tracked files under `root` that ignore rules hid: they are committed, so a
/// user's global excludes or a `.gitignore` entry added later must not hide them.
fn add_tracked(walked: &mut Walked, root: &Path, top: &Path, seen: &HashSet<PathBuf>) -> Result<(), Error> {
    let output = Git::new(root)
        .cmd("the tracked files", ["ls-files", "-z", "--cached", "--", "."])
        .run()?;
    if !output.success {
        // A folder git cannot read as a work tree (a bare `.git` file, a broken repository)
        // is walked as a plain folder.
        walked.warnings.push(format!(
            "git cannot list the tracked files of {}: {}",
            crate::files::display_path(root),
            output.stderr.lines().next().unwrap_or_default()
        ));
        return Ok(());
    }
    let mut listed = HashSet::new();
    for name in nul_fields(&output.stdout) {
        let relative = os_path(name);
        if !listed.insert(relative.clone()) {
            continue; // one entry per conflict stage
        }
        let path = root.join(&relative);
        if seen.contains(&path) {
            continue;
        }
        match path.symlink_metadata() {
            // A tracked folder since replaced by a link leads outside: never read through it.
            Ok(meta) if meta.is_file() && !path.canonicalize().is_ok_and(|c| c.starts_with(top)) => {
                walked.links_outside.push(crate::files::display_path(&path));
            }
            Ok(meta) if meta.is_file() => {
                walked.tracked_but_ignored += 1;
                walked.files.push(Found {
                    read_from: path.clone(),
                    relative: Some(crate::files::display_path(&relative)),
                    path,
                    len: meta.len(),
                });
            }
            Ok(_) => {}
            Err(_) => walked.tracked_missing += 1,
        }
    }
    Ok(())
}

/// Whether a folder holds any file at all, ignore files aside (`.git` excluded).
fn holds_any_file(root: &Path) -> bool {
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        .any(|e| e.file_type().is_some_and(|t| t.is_file()))
}

/// A path git printed as raw bytes.
#[cfg(unix)]
fn os_path(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn os_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Sentences for the report about links and tracked files.
pub fn notes(outcome: &crate::files::WalkOutcome) -> Vec<String> {
    let mut notes = Vec::new();
    if !outcome.links_outside.is_empty() {
        let mut all: Vec<&str> = outcome.links_outside.iter().map(String::as_str).collect();
        all.sort_unstable();
        let mut named: Vec<&str> = all.into_iter().take(5).collect();
        if outcome.links_outside.len() > named.len() {
            named.push("…");
        }
        notes.push(format!(
            "skipped {} symbolic link(s) leading outside the repository, never read: {}",
            outcome.links_outside.len(),
            named.join(", ")
        ));
    }
    if outcome.links_to_folders > 0 {
        notes.push(format!(
            "did not follow {} symbolic link(s) to folders; their targets are scanned where they are",
            outcome.links_to_folders
        ));
    }
    if outcome.tracked_but_ignored > 0 {
        notes.push(format!(
            "scanned {} tracked file(s) that ignore rules would hide: committed files are always scanned",
            outcome.tracked_but_ignored
        ));
    }
    if outcome.tracked_missing > 0 {
        notes.push(format!(
            "{} tracked file(s) are not in the working tree (sparse checkout or deleted) and were not scanned; `scan --history` reads them",
            outcome.tracked_missing
        ));
    }
    notes
}

/// The error for a scan that ignore rules emptied.
pub fn all_ignored_error(roots: &[PathBuf]) -> Error {
    let roots: Vec<String> = roots.iter().map(|r| crate::files::display_path(r)).collect();
    Error::input(format!(
        "nothing to scan: ignore rules (.gitignore, .ignore, git's excludes) leave out every file in {}",
        roots.join(", ")
    ))
    .with_help(
        "scan with --no-ignore to read them, or fix the ignore file that matches everything; a pass here would mean nothing was checked",
    )
}
