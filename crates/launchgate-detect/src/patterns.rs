//! Rule patterns as the engine compiles them, each distinct pattern once per engine.
//!
//! The provider-context rules share a few dozen key and token shapes (`…token$`, 32 hex
//! characters, a UUID), so a scan that wakes many of them compiles each shape once.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use regex::bytes::Regex;

/// A rule's regex as the engine compiles it, or why it does not compile.
pub fn build_rule_regex(source: &str) -> Result<Regex, String> {
    // ASCII classes first: `\b`, `\w` and `(?i)` without Unicode let the lazy DFA run over
    // any byte; a regex that needs Unicode classes gets them.
    let build = |unicode: bool| {
        regex::bytes::RegexBuilder::new(source)
            .unicode(unicode)
            .size_limit(32 * 1024 * 1024)
            .build()
    };
    build(false).or_else(|_| build(true)).map_err(|e| e.to_string())
}

/// The patterns compiled so far, by their source.
#[derive(Debug, Default)]
pub struct Patterns {
    compiled: Mutex<HashMap<String, Result<Regex, String>>>,
}

impl Patterns {
    /// The compiled regex of `source`, compiled now if no rule of this engine has needed it.
    pub fn regex(&self, source: &str) -> Result<Regex, String> {
        let lookup = |map: &HashMap<String, Result<Regex, String>>| map.get(source).cloned();
        if let Some(known) = lookup(&self.compiled.lock().unwrap_or_else(PoisonError::into_inner)) {
            return known;
        }
        // Compiled without the lock, so other threads' rules are not kept waiting; two
        // threads may both compile a pattern the first time, and one result is kept.
        let built = build_rule_regex(source);
        self.compiled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(source.to_string())
            .or_insert(built)
            .clone()
    }

    /// How many distinct patterns have been compiled.
    pub fn len(&self) -> usize {
        self.compiled.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_compiled_once_and_errors_are_kept() {
        let patterns = Patterns::default();
        let a = patterns.regex("[0-9a-f]{32}").unwrap();
        let b = patterns.regex("[0-9a-f]{32}").unwrap();
        assert_eq!(patterns.len(), 1);
        assert!(
            a.is_match(b"0123456789abcdef0123456789abcdef")
                && b.is_match(b"0123456789abcdef0123456789abcdef")
        );
        assert!(patterns.regex("tm_([a-z").unwrap_err().contains("unclosed"));
        assert!(patterns.regex("tm_([a-z").is_err());
        assert_eq!(patterns.len(), 2);
    }

    #[test]
    fn unicode_classes_are_used_only_where_needed() {
        let patterns = Patterns::default();
        assert!(patterns.regex(r"\bkey\b").unwrap().is_match(b"\xff key \xfe"));
        assert!(patterns.regex(r"\p{Greek}+").unwrap().is_match("αβγ".as_bytes()));
    }
}
