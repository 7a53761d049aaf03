//! Example env files (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`) document
//! the variables an application reads and are committed on purpose. What that means for a
//! finding:
//!
//! * a value of a provider's own shape (`sk_live_…`, `ghp_…`) in one is a leak like any
//!   other, and keeps its severity: an example file is the most published file there is;
//! * a value only a generic rule found (a credential-named key and an entropy bar) that is
//!   written verbatim in an example env file of the same scan is a documented sample
//!   (a development default, a local database password): it is reported as a note, in the
//!   example file and wherever else it is used, with a message naming the example file.
//!   It is never dropped: `--fail-on note` still fails on it.

use std::collections::HashMap;

use launchgate_core::{Finding, Secret, Severity};

use launchgate_detect::engine::Engine;

/// Whether `path` names an example env file: `.env.example`, `.env.sample`,
/// `.env.template`, `.env.dist` (and `.env.local.example`, `example.env`, `sample.env`).
pub fn is_example_env(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    parts.contains(&"env")
        && parts
            .iter()
            .any(|p| matches!(*p, "example" | "sample" | "template" | "dist" | "tmpl" | "tpl"))
}

/// Lowers to a note every generic finding whose value an example env file of the same scan
/// documents, and says where. `pending` holds (finding, secret, rule index).
pub fn relieve_documented_samples(engine: &Engine, pending: &mut [(Finding, Secret, usize)]) {
    let path_of = |f: &Finding| f.location.as_ref().map(|l| l.path.clone()).unwrap_or_default();
    let generic = |rule_index: usize| engine.rule(rule_index).is_generic();
    // The first example file (in scan order) that writes each generic value.
    let mut documented: HashMap<&str, String> = HashMap::new();
    for (finding, secret, rule_index) in pending.iter() {
        let path = path_of(finding);
        if generic(*rule_index) && is_example_env(&path) {
            documented.entry(secret.expose()).or_insert(path);
        }
    }
    if documented.is_empty() {
        return;
    }
    let documented: HashMap<String, String> =
        documented.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for (finding, secret, rule_index) in pending.iter_mut() {
        if !generic(*rule_index) {
            continue;
        }
        if let Some(example) = documented.get(secret.expose()) {
            finding.severity = finding.severity.min(Severity::Note);
            finding.message = format!(
                "{}, documented as the sample value in {example}, so reported as a note: if it is a \
                 real credential, rotate it and put a placeholder in the example",
                finding.message
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_env_files_are_recognised() {
        for path in [
            ".env.example",
            "api/.env.sample",
            ".env.template",
            ".env.dist",
            ".env.local.example",
            "example.env",
            "deploy\\sample.env",
        ] {
            assert!(is_example_env(path), "{path}");
        }
        for path in [
            ".env",
            ".env.production",
            "example.json",
            "env.rs",
            "samples/app.env",
            "",
        ] {
            assert!(!is_example_env(path), "{path}");
        }
    }
}
