//! bundlewatch's config (its own file or `package.json`'s `bundlewatch` key): each entry's
//! files, compressed as it says, against its `maxSize`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use launchgate_core::{Error, Finding, Severity};
use regex::Regex;
use serde_json::Value;

use super::{Evaluation, Measured, config_dir, read_json};
use crate::build_files::{Compression, PathFilter, measure_with};
use crate::evaluated::{EvaluatedBudget, Operator, Unit};
use crate::size_cache::SizeCache;
use crate::units::{Dialect, parse_size};

/// Reads bundlewatch's config from its own file or from `package.json`'s `bundlewatch` key.
pub fn bundlewatch(path: &Path) -> Result<Evaluation, Error> {
    bundlewatch_with(path, &SizeCache::off())
}

/// [`bundlewatch`], with compressed sizes through `cache`.
pub fn bundlewatch_with(path: &Path, cache: &SizeCache) -> Result<Evaluation, Error> {
    let (_, value) = read_json(path)?;
    let name = path.display().to_string();
    let config = if path.file_name().is_some_and(|n| n == "package.json") {
        value
            .get("bundlewatch")
            .cloned()
            .ok_or_else(|| Error::input(format!("{name} has no `bundlewatch` key")))?
    } else {
        value
    };
    let source = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("bundlewatch")
        .to_string();
    let object = config
        .as_object()
        .ok_or_else(|| Error::input(format!("{name}: the bundlewatch config must be an object")))?;
    const KEYS: [&str; 5] = [
        "files",
        "normalizeFilenames",
        "bundlewatchServiceHost",
        "ci",
        "defaultCompression",
    ];
    for key in object.keys() {
        if !KEYS.contains(&key.as_str()) {
            return Err(
                Error::input(format!("{name}: unknown bundlewatch option `{key}`"))
                    .with_help(format!("bundlewatch accepts: {}", KEYS.join(", "))),
            );
        }
    }
    let default_compression = match object.get("defaultCompression").and_then(Value::as_str) {
        Some(c) => Compression::parse(c).ok_or_else(|| {
            Error::input(format!(
                "{name}: defaultCompression `{c}` is not gzip, brotli or none"
            ))
        })?,
        None => Compression::Gzip,
    };
    let normalize = match object.get("normalizeFilenames").and_then(Value::as_str) {
        Some(re) => Some(Regex::new(re).map_err(|e| {
            Error::input(format!(
                "{name}: normalizeFilenames is not a regular expression: {e}"
            ))
        })?),
        None => None,
    };
    let dir = config_dir(path);
    let files = object.get("files").and_then(Value::as_array).ok_or_else(|| {
        Error::input(format!("{name}: bundlewatch needs a `files` list"))
            .with_help("write \"files\": [{\"path\": \"dist/*.js\", \"maxSize\": \"100kB\"}]")
    })?;
    let mut eval = Evaluation::default();
    // bundlewatch keys results by file path: a later entry matching the same file replaces
    // the earlier one. Keep that verdict, but say so.
    let mut rows: BTreeMap<String, EvaluatedBudget> = BTreeMap::new();
    for entry in files {
        let pattern = entry
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::input(format!("{name}: a `files` entry has no `path`")))?;
        let max = entry
            .get("maxSize")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::input(format!("{name}: `{pattern}` has no `maxSize`")))?;
        let max = parse_size(max, Dialect::Bundlewatch)
            .map_err(|e| Error::input(format!("{name}: `{pattern}`: {e}")))?;
        let compression = match entry.get("compression").and_then(Value::as_str) {
            Some(c) => Compression::parse(c).ok_or_else(|| {
                Error::input(format!("{name}: compression `{c}` is not gzip, brotli or none"))
            })?,
            None => default_compression,
        };
        let filter =
            PathFilter::new(&[pattern.to_string()]).map_err(|e| Error::input(format!("{name}: {e}")))?;
        let matched = filter.expand(dir);
        if matched.is_empty() {
            eval.outcomes.push(
                EvaluatedBudget::compare(
                    "bundles",
                    format!("{pattern} ({})", compression.as_str()),
                    &source,
                    "budget.no-match",
                    Severity::Error,
                    Operator::AtMost,
                    max as f64,
                    None,
                    Unit::Bytes,
                )
                .with_message(format!("bundlewatch: no file matches {pattern}"))
                .with_help(
                    "build before checking, or fix the glob; a check that measures nothing cannot pass",
                ),
            );
            continue;
        }
        let paths: Vec<PathBuf> = matched.iter().map(PathBuf::from).collect();
        for file in measure_with(dir, &paths, &[compression], cache)? {
            let display = match &normalize {
                Some(re) => strip_groups(re, &file.path),
                None => file.path.clone(),
            };
            let size = file.size(compression).unwrap_or(file.raw);
            eval.measured.push(Measured {
                subject: display.clone(),
                compression,
                bytes: size,
            });
            let outcome = EvaluatedBudget::compare(
                "bundles",
                format!("{display} ({})", compression.as_str()),
                &source,
                "budget.bundle",
                Severity::Error,
                Operator::AtMost,
                max as f64,
                Some(size as f64),
                Unit::Bytes,
            );
            if let Some(previous) = rows.insert(file.path.clone(), outcome) {
                eval.findings.push(
                    Finding::new("budget.overridden", Severity::Warning, format!("bundlewatch: two entries match {}; as bundlewatch does, only the last one ({}) is checked and `{}` is ignored", file.path, compression.as_str(), previous.check))
                        .subject(source.clone())
                        .help("give each file one entry, or use launchgate.yml bundle budgets, which check every entry"),
                );
            }
        }
    }
    eval.outcomes.extend(rows.into_values());
    Ok(eval)
}

/// bundlewatch's `normalizeFilenames`: the text of every capture group is removed.
pub(super) fn strip_groups(re: &Regex, path: &str) -> String {
    let Some(caps) = re.captures(path) else {
        return path.to_string();
    };
    let mut spans: Vec<(usize, usize)> = caps
        .iter()
        .skip(1)
        .flatten()
        .map(|m| (m.start(), m.end()))
        .collect();
    spans.sort();
    let mut out = String::new();
    let mut at = 0;
    for (start, end) in spans {
        if start >= at {
            out.push_str(&path[at..start]);
            at = end;
        }
    }
    out.push_str(&path[at..]);
    out
}
