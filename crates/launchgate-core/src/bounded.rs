//! Reading what a user names (a file, standard input, a long line) within a stated size.
//!
//! Every input a gate reads whole goes through here, so none can exhaust memory: a file
//! larger than its limit, a pipe that never ends and a line of gigabytes are each an error
//! (exit 2) naming the input, the limit and the fix. Files must be regular files: opening
//! a named pipe with no writer would wait forever, and a device can be endless.

use std::io::{self, BufRead, Read};
use std::path::Path;

use crate::Error;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// The most read from one file of configuration (launchgate.yml, a rules file, a schema,
/// a spec, a baseline, a report being merged).
pub const MAX_CONFIG_FILE_SIZE: u64 = 16 * MIB;

/// `bytes` as people read sizes: `16 MiB`, `512 KiB`, `300 bytes`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The most read from one report or baseline that a gate wrote and reads back.
pub const MAX_REPORT_FILE_SIZE: u64 = 256 * MIB;

/// What [`try_read_file`] found.
#[derive(Debug)]
pub enum FileRead {
    Read(Vec<u8>),
    /// Larger than the limit: nothing more than the limit was read.
    TooLarge,
    /// A folder, named pipe, socket or device (what it is, for messages): nothing was read.
    NotRegular(&'static str),
}

/// The bytes of `path` if it is a regular file of at most `limit` bytes. For callers that
/// skip such files with a note instead of failing; [`read_file`] fails.
pub fn try_read_file(path: &Path, limit: u64) -> io::Result<FileRead> {
    // Checked before opening: opening a named pipe blocks until something writes to it.
    let meta = std::fs::metadata(path)?;
    try_read_file_with(path, &meta, limit)
}

/// [`try_read_file`] when the caller already holds `path`'s metadata (links followed, or
/// of a path that is not a link), which saves a system call per file on large trees.
pub fn try_read_file_with(path: &Path, meta: &std::fs::Metadata, limit: u64) -> io::Result<FileRead> {
    if !meta.is_file() {
        return Ok(FileRead::NotRegular(kind_of(meta)));
    }
    if meta.len() > limit {
        return Ok(FileRead::TooLarge);
    }
    read_capped(path, limit, meta.len())
}

/// Reads at most `limit` bytes of `path`; more is [`FileRead::TooLarge`].
fn read_capped(path: &Path, limit: u64, expected: u64) -> io::Result<FileRead> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(expected.min(limit) as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    // A file may have grown since its size was read; a device has no size.
    if bytes.len() as u64 > limit {
        return Ok(FileRead::TooLarge);
    }
    Ok(FileRead::Read(bytes))
}

/// What a file that is not a regular file is ("a named pipe", "a folder"), for an error
/// naming it.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() { "a folder" } else { "not a file" }
}

/// The bytes of the regular file `path`, at most `limit`. `what` says what the file is
/// for ("the configuration file"), for the error messages. A character device is read up
/// to the limit, so `/dev/null` stands for an empty file (as `GIT_CONFIG_GLOBAL=/dev/null`
/// does for git); folders, named pipes and sockets are refused unopened.
pub fn read_file(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    let read = if is_char_device(&meta) {
        read_capped(path, limit, 0)
    } else {
        try_read_file(path, limit)
    };
    match read.map_err(|e| Error::io(path, &e))? {
        FileRead::Read(bytes) => Ok(bytes),
        FileRead::TooLarge => Err(file_too_large(path, limit, what)),
        FileRead::NotRegular(kind) => Err(not_regular(path, kind, what)),
    }
}

fn is_char_device(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// [`read_file`] as UTF-8 text; other bytes are an error naming the file and the offset.
pub fn read_file_text(path: &Path, limit: u64, what: &str) -> Result<String, Error> {
    String::from_utf8(read_file(path, limit, what)?).map_err(|e| {
        Error::input(format!(
            "{} is not UTF-8 text (byte {} is not)",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
        .with_help(format!("save {what} as UTF-8"))
    })
}

/// Standard input, at most `limit` bytes. `what` says what it is read as ("the text to
/// scan"); `option` names the setting that raises the limit, when there is one.
pub fn read_stdin(limit: u64, what: &str, option: Option<&str>) -> Result<Vec<u8>, Error> {
    read_reader(io::stdin().lock(), limit, what, option)
}

/// [`read_stdin`] over any reader (standard input in the binaries, a buffer in tests).
pub fn read_reader(
    reader: impl Read,
    limit: u64,
    what: &str,
    option: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(format!("cannot read standard input ({what}): {e}")))?;
    if bytes.len() as u64 > limit {
        let raise = option
            .map(|o| format!(", or raise the limit with {o}"))
            .unwrap_or_default();
        return Err(Error::input(format!(
            "standard input holds more than {}, the most launchgate reads as {what}",
            human_size(limit)
        ))
        .with_help(format!(
            "check what is piped in: it may be endless or not {what} at all; pass a file instead{raise}"
        )));
    }
    Ok(bytes)
}

/// Reads one line into `line`, without its `\n`, keeping at most `keep` bytes of it and
/// dropping the rest. Returns the line's full length (without the `\n`), or `None` at the
/// end of the input: a caller learns that a line was cut without ever holding all of it.
pub fn read_line_capped(
    input: &mut dyn BufRead,
    line: &mut Vec<u8>,
    keep: usize,
) -> io::Result<Option<usize>> {
    line.clear();
    let mut len = 0;
    let mut started = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(started.then_some(len));
        }
        started = true;
        let end = buf.iter().position(|&b| b == b'\n');
        let chunk = &buf[..end.unwrap_or(buf.len())];
        let room = keep.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        len += chunk.len();
        let used = end.map_or(buf.len(), |i| i + 1);
        input.consume(used);
        if end.is_some() {
            return Ok(Some(len));
        }
    }
}

fn file_too_large(path: &Path, limit: u64, what: &str) -> Error {
    Error::input(format!(
        "{} is larger than {}, the most launchgate reads for {what}",
        path.display(),
        human_size(limit)
    ))
    .with_help(format!(
        "check that {} is {what}: it may be damaged, generated or not {what} at all",
        path.display()
    ))
}

fn not_regular(path: &Path, kind: &str, what: &str) -> Error {
    Error::input(format!(
        "{} is {kind}, not a regular file, so launchgate does not read it as {what}",
        path.display()
    ))
    .with_help(format!("name the file that holds {what}"))
}

/// Makes a named pipe at `path`, for tests.
#[cfg(all(test, unix))]
pub(crate) fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_the_limit_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yml");
        std::fs::write(&path, vec![b'a'; 2049]).unwrap();
        let err = read_file(&path, 2048, "the configuration file").unwrap_err();
        assert!(
            err.message().contains("big.yml is larger than 2 KiB"),
            "{}",
            err.message()
        );
        assert_eq!(read_file(&path, 2049, "x").unwrap().len(), 2049);
        std::fs::write(&path, [0xff, b'a']).unwrap();
        let err = read_file_text(&path, 10, "the configuration file").unwrap_err();
        assert!(err.message().contains("byte 0"), "{}", err.message());
    }

    #[test]
    fn folders_are_not_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_file(dir.path(), 10, "the spec").unwrap_err();
        assert!(
            err.message().contains("is a folder, not a regular file"),
            "{}",
            err.message()
        );
    }

    /// A named pipe with no writer: opening it would wait forever.
    #[cfg(unix)]
    #[test]
    fn named_pipes_are_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("launchgate.yml");
        mkfifo(&fifo);
        let err = read_file(&fifo, 10, "the configuration file").unwrap_err();
        assert!(
            err.message()
                .contains("launchgate.yml is a named pipe, not a regular file"),
            "{}",
            err.message()
        );
    }

    /// `/dev/null` reads as empty (a way to say "no configuration"), an endless device
    /// stops at the limit.
    #[cfg(unix)]
    #[test]
    fn devices_are_read_up_to_the_limit() {
        assert!(read_file(Path::new("/dev/null"), 10, "x").unwrap().is_empty());
        let err = read_file(Path::new("/dev/zero"), 10, "the spec").unwrap_err();
        assert!(
            err.message().contains("/dev/zero is larger than 10 bytes"),
            "{}",
            err.message()
        );
        assert!(matches!(
            try_read_file(Path::new("/dev/null"), 10).unwrap(),
            FileRead::NotRegular("a device")
        ));
    }

    #[test]
    fn readers_over_the_limit_name_the_option() {
        let err = read_reader(&[1u8; 11][..], 10, "the text to scan", Some("--max-file-size")).unwrap_err();
        assert!(err.message().contains("more than 10 bytes"), "{}", err.message());
        assert!(err.hint().unwrap().contains("--max-file-size"));
        assert_eq!(read_reader(&[1u8; 10][..], 10, "x", None).unwrap().len(), 10);
    }

    #[test]
    fn long_lines_are_cut_but_measured() {
        let mut input = io::BufReader::with_capacity(4, &b"abcdefghij\nxy\nlast"[..]);
        let mut line = Vec::new();
        assert_eq!(read_line_capped(&mut input, &mut line, 3).unwrap(), Some(10));
        assert_eq!(line, b"abc");
        assert_eq!(read_line_capped(&mut input, &mut line, 3).unwrap(), Some(2));
        assert_eq!(line, b"xy");
        assert_eq!(read_line_capped(&mut input, &mut line, 3).unwrap(), Some(4));
        assert_eq!(line, b"las");
        assert_eq!(read_line_capped(&mut input, &mut line, 3).unwrap(), None);
        let mut empty_line = &b"\n"[..];
        assert_eq!(read_line_capped(&mut empty_line, &mut line, 3).unwrap(), Some(0));
    }
}
