//! JavaScript configs (`lighthouserc.js`, `.size-limit.js`, `.cjs`, `.mjs`), evaluated the
//! way LHCI and size-limit load them: with Node, importing the module and taking its default
//! export. The module's value is printed as JSON (functions as the string `[function]`, so
//! an option that holds one is still seen), within a time and size bound.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use launchgate_core::Error;
use serde_json::Value;

use crate::process::{self, Bounds, Failure};

/// The extensions evaluated with Node.
pub const EXTENSIONS: [&str; 3] = ["js", "cjs", "mjs"];

/// How long a config may take to evaluate: it only builds an object.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Imports the module named by the first argument and prints its default export as JSON.
const LOADER: &str = r#"
const { pathToFileURL } = await import("node:url");
const module = await import(pathToFileURL(process.argv[1]).href);
const value = module.default === undefined ? null : module.default;
const json = JSON.stringify(value, (_, v) => (typeof v === "function" ? "[function]" : v));
// After a NUL, so whatever the module itself prints while loading is told apart.
process.stdout.write("\0" + (json === undefined ? "null" : json));
"#;

/// Node's error lines (`SyntaxError: …`) and their `file:line`, without the line of source
/// and the caret it prints under them: a line of a config can hold a credential.
fn error_lines(stderr: &str) -> Vec<&str> {
    let is_error = |l: &str| {
        l.split_once(':').is_some_and(|(head, _)| {
            let name = head.split_whitespace().next().unwrap_or("");
            name.ends_with("Error") && name.bytes().all(|b| b.is_ascii_alphabetic())
        })
    };
    let is_location = |l: &str| {
        !l.contains(' ')
            && l.rsplit_once(':')
                .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    stderr
        .lines()
        .map(str::trim)
        .filter(|l| is_error(l) || is_location(l))
        .take(4)
        .collect()
}

/// Whether `path` is a config Node has to evaluate.
pub fn is_javascript(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// The Node to run: `$LAUNCHGATE_NODE` when set, else `node` from `PATH`, as the project's
/// own scripts find it.
fn node() -> std::ffi::OsString {
    std::env::var_os("LAUNCHGATE_NODE").unwrap_or_else(|| "node".into())
}

/// The value `path` exports, as JSON. `tool` names what reads such a file (LHCI,
/// size-limit) for the messages.
pub fn evaluate(path: &Path, tool: &str) -> Result<Value, Error> {
    let name = path.display().to_string();
    let absolute = std::path::absolute(path).map_err(|e| Error::io(path, &e))?;
    if !absolute.is_file() {
        return Err(Error::input(format!("{name} does not exist")).with_help("check the path"));
    }
    let dir = absolute.parent().unwrap_or(Path::new("."));
    let mut command = Command::new(node());
    command
        .current_dir(dir)
        .args(["--input-type=module", "-e", LOADER])
        .arg(&absolute);
    let bounds = Bounds {
        timeout: TIMEOUT,
        max_stdout: crate::read::CONFIG.bytes,
        max_stderr: 64 * 1024,
    };
    let convert = format!(
        "or convert it to JSON once and commit that: node -e \"import('./{0}').then(m => console.log(JSON.stringify(m.default, null, 2)))\"",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("config.js")
    );
    let finished = process::run(&mut command, bounds).map_err(|failure| match failure {
        Failure::Start(e) => Error::input(format!(
            "{name} is JavaScript, and reading it needs Node, which could not be run: {e}"
        ))
        .with_help(format!(
            "install Node as {tool} itself needs it (or set LAUNCHGATE_NODE to its path), {convert}"
        )),
        Failure::TimedOut => Error::input(format!(
            "{name} took more than {} s to evaluate with Node, and was stopped",
            TIMEOUT.as_secs()
        ))
        .with_help(format!(
            "a config only builds an object: remove what it waits for, {convert}"
        )),
        Failure::TooMuchOutput => Error::input(format!(
            "{name} evaluates to more than {} MiB of JSON, the most launchgate reads for a config",
            crate::read::CONFIG.bytes >> 20
        ))
        .with_help(format!("check that {name} exports the config itself")),
    })?;
    if !finished.status.success() {
        let why = error_lines(&finished.stderr);
        return Err(Error::input(format!(
            "{name} could not be evaluated with Node ({}):\n{}",
            finished.status,
            crate::url::redact_in(&why.join("\n"))
        ))
        .with_help(format!("{tool} would fail on it too: fix the module, {convert}")));
    }
    let start = finished.stdout.iter().rposition(|b| *b == 0).map_or(0, |i| i + 1);
    let text = crate::read::utf8(path, finished.stdout[start..].to_vec())?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "{name}: Node printed something that is not its JSON value: {e}"
        ))
        .with_help("export a plain object of options")
    })?;
    if value.is_null() {
        return Err(
            Error::input(format!("{name} has no default export, so it holds no config"))
                .with_help("export the config: `module.exports = {…}` or `export default {…}`"),
        );
    }
    Ok(value)
}
