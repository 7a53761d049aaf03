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

/// A YAML document's values as JSON, or `None` when the text is not one YAML document whose
/// values JSON can hold (a syntax error, a tag, a key that is not a string).
pub fn yaml_to_json(yaml: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).ok()?;
    if !json_holds(&value) {
        return None;
    }
    serde_json::to_string(&value).ok()
}

/// Whether JSON holds the value as it is: JSON writes a NaN or an infinity as `null` and
/// a tag as a map, which would read differently from the YAML.
fn json_holds(value: &serde_yaml::Value) -> bool {
    use serde_yaml::Value;
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => true,
        Value::Number(n) => n.as_f64().is_none_or(f64::is_finite),
        Value::Sequence(items) => items.iter().all(json_holds),
        Value::Mapping(map) => map.iter().all(|(k, v)| k.is_string() && json_holds(v)),
        Value::Tagged(_) => false,
    }
}
