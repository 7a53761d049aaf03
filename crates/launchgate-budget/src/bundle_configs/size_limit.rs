//! size-limit's configs (`.size-limit.json`, `.size-limit`, `package.json`'s `size-limit`
//! key): each check's files, re-bundled with esbuild when the config's plugin would, summed
//! and compared with its limit.

use std::path::{Path, PathBuf};

use launchgate_core::{Error, Finding, Severity};
use serde_json::Value;

use super::{Evaluation, Measured, config_dir, read_json, strings};
use crate::build_files::{Compression, PathFilter};
use crate::evaluated::{EvaluatedBudget, Operator, Unit};
use crate::rebundle::{self, BundleRequest};
use crate::shared_sizes;
use crate::size_cache::SizeCache;
use crate::units::{Dialect, parse_size};

const SIZE_LIMIT_KEYS: [&str; 20] = [
    "path",
    "limit",
    "name",
    "import",
    "entry",
    "gzip",
    "brotli",
    "ignore",
    "disablePlugins",
    "config",
    "modifyEsbuildConfig",
    "modifyWebpackConfig",
    "running",
    "time",
    "webpack",
    "message",
    "hidePassed",
    "highlightLess",
    "compareWith",
    "uiReports",
];

const BUNDLER_PLUGINS: [&str; 4] = [
    "@size-limit/esbuild",
    "@size-limit/webpack",
    "@size-limit/preset-small-lib",
    "@size-limit/preset-big-lib",
];

/// The size-limit plugins that re-bundle files, as listed in the package.json next to the config.
fn installed_bundlers(dir: &Path) -> Vec<String> {
    let Ok((_, pkg)) = read_json(&dir.join("package.json")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for section in ["dependencies", "devDependencies"] {
        if let Some(deps) = pkg.get(section).and_then(Value::as_object) {
            found.extend(
                deps.keys()
                    .filter(|k| BUNDLER_PLUGINS.contains(&k.as_str()))
                    .cloned(),
            );
        }
    }
    found
}

/// The package's `main` file, or `index.js` when it names none.
fn package_main(dir: &Path) -> String {
    read_json(&dir.join("package.json"))
        .ok()
        .and_then(|(_, pkg)| pkg.get("main").and_then(Value::as_str).map(str::to_string))
        .map(|main| main.trim_start_matches("./").to_string())
        .unwrap_or_else(|| "index.js".to_string())
}

/// The package's peer dependencies: size-limit leaves them out of every bundle.
fn peer_dependencies(dir: &Path) -> Vec<String> {
    read_json(&dir.join("package.json"))
        .ok()
        .and_then(|(_, pkg)| pkg.get("peerDependencies").and_then(Value::as_object).cloned())
        .map(|peers| peers.keys().cloned().collect())
        .unwrap_or_default()
}

/// What esbuild is asked for on behalf of one check: an `import` string applies to the
/// check's first file; `ignore` and the peer dependencies stay external.
fn bundle_request(
    check: &serde_json::Map<String, Value>,
    files: &[PathBuf],
    peers: &[String],
) -> BundleRequest {
    let imports = match check.get("import") {
        Some(Value::String(clause)) => files
            .first()
            .map(|f| vec![(f.display().to_string(), clause.clone())])
            .unwrap_or_default(),
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(module, clause)| Some((module.clone(), clause.as_str()?.to_string())))
            .collect(),
        _ => Vec::new(),
    };
    let mut externals = peers.to_vec();
    externals.extend(strings(check.get("ignore")));
    externals.retain(|e| !imports.iter().any(|(module, _)| module == e));
    BundleRequest {
        files: files.to_vec(),
        imports,
        entries: strings(check.get("entry")),
        externals,
    }
}

/// Evaluates a size-limit config (`.size-limit.json`, `.size-limit`, or the `size-limit`
/// key of `package.json`): each check sums its files' sizes (brotli by default,
/// `gzip: true` for gzip, `brotli: false` for raw) against `limit` (`kB` = 1000 B).
pub fn size_limit(path: &Path) -> Result<Evaluation, Error> {
    size_limit_with(path, &SizeCache::off())
}

/// [`size_limit`], with compressed sizes through `cache`.
pub fn size_limit_with(path: &Path, cache: &SizeCache) -> Result<Evaluation, Error> {
    let (text, value) = if crate::js_config::is_javascript(path) {
        let source = crate::read::text(path, crate::read::CONFIG)?;
        (source, crate::js_config::evaluate(path, "size-limit")?)
    } else if path
        .extension()
        .is_some_and(|e| e == "ts" || e == "mts" || e == "cts")
    {
        return Err(Error::input(format!(
            "{} is TypeScript, which size-limit loads through jiti and launchgate does not read",
            path.display()
        ))
        .with_help(
            "write the config as .size-limit.js, .size-limit.json or the `size-limit` key of package.json",
        ));
    } else {
        read_json(path)?
    };
    let name = path.display().to_string();
    let value = if path.file_name().is_some_and(|n| n == "package.json") {
        value.get("size-limit").cloned().ok_or_else(|| {
            Error::input(format!("{name} has no `size-limit` key"))
                .with_help("add \"size-limit\": [{\"path\": \"dist/*.js\", \"limit\": \"10 kB\"}] to it, or name the size-limit config itself")
        })?
    } else {
        value
    };
    let source_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(".size-limit.json")
        .to_string();
    let checks = value.as_array().ok_or_else(|| {
        Error::input(format!(
            "{name} is not a size-limit config: expected an array of checks"
        ))
        .with_help("write [{\"path\": \"dist/*.js\", \"limit\": \"10 kB\"}]")
    })?;
    let dir = config_dir(path);
    let bundlers = installed_bundlers(dir);
    let peers = peer_dependencies(dir);
    let mut eval = Evaluation::default();
    // Each check in order: its outcome now, or what to measure once everything is built.
    let mut planned: Vec<Planned> = Vec::new();
    let mut bundles = shared_sizes::Bundles::default();
    let mut esbuild_of_config: Option<PathBuf> = None;
    for (i, check) in checks.iter().enumerate() {
        let object = check
            .as_object()
            .ok_or_else(|| Error::input(format!("{name}: check #{} is not an object", i + 1)))?;
        for key in object.keys() {
            if !SIZE_LIMIT_KEYS.contains(&key.as_str()) {
                let offset = text.find(&format!("\"{key}\"")).unwrap_or(0);
                let hint = match launchgate_core::config::closest(key, &SIZE_LIMIT_KEYS) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("size-limit accepts: {}", SIZE_LIMIT_KEYS.join(", ")),
                };
                return Err(crate::snippet::at(
                    format!("{name}: unknown option `{key}`"),
                    &name,
                    &text,
                    offset,
                    key.len() + 2,
                    "unknown option",
                )
                .with_help(hint));
            }
        }
        let mut patterns = strings(object.get("path"));
        if patterns.is_empty() && !object.contains_key("path") && !object.contains_key("entry") {
            // size-limit's default: the package's `main`, else index.js.
            patterns.push(package_main(dir));
        }
        let label = object
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| patterns.join(", "));
        let disabled = strings(object.get("disablePlugins"));
        let active = |plugin: &str, preset: &str| {
            (bundlers.iter().any(|p| p == plugin || p == preset)) && !disabled.iter().any(|d| d == plugin)
        };
        let webpack = active("@size-limit/webpack", "@size-limit/preset-big-lib")
            && object.get("webpack") != Some(&Value::Bool(false));
        let rebundles = object.contains_key("import")
            || object.contains_key("entry")
            || active("@size-limit/esbuild", "@size-limit/preset-small-lib");
        let not_checked = |why: String, help: &str| {
            Finding::new(
                "budget.unsupported",
                Severity::Warning,
                format!("size-limit check `{label}` {why}; it was not checked"),
            )
            .subject(source_name.clone())
            .help(help)
        };
        let built_output = |plugin: &str| {
            format!(
                "measure the built output instead: point `path` at the bundler's output and add \"disablePlugins\": [\"{plugin}\"]"
            )
        };
        if webpack {
            eval.findings.push(not_checked(
                "bundles its files with webpack before measuring, which launchgate does not do".to_string(),
                &built_output("@size-limit/webpack"),
            ));
            continue;
        }
        if let Some(config) = object.get("config").filter(|_| rebundles) {
            eval.findings.push(not_checked(
                format!("bundles with its own esbuild config ({config}), a JavaScript module launchgate does not run"),
                &built_output("@size-limit/esbuild"),
            ));
            continue;
        }
        let esbuild = match rebundles {
            false => None,
            true => match esbuild_of_config.clone().or_else(|| rebundle::find_esbuild(dir)) {
                Some(esbuild) => {
                    esbuild_of_config = Some(esbuild.clone());
                    Some(esbuild)
                }
                None => {
                    eval.findings.push(not_checked(
                        format!(
                            "measures an esbuild bundle of its files, and no node_modules/.bin/esbuild was found above {}",
                            dir.display()
                        ),
                        "install the project's dependencies first (npm ci), as size-limit itself needs them",
                    ));
                    continue;
                }
            },
        };
        let compression = if object.get("gzip") == Some(&Value::Bool(true)) {
            Compression::Gzip
        } else if object.get("brotli") == Some(&Value::Bool(false)) {
            Compression::None
        } else {
            Compression::Brotli
        };
        let limit = match object.get("limit") {
            Some(Value::String(s)) if s.trim_end().ends_with("ms") || s.trim_end().ends_with(" s") => {
                eval.findings.push(
                    Finding::new(
                        "budget.unsupported",
                        Severity::Warning,
                        format!(
                            "size-limit check `{label}` has a time limit ({s}); launchgate checks sizes only"
                        ),
                    )
                    .subject(source_name.clone()),
                );
                continue;
            }
            Some(Value::String(s)) => Some(
                parse_size(s, Dialect::SizeLimit)
                    .map_err(|e| Error::input(format!("{name}: check `{label}`: {e}")))?,
            ),
            Some(Value::Number(n)) => n.as_f64().map(|f| f as u64),
            Some(_) => {
                return Err(Error::input(format!(
                    "{name}: check `{label}` has a limit that is not a size"
                )));
            }
            None => None,
        };
        let filter =
            PathFilter::new(&patterns).map_err(|e| Error::input(format!("{name}: check `{label}`: {e}")))?;
        let files = filter.expand(dir);
        let check_name = format!("{label} ({})", compression.as_str());
        if files.is_empty() {
            let expected = limit.unwrap_or(0) as f64;
            planned.push(Planned::Done(
                EvaluatedBudget::compare(
                    "bundles",
                    check_name,
                    &source_name,
                    "budget.no-match",
                    Severity::Error,
                    Operator::AtMost,
                    expected,
                    None,
                    Unit::Bytes,
                )
                .with_message(format!(
                    "size-limit check `{label}`: no file matches {}",
                    patterns.join(", ")
                ))
                .with_help(
                    "build before checking, or fix the glob; a check that measures nothing cannot pass",
                ),
            ));
            continue;
        }
        let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
        let source = match esbuild {
            None => Source::Files(files),
            Some(_) => {
                let absolute: Vec<PathBuf> = files
                    .iter()
                    .map(|p| std::path::absolute(dir.join(p)).unwrap_or_else(|_| dir.join(p)))
                    .collect();
                let request = bundle_request(object, &absolute, &peers);
                Source::Bundle(bundles.add(request, format!("{name}: check `{label}`")))
            }
        };
        planned.push(Planned::Measure(PendingCheck {
            label,
            check_name,
            compression,
            limit,
            source,
        }));
    }
    // Every bundle built once and every (file, compression) sized once, in parallel: the
    // files on disk are sized while esbuild builds, and each bundle's outputs as soon as it
    // is built.
    let pending = || {
        planned.iter().filter_map(|p| match p {
            Planned::Measure(check) => Some(check),
            Planned::Done(_) => None,
        })
    };
    let on_disk: Vec<(PathBuf, Compression)> = pending()
        .flat_map(|check| match &check.source {
            Source::Files(files) => files.iter().map(|f| (f.clone(), check.compression)).collect(),
            Source::Bundle(_) => Vec::new(),
        })
        .collect();
    let mut compressions: Vec<Vec<Compression>> = Vec::new();
    for check in pending() {
        if let Source::Bundle(i) = check.source {
            compressions.resize_with(compressions.len().max(i + 1), Vec::new);
            if !compressions[i].contains(&check.compression) {
                compressions[i].push(check.compression);
            }
        }
    }
    let (built, sizes) =
        bundles.build_and_size(esbuild_of_config.as_deref(), dir, &compressions, on_disk, cache)?;
    let files_of = |source: &Source| -> Vec<PathBuf> {
        match source {
            Source::Files(files) => files.clone(),
            Source::Bundle(i) => built[*i].outputs.clone(),
        }
    };
    for planned in planned {
        let check = match planned {
            Planned::Done(outcome) => {
                eval.outcomes.push(outcome);
                continue;
            }
            Planned::Measure(check) => check,
        };
        let overhead = match check.source {
            Source::Files(_) => 0,
            Source::Bundle(i) => rebundle::empty_project_overhead(
                !bundles.request(i).imports.is_empty(),
                built[i].has_require_shim,
                check.compression,
            ),
        };
        let total: u64 = files_of(&check.source)
            .into_iter()
            .filter_map(|f| sizes.get(&(f, check.compression)))
            .sum::<u64>()
            .saturating_sub(overhead);
        eval.measured.push(Measured {
            subject: check.label.clone(),
            compression: check.compression,
            bytes: total,
        });
        if let Some(limit) = check.limit {
            eval.outcomes.push(EvaluatedBudget::compare(
                "bundles",
                check.check_name,
                &source_name,
                "budget.bundle",
                Severity::Error,
                Operator::AtMost,
                limit as f64,
                Some(total as f64),
                Unit::Bytes,
            ));
        }
    }
    Ok(eval)
}

/// A size-limit check, in config order: decided without measuring (no file matched), or
/// waiting for its sizes.
enum Planned {
    Done(EvaluatedBudget),
    Measure(PendingCheck),
}

struct PendingCheck {
    label: String,
    check_name: String,
    compression: Compression,
    limit: Option<u64>,
    source: Source,
}

/// What a check measures: its files, or the outputs of one of the config's bundles.
enum Source {
    Files(Vec<PathBuf>),
    Bundle(usize),
}
