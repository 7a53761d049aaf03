//! Atomic file writes: a temporary file in the same folder, then a rename, so an interrupted
//! run leaves the old file whole.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `contents` to `path` atomically, creating the parent folder if needed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let fail = |what: &str, e: std::io::Error| {
        Error::input(format!("cannot write {}: {what}: {e}", path.display()))
            .with_help("check that the folder exists and is writable")
    };
    std::fs::create_dir_all(&parent).map_err(|e| fail("creating its folder", e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".launchgate-")
        .suffix(".tmp")
        .tempfile_in(&parent)
        .map_err(|e| fail("creating a temporary file", e))?;
    tmp.write_all(contents).map_err(|e| fail("writing", e))?;
    tmp.as_file().sync_all().map_err(|e| fail("syncing", e))?;
    tmp.persist(path)
        .map_err(|e| fail("renaming into place", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
