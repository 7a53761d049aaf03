//! Reading `.env` files safely: never through a symbolic link that leaves the repository,
//! never a device or pipe, never more than [`MAX_ENV_FILE_SIZE`] bytes.
//!
//! A repository can hold `.env -> ~/.aws/credentials`; following it would read (and
//! `--fix` would copy) a file the repository does not own. The boundary is the repository
//! holding the path (the nearest folder above it with `.git`), or, outside a repository, the
//! scanned root; a path named outside both is bounded by its own folder, so naming a real
//! file anywhere works, and only links lead astray.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use launchgate_core::Error;
use launchgate_core::bounded::{FileRead, try_read_file, try_read_file_with};

/// The largest `.env` file read: far above any real one, small enough to hold in memory.
pub const MAX_ENV_FILE_SIZE: u64 = 16 << 20;

/// A `.env` file's contents, or why it was not read.
#[derive(Debug)]
pub enum EnvFile {
    Read {
        bytes: Vec<u8>,
        /// The file itself, links resolved: where `--fix` writes.
        real: PathBuf,
    },
    /// A link that leads outside the boundary; the note says so.
    Skipped(String),
}

/// Reads `path` (absolute, or relative to the current folder) as a `.env` file found under
/// `scan_root`; `display` names it in messages.
pub fn read_env_file(path: &Path, scan_root: &Path, display: &str) -> Result<EnvFile, Error> {
    Confinement::new(scan_root)?.read(path, display)
}

/// The boundary of one scanned root, worked out once for all the files read under it.
#[derive(Debug, Clone)]
pub struct Confinement {
    cwd: PathBuf,
    /// The scanned root, absolute, links not followed.
    root: PathBuf,
    /// The boundary of files under the root, links resolved.
    root_boundary: PathBuf,
    /// Folders (as named) and their real paths: the files of a tree share their folders,
    /// and resolving a path costs a system call per component.
    real_dirs: Arc<Mutex<HashMap<PathBuf, PathBuf>>>,
}

impl Confinement {
    pub fn new(scan_root: &Path) -> Result<Confinement, Error> {
        let cwd = std::env::current_dir()
            .map_err(|e| Error::input(format!("cannot read the current folder: {e}")))?;
        let root = lexical_absolute(&cwd, scan_root);
        let boundary = boundary_of(&root.join(".env"), &root);
        let root_boundary = std::fs::canonicalize(&boundary).unwrap_or(boundary);
        Ok(Confinement {
            cwd,
            root,
            root_boundary,
            real_dirs: Arc::default(),
        })
    }

    /// `std::fs::canonicalize(path)`, with the real paths of folders remembered: a file that
    /// is not itself a link is its folder's real path and its name. With it, the file's
    /// metadata when `path` is not a link.
    fn real_path(&self, path: &Path) -> std::io::Result<(PathBuf, Option<std::fs::Metadata>)> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok((std::fs::canonicalize(path)?, None));
        };
        let meta = std::fs::symlink_metadata(path)?;
        if meta.file_type().is_symlink() {
            return Ok((std::fs::canonicalize(path)?, None));
        }
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        let known = self.real_dirs.lock().expect("not poisoned").get(parent).cloned();
        let real_parent = match known {
            Some(real) => real,
            None => {
                let real = std::fs::canonicalize(parent)?;
                self.real_dirs
                    .lock()
                    .expect("not poisoned")
                    .insert(parent.to_path_buf(), real.clone());
                real
            }
        };
        Ok((real_parent.join(name), Some(meta)))
    }

    /// Reads `path` (absolute, or relative to the current folder) unless it leads outside
    /// its boundary; `display` names it in messages.
    pub fn read(&self, path: &Path, display: &str) -> Result<EnvFile, Error> {
        let lexical = lexical_absolute(&self.cwd, path);
        let real_boundary = if lexical.starts_with(&self.root) {
            self.root_boundary.clone()
        } else {
            let boundary = boundary_of(&lexical, &self.root);
            std::fs::canonicalize(&boundary).unwrap_or(boundary)
        };
        let (real, meta) = self.real_path(path).map_err(|e| Error::io(path, &e))?;
        if !real.starts_with(&real_boundary) {
            return Ok(EnvFile::Skipped(format!(
                "skipped {display}: it is a symbolic link to {}, outside {}; link a file inside it, or name the file itself",
                real.display(),
                real_boundary.display()
            )));
        }
        read_regular_file(path, real, meta, display)
    }
}

/// Reads the regular file `real` (which `path` names, `meta` its metadata when known),
/// within [`MAX_ENV_FILE_SIZE`].
fn read_regular_file(
    path: &Path,
    real: PathBuf,
    meta: Option<std::fs::Metadata>,
    display: &str,
) -> Result<EnvFile, Error> {
    let read = match &meta {
        Some(meta) => try_read_file_with(&real, meta, MAX_ENV_FILE_SIZE),
        None => try_read_file(&real, MAX_ENV_FILE_SIZE),
    };
    let bytes = match read.map_err(|e| Error::io(path, &e))? {
        FileRead::Read(bytes) => bytes,
        FileRead::NotRegular(kind) => {
            return Err(
                Error::input(format!("{display} is not a regular file: it is {kind}"))
                    .with_help("name a .env file; pipes, devices and folders are not read"),
            );
        }
        FileRead::TooLarge => {
            return Err(Error::input(format!(
                "{display} is larger than {} MiB, the most this gate reads from one file",
                MAX_ENV_FILE_SIZE >> 20
            ))
            .with_help(
                "a .env file holds variables; remove what else it holds, or leave it out of the files named",
            ));
        }
    };
    Ok(EnvFile::Read { bytes, real })
}

/// Writes `contents` to `real` (a file [`read_env_file`] resolved) atomically, keeping the
/// file's permissions. (A new file gets the atomic writer's owner-only permissions.)
pub fn write_env_file(real: &Path, contents: &[u8]) -> Result<(), Error> {
    let permissions = std::fs::metadata(real)
        .map_err(|e| Error::io(real, &e))?
        .permissions();
    launchgate_core::atomic::write_atomic(real, contents)?;
    std::fs::set_permissions(real, permissions).map_err(|e| {
        Error::input(format!(
            "cannot restore the permissions of {}: {e}",
            real.display()
        ))
        .with_help("check the file's owner; it was rewritten with owner-only permissions")
    })
}

/// `path` made absolute against `cwd`, with `.` and `..` removed by text, without following
/// any link.
fn lexical_absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = cwd.join(path);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The repository holding `file` (the nearest folder above it with `.git`), else `root`
/// when `file` is under it, else `file`'s own folder.
fn boundary_of(file: &Path, root: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(file);
    if let Some(repo) = parent.ancestors().find(|d| d.join(".git").exists()) {
        return repo.to_path_buf();
    }
    if file.starts_with(root) {
        root.to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_dot_dot_are_removed_by_text() {
        let p = lexical_absolute(Path::new("/x"), Path::new("/a/./b/../c/.env"));
        assert_eq!(p, PathBuf::from("/a/c/.env"));
    }
}
