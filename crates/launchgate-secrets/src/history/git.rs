//! The repository a history scan reads, opened through the one git runner of
//! `launchgate_core::git`.

use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::git::{Git, GitCmd};

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
        let output = Git::new(dir)
            .cmd(
                "the repository",
                [
                    "rev-parse",
                    "--is-shallow-repository",
                    "--show-object-format",
                    "--git-path",
                    "objects",
                ],
            )
            .run()?;
        if !output.success {
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

    /// A git command in this repository; `what` names what it reads, for errors.
    pub fn git<I, S>(&self, what: &str, args: I) -> GitCmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Git::new(&self.dir).cmd(what, args)
    }

    /// A short digest of HEAD and every ref: two clones with the same digest hold the same
    /// history, so shards scanned from them cover one object set between them.
    pub fn refs_digest(&self) -> Result<String, Error> {
        use sha2::Digest;
        let refs = self
            .git("the refs", ["for-each-ref", "--format=%(objectname) %(refname)"])
            .output()?;
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
    let output = Git::new(dir)
        .cmd(rev, ["rev-parse", "-q", "--verify", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"))
        .run()?;
    if !output.success {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&output.stdout).trim().to_string()))
}
