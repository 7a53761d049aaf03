//! What `git commit` would record: the index against HEAD, added lines only.
//!
//! This runs the `git` command rather than gix: three short-lived processes (the raw diff for
//! blob ids and paths, the zero-context patch for added line numbers, `cat-file --batch`
//! for staged contents) cost a few milliseconds, handle an unborn HEAD, merges, renames and
//! files missing from the working tree exactly as `git commit` sees them, and honour what
//! the repository needs (`safe.directory`, alternates, sparse index, the temporary index of
//! `git commit PATH`), while the runner in `launchgate_core::git` fixes every setting that
//! would change the diffs.

use std::ops::Range;
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::git::{Git, GitCmd, path_text};

/// A file as staged, with the line numbers (1-based, in the staged file) the change adds.
#[derive(Debug, Clone)]
pub struct StagedFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub added_lines: Vec<Range<u32>>,
}

impl StagedFile {
    /// Whether any line from `first` to `last` (inclusive) is added by the change.
    pub fn adds_any(&self, first: u32, last: u32) -> bool {
        self.added_lines.iter().any(|r| r.start <= last && first < r.end)
    }
}

/// The staged change.
#[derive(Debug, Default)]
pub struct StagedChange {
    pub files: Vec<StagedFile>,
    /// Paths with unresolved merge conflicts; `git commit` refuses them until resolved.
    pub unmerged: Vec<String>,
    pub skipped_submodules: usize,
    /// Symbolic links: git stores their target's name, never what it points to.
    pub skipped_links: usize,
}

struct RawEntry {
    path: String,
    blob: String,
    submodule: bool,
    link: bool,
}

const DIFF_ARGS: [&str; 5] = [
    "diff",
    "--cached",
    "--find-renames",
    "--ignore-submodules=none",
    // The same order for the file list and the patch, whatever `diff.orderFile` says.
    "-O/dev/null",
];

const STAGED_HELP: &str = "check that `git diff --cached` works in this folder";

/// Runs a staged-change command; outside a repository, says so plainly.
fn run(cmd: GitCmd) -> Result<Vec<u8>, Error> {
    let output = cmd.run()?;
    // Outside a repository `git diff` falls back to `--no-index` and prints its usage.
    if !output.success
        && (output.stderr.contains("not a git repository") || output.stderr.contains("--no-index"))
    {
        return Err(Error::input("--staged needs a git repository, and this folder is not inside one")
            .with_help("run `launchgate-secrets scan --staged` inside a git repository, or scan files with `launchgate-secrets scan PATH`"));
    }
    output.ok()
}

/// Reads the staged change of the repository that holds `dir`, limited to `pathspecs` if
/// any are given.
pub fn read_staged(dir: &Path, pathspecs: &[PathBuf]) -> Result<StagedChange, Error> {
    let git = Git::new(dir);
    let raw_cmd = git
        .cmd("the staged file list", DIFF_ARGS)
        .diff_flags()
        .args(["--raw", "-z", "--no-abbrev", "--diff-filter=ACMRTU", "--"])
        .args(pathspecs)
        .help(STAGED_HELP);
    let patch_cmd = git
        .cmd("the staged patch", DIFF_ARGS)
        .diff_flags()
        .args(["-U0", "--diff-filter=ACMRT", "--"])
        .args(pathspecs)
        .help(STAGED_HELP);

    // The two diffs are independent: run the patch on a thread while the raw diff runs here.
    let patch = std::thread::scope(|s| {
        let patch = s.spawn(|| run(patch_cmd));
        let raw = run(raw_cmd);
        (raw, patch.join())
    });
    let raw = patch.0?;
    let patch = patch
        .1
        .map_err(|_| Error::input("reading the staged patch failed unexpectedly"))??;

    let mut change = StagedChange::default();
    let entries = parse_raw(&raw, &mut change.unmerged)?;
    let added = parse_patch(&patch);
    if added.len() != entries.len() {
        return Err(Error::input(format!(
            "git listed {} staged file(s) but its patch has {} section(s)",
            entries.len(),
            added.len()
        ))
        .with_help("run `git diff --cached --stat` to see the staged change"));
    }
    let wanted: Vec<(RawEntry, Vec<Range<u32>>)> = entries
        .into_iter()
        .zip(added)
        .filter(|(e, _)| {
            change.skipped_submodules += usize::from(e.submodule);
            change.skipped_links += usize::from(e.link);
            !e.submodule && !e.link
        })
        .collect();
    let blobs = cat_blobs(dir, wanted.iter().map(|(e, _)| e.blob.as_str()))?;
    change.files = wanted
        .into_iter()
        .zip(blobs)
        .map(|((entry, added_lines), contents)| StagedFile {
            path: entry.path,
            contents,
            added_lines,
        })
        .collect();
    Ok(change)
}

/// `:old_mode new_mode old_id new_id status\0path\0` (two paths for renames and copies).
fn parse_raw(raw: &[u8], unmerged: &mut Vec<String>) -> Result<Vec<RawEntry>, Error> {
    let mut fields = raw.split(|b| *b == 0).filter(|f| !f.is_empty());
    let mut entries = Vec::new();
    while let Some(meta) = fields.next() {
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let malformed = || Error::input(format!("unexpected `git diff --raw` output: {meta}"));
        if parts.len() != 5 {
            return Err(malformed());
        }
        let status = parts[4].chars().next().ok_or_else(malformed)?;
        let first = fields.next().ok_or_else(malformed)?;
        let path = if matches!(status, 'R' | 'C') {
            fields.next().ok_or_else(malformed)?
        } else {
            first
        };
        let path = path_text(path);
        if status == 'U' {
            unmerged.push(path);
            continue;
        }
        entries.push(RawEntry {
            path,
            blob: parts[3].to_string(),
            submodule: parts[1] == "160000",
            link: parts[1] == "120000",
        });
    }
    Ok(entries)
}

/// Added line ranges per file section of a zero-context patch, in order. A type change (a
/// link replaced by a file) prints a deletion then an addition; the deletion, whose new side
/// is `/dev/null`, has no entry in the file list and is dropped.
fn parse_patch(patch: &[u8]) -> Vec<Vec<Range<u32>>> {
    let mut sections: Vec<(Vec<Range<u32>>, bool)> = Vec::new();
    let mut in_hunk = false;
    for line in patch.split(|b| *b == b'\n') {
        if line.starts_with(b"diff --git ") {
            sections.push((Vec::new(), false));
            in_hunk = false;
        } else if !in_hunk && line == b"+++ /dev/null" {
            if let Some(current) = sections.last_mut() {
                current.1 = true;
            }
        } else if line.starts_with(b"@@ ") {
            in_hunk = true;
            if let Some(current) = sections.last_mut()
                && let Some(range) = added_range(line)
            {
                current.0.push(range);
            }
        }
    }
    sections
        .into_iter()
        .filter(|(_, deleted)| !deleted)
        .map(|(s, _)| s)
        .collect()
}

/// The new-file range of a hunk header `@@ -a,b +c,d @@`, if it adds lines.
fn added_range(header: &[u8]) -> Option<Range<u32>> {
    let text = std::str::from_utf8(header).ok()?;
    let plus = text.split(' ').find(|p| p.starts_with('+'))?;
    let (start, count) = match plus[1..].split_once(',') {
        Some((s, c)) => (s.parse::<u32>().ok()?, c.parse::<u32>().ok()?),
        None => (plus[1..].parse::<u32>().ok()?, 1),
    };
    (count > 0).then(|| start..start.saturating_add(count))
}

/// Reads blobs by id through one `git cat-file --batch`.
fn cat_blobs<'a>(dir: &Path, ids: impl Iterator<Item = &'a str>) -> Result<Vec<Vec<u8>>, Error> {
    let input: String = ids.map(|id| format!("{id}\n")).collect();
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let count = input.lines().count();
    Git::new(dir)
        .cmd("the staged blobs", ["cat-file", "--batch"])
        .help("the repository may be corrupt; run `git fsck`")
        .stream_with_input(Some(input.into_bytes()), |reader| {
            let mut blobs = Vec::with_capacity(count);
            for _ in 0..count {
                let mut header = String::new();
                reader
                    .read_line(&mut header)
                    .map_err(|e| Error::input(format!("reading git cat-file output: {e}")))?;
                let size: usize = header
                    .trim_end()
                    .rsplit(' ')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| {
                        Error::input(format!(
                            "git cat-file could not read a staged blob: {}",
                            header.trim()
                        ))
                        .with_help("the repository may be corrupt; run `git fsck`")
                    })?;
                let mut contents = vec![0; size + 1];
                reader
                    .read_exact(&mut contents)
                    .map_err(|e| Error::input(format!("reading git cat-file output: {e}")))?;
                contents.truncate(size);
                blobs.push(contents);
            }
            Ok(blobs)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        assert_eq!(added_range(b"@@ -0,0 +1,2 @@"), Some(1..3));
        assert_eq!(added_range(b"@@ -3 +4 @@ fn x()"), Some(4..5));
        assert_eq!(added_range(b"@@ -3,2 +2,0 @@"), None);
    }

    #[test]
    fn raw_entries_with_renames_and_conflicts() {
        let raw = b":100644 100644 aaa bbb R090\0old name\0new name\0:000000 000000 000 000 U\0c.txt\0:000000 160000 000 ddd A\0sub\0";
        let mut unmerged = Vec::new();
        let entries = parse_raw(raw, &mut unmerged).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (entries[0].path.as_str(), entries[0].blob.as_str()),
            ("new name", "bbb")
        );
        assert!(entries[1].submodule);
        assert_eq!(unmerged, vec!["c.txt"]);
    }
}
