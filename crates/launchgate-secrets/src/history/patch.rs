//! The patch reader of `--range`: the lines each commit of `git log -p --cc` output adds to
//! each file, with their line numbers in the new file. A function of the bytes alone, so the
//! part that starts git stays apart from the part that reads what it prints (and the reader
//! can be fuzzed on its own).

use std::io::BufRead;

use launchgate_core::Error;
use launchgate_core::git::{patch_label_path, path_text};

pub use super::provenance::Introduced;

/// The lines one commit adds to one file.
#[derive(Debug)]
pub struct AddedLines {
    /// The commit, and the file's path in it.
    pub intro: Introduced,
    /// (line number in the new file, content)
    pub lines: Vec<(u32, Vec<u8>)>,
}

/// Parses `git log -p --cc` output into the lines each commit adds to each file, the number
/// of commits, and how many of them are merges.
///
/// It expects the output of the range reader's `git log`: each commit's header a line
/// starting with `\x01` (`%H`, author, date, committer time and parents separated by NUL),
/// `b/` before new paths, zero lines of context.
pub fn read_log_patch(input: &mut dyn BufRead) -> Result<(Vec<AddedLines>, usize, usize), Error> {
    let mut files: Vec<AddedLines> = Vec::new();
    let (mut commits, mut merges) = (0, 0);
    let mut commit: Option<Introduced> = None;
    let mut current: Option<AddedLines> = None;
    let mut in_hunk = false;
    let mut parents = 1;
    let mut new_line = 0u32;
    let mut line = Vec::new();
    let flush = |current: &mut Option<AddedLines>, files: &mut Vec<AddedLines>| {
        if let Some(f) = current.take().filter(|f| !f.lines.is_empty()) {
            files.push(f);
        }
    };
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(Error::input(format!(
                    "cannot read git's output for the range: {e}"
                )));
            }
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if let Some(header) = line.strip_prefix(b"\x01") {
            flush(&mut current, &mut files);
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
            commits += 1;
            merges += usize::from(parts.next().is_some_and(|p| p.split(' ').count() > 1));
            continue;
        }
        if line.starts_with(b"diff --git ")
            || line.starts_with(b"diff --cc ")
            || line.starts_with(b"diff --combined ")
        {
            flush(&mut current, &mut files);
            in_hunk = false;
            continue;
        }
        if !in_hunk && let Some(label) = line.strip_prefix(b"+++ ") {
            // The runner fixes the `b/` prefix; a deleted file is `/dev/null`.
            let path = patch_label_path(label);
            current = match (path.strip_prefix(b"b/"), &commit) {
                (Some(path), Some(c)) => Some(AddedLines {
                    intro: Introduced {
                        path: path_text(path),
                        ..c.clone()
                    },
                    lines: Vec::new(),
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
        {
            f.lines.push((new_line, content.to_vec()));
        }
        // A header can claim any number: past u32's end, lines keep the last one.
        new_line = new_line.saturating_add(1);
    }
    flush(&mut current, &mut files);
    Ok((files, commits, merges))
}

#[cfg(test)]
mod tests {
    use super::read_log_patch;

    fn added(patch: &[u8]) -> Vec<(String, u32, String)> {
        let (files, _, _) = read_log_patch(&mut &patch[..]).unwrap();
        files
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
}
