//! Lists the rule files the build embeds and translates them; shared by `build.rs` and its
//! tests.

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

/// How the rule files' YAML is read: the readings launchgate's own YAML reader has
/// (`launchgate_core::yaml`), so the JSON holds what reading the YAML would give; unknown
/// tags are refused, since JSON has no place for them.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        null_as_string: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        reject_unsupported_tags: true,
        with_snippet: false,
    }
}

/// A YAML document's values as JSON, or `None` when the text is not one YAML document whose
/// values JSON can hold (a syntax error, a tag, a key given twice, a NaN or an infinity,
/// which JSON writes as `null`).
pub fn yaml_to_json(yaml: &str) -> Option<String> {
    let value: serde_json::Value = serde_saphyr::from_str_with_options(yaml, options()).ok()?;
    serde_json::to_string(&value).ok()
}

/// The line each rule of a rule file starts on, in order, as the parser read them; empty
/// when the text is not a rule file.
pub fn rule_lines(yaml: &str) -> Vec<u32> {
    type Rules = std::collections::BTreeMap<String, Vec<serde_saphyr::Spanned<serde::de::IgnoredAny>>>;
    let Ok(file) = serde_saphyr::from_str_with_options::<Rules>(yaml, options()) else {
        return Vec::new();
    };
    file.get("rules")
        .map(|rules| rules.iter().map(|r| r.referenced.line() as u32).collect())
        .unwrap_or_default()
}
