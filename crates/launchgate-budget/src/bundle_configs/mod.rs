//! The bundle-size configs teams already have, read as-is: size-limit's `.size-limit.json`
//! and bundlewatch's config (its own file or `package.json`'s `bundlewatch` key).

use std::path::Path;

use launchgate_core::{Error, Finding};
use serde_json::Value;

use crate::build_files::Compression;
use crate::evaluated::EvaluatedBudget;

mod bundlewatch;
mod size_limit;

pub use bundlewatch::{bundlewatch, bundlewatch_with};
pub use size_limit::{size_limit, size_limit_with};

/// Where a bundle-size check's files were measured, for the measured-values table.
#[derive(Debug, Clone)]
pub struct Measured {
    pub subject: String,
    pub compression: Compression,
    pub bytes: u64,
}

/// What reading a bundle config produced.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub outcomes: Vec<EvaluatedBudget>,
    pub findings: Vec<Finding>,
    pub measured: Vec<Measured>,
}

/// The folder a config file sits in; `.` for a bare file name.
fn config_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn read_json(path: &Path) -> Result<(String, Value), Error> {
    let text = crate::read::text(path, crate::read::CONFIG)?;
    let name = path.display().to_string();
    let value = serde_json::from_str(&text).map_err(|e| crate::lhr::json_error(&name, &text, &e))?;
    Ok((text, value))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::bundlewatch::strip_groups;

    #[test]
    fn normalize_filenames_removes_capture_groups() {
        let re = Regex::new(r"^.+?(-[\w-]{8})\.\w+$").unwrap();
        assert_eq!(
            strip_groups(&re, "dist/bad/assets/hero-CjvfJvm_.png"),
            "dist/bad/assets/hero.png"
        );
        assert_eq!(strip_groups(&re, "dist/index.html"), "dist/index.html");
    }
}
