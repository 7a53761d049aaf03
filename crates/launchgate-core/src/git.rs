//! The one place that starts `git`.
//!
//! Every command gets the same settings, chosen so that neither the user's git configuration
//! nor the repository's attributes change what a gate reads: paths unquoted, no colour, no
//! pager, no external diff or textconv driver, `a/` and `b/` prefixes whatever
//! `diff.noprefix` or `diff.mnemonicPrefix` say, paths from the top of the work tree whatever
//! `diff.relative` says, every root commit's diff shown, no signature lines in logs, no lazy
//! fetches in partial clones, no replaced objects, no prompts. Standard error is read on its
//! own thread while standard output is read, and kept up to [`STDERR_LIMIT`] bytes, so a
//! chatty git can neither block nor fill memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::Error;

/// Bytes of standard error kept for error messages; the rest is read and dropped.
pub const STDERR_LIMIT: usize = 64 * 1024;

/// Characters of a command line quoted in an error before the rest is cut.
const SHOWN_LIMIT: usize = 200;

/// `-c` settings given to every command. Each neutralises a setting a user or a repository
/// may have that would change the output a gate parses.
const SAFE_CONFIG: [&str; 10] = [
    "core.quotePath=false",
    "color.ui=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "diff.suppressBlankEmpty=false",
    "log.showSignature=false",
    "log.showRoot=true",
    // A monitor command from the repository's configuration is not run by a scan.
    "core.fsmonitor=false",
    "submodule.recurse=false",
];

/// Environment variables that would change diffs or start other programs.
const UNSAFE_ENV: [&str; 4] = [
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_PAGER",
    "GIT_DIFF_PATH_COUNTER",
];

/// Options for every `diff`, `log -p` and `show` a gate parses: the full text of every
/// file (binary or marked `-diff`), never an external program's rendering, fixed prefixes,
/// whole-repository paths, submodules as one line.
pub const DIFF_FLAGS: [&str; 8] = [
    "--text",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--no-color",
    "--no-relative",
    "--submodule=short",
];

/// A repository (or a folder inside one) that git commands run in.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: impl Into<PathBuf>) -> Git {
        Git { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `git ARGS…` in this folder with the safe settings. `what` names what the command
    /// reads, for error messages ("the staged patch").
    pub fn cmd<I, S>(&self, what: &str, args: I) -> GitCmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new("git");
        cmd.arg("--no-pager").arg("-C").arg(&self.dir);
        for setting in SAFE_CONFIG {
            cmd.args(["-c", setting]);
        }
        for var in UNSAFE_ENV {
            cmd.env_remove(var);
        }
        cmd.env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .env("GIT_OPTIONAL_LOCKS", "0")
            // Messages in one language, so errors can be recognised and quoted.
            .env("LC_ALL", "C");
        GitCmd {
            cmd,
            what: what.to_string(),
            shown: String::from("git"),
            dir: self.dir.clone(),
            help: None,
        }
        .args(args)
    }
}

/// Whether a `git` program can be started at all.
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("git")
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// One git command, ready to run.
#[derive(Debug)]
pub struct GitCmd {
    cmd: Command,
    what: String,
    /// The command line as shown in errors (subcommand and arguments, no settings).
    shown: String,
    dir: PathBuf,
    help: Option<String>,
}

/// What a finished command printed.
#[derive(Debug)]
pub struct GitOutput {
    pub success: bool,
    pub stdout: Vec<u8>,
    /// At most [`STDERR_LIMIT`] bytes, lossily decoded.
    pub stderr: String,
    failure: Error,
}

impl GitOutput {
    /// Standard output, or an error naming the command, its first lines of standard error
    /// and the fix.
    pub fn ok(self) -> Result<Vec<u8>, Error> {
        if self.success {
            Ok(self.stdout)
        } else {
            Err(self.failure)
        }
    }
}

impl GitCmd {
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        let arg = arg.as_ref();
        // Errors quote the command; a long list of paths is cut.
        if self.shown.len() < SHOWN_LIMIT {
            self.shown.push(' ');
            self.shown.push_str(&arg.to_string_lossy());
        } else if !self.shown.ends_with(" …") {
            self.shown.push_str(" …");
        }
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    /// The [`DIFF_FLAGS`].
    pub fn diff_flags(self) -> Self {
        self.args(DIFF_FLAGS)
    }

    /// The fix an error suggests when the command fails.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Runs to completion: standard output whole, standard error bounded.
    pub fn run(self) -> Result<GitOutput, Error> {
        let mut stdout = Vec::new();
        let (success, stderr, failure) = self.drive(None, |out| {
            out.read_to_end(&mut stdout)
                .map(|_| ())
                .map_err(|e| Error::input(format!("cannot read git's output: {e}")))
        })?;
        Ok(GitOutput {
            success,
            stdout,
            stderr,
            failure,
        })
    }

    /// Runs to completion and returns standard output; a failure is an error.
    pub fn output(self) -> Result<Vec<u8>, Error> {
        self.run()?.ok()
    }

    /// Runs while `read` consumes standard output as it comes. A failure of the command is
    /// an error even when `read` succeeded; an error of `read` comes first.
    pub fn stream<T>(self, read: impl FnOnce(&mut dyn BufRead) -> Result<T, Error>) -> Result<T, Error> {
        self.stream_with_input(None, read)
    }

    /// [`GitCmd::stream`] with `input` written to standard input on its own thread.
    pub fn stream_with_input<T>(
        self,
        input: Option<Vec<u8>>,
        read: impl FnOnce(&mut dyn BufRead) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut value = None;
        let (success, _, failure) = self.drive(input, |out| {
            value = Some(read(out)?);
            Ok(())
        })?;
        if !success {
            return Err(failure);
        }
        value.ok_or_else(|| Error::input("git's output was not read"))
    }

    fn drive(
        mut self,
        input: Option<Vec<u8>>,
        read: impl FnOnce(&mut dyn BufRead) -> Result<(), Error>,
    ) -> Result<(bool, String, Error), Error> {
        self.cmd
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().map_err(|e| {
            Error::input(format!("cannot run `{}` for {}: {e}", self.shown, self.what))
                .with_help("install git and make sure it is on PATH")
        })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (read_result, stderr) = std::thread::scope(|s| {
            let errors = s.spawn(move || read_bounded(stderr));
            if let (Some(mut stdin), Some(input)) = (stdin, input) {
                // git answers while it reads; both pipes are bounded, so write on a thread.
                s.spawn(move || {
                    let _ = stdin.write_all(&input);
                });
            }
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            let result = read(&mut reader);
            // Closing our end stops a git whose output is no longer wanted.
            drop(reader);
            (result, errors.join().unwrap_or_default())
        });
        let status = child.wait().map_err(|e| {
            Error::input(format!("waiting for `{}` failed: {e}", self.shown))
                .with_help("run the command by hand to see what happens")
        })?;
        read_result?;
        let failure = self.failed(&stderr);
        Ok((status.success(), stderr, failure))
    }

    fn failed(&self, stderr: &str) -> Error {
        let first: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).take(3).collect();
        let help = self.help.clone().unwrap_or_else(|| {
            format!(
                "run `{}` in {} to see the problem; check that the repository is readable (`git fsck`)",
                self.shown,
                self.dir.display()
            )
        });
        Error::input(format!(
            "git failed reading {} (`{}`): {}",
            self.what,
            self.shown,
            first.join(" ")
        ))
        .with_help(help)
    }
}

/// Reads everything, keeping the first [`STDERR_LIMIT`] bytes.
fn read_bounded(mut from: impl Read) -> String {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = STDERR_LIMIT.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// NUL-terminated records (`-z` output), empty ones dropped.
pub fn nul_fields(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|&b| b == 0).filter(|f| !f.is_empty())
}

/// A path as git printed it (raw bytes), for display: invalid UTF-8 becomes U+FFFD, the
/// same way everywhere.
pub fn path_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The path in a patch's `--- a/…` or `+++ b/…` label (without the marker): C-quoted names
/// unquoted, and the tab git adds after a name holding a space dropped.
pub fn patch_label_path(label: &[u8]) -> Vec<u8> {
    if let Some(inner) = label.strip_prefix(b"\"").and_then(|l| {
        // A quoted label ends at its closing quote; a tab may follow it.
        let l = l.strip_suffix(b"\t").unwrap_or(l);
        l.strip_suffix(b"\"")
    }) {
        return unquote(inner);
    }
    // git quotes any name holding a tab, so a trailing tab here is the one it added.
    let label = if label.contains(&b' ') {
        label.strip_suffix(b"\t").unwrap_or(label)
    } else {
        label
    };
    label.to_vec()
}

/// Undoes git's C-style escapes (`na\303\257ve`, `tab\there`).
fn unquote(inner: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.iter().copied().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(0x07),
            Some(b'b') => bytes.push(0x08),
            Some(b'f') => bytes.push(0x0c),
            Some(b'v') => bytes.push(0x0b),
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
    bytes
}

#[cfg(test)]
mod tests;
