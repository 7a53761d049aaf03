//! Every input the gate reads goes through here, each kind with a stated cap, so a huge,
//! endless or hostile file (a gzip that inflates to gigabytes, `/dev/zero`, a pipe that
//! never closes its end) is a clear error and exit 2, never an out-of-memory abort.

use std::io::Read;
use std::path::Path;

use launchgate_core::Error;
use launchgate_core::bounded::{FileRead, try_read_file};

const MIB: u64 = 1024 * 1024;

/// How much of one kind of input is read at most.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bytes: u64,
    /// What the input is, for the message: "a Lighthouse result".
    pub what: &'static str,
    /// What a real one of these weighs, so the message says why the cap is generous.
    pub usual: &'static str,
}

/// A Lighthouse result, after gzip inflation: real ones are 0.3–20 MB (screenshots and
/// traces make the big ones), so 256 MiB is ten times the largest seen.
pub const LIGHTHOUSE_RESULT: Limit = Limit::mib(256, "a Lighthouse result", "real ones are under 20 MB");

/// An esbuild metafile, a webpack stats.json or a Vite manifest: webpack's full stats of a
/// large application reach 100 MB.
pub const BUILD_DESCRIPTION: Limit = Limit::mib(
    256,
    "a bundler's build description",
    "a large application's webpack stats are about 100 MB",
);

/// A config file (lighthouserc, budget.json, size-limit, bundlewatch, package.json, an LHCI
/// manifest) or what a JavaScript config printed: a few kilobytes in practice.
pub const CONFIG: Limit = Limit::mib(16, "a config file", "real ones are a few kB");

/// A baseline (a JSON report of an earlier run).
pub const BASELINE: Limit = Limit::mib(
    64,
    "a baseline report",
    "a report of thousands of measured values is under 1 MB",
);

/// One file of a build folder or bundle, read whole to compress it.
pub const BUILD_FILE: Limit = Limit::mib(
    1024,
    "a build output file",
    "compressing a file this large takes minutes anyway",
);

impl Limit {
    const fn mib(mib: u64, what: &'static str, usual: &'static str) -> Self {
        Limit {
            bytes: mib * MIB,
            what,
            usual,
        }
    }
}

fn human(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn too_large(path: &Path, limit: Limit, how: &str) -> Error {
    Error::input(format!(
        "{} {how} more than {}, the most launchgate reads for {} ({})",
        path.display(),
        human(limit.bytes),
        limit.what,
        limit.usual
    ))
    .with_help(format!(
        "check that {} is the file you meant: it may be damaged, endless or not {} at all",
        path.display(),
        limit.what
    ))
}

/// Reads at most `limit.bytes` from `reader`; more is an error naming `path`.
fn read_capped(mut reader: impl Read, path: &Path, limit: Limit, how: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    reader
        .by_ref()
        .take(limit.bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, &e))?;
    if out.len() as u64 > limit.bytes {
        return Err(too_large(path, limit, how));
    }
    Ok(out)
}

/// The bytes of `path`, at most `limit.bytes`. A regular file's size is checked before
/// anything is read; pipes and devices are read up to the cap.
pub fn bytes(path: &Path, limit: Limit) -> Result<Vec<u8>, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > limit.bytes
    {
        return Err(too_large(path, limit, "holds"));
    }
    read_capped(file, path, limit, "holds")
}

/// One file a build wrote, at most [`BUILD_FILE`]: only a regular file. A build description
/// or size-limit config may name any path, and a pipe or device is no build output (a named
/// pipe would block the run, `/dev/zero` fill memory up to the cap on every core).
pub fn build_file(path: &Path) -> Result<Vec<u8>, Error> {
    match try_read_file(path, BUILD_FILE.bytes).map_err(|e| Error::io(path, &e))? {
        FileRead::Read(bytes) => Ok(bytes),
        FileRead::TooLarge => Err(too_large(path, BUILD_FILE, "holds")),
        FileRead::NotRegular(kind) => Err(Error::input(format!(
            "{} is {kind}, not a file a build writes",
            path.display()
        ))
        .with_help("check the paths the build description or size-limit config names")),
    }
}

/// The text of `path`, at most `limit.bytes`, which must be UTF-8.
pub fn text(path: &Path, limit: Limit) -> Result<String, Error> {
    utf8(path, bytes(path, limit)?)
}

/// `bytes` as text; anything else is an error naming `path`.
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "{} is not UTF-8 text (byte {} is not)",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
        .with_help("pass the JSON file the tool writes, saved as UTF-8")
    })
}

/// Inflates the gzip `compressed` read from `path`, stopping at `limit.bytes` of output: a
/// small file that inflates to gigabytes is refused once the cap is passed.
pub fn gunzip(path: &Path, compressed: &[u8], limit: Limit) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(compressed)
        .take(limit.bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            Error::input(format!("{} is not a readable gzip file: {e}", path.display()))
                .with_help("pass the JSON itself, or a complete .json.gz")
        })?;
    if out.len() as u64 > limit.bytes {
        return Err(too_large(path, limit, "inflates to"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_build_file_must_be_a_regular_file() {
        let e = build_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.message(), "/dev/zero is a device, not a file a build writes");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_stops_at_the_cap() {
        let small = Limit {
            bytes: 1000,
            what: "a test input",
            usual: "tiny",
        };
        let e = bytes(Path::new("/dev/zero"), small).unwrap_err();
        assert!(
            e.message()
                .contains("/dev/zero holds more than 1000 bytes, the most launchgate reads for a test input"),
            "{}",
            e.message()
        );
    }
}
