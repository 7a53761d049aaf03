//! size-limit's esbuild step, run with the project's own esbuild. A check with `import` or
//! `entry`, or any check while `@size-limit/esbuild` is installed and not disabled, measures
//! a fresh bundle of its files rather than the files themselves. The bundle is built as
//! that plugin builds it (bundle, minify, tree-shake, `ignore` and peer dependencies as
//! externals), and the same empty-project overhead is subtracted, so the sizes and verdicts
//! are size-limit's.

use std::path::{Path, PathBuf};
use std::process::Command;

use launchgate_core::Error;
use serde_json::Value;

use crate::build_files::Compression;

/// How long esbuild may take to bundle one check.
const BUNDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// What one check asks esbuild for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleRequest {
    /// The check's files, absolute.
    pub files: Vec<PathBuf>,
    /// `import`: module file or package name → the import clause (`{ debounce }` or `*`).
    pub imports: Vec<(String, String)>,
    /// `entry`: keep only the outputs with these names.
    pub entries: Vec<String>,
    /// `ignore` plus the package's peer dependencies: left out of the bundle.
    pub externals: Vec<String>,
}

/// A finished bundle: its output files, in a folder removed when this is dropped.
#[derive(Debug)]
pub struct Bundle {
    pub outputs: Vec<PathBuf>,
    /// esbuild inserts a `require` shim when an external is required dynamically; size-limit
    /// subtracts a larger overhead then.
    pub has_require_shim: bool,
    _dir: tempfile::TempDir,
}

/// The project's esbuild: `node_modules/.bin/esbuild` in `dir` or the nearest folder above
/// it that has one, the way Node resolves packages.
pub fn find_esbuild(dir: &Path) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["esbuild.cmd", "esbuild.exe", "esbuild"]
    } else {
        &["esbuild"]
    };
    let start = std::path::absolute(dir).ok()?;
    start.ancestors().find_map(|folder| {
        names
            .iter()
            .map(|name| folder.join("node_modules").join(".bin").join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Builds the bundle a check measures. `dir` is the folder of `.size-limit.json`; `check`
/// names the check in errors.
pub fn build(esbuild: &Path, dir: &Path, request: &BundleRequest, check: &str) -> Result<Bundle, Error> {
    let out = tempfile::Builder::new()
        .prefix("launchgate-size-limit-")
        .tempdir()
        .map_err(|e| Error::input(format!("cannot create a folder for the bundle: {e}")))?;
    let mut entry_points: Vec<PathBuf> = request.files.clone();
    if !request.imports.is_empty() {
        // The entry imports exactly what the check names and uses it, so tree-shaking keeps
        // that and nothing else.
        let mut loader = String::new();
        for (module, clause) in &request.imports {
            let (clause, used) = if clause.trim() == "*" {
                ("* as all".to_string(), "all".to_string())
            } else {
                (clause.clone(), clause.replace(['{', '}'], "").trim().to_string())
            };
            let module = resolve_module(dir, module);
            loader.push_str(&format!(
                "import {clause} from {}\nconsole.log({used})\n",
                Value::String(module)
            ));
        }
        let entry = out.path().join("index.js");
        std::fs::write(&entry, loader).map_err(|e| Error::io(&entry, &e))?;
        entry_points = vec![entry];
    }
    let meta = out.path().join("metafile.json");
    let mut cmd = Command::new(esbuild);
    cmd.current_dir(dir)
        .args(&entry_points)
        .args(["--bundle", "--minify", "--tree-shaking=true", "--log-level=error"])
        .arg(format!("--outdir={}", out.path().display()))
        .arg(format!("--metafile={}", meta.display()));
    if !request.imports.is_empty() {
        cmd.arg("--allow-overwrite");
    }
    for external in &request.externals {
        cmd.arg(format!("--external:{external}"));
    }
    // A bare package name in `import` resolves from the project, not from the bundle folder.
    cmd.env(
        "NODE_PATH",
        std::path::absolute(dir.join("node_modules")).unwrap_or_default(),
    );
    let bounds = crate::process::Bounds {
        timeout: BUNDLE_TIMEOUT,
        max_stdout: 1024 * 1024,
        max_stderr: 1024 * 1024,
    };
    let output = crate::process::run(&mut cmd, bounds).map_err(|failure| match failure {
        crate::process::Failure::Start(e) => Error::input(format!("cannot run {}: {e}", esbuild.display()))
            .with_help("reinstall the project's dependencies (npm ci) so node_modules/.bin/esbuild works"),
        crate::process::Failure::TimedOut => Error::input(format!(
            "{check}: esbuild took more than {} s to bundle and was stopped",
            BUNDLE_TIMEOUT.as_secs()
        ))
        .with_help(
            "check the entry for an import cycle or a huge generated file; size-limit would wait as long",
        ),
        crate::process::Failure::TooMuchOutput => Error::input(format!(
            "{check}: esbuild printed more than 1 MiB and was stopped"
        ))
        .with_help("run esbuild on the entry by hand to see what it reports"),
    })?;
    if !output.status.success() {
        let stderr = &output.stderr;
        let mut first = error_lines(stderr);
        if first.is_empty() {
            // Not a build error (a broken install, a crash): its first lines and the status.
            first = stderr.lines().filter(|l| !l.trim().is_empty()).take(4).collect();
        }
        let status = output.status;
        let first = format!(
            "{} ({status})",
            launchgate_detect::redact_secrets(&first.join("\n"))
        );
        return Err(Error::input(format!(
            "{check}: esbuild could not bundle {}:\n{}",
            entry_points
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            first
        ))
        .with_help("size-limit bundles this check the same way and would fail too; fix the import, or measure built files with \"disablePlugins\": [\"@size-limit/esbuild\"]"));
    }
    let outputs = read_outputs(dir, &meta, &request.entries).map_err(|e| {
        let help = e.hint().unwrap_or_default().to_string();
        Error::input(format!("{check}: {}", e.message())).with_help(help)
    })?;
    let has_require_shim = !request.externals.is_empty()
        && outputs.iter().any(|path| {
            crate::read::build_file(path)
                .is_ok_and(|bytes| memchr::memmem::find(&bytes, b"Dynamic require of ").is_some())
        });
    Ok(Bundle {
        outputs,
        has_require_shim,
        _dir: out,
    })
}

/// esbuild's error lines and their `file:line:column`, without the source excerpts it
/// prints under them: a line of source can hold a credential, and CI logs are widely read.
/// What is kept still goes through the secrets gate's redaction.
fn error_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.contains("[ERROR]")
                || l.strip_suffix(':').is_some_and(|place| {
                    let mut parts = place.rsplitn(3, ':');
                    let numbers = parts.next().is_some_and(|c| c.parse::<u32>().is_ok())
                        && parts.next().is_some_and(|n| n.parse::<u32>().is_ok());
                    numbers && parts.next().is_some_and(|file| !file.contains(' '))
                })
        })
        .take(8)
        .collect()
}

/// A package name resolves to its entry file under `node_modules`; a path is made absolute.
fn resolve_module(dir: &Path, module: &str) -> String {
    let as_path = Path::new(module);
    if as_path.is_absolute() {
        return module.to_string();
    }
    let local = dir.join(as_path);
    if module.starts_with('.') || local.exists() {
        return local.display().to_string();
    }
    // A bare package name: esbuild resolves it from `dir` itself.
    module.to_string()
}

/// The output files the metafile lists, limited to `entries` by file stem when given.
fn read_outputs(dir: &Path, meta: &Path, entries: &[String]) -> Result<Vec<PathBuf>, Error> {
    let text = crate::read::text(meta, crate::read::BUILD_DESCRIPTION)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "esbuild wrote an unreadable metafile {}: {e}",
            meta.display()
        ))
    })?;
    let outputs: Vec<PathBuf> = value
        .get("outputs")
        .and_then(Value::as_object)
        .map(|o| {
            o.keys()
                .map(|k| std::path::absolute(dir.join(k)).unwrap_or_else(|_| dir.join(k)))
                .collect()
        })
        .unwrap_or_default();
    if entries.is_empty() {
        return Ok(outputs);
    }
    let mut kept = Vec::new();
    for entry in entries {
        let matching: Vec<PathBuf> = outputs
            .iter()
            .filter(|p| p.file_stem().and_then(|s| s.to_str()) == Some(entry.as_str()))
            .cloned()
            .collect();
        if matching.is_empty() {
            return Err(Error::input(format!(
                "size-limit entry `{entry}` is not among esbuild's outputs"
            ))
            .with_help("name an entry point of the bundle (its file name without extension)"));
        }
        kept.extend(matching);
    }
    Ok(kept)
}

/// The bytes an empty esbuild project adds, which size-limit subtracts so that a check
/// measures only its own code. The figures are size-limit's own (12.x).
pub fn empty_project_overhead(imports: bool, require_shim: bool, compression: Compression) -> u64 {
    match (imports && require_shim, imports, compression) {
        (true, _, Compression::Gzip) => 182,
        (true, _, Compression::None) => 331,
        (true, _, Compression::Brotli) => 182,
        (false, true, Compression::Gzip) => 46,
        (false, true, Compression::None) => 34,
        (false, true, Compression::Brotli) => 30,
        (false, false, Compression::Gzip) => 32,
        (false, false, Compression::None) => 12,
        (false, false, Compression::Brotli) => 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esbuild_is_found_in_the_nearest_node_modules_above() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("node_modules/.bin");
        std::fs::create_dir_all(&bin).unwrap();
        let nested = root.path().join("packages/web");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(find_esbuild(&nested), None);
        std::fs::write(
            bin.join(if cfg!(windows) { "esbuild.cmd" } else { "esbuild" }),
            "",
        )
        .unwrap();
        let found = find_esbuild(&nested).unwrap();
        assert!(found.starts_with(root.path()), "{}", found.display());
    }

    #[test]
    fn outputs_are_kept_by_entry_name_and_an_unknown_entry_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let meta = dir.path().join("meta.json");
        std::fs::write(
            &meta,
            r#"{"outputs": {"out/main.js": {}, "out/main.css": {}, "out/admin.js": {}}}"#,
        )
        .unwrap();
        let all = read_outputs(dir.path(), &meta, &[]).unwrap();
        assert_eq!(all.len(), 3);
        let main = read_outputs(dir.path(), &meta, &["main".to_string()]).unwrap();
        let names: Vec<_> = main.iter().map(|p| p.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["main.js", "main.css"]);
        let e = read_outputs(dir.path(), &meta, &["checkout".to_string()]).unwrap_err();
        assert!(e.message().contains("`checkout`"), "{}", e.message());
    }

    #[test]
    fn esbuild_errors_keep_their_place_and_drop_the_source_line() {
        let stderr = "✘ [ERROR] Expected \";\" but found \"sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe\"\n\n    src/app.js:1:15:\n      1 │ const key = x sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe\n        ╵               ^\n\n1 error\n"; // launchgate:allow (made up for the test)
        let lines = error_lines(stderr);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("✘ [ERROR] Expected"));
        assert_eq!(lines[1], "src/app.js:1:15:");
        // What is kept is redacted before it reaches a message.
        let shown = launchgate_detect::redact_secrets(&lines.join("\n"));
        assert!(!shown.contains("sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"), "{shown}"); // launchgate:allow (made up for the test)
    }

    #[test]
    fn the_empty_project_overhead_follows_the_kind_of_check() {
        assert_eq!(empty_project_overhead(false, false, Compression::Brotli), 16);
        assert_eq!(empty_project_overhead(false, false, Compression::Gzip), 32);
        assert_eq!(empty_project_overhead(true, false, Compression::None), 34);
        // The require shim only changes anything for `import` checks.
        assert_eq!(empty_project_overhead(false, true, Compression::None), 12);
        assert_eq!(empty_project_overhead(true, true, Compression::Gzip), 182);
    }
}
