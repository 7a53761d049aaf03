//! `launchgate hook install`: plain git hooks for teams without the pre-commit framework.
//!
//! The pre-commit hook scans the staged change; the pre-push hook scans exactly the commits
//! being pushed. Hooks go where git looks for them (`core.hooksPath` is honoured). An
//! existing hook that launchgate did not write is never lost: it is renamed to
//! `<hook>.local` and the new hook runs it first, with the same arguments and input, and
//! stops if it fails. A hook launchgate wrote is rewritten in place, so installing twice
//! changes nothing.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use launchgate_core::output::write_stdout;
use launchgate_core::{Error, ExitStatus};

/// The first line after the shebang of every hook launchgate writes; how it knows its own.
const MARKER: &str = "# launchgate-hook";

#[derive(Debug, Args)]
pub struct HookArgs {
    #[command(subcommand)]
    pub command: HookCommand,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write git hooks that scan for secrets before a commit and before a push.
    ///
    /// Without --pre-commit or --pre-push, both are installed. An existing hook is kept: it
    /// moves to `<hook>.local` and runs first. Exit 2 when a hook cannot be installed.
    Install(InstallArgs),
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Install the pre-commit hook (scans the staged change).
    #[arg(long)]
    pub pre_commit: bool,

    /// Install the pre-push hook (scans the commits being pushed).
    #[arg(long)]
    pub pre_push: bool,

    /// Replace an existing hook even when `<hook>.local` is taken (the existing hook is
    /// then overwritten; `<hook>.local` still runs first).
    #[arg(long)]
    pub force: bool,

    /// The repository to install into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
}

/// What happened to one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// There was no hook; launchgate's was written.
    New(PathBuf),
    /// launchgate's hook was there already; it was rewritten with the current version.
    Refreshed(PathBuf),
    /// A foreign hook was moved to the `.local` path and runs first.
    Chained { hook: PathBuf, local: PathBuf },
    /// A foreign hook was overwritten (`--force`).
    Replaced(PathBuf),
}

pub fn run(args: HookArgs) -> ExitStatus {
    match args.command {
        HookCommand::Install(install) => {
            ExitStatus::or_printed_error(install_hooks(&install).and_then(|done| {
                let text: String = done.iter().map(|d| describe(d) + "\n").collect();
                write_stdout(text.as_bytes()).map(|_| ExitStatus::Passed)
            }))
        }
    }
}

fn describe(done: &Installed) -> String {
    match done {
        Installed::New(p) => format!("installed {}", p.display()),
        Installed::Refreshed(p) => format!("{} was already launchgate's; rewritten", p.display()),
        Installed::Chained { hook, local } => format!(
            "installed {}; the existing hook moved to {} and runs first",
            hook.display(),
            local.display()
        ),
        Installed::Replaced(p) => format!("replaced {} (--force)", p.display()),
    }
}

/// Installs the hooks `args` asks for and says what it did to each.
pub fn install_hooks(args: &InstallArgs) -> Result<Vec<Installed>, Error> {
    let hooks_dir = hooks_dir(&args.repo)?;
    std::fs::create_dir_all(&hooks_dir).map_err(|e| Error::io(&hooks_dir, &e))?;
    let both = !args.pre_commit && !args.pre_push;
    let mut done = Vec::new();
    if both || args.pre_commit {
        done.push(install_one(&hooks_dir, "pre-commit", PRE_COMMIT, args.force)?);
    }
    if both || args.pre_push {
        done.push(install_one(&hooks_dir, "pre-push", PRE_PUSH, args.force)?);
    }
    Ok(done)
}

/// The directory git runs hooks from: `core.hooksPath` (relative to the top of the work
/// tree) or `$GIT_DIR/hooks`.
fn hooks_dir(repo: &Path) -> Result<PathBuf, Error> {
    let top = git(repo, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(top);
    let hooks = git(&top, &["rev-parse", "--git-path", "hooks"])?;
    refuse_managed_dir(&hooks)?;
    Ok(top.join(hooks))
}

/// husky rewrites its hook directory on every install, so a hook written there would vanish.
/// `hooks` is git's answer for the hook folder, relative to the top of the work tree.
fn refuse_managed_dir(hooks: &str) -> Result<(), Error> {
    let first = hooks.split(['/', '\\']).next().unwrap_or_default();
    if first == ".husky" {
        return Err(Error::input(format!(
            "core.hooksPath is {hooks}, which husky manages and rewrites"
        ))
        .with_help(
            "add `launchgate secrets scan --staged` to .husky/pre-commit instead; \
             for pushes, copy the pre-push hook from `launchgate hook install --repo <a scratch repo>`",
        ));
    }
    Ok(())
}

fn install_one(dir: &Path, name: &str, script: &str, force: bool) -> Result<Installed, Error> {
    let hook = dir.join(name);
    let local = dir.join(format!("{name}.local"));
    let existing = match std::fs::read(&hook) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&hook, &e)),
    };
    let done = match existing {
        None => Installed::New(hook.clone()),
        Some(text) if is_ours(&text) => Installed::Refreshed(hook.clone()),
        Some(_) if local.exists() && !force => {
            return Err(Error::input(format!(
                "{} is not launchgate's, and {} is taken, so it cannot be kept by chaining",
                hook.display(),
                local.display()
            ))
            .with_help(format!(
                "merge the two hooks into {name}.local by hand, or rerun with --force to overwrite {name}"
            )));
        }
        Some(_) if local.exists() => Installed::Replaced(hook.clone()),
        Some(_) => {
            std::fs::rename(&hook, &local).map_err(|e| Error::io(&hook, &e))?;
            Installed::Chained {
                hook: hook.clone(),
                local: local.clone(),
            }
        }
    };
    launchgate_core::atomic::write_atomic(&hook, script.as_bytes())?;
    make_executable(&hook)?;
    Ok(done)
}

fn is_ours(text: &str) -> bool {
    text.lines().nth(1).is_some_and(|l| l.starts_with(MARKER))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|e| Error::io(path, &e))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), Error> {
    // Git for Windows runs hooks through its own sh whatever the file mode.
    Ok(())
}

fn git(dir: &Path, args: &[&str]) -> Result<String, Error> {
    let out = launchgate_core::git::Git::new(dir)
        .cmd("the hooks folder", args)
        .run()?;
    if !out.success {
        return Err(Error::input(format!(
            "{} is not a git work tree: {}",
            dir.display(),
            out.stderr.trim()
        ))
        .with_help("run `launchgate hook install` inside the repository, or pass --repo"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs the chained hook, then scans the staged change.
const PRE_COMMIT: &str = r#"#!/bin/sh
# launchgate-hook pre-commit: written by `launchgate hook install`; it is rewritten on reinstall.
# Blocks a commit whose staged change adds a secret. Skip once with `git commit --no-verify`.
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/pre-commit.local" ]; then
  "$hook_dir/pre-commit.local" "$@" || exit $?
fi
launchgate=${LAUNCHGATE_BIN:-launchgate}
if ! command -v "$launchgate" >/dev/null 2>&1; then
  echo "launchgate pre-commit hook: '$launchgate' is not on PATH, so the commit was not checked" >&2
  echo "  install launchgate, set LAUNCHGATE_BIN, or commit with --no-verify to skip the check" >&2
  exit 1
fi
exec "$launchgate" secrets scan --staged
"#;

/// Runs the chained hook, then scans the commits of every ref being pushed. git gives one
/// line per ref on stdin: `<local ref> <local sha> <remote ref> <remote sha>`.
const PRE_PUSH: &str = r#"#!/bin/sh
# launchgate-hook pre-push: written by `launchgate hook install`; it is rewritten on reinstall.
# Blocks a push whose new commits add a secret. Skip once with `git push --no-verify`.
hook_dir=$(dirname "$0")
refs=$(cat)
if [ -x "$hook_dir/pre-push.local" ]; then
  printf '%s\n' "$refs" | "$hook_dir/pre-push.local" "$@" || exit $?
fi
launchgate=${LAUNCHGATE_BIN:-launchgate}
if ! command -v "$launchgate" >/dev/null 2>&1; then
  echo "launchgate pre-push hook: '$launchgate' is not on PATH, so the push was not checked" >&2
  echo "  install launchgate, set LAUNCHGATE_BIN, or push with --no-verify to skip the check" >&2
  exit 1
fi
if ! "$launchgate" secrets scan --help 2>/dev/null | grep -q -e '--range'; then
  echo "launchgate pre-push hook: this launchgate cannot scan commit ranges (no 'secrets scan --range')," >&2
  echo "  so the push was not checked; upgrade launchgate, or push with --no-verify to skip the check" >&2
  exit 1
fi
status=0
while read -r local_ref local_sha remote_ref remote_sha; do
  [ -n "$local_sha" ] || continue
  # A deleted ref pushes no commits.
  case "$local_sha" in *[!0]*) ;; *) continue ;; esac
  case "$remote_sha" in *[!0]*) known=yes ;; *) known=no ;; esac
  if [ "$known" = yes ] && git cat-file -e "$remote_sha^{commit}" 2>/dev/null; then
    # An update, forced or not: the commits the remote tip does not have.
    range="$remote_sha..$local_sha"
  else
    # A new branch (or a remote tip we never fetched): the commits no remote has.
    if ! commits=$(git rev-list --reverse "$local_sha" --not --remotes); then
      echo "launchgate pre-push hook: cannot list the commits of $local_ref, so the push was not checked" >&2
      exit 1
    fi
    first=$(printf '%s\n' "$commits" | head -n 1)
    [ -n "$first" ] || continue
    if git cat-file -e "$first^" 2>/dev/null; then
      range="$first^..$local_sha"
    else
      range="$local_sha"
    fi
  fi
  echo "launchgate: scanning $local_ref ($range) before pushing to $remote_ref" >&2
  "$launchgate" secrets scan --range "$range" || status=$?
done <<EOF
$refs
EOF
exit $status
"#;

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn git_in(dir: &Path, args: &[&str]) -> std::process::Output {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs")
    }

    fn new_repo() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        assert!(git_in(tmp.path(), &["init", "-q", "-b", "main"]).status.success());
        tmp
    }

    fn install(repo: &Path, pre_commit: bool, pre_push: bool, force: bool) -> Result<Vec<Installed>, Error> {
        install_hooks(&InstallArgs {
            pre_commit,
            pre_push,
            force,
            repo: repo.to_path_buf(),
        })
    }

    /// Writes an executable hook, as a user or another tool would (git skips the others).
    fn write_hook(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap();
        make_executable(path).unwrap();
    }

    fn hooks(repo: &Path) -> PathBuf {
        repo.join(".git").join("hooks")
    }

    #[test]
    fn installs_both_hooks_into_a_repo_without_hooks() {
        let repo = new_repo();
        let done = install(repo.path(), false, false, false).unwrap();
        let top = PathBuf::from(
            String::from_utf8(git_in(repo.path(), &["rev-parse", "--show-toplevel"]).stdout)
                .unwrap()
                .trim(),
        );
        assert_eq!(
            done,
            vec![
                Installed::New(top.join(".git/hooks/pre-commit")),
                Installed::New(top.join(".git/hooks/pre-push")),
            ]
        );
        let pre_commit = std::fs::read_to_string(hooks(repo.path()).join("pre-commit")).unwrap();
        assert!(pre_commit.contains("secrets scan --staged"));
        assert!(is_ours(&pre_commit));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(hooks(repo.path()).join("pre-push"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "the hook is executable");
        }
    }

    #[test]
    fn reinstalling_its_own_hook_changes_nothing() {
        let repo = new_repo();
        install(repo.path(), true, false, false).unwrap();
        let hook = hooks(repo.path()).join("pre-commit");
        let before = std::fs::read(&hook).unwrap();
        let done = install(repo.path(), true, false, false).unwrap();
        assert!(matches!(&done[..], [Installed::Refreshed(_)]), "{done:?}");
        assert_eq!(std::fs::read(&hook).unwrap(), before);
        assert!(!hooks(repo.path()).join("pre-commit.local").exists());
    }

    #[test]
    fn a_foreign_hook_is_chained_and_runs_first() {
        let repo = new_repo();
        let dir = hooks(repo.path());
        std::fs::create_dir_all(&dir).unwrap();
        let foreign = "#!/bin/sh\necho 'lint failed' >&2\nexit 3\n";
        write_hook(&dir.join("pre-commit"), foreign);
        let done = install(repo.path(), true, false, false).unwrap();
        assert!(matches!(&done[..], [Installed::Chained { .. }]), "{done:?}");
        assert_eq!(
            std::fs::read_to_string(dir.join("pre-commit.local")).unwrap(),
            foreign
        );

        // A real commit: the chained hook fails, so git refuses the commit with its message.
        std::fs::write(repo.path().join("a.txt"), "a\n").unwrap();
        assert!(git_in(repo.path(), &["add", "a.txt"]).status.success());
        let out = git_in(repo.path(), &["commit", "-q", "-m", "a"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("lint failed"));

        // The chained hook passes: launchgate runs next and, missing here, blocks loudly.
        std::fs::write(dir.join("pre-commit.local"), "#!/bin/sh\nexit 0\n").unwrap();
        let out = Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args([
                "-c",
                "user.name=Ada",
                "-c",
                "user.email=ada@example.com",
                "commit",
                "-q",
                "-m",
                "a",
            ])
            .env("LAUNCHGATE_BIN", repo.path().join("no-such-launchgate"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("is not on PATH, so the commit was not checked"),
            "{stderr}"
        );

        // Installing again keeps the chain as it is.
        let done = install(repo.path(), true, false, false).unwrap();
        assert!(matches!(&done[..], [Installed::Refreshed(_)]), "{done:?}");
        assert_eq!(
            std::fs::read_to_string(dir.join("pre-commit.local")).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
    }

    #[test]
    fn a_foreign_hook_with_a_taken_local_slot_is_refused_unless_forced() {
        let repo = new_repo();
        let dir = hooks(repo.path());
        std::fs::create_dir_all(&dir).unwrap();
        write_hook(&dir.join("pre-push"), "#!/bin/sh\nexit 0\n");
        write_hook(&dir.join("pre-push.local"), "#!/bin/sh\nexit 0\n");
        let err = install(repo.path(), false, true, false).unwrap_err();
        assert!(err.message().contains("is taken"), "{}", err.message());
        assert!(err.hint().unwrap().contains("--force"));
        assert_eq!(
            std::fs::read_to_string(dir.join("pre-push")).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );

        let done = install(repo.path(), false, true, true).unwrap();
        assert!(matches!(&done[..], [Installed::Replaced(_)]), "{done:?}");
        assert!(is_ours(&std::fs::read_to_string(dir.join("pre-push")).unwrap()));
        assert_eq!(
            std::fs::read_to_string(dir.join("pre-push.local")).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
    }

    #[test]
    fn core_hooks_path_is_honoured_from_a_subfolder() {
        let repo = new_repo();
        assert!(
            git_in(repo.path(), &["config", "core.hooksPath", "githooks"])
                .status
                .success()
        );
        let sub = repo.path().join("src");
        std::fs::create_dir(&sub).unwrap();
        install(&sub, false, true, false).unwrap();
        assert!(is_ours(
            &std::fs::read_to_string(repo.path().join("githooks/pre-push")).unwrap()
        ));
        assert!(!hooks(repo.path()).join("pre-push").exists());
    }

    #[test]
    fn a_husky_hooks_path_is_refused_with_what_to_do() {
        let repo = new_repo();
        assert!(
            git_in(repo.path(), &["config", "core.hooksPath", ".husky/_"])
                .status
                .success()
        );
        let err = install(repo.path(), false, false, false).unwrap_err();
        assert!(err.message().contains("husky"), "{}", err.message());
        assert!(err.hint().unwrap().contains(".husky/pre-commit"));
        assert!(!repo.path().join(".husky").exists());
    }

    #[test]
    fn outside_a_repository_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = install(tmp.path(), false, false, false).unwrap_err();
        assert!(
            err.message().contains("is not a git work tree"),
            "{}",
            err.message()
        );
    }
}
