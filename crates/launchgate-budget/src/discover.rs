//! The project's own configs, found where its tools find them, whenever they are not named:
//! a team that runs `launchgate budget --lighthouse .lighthouseci/ --build dist/` next to its
//! lighthouserc and size-limit config gets their budgets, as `lhci assert` and `size-limit`
//! would apply them.

use std::path::{Path, PathBuf};

use launchgate_core::Error;
use serde_json::Value;

use crate::Inputs;

/// size-limit's search places, in its order (`package.json` counts when it has a
/// `size-limit` key). TypeScript configs are left out: size-limit needs jiti for them.
pub const SIZE_LIMIT_FILES: [&str; 6] = [
    "package.json",
    ".size-limit.json",
    ".size-limit",
    ".size-limit.js",
    ".size-limit.mjs",
    ".size-limit.cjs",
];

/// bundlewatch's own file, then `package.json` when it has a `bundlewatch` key.
pub const BUNDLEWATCH_FILES: [&str; 2] = ["bundlewatch.config.json", "package.json"];

/// Whether `dir/package.json` exists and has `key`. A package.json that cannot be read is
/// an error: the tool whose config it may hold would stop on it too.
fn package_has(dir: &Path, key: &str) -> Result<bool, Error> {
    let path = dir.join("package.json");
    if !path.is_file() {
        return Ok(false);
    }
    let text = crate::read::text(&path, crate::read::CONFIG)?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| crate::lhr::json_error(&path.display().to_string(), &text, &e))?;
    Ok(value.get(key).is_some())
}

/// The first of `names` in `dir`, `package.json` counting only when it has `key`.
fn first(dir: &Path, names: &[&str], key: &str) -> Result<Option<PathBuf>, Error> {
    for name in names {
        let path = dir.join(name);
        let found = if *name == "package.json" {
            package_has(dir, key)?
        } else {
            path.is_file()
        };
        if found {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

/// Fills in what `inputs` does not name from `dir`: `.lighthouseci/` when no input at all
/// is named; a lighthouserc (or else a `budget.json`) when there are Lighthouse results;
/// a size-limit config and a bundlewatch config always. What was found is recorded in
/// `inputs.discovered`, so the report can say what it applied.
pub fn fill(inputs: &mut Inputs, dir: &Path) -> Result<(), Error> {
    if inputs.no_discover {
        return Ok(());
    }
    let ci = dir.join(".lighthouseci");
    if inputs.names_nothing() && ci.is_dir() {
        inputs.lighthouse.push(ci.clone());
        inputs.discovered.push(ci);
    }
    let mut found = Vec::new();
    if !inputs.lighthouse.is_empty() && inputs.lighthouserc.is_none() && inputs.budget_json.is_none() {
        inputs.lighthouserc = crate::lhci::discover(dir);
        found.extend(inputs.lighthouserc.clone());
        if inputs.lighthouserc.is_none() {
            inputs.budget_json = Some(dir.join("budget.json")).filter(|p| p.is_file());
            found.extend(inputs.budget_json.clone());
        }
    }
    if inputs.size_limit.is_none() {
        inputs.size_limit = first(dir, &SIZE_LIMIT_FILES, "size-limit")?;
        found.extend(inputs.size_limit.clone());
    }
    if inputs.bundlewatch.is_none() {
        inputs.bundlewatch = first(dir, &BUNDLEWATCH_FILES, "bundlewatch")?;
        found.extend(inputs.bundlewatch.clone());
    }
    inputs.discovered.extend(found);
    Ok(())
}
