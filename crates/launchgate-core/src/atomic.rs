//! Atomic file writes: a temporary file in the same folder, then a rename, so an interrupted
//! run leaves the old file whole.
//!
//! The file ends up as a plain write would leave it: a new file gets `0666` less the umask
//! (a report others in the job can read, not the temporary file's private `0600`), an
//! existing file keeps its permissions, and a symbolic link stays a link: the file it points
//! to is replaced. A link to nothing is an error, never silently replaced by a file.
//! A path that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO, a process
//! substitution) is written to in place: renaming over it would replace the device or pipe
//! with a file. Callers that must not write outside a folder check the path before calling.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `contents` to `path` atomically, creating the parent folder if needed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let fail = |what: &str, e: std::io::Error| {
        Error::input(format!("cannot write {}: {what}: {e}", path.display()))
            .with_help("check that the folder exists and is writable")
    };
    // Followed through links: `/dev/stdout` is a link to the process's output.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let mut stream = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| fail("opening it", e))?;
        return stream.write_all(contents).map_err(|e| fail("writing", e));
    }
    let target = resolve_link(path)?;
    let existing = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| fail("creating its folder", e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".launchgate-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The umask applies to this mode at creation, as it does for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(&parent)
        .map_err(|e| fail("creating a temporary file", e))?;
    tmp.write_all(contents).map_err(|e| fail("writing", e))?;
    if let Some(permissions) = existing {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| fail("keeping its permissions", e))?;
    }
    tmp.as_file().sync_all().map_err(|e| fail("syncing", e))?;
    tmp.persist(&target)
        .map_err(|e| fail("renaming into place", e.error))?;
    Ok(())
}

/// The file a write to `path` should replace: `path` itself, or the final target of the
/// symbolic link at `path`.
fn resolve_link(path: &Path) -> Result<PathBuf, Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
            Error::input(format!(
                "cannot write {}: it is a symbolic link whose target cannot be reached: {e}",
                path.display()
            ))
            .with_help("create the file the link points to, or remove the link to write a plain file")
        }),
        _ => Ok(path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_to_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("report.pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        // Checked before waiting on the reader, which a replaced pipe would leave blocked.
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left beside it");
    }

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn unwritable_target_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let err = write_atomic(&file.join("child.json"), b"x").unwrap_err();
        assert!(err.message().contains("child.json"), "{}", err.message());
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"A=2\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_stays_a_link_and_its_target_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("reports/real.json");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink("reports/real.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");

        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("missing/nowhere.json", &dangling).unwrap();
        let err = write_atomic(&dangling, b"x").unwrap_err();
        assert!(err.message().contains("symbolic link"), "{}", err.message());
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
