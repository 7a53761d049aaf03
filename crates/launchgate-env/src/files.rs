//! Which `.env*` files a repository has, and which of them git tracks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use launchgate_core::Error;

/// Templates that hold example values, not real ones.
pub const TEMPLATES: [&str; 4] = [".env.example", ".env.sample", ".env.template", ".env.dist"];

/// Folders never searched for `.env` files: dependencies and build output.
const SKIPPED_DIRS: [&str; 8] = [
    "node_modules",
    ".git",
    "target",
    "vendor",
    ".venv",
    "venv",
    "dist",
    ".next",
];

/// Whether a file name is a dotenv file: `.env` or `.env.<something>` (not `.envrc`).
pub fn is_env_file_name(name: &str) -> bool {
    name == ".env" || (name.starts_with(".env.") && name.len() > 5)
}

/// Whether a path names a template (`.env.example` and friends), or a `.env.schema`,
/// whose values are defaults and examples, not a deploy's values.
pub fn is_template(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| TEMPLATES.contains(&n))
        || crate::schema::is_env_spec(path)
}

/// The files git tracks under `root`, relative to it; `Ok(None)` outside a git work tree
/// or when git is not installed.
pub fn git_tracked(root: &Path) -> Result<Option<Vec<PathBuf>>, Error> {
    if !launchgate_core::git::available() {
        return Ok(None);
    }
    let git = launchgate_core::git::Git::new(root);
    let output = git
        .cmd(
            "the tracked files",
            ["ls-files", "-z", "--cached", "--full-name", "--", "."],
        )
        .run()?;
    if !output.success {
        if output.stderr.contains("not a git repository") {
            return Ok(None);
        }
        return Err(Error::input(format!(
            "`git ls-files` failed in {}: {}",
            root.display(),
            output.stderr.trim()
        ))
        .with_help("check that the repository is not corrupt (`git status`)"));
    }
    // `--full-name` paths are relative to the top of the work tree; make them relative to root.
    let prefix = git
        .cmd(
            "the folder's place in the repository",
            ["rev-parse", "--show-prefix"],
        )
        .run()
        .ok()
        .filter(|o| o.success)
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .ok_or_else(|| {
            // Without the prefix, tracked files would look untracked and their secrets
            // would count as warnings instead of errors.
            Error::input(format!(
                "`git rev-parse --show-prefix` failed in {}",
                root.display()
            ))
            .with_help("check that the repository is not corrupt (`git status`)")
        })?;
    let files = output
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter_map(|p| p.strip_prefix(prefix.as_str()))
        .map(PathBuf::from)
        .collect();
    Ok(Some(files))
}

/// The `.env*` files in the working tree under `root` (relative paths), skipping
/// dependency and build folders. Links are not followed (a linked `.env` or folder is not
/// listed), and a folder that cannot be read is left out.
pub fn working_tree_env_files(root: &Path) -> Vec<PathBuf> {
    // The walk reads every folder of the tree; on all cores, a monorepo's thousands of
    // folders take a fraction of the time. Each folder is one job: no stack grows with depth.
    let found = std::sync::Mutex::new(Vec::new());
    rayon::scope(|scope| list_folder(scope, root, root.to_path_buf(), &found));
    let mut out = found.into_inner().expect("not poisoned");
    sort_paths(&mut out);
    out
}

/// Adds the `.env*` files of `dir` to `found` and queues its sub-folders.
fn list_folder<'s>(
    scope: &rayon::Scope<'s>,
    root: &'s Path,
    dir: PathBuf,
    found: &'s std::sync::Mutex<Vec<PathBuf>>,
) {
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut here = Vec::new();
    for entry in entries.flatten() {
        // The entry's own type: a link is neither a file nor a folder here.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        let name = name.to_str();
        if kind.is_dir() {
            if !name.is_some_and(|n| SKIPPED_DIRS.contains(&n) || n == ".env") {
                let sub = entry.path();
                scope.spawn(move |scope| list_folder(scope, root, sub, found));
            }
        } else if kind.is_file()
            && name.is_some_and(is_env_file_name)
            && let Ok(rel) = entry.path().strip_prefix(root)
        {
            here.push(rel.to_path_buf());
        }
    }
    if !here.is_empty() {
        found.lock().expect("not poisoned").extend(here);
    }
}

/// Sorts paths in `Path`'s order (component by component) without re-splitting both paths
/// at every comparison, which costs more than the lint of a small file on a large tree.
pub fn sort_paths(paths: &mut Vec<PathBuf>) {
    paths.sort_by_cached_key(|p| {
        // A NUL sorts below every byte a component can hold, so comparing the joined
        // components compares them one by one.
        let mut key = Vec::with_capacity(p.as_os_str().len());
        for (i, c) in p.components().enumerate() {
            if i > 0 {
                key.push(0);
            }
            key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        }
        key
    });
    paths.dedup();
}

/// The repository's `.env*` files: what git tracks and what the working tree has.
#[derive(Debug, Clone, Default)]
pub struct EnvFiles {
    /// Every `.env*` file, relative to the root, sorted.
    pub all: Vec<PathBuf>,
    /// Those git tracks; `None` outside a git work tree.
    pub tracked: Option<BTreeSet<PathBuf>>,
    /// The folders (relative to the root, sorted) the walk reached through folders, never
    /// a link, that hold a `.env*` file: their real path is the root's followed by them.
    pub walked_dirs: Vec<PathBuf>,
}

impl EnvFiles {
    pub fn discover(root: &Path) -> Result<EnvFiles, Error> {
        let tracked = git_tracked(root)?.map(|files| {
            files
                .into_iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(is_env_file_name)
                })
                .collect::<BTreeSet<_>>()
        });
        let mut all = working_tree_env_files(root);
        let mut walked_dirs: Vec<PathBuf> = all
            .iter()
            .filter_map(|p| p.parent())
            .map(Path::to_path_buf)
            .collect();
        walked_dirs.dedup();
        if let Some(t) = &tracked {
            // A tracked file deleted from the working tree cannot be read; leave it out.
            all.extend(t.iter().filter(|p| root.join(p).is_file()).cloned());
            sort_paths(&mut all);
        }
        Ok(EnvFiles {
            all,
            tracked,
            walked_dirs,
        })
    }
}

/// `a/b` with `/` separators, for findings.
pub fn display(path: &Path) -> String {
    launchgate_core::finding::normalize_path(&path.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sort_component_by_component() {
        let mut paths: Vec<PathBuf> = ["a.b/.env", "a/.env.local", "a/.env", "a-b/.env", "a/.env"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let mut expected = paths.clone();
        expected.sort();
        expected.dedup();
        sort_paths(&mut paths);
        assert_eq!(paths, expected);
    }

    #[test]
    fn the_walk_lists_env_files_and_skips_dependencies_and_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for rel in [
            ".env",
            "a/.env.local",
            "a/b/c/d/e/.env.production",
            "a/notes.txt",
            "node_modules/x/.env",
            "a/dist/.env",
            ".env.d/.env",
            ".git/.env",
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "A=1\n").unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("a"), root.join("linked")).unwrap();
            std::os::unix::fs::symlink(root.join(".env"), root.join("a/.env.linked")).unwrap();
            use std::os::unix::ffi::OsStrExt;
            let odd = root.join(std::ffi::OsStr::from_bytes(b"odd-\xff"));
            std::fs::create_dir_all(&odd).unwrap();
            std::fs::write(odd.join(".env"), "A=1\n").unwrap();
        }
        let found: Vec<String> = working_tree_env_files(root)
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let mut expected = vec![".env", ".env.d/.env", "a/.env.local", "a/b/c/d/e/.env.production"];
        if cfg!(unix) {
            expected.push("odd-\u{fffd}/.env");
        }
        assert_eq!(found, expected);
    }

    #[test]
    fn walked_dirs_are_the_folders_of_walked_files_never_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for rel in [".env", "a/.env", "a/.env.local", "a/b/.env.test", "c/notes.txt"] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "A=1\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("a"), root.join("linked")).unwrap();
        let files = EnvFiles::discover(root).unwrap();
        let dirs: Vec<&Path> = files.walked_dirs.iter().map(PathBuf::as_path).collect();
        assert_eq!(dirs, [Path::new(""), Path::new("a"), Path::new("a/b")]);
    }

    #[test]
    fn env_file_names() {
        for n in [".env", ".env.local", ".env.production", ".env.example"] {
            assert!(is_env_file_name(n), "{n}");
        }
        for n in [".envrc", "env", ".env.", "dot.env"] {
            assert!(!is_env_file_name(n), "{n}");
        }
    }
}
