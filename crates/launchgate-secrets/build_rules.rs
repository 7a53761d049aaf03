//! Lists the rule files the build embeds; shared by `build.rs` and its test.

use std::path::{Path, PathBuf};

/// Every `*.yaml`/`*.yml` file of the rules folder, sorted; an error when the folder cannot
/// be read or holds none, since a binary without rules would pass every scan.
pub fn rule_files(rules_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(rules_dir).map_err(|e| {
        format!(
            "cannot read the secret rules folder {}: {e}; the build needs rules/secrets/*.yaml",
            rules_dir.display()
        )
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list the secret rules folder {}: {e}", rules_dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "the secret rules folder {} holds no .yaml file; the build needs rules/secrets/*.yaml",
            rules_dir.display()
        ));
    }
    Ok(files)
}
