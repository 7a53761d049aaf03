//! The lines each commit of a range adds to each file, read from `git log -p --cc` within
//! stated limits: a file's added lines are dropped as soon as they pass the size limit (the
//! file is skipped, as a scan skips a large file), no line is held past what could still be
//! scanned, and a range keeps at most [`MAX_RANGE_ADDED_BYTES`] in all.

use std::io::BufRead;

use launchgate_core::Error;
use launchgate_core::bounded::{human_size, read_line_capped};
use launchgate_core::git::{patch_label_path, path_text};

use super::provenance::Introduced;

/// The most added text (files within the size limit and not excluded) one range keeps for
/// scanning. A range past it is an error, never a partial scan.
pub const MAX_RANGE_ADDED_BYTES: u64 = 256 * 1024 * 1024;

/// Header lines (commit, file names) are cut here: only their first fields are read.
const HEADER_KEEP: usize = 64 * 1024;

/// How much of a range's added text is kept.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes one commit may add to one file (lines plus newlines) before it is skipped.
    pub per_file: u64,
    /// Bytes kept across the whole range.
    pub total: u64,
}

/// The lines one commit adds to one file.
#[derive(Debug)]
pub struct AddedLines {
    pub intro: Introduced,
    /// (line number in the new file, content)
    pub lines: Vec<(u32, Vec<u8>)>,
}

/// What a range adds.
#[derive(Debug, Default)]
pub struct Patch {
    pub files: Vec<AddedLines>,
    pub commits: usize,
    pub merges: usize,
    /// File changes skipped for adding more than [`Limits::per_file`].
    pub skipped_large: usize,
}

/// The file whose hunks are being read.
struct Current {
    added: AddedLines,
    /// Bytes it adds so far, counted even once they are no longer kept.
    size: u64,
    oversize: bool,
}

/// Reads the lines each commit adds to each file that `keeps` (by path), within `limits`;
/// `range` names the range in errors.
pub fn read_log_patch(
    input: &mut dyn BufRead,
    limits: Limits,
    keeps: &dyn Fn(&str) -> bool,
    range: &str,
) -> Result<Patch, Error> {
    let mut patch = Patch::default();
    let mut kept_total = 0u64;
    let mut commit: Option<Introduced> = None;
    let mut current: Option<Current> = None;
    let mut in_hunk = false;
    let mut parents = 1;
    let mut new_line = 0u32;
    let mut line = Vec::new();
    // An added line longer than this cannot be kept anyway: the rest of it is dropped unread.
    let content_keep = usize::try_from(limits.per_file.min(limits.total)).unwrap_or(usize::MAX);
    let flush = |current: &mut Option<Current>, patch: &mut Patch| match current.take() {
        Some(f) if f.oversize => patch.skipped_large += 1,
        Some(f) if !f.added.lines.is_empty() => patch.files.push(f.added),
        _ => {}
    };
    loop {
        let keep = HEADER_KEEP.max(content_keep.saturating_add(parents));
        let full_len = match read_line_capped(input, &mut line, keep) {
            Ok(Some(len)) => len,
            Ok(None) => break,
            Err(e) => {
                return Err(Error::input(format!(
                    "cannot read git's output for the range: {e}"
                )));
            }
        };
        if let Some(header) = line.strip_prefix(b"\x01") {
            flush(&mut current, &mut patch);
            in_hunk = false;
            let header = String::from_utf8_lossy(header);
            let mut parts = header.split('\0');
            commit = Some(Introduced {
                commit: parts.next().unwrap_or_default().to_string(),
                author: parts.next().unwrap_or_default().to_string(),
                date: parts.next().unwrap_or_default().to_string(),
                time: parts.next().and_then(|t| t.parse().ok()).unwrap_or(0),
                path: String::new(),
            });
            patch.commits += 1;
            patch.merges += usize::from(parts.next().is_some_and(|p| p.split(' ').count() > 1));
            continue;
        }
        if line.starts_with(b"diff --git ")
            || line.starts_with(b"diff --cc ")
            || line.starts_with(b"diff --combined ")
        {
            flush(&mut current, &mut patch);
            in_hunk = false;
            continue;
        }
        if !in_hunk && let Some(label) = line.strip_prefix(b"+++ ") {
            // The runner fixes the `b/` prefix; a deleted file is `/dev/null`.
            let path = patch_label_path(label);
            current = match (path.strip_prefix(b"b/"), &commit) {
                (Some(path), Some(c)) if keeps(&path_text(path)) => Some(Current {
                    added: AddedLines {
                        intro: Introduced {
                            path: path_text(path),
                            ..c.clone()
                        },
                        lines: Vec::new(),
                    },
                    size: 0,
                    oversize: false,
                }),
                _ => None,
            };
            continue;
        }
        if line.starts_with(b"@@") {
            let ats = line.iter().take_while(|&&b| b == b'@').count();
            parents = ats.saturating_sub(1).max(1);
            let text = String::from_utf8_lossy(&line);
            new_line = text
                .split(' ')
                .find_map(|t| t.strip_prefix('+'))
                .and_then(|t| t.split(',').next())
                .and_then(|n| n.parse::<u32>().ok())
                // git numbers lines from 1; `+0,0` is a hunk that adds none.
                .map_or(1, |n| n.max(1));
            in_hunk = true;
            continue;
        }
        if !in_hunk || line.len() < parents || line.starts_with(b"\\") {
            continue;
        }
        let (prefix, content) = line.split_at(parents);
        if prefix.contains(&b'-') {
            continue;
        }
        if prefix.iter().all(|&b| b == b'+')
            && let Some(f) = current.as_mut()
            && !f.oversize
        {
            let added = (full_len - parents) as u64 + 1;
            f.size += added;
            if f.size > limits.per_file {
                // Skipped whole, as a scan skips a large file: what it kept is let go.
                f.oversize = true;
                kept_total -= f.size - added;
                f.added.lines = Vec::new();
            } else {
                kept_total += added;
                if kept_total > limits.total {
                    return Err(too_much(range, limits.total));
                }
                // Within both limits, so the line was read whole.
                f.added.lines.push((new_line, content.to_vec()));
            }
        }
        new_line = new_line.saturating_add(1);
    }
    flush(&mut current, &mut patch);
    Ok(patch)
}

fn too_much(range: &str, total: u64) -> Error {
    Error::input(format!(
        "--range {range}: the commits add more than {} of text to the files scanned, the most launchgate holds for one range",
        human_size(total)
    ))
    .with_help(
        "scan a shorter range (one pull request or push at a time), leave generated files out with secrets.exclude, or scan the whole history with --history, which reads each version of a file once",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(patch: &[u8]) -> Vec<(String, u32, String)> {
        let unlimited = Limits {
            per_file: u64::MAX,
            total: u64::MAX,
        };
        let patch = read_log_patch(&mut &patch[..], unlimited, &|_| true, "HEAD~1..HEAD").unwrap();
        patch
            .files
            .iter()
            .flat_map(|f| {
                f.lines
                    .iter()
                    .map(|(n, c)| (f.intro.path.clone(), *n, String::from_utf8_lossy(c).into_owned()))
            })
            .collect()
    }

    const HEADER: &[u8] = b"\x01c0ffee\0Ada <ada@example.com>\x002026-01-02T03:04:05Z\x001767323045\0p1\n\n";

    #[test]
    fn a_hunk_numbered_at_the_end_of_u32_does_not_overflow() {
        let patch = [
            HEADER,
            b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +4294967295,2 @@\n+one\n+two\n",
        ]
        .concat();
        assert_eq!(
            added(&patch),
            [
                ("f".to_string(), u32::MAX, "one".to_string()),
                ("f".to_string(), u32::MAX, "two".to_string())
            ]
        );
    }

    #[test]
    fn added_lines_are_numbered_from_one() {
        let patch = [
            HEADER,
            b"diff --git a/f b/f\n+++ b/f\n@@ -1 +0 @@\n+x\n@@ -3 +7,2 @@\n+y\n-gone\n+z\n",
        ]
        .concat();
        let numbers: Vec<u32> = added(&patch).iter().map(|a| a.1).collect();
        assert_eq!(numbers, [1, 7, 8]);
    }

    const LOG: &[u8] = b"\x01c1\x00A <a@x>\x002024-01-01T00:00:00Z\x001700000000\x00\n\
diff --git a/big.txt b/big.txt\n\
--- /dev/null\n\
+++ b/big.txt\n\
@@ -0,0 +1,4 @@\n\
+0123456789\n\
+0123456789\n\
+0123456789\n\
+0123456789\n\
diff --git a/small.txt b/small.txt\n\
--- /dev/null\n\
+++ b/small.txt\n\
@@ -0,0 +1,2 @@\n\
+abc\n\
+defghijklmnopqrstuvwxyz0123456789\n\
diff --git a/gen.min.js b/gen.min.js\n\
--- /dev/null\n\
+++ b/gen.min.js\n\
@@ -0,0 +1 @@\n\
+0123456789012345678901234567890123456789\n";

    fn read(limits: Limits) -> Result<Patch, Error> {
        read_log_patch(&mut &LOG[..], limits, &|p| !p.ends_with(".min.js"), "a..b")
    }

    #[test]
    fn a_file_past_the_size_limit_keeps_nothing_and_is_counted() {
        let patch = read(Limits {
            per_file: 40,
            total: 1000,
        })
        .unwrap();
        assert_eq!(patch.skipped_large, 1);
        assert_eq!(patch.commits, 1);
        let kept: Vec<_> = patch.files.iter().map(|f| f.intro.path.as_str()).collect();
        assert_eq!(kept, ["small.txt"]);
        assert_eq!(
            patch.files[0].lines[1],
            (2, b"defghijklmnopqrstuvwxyz0123456789".to_vec())
        );
    }

    #[test]
    fn excluded_files_and_skipped_files_do_not_count_toward_the_total() {
        // big.txt (44 bytes) is over the file limit and gen.min.js is excluded: only
        // small.txt's 38 bytes are kept.
        assert!(
            read(Limits {
                per_file: 40,
                total: 38
            })
            .is_ok()
        );
        let err = read(Limits {
            per_file: 40,
            total: 37,
        })
        .unwrap_err();
        assert!(
            err.message()
                .contains("--range a..b: the commits add more than 37 bytes"),
            "{}",
            err.message()
        );
        assert!(err.hint().unwrap().contains("--history"));
    }
}
