//! launchgate's secrets gate: finds credentials before they reach a repository, a build or
//! a log.
//!
//! The [`Engine`] runs the rules of `rules/secrets/*.yaml` (compiled into the binary) over
//! bytes: one Aho-Corasick pass over every rule's keywords picks the candidate rules, and only
//! their regexes run, only around the keyword hits, compiled on first use. Around it:
//! [`scan::scan`] for files, folders, stdin and the staged change, [`scan::scan_logs`] for
//! logs, [`baseline`] for accepted findings, and [`cli`] for the command line.
//!
//! ```
//! let engine = launchgate_secrets::default_engine();
//! let matches = engine.scan_bytes("app.env", b"NOTHING_TO_SEE=here\n");
//! assert!(matches.is_empty());
//! ```

pub mod assign;
pub mod assignment_rule;
pub mod baseline;
pub mod check;
mod ci_event;
pub mod cli;
pub mod config;
pub mod engine;
#[cfg(test)]
mod engine_tests;
pub mod entropy;
pub mod env_examples;
#[cfg(test)]
mod eval_tests;
pub mod files;
pub mod filter;
pub mod fixture_paths;
pub mod history;
pub mod key_names;
pub mod logs;
pub mod patterns;
pub mod position;
#[cfg(test)]
mod precision_tests;
mod prefilter;
pub mod printable;
pub mod report;
pub mod rules;
pub mod scan;
pub mod staged;
mod walk;
pub mod words;

use std::path::Path;
use std::sync::OnceLock;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Report};

pub use engine::{Engine, EngineConfig, Match};
pub use rules::{Confidence, Rule, RuleSet};

/// The engine with the built-in rules and no allowlists, built once per process.
pub fn default_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        // The built-in rules are part of the binary and `rules check` runs in CI, so an
        // engine that cannot be built is a bug to stop at, never a silent engine without rules.
        Engine::new(RuleSet::embedded(), &EngineConfig::default())
            .unwrap_or_else(|e| panic!("the built-in secret rules do not build: {}", e.message()))
    })
}

/// Whether a value on its own is a credential the built-in rules recognise: the rule id and
/// its confidence. Cheap to call repeatedly (the engine is built once).
pub fn recognise(value: &str) -> Option<(String, Confidence)> {
    default_engine().recognise(value)
}

/// `text` with every credential the built-in rules find in it replaced by its redacted form
/// (`sk_live_…dKe`): for messages that quote what another tool printed.
pub fn redact_secrets(text: &str) -> String {
    let ranges = default_engine()
        .scan_bytes("", text.as_bytes())
        .into_iter()
        .map(|m| m.secret_range)
        .collect();
    redact_ranges(text, ranges)
}

fn redact_ranges(text: &str, mut ranges: Vec<std::ops::Range<usize>>) -> String {
    ranges.sort_by_key(|r| r.start);
    // Overlapping matches of two rules become one span, widened to whole characters, so no
    // part of either is left in clear.
    let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
    for mut range in ranges {
        while !text.is_char_boundary(range.start) {
            range.start -= 1;
        }
        range.end = range.end.min(text.len());
        while !text.is_char_boundary(range.end) {
            range.end += 1;
        }
        match spans.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => spans.push(range),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(&launchgate_core::secret::redact(&text[span.clone()]));
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What `launchgate check` runs for the `secrets:` section: a scan of `root` with the
/// configured allowlists, rules and baseline.
pub fn check_configured(config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    let loaded = config::LoadedConfig::from_file(config)?;
    let options = scan::ScanOptions::new(scan::Target::Paths(vec![root.to_path_buf()]));
    let mut report = scan::scan(&loaded, &options)?.report;
    // Paths relative to the root, as a repository's own files are named.
    let prefix = format!("{}/", files::display_path(root).trim_end_matches('/'));
    for finding in &mut report.findings {
        if let Some(location) = &mut finding.location
            && let Some(relative) = location.path.strip_prefix(&prefix)
        {
            location.path = relative.to_string();
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_secrets_hides_every_credential_and_keeps_the_rest() {
        let key = "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"; // launchgate:allow (made up for the test)
        let token = "ghp_8f3kQ9zLm2XwR7vT1yB6nH4cJ0pD5sA2eG9u"; // launchgate:allow (made up for the test)
        let text = format!("Expected \";\" but found \"{key}\" near {token}\n");
        let out = super::redact_secrets(&text);
        assert!(!out.contains(key) && !out.contains(token), "{out}");
        assert!(out.starts_with("Expected \";\" but found \"…JdKe\""), "{out}");
        assert_eq!(super::redact_secrets("nothing here"), "nothing here");
    }

    #[test]
    fn overlapping_and_mid_character_ranges_are_redacted_whole() {
        let text = "id=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 é-tail";
        // Two overlapping spans: nothing of either may survive.
        let out = super::redact_ranges(text, vec![3..20, 12..39]);
        assert!(
            !out.contains("QRSTUVWXYZ") && !out.contains("0123456789"),
            "{out}"
        );
        assert!(out.starts_with("id=") && out.ends_with(" é-tail"), "{out}");
        // A range that starts inside `é` is widened to the whole character.
        let at = text.find('é').unwrap();
        let out = super::redact_ranges(text, std::iter::once(at + 1..text.len()).collect());
        assert!(!out.contains("tail") && !out.contains('é'), "{out}");
    }
}
