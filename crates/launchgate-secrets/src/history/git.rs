//! Running `git`: one place for the flags every history command needs and for turning its
//! failures into errors that name the repository and the fix.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use launchgate_core::Error;

/// A repository the history scan reads.
#[derive(Debug, Clone)]
pub struct Repo {
    pub dir: PathBuf,
    /// The object directory, absolute (`GIT_OBJECT_DIRECTORY` respected).
    pub objects_dir: PathBuf,
    /// `sha1` or `sha256`.
    pub object_format: String,
    pub shallow: bool,
    /// A partial clone (`--filter`): blobs it never downloaded are not in the object database.
    pub partial: bool,
    /// HEAD's commit id; `None` in a repository without commits.
    pub head: Option<String>,
}

/// `git -C dir` with paths printed unquoted.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir);
    cmd.args(["-c", "core.quotePath=false"]);
    // A partial clone would otherwise download each missing blob it is asked about, one
    // round trip at a time; a scan reads what is there and says what is not.
    cmd.env("GIT_NO_LAZY_FETCH", "1");
    cmd
}

/// Runs a command to completion and returns its standard output.
pub fn run(mut cmd: Command, what: &str) -> Result<Vec<u8>, Error> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(what, &e))?;
    if !output.status.success() {
        return Err(git_failed(what, &output.stderr));
    }
    Ok(output.stdout)
}

pub fn spawn_error(what: &str, e: &std::io::Error) -> Error {
    Error::input(format!("cannot run git for {what}: {e}"))
        .with_help("install git and make sure it is on PATH")
}

/// An error for a failed git command, with the first lines it printed.
pub fn git_failed(what: &str, stderr: &[u8]) -> Error {
    let stderr = String::from_utf8_lossy(stderr);
    let first: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).take(3).collect();
    Error::input(format!("git failed reading {what}: {}", first.join(" ")))
        .with_help("check that the repository is readable with `git fsck`")
}

/// Text output, one entry per line.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = &str> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| std::str::from_utf8(l).ok())
}

impl Repo {
    /// Opens the repository holding `dir`, or says plainly that there is none.
    pub fn open(dir: &Path) -> Result<Repo, Error> {
        if !dir.exists() {
            return Err(Error::input(format!("{} does not exist", dir.display()))
                .with_help("pass the folder of a git repository"));
        }
        let mut cmd = git(dir);
        cmd.args([
            "rev-parse",
            "--is-shallow-repository",
            "--show-object-format",
            "--git-path",
            "objects",
        ]);
        let output = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| spawn_error("the repository", &e))?;
        if !output.status.success() {
            return Err(
                Error::input(format!("{} is not inside a git repository", dir.display()))
                    .with_help("run the history scan in a clone, or pass the clone's folder"),
            );
        }
        let out = String::from_utf8_lossy(&output.stdout);
        let mut out_lines = out.lines();
        let shallow = out_lines.next() == Some("true");
        let object_format = out_lines.next().unwrap_or("sha1").to_string();
        // `--git-path` answers relative to `dir` unless the path is absolute.
        let objects_dir = dir.join(out_lines.next().unwrap_or_default());
        let objects_dir = std::path::absolute(&objects_dir).unwrap_or(objects_dir);
        let head = resolve_commit(dir, "HEAD")?;
        // git marks the packs a partial clone fetched from its promisor remote with a
        // `.promisor` file beside them.
        let partial = std::fs::read_dir(objects_dir.join("pack")).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "promisor"))
        });
        Ok(Repo {
            dir: dir.to_path_buf(),
            objects_dir,
            object_format,
            shallow,
            partial,
            head,
        })
    }

    pub fn git(&self) -> Command {
        git(&self.dir)
    }

    /// A short digest of HEAD and every ref: two clones with the same digest hold the same
    /// history, so shards scanned from them cover one object set between them.
    pub fn refs_digest(&self) -> Result<String, Error> {
        use sha2::Digest;
        let mut cmd = self.git();
        cmd.args(["for-each-ref", "--format=%(objectname) %(refname)"]);
        let refs = run(cmd, "the refs")?;
        let mut hasher = sha2::Sha256::new();
        hasher.update(self.head.as_deref().unwrap_or("none").as_bytes());
        hasher.update(b"\n");
        hasher.update(&refs);
        let digest = hasher.finalize();
        Ok(digest.iter().take(6).map(|b| format!("{b:02x}")).collect())
    }

    /// The commit a revision names, or `None` when it names none here.
    pub fn commit(&self, rev: &str) -> Result<Option<String>, Error> {
        resolve_commit(&self.dir, rev)
    }
}

fn resolve_commit(dir: &Path, rev: &str) -> Result<Option<String>, Error> {
    if rev.starts_with('-') {
        return Ok(None);
    }
    let mut cmd = git(dir);
    cmd.args(["rev-parse", "-q", "--verify", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"));
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(rev, &e))?;
    if !output.status.success() {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&output.stdout).trim().to_string()))
}

/// Undoes git's C-style quoting of a path (`"dir/na\303\257ve"`), used for unusual characters.
pub fn unquote_path(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(n - b'0');
                        chars.next();
                    }
                }
                bytes.push(value as u8);
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::unquote_path;

    #[test]
    fn unquotes_c_style_paths() {
        assert_eq!(unquote_path("plain/path.rs"), "plain/path.rs");
        assert_eq!(unquote_path("\"tab\\there\""), "tab\there");
        assert_eq!(unquote_path("\"na\\303\\257ve.txt\""), "naïve.txt");
    }
}
