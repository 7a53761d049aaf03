//! Reading `.env` files safely: never through a symbolic link that leaves the repository,
//! never a device or pipe, never more than [`MAX_ENV_FILE_SIZE`] bytes.
//!
//! A repository can hold `.env -> ~/.aws/credentials`; following it would read (and
//! `--fix` would copy) a file the repository does not own. The boundary is the repository
//! holding the path (the nearest folder above it with `.git`), or, outside a repository, the
//! scanned root; a path named outside both is bounded by its own folder, so naming a real
//! file anywhere works, and only links lead astray.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use launchgate_core::Error;

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
    real_dirs: Arc<Mutex<foldhash::HashMap<PathBuf, PathBuf>>>,
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

    /// Remembers the real paths of `dirs`, folders under `root` (relative to it) that the
    /// walk reached through folders, never a link: the root's real path followed by them,
    /// with no system call per folder. (A folder replaced by a link since the walk is as
    /// much a race as one replaced after it was resolved.)
    pub fn add_walked_dirs(&self, root: &Path, dirs: &[PathBuf]) {
        if dirs.is_empty() {
            return;
        }
        let Ok(real_root) = std::fs::canonicalize(root) else {
            return;
        };
        let mut known = self.real_dirs.lock().expect("not poisoned");
        for dir in dirs {
            // The name the files' folder has when a file's path is joined to the root.
            if !dir.as_os_str().is_empty() && dir.is_relative() {
                known.insert(root.join(dir), real_root.join(dir));
            }
        }
    }

    /// The real path of the folder `parent` (as named), remembered: the files of a tree
    /// share their folders, and resolving a path costs a system call per component.
    fn real_dir(&self, parent: &Path) -> std::io::Result<PathBuf> {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if let Some(real) = self.real_dirs.lock().expect("not poisoned").get(parent) {
            return Ok(real.clone());
        }
        let real = std::fs::canonicalize(parent)?;
        self.real_dirs
            .lock()
            .expect("not poisoned")
            .insert(parent.to_path_buf(), real.clone());
        Ok(real)
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
        // A file that is not a link (nearly every one) is its folder's real path and its
        // name: opened without following a link, it is read through that one descriptor
        // with no separate look at its type. A link is resolved, then opened only when it
        // stays inside, so a file outside is never opened.
        let in_real_dir = match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => {
                let real = self.real_dir(parent).map_err(|e| Error::io(path, &e))?.join(name);
                Some(real).filter(|real| real.starts_with(&real_boundary))
            }
            _ => None,
        };
        if let Some(real) = in_real_dir
            && let Some(file) = open_not_following(path).map_err(|e| open_error(path, display, &e))?
        {
            let bytes = read_open_file(file, path, display)?;
            return Ok(EnvFile::Read { bytes, real });
        }
        let real = std::fs::canonicalize(path).map_err(|e| Error::io(path, &e))?;
        if !real.starts_with(&real_boundary) {
            return Ok(EnvFile::Skipped(format!(
                "skipped {display}: it is a symbolic link to {}, outside {}; link a file inside it, or name the file itself",
                real.display(),
                real_boundary.display()
            )));
        }
        let file = open_not_blocking(&real).map_err(|e| open_error(path, display, &e))?;
        let bytes = read_open_file(file, path, display)?;
        Ok(EnvFile::Read { bytes, real })
    }
}

/// Opens `path` for reading unless its last component is a symbolic link (`None`), in one
/// system call where the platform allows. Never blocks on a named pipe.
#[cfg(unix)]
fn open_not_following(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    match opened {
        Ok(file) => Ok(Some(file)),
        // What `O_NOFOLLOW` answers for a link.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn open_not_following(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Ok(None);
    }
    open_not_blocking(path).map(Some)
}

/// Opens `path` for reading, following links; never blocks on a named pipe.
#[cfg(unix)]
fn open_not_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_not_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// The bytes of the open file `file` (which `path` names), a regular file within
/// [`MAX_ENV_FILE_SIZE`]. Reads the size the file had when opened, in one read for a small
/// file: no second read to find the end. A size of zero is read to the end.
fn read_open_file(mut file: std::fs::File, path: &Path, display: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let meta = file.metadata().map_err(|e| Error::io(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(display, &meta));
    }
    if meta.len() > MAX_ENV_FILE_SIZE {
        return Err(too_large(display));
    }
    if meta.len() == 0 {
        // Empty, or a file whose size the system does not know (`/proc`): read to the end,
        // within the bound, so such a file is never taken for an empty one.
        let mut bytes = Vec::new();
        file.take(MAX_ENV_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, &e))?;
        if bytes.len() as u64 > MAX_ENV_FILE_SIZE {
            return Err(too_large(display));
        }
        return Ok(bytes);
    }
    let size = meta.len() as usize;
    let mut bytes = vec![0; size];
    let mut filled = 0;
    while filled < size {
        match file.read(&mut bytes[filled..]) {
            // Shrunk since it was opened: what is there is the file.
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, &e)),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// Why `path` could not be opened: what it is when it is not a file (a folder cannot be
/// opened as a file on Windows), else the system's error.
fn open_error(path: &Path, display: &str, e: &std::io::Error) -> Error {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => not_regular(display, &meta),
        _ => Error::io(path, e),
    }
}

fn not_regular(display: &str, meta: &std::fs::Metadata) -> Error {
    Error::input(format!(
        "{display} is not a regular file: it is {}",
        launchgate_core::bounded::kind_of(meta)
    ))
    .with_help("name a .env file; pipes, devices and folders are not read")
}

fn too_large(display: &str) -> Error {
    Error::input(format!(
        "{display} is larger than {} MiB, the most this gate reads from one file",
        MAX_ENV_FILE_SIZE >> 20
    ))
    .with_help("a .env file holds variables; remove what else it holds, or leave it out of the files named")
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
    fn a_file_of_unknown_size_is_read_to_the_end() {
        let tmp = tempfile::tempdir().unwrap();
        let empty = tmp.path().join(".env");
        std::fs::write(&empty, "").unwrap();
        let file = std::fs::File::open(&empty).unwrap();
        assert_eq!(read_open_file(file, &empty, ".env").unwrap(), b"");
        // procfs gives its files a size of zero.
        #[cfg(target_os = "linux")]
        {
            let status = Path::new("/proc/self/status");
            let file = std::fs::File::open(status).unwrap();
            let bytes = read_open_file(file, status, "status").unwrap();
            assert!(bytes.starts_with(b"Name:"), "{}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn dot_and_dot_dot_are_removed_by_text() {
        let p = lexical_absolute(Path::new("/x"), Path::new("/a/./b/../c/.env"));
        assert_eq!(p, PathBuf::from("/a/c/.env"));
    }
}
