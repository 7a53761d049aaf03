//! Rules written as an assignment instead of a regex: a key pattern over the key's words, the
//! token shape of the value, and for provider-context rules the provider's name.
//!
//! A generic rule (`assignment.key` only) is woken by a keyword inside a key (`secret` in
//! `clientSecret`) and reads the assignment of that key. A provider rule
//! (`assignment.provider`) is woken by the provider's name, which must be a whole word of the
//! identifier holding it (`twilio` in `twilioAuthToken`, `"bitbucket": {`, `api.box.com`,
//! never `checkbox`), and reads the assignment of that identifier, or the first assignment
//! with a matching key in the next [`CONTEXT_AFTER`] bytes (a key under a parent key).
//! Keys and values are found by the one grammar of [`crate::assign`]; every step is bounded,
//! so a keyword hit costs a fixed amount of work.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use crate::assign::{self, Assignment};
use crate::patterns::Patterns;
use crate::rules::AssignmentSpec;
use crate::words;

/// Bytes after a provider's name in which a key under it may be assigned.
pub const CONTEXT_AFTER: usize = 384;
/// Line breaks after a provider's name that the context may cross.
const CONTEXT_LINES: usize = 6;

/// An assignment rule's compiled patterns.
#[derive(Debug)]
pub struct CompiledAssignment {
    key: Regex,
    /// Compiled on first use: a long list of words costs milliseconds to compile, and only a
    /// key and value that already match reach it.
    not_key: Option<(String, OnceLock<Option<Regex>>)>,
    /// Compiled when a key first matches, for the same reason.
    value: (String, OnceLock<Option<Regex>>),
    /// The value's other shape when it is quoted, compiled when first needed.
    quoted_value: Option<(String, OnceLock<Option<Regex>>)>,
    providers: Vec<String>,
}

impl CompiledAssignment {
    /// Compiles a rule's patterns (`not_key` when first needed), or says which one does not
    /// compile.
    pub fn new(spec: &AssignmentSpec, patterns: &Patterns) -> Result<CompiledAssignment, String> {
        let key = patterns
            .regex(&spec.key)
            .map_err(|e| format!("assignment.key: {e}"))?;
        let not_key = spec.not_key.clone().map(|p| (p, OnceLock::new()));
        let value = (format!("^(?:{})$", spec.value), OnceLock::new());
        let quoted_value = spec
            .quoted_value
            .as_ref()
            .map(|p| (format!("^(?:{p})$"), OnceLock::new()));
        let providers = spec
            .provider
            .iter()
            .map(|p| words::normalise(p))
            .filter(|p| !p.is_empty())
            .collect();
        Ok(CompiledAssignment {
            key,
            not_key,
            value,
            quoted_value,
            providers,
        })
    }

    /// The assignments a keyword hit at `hit` wakes: (whole match, secret) ranges.
    /// `patterns` compiles the patterns left for first use, shared with the engine's other rules.
    pub fn matches_at(
        &self,
        bytes: &[u8],
        hit: Range<usize>,
        patterns: &Patterns,
        out: &mut Vec<(Range<usize>, Range<usize>)>,
    ) {
        // A keyword may run past the key into what follows it (`key=`, `key"`): the key is
        // read around the keyword's identifier part only.
        let key_part = bytes[hit.clone()]
            .iter()
            .take_while(|b| assign::is_key_byte(**b))
            .count();
        let hit = hit.start..hit.start + key_part.max(1);
        let Some(ident) = assign::key_around(bytes, hit.clone()) else {
            return;
        };
        if self.providers.is_empty() {
            if let Some(a) = assign::parse(bytes, ident.clone()) {
                // A key written as words (`Shop API key: …`) is read whole when its last
                // word alone does not name a credential the rule knows.
                let phrase = || {
                    let key = assign::phrase_key(bytes, a.key.clone())?;
                    let a = Assignment {
                        key,
                        value: a.value.clone(),
                    };
                    self.accepts(bytes, &a, patterns).then_some(a)
                };
                if let Some(a) = self
                    .accepts(bytes, &a, patterns)
                    .then_some(a.clone())
                    .or_else(phrase)
                {
                    out.push((a.key.start..a.value.end, a.value));
                }
            }
            return;
        }
        let name = words::normalise(&String::from_utf8_lossy(&bytes[ident.clone()]));
        if !self.providers.iter().any(|p| has_words(&name, p)) {
            return;
        }
        if let Some(a) = assign::parse(bytes, ident.clone()) {
            if self.accepts(bytes, &a, patterns) {
                out.push((a.key.start..a.value.end, a.value));
            }
            return;
        }
        let after = context_after(bytes, ident.end);
        if let Some(a) = assign::assignments_in(bytes, after)
            .into_iter()
            .find(|a| self.accepts(bytes, a, patterns))
        {
            out.push((ident.start..a.value.end, a.value));
        }
    }

    /// Compiles every pattern of a rule now, `not_key` included: what validating a rule needs.
    pub fn validate(spec: &AssignmentSpec, patterns: &Patterns) -> Result<(), String> {
        CompiledAssignment::new(spec, patterns)?;
        patterns
            .regex(&format!("^(?:{})$", spec.value))
            .map_err(|e| format!("assignment.value: {e}"))?;
        if let Some(quoted) = &spec.quoted_value {
            patterns
                .regex(&format!("^(?:{quoted})$"))
                .map_err(|e| format!("assignment.quoted_value: {e}"))?;
        }
        if let Some(not_key) = &spec.not_key {
            patterns
                .regex(not_key)
                .map_err(|e| format!("assignment.not_key: {e}"))?;
        }
        Ok(())
    }

    fn accepts(&self, bytes: &[u8], a: &Assignment, patterns: &Patterns) -> bool {
        let key = words::normalise(&String::from_utf8_lossy(&bytes[a.key.clone()]));
        let value = &bytes[a.value.clone()];
        let quoted_shape = || {
            self.quoted_value.as_ref().is_some_and(|(pattern, compiled)| {
                is_quoted(bytes, &a.value)
                    && !crate::stand_ins::reads_as_path_or_escapes(value)
                    && lazily(pattern, compiled, patterns).is_some_and(|re| re.is_match(value))
            })
        };
        self.key.is_match(key.as_bytes())
            && (lazily(&self.value.0, &self.value.1, patterns).is_some_and(|re| re.is_match(value))
                || quoted_shape())
            && !self.excluded(key.as_bytes(), patterns)
    }

    /// Whether `not_key` rules the key out.
    fn excluded(&self, key: &[u8], patterns: &Patterns) -> bool {
        let Some((pattern, compiled)) = &self.not_key else {
            return false;
        };
        lazily(pattern, compiled, patterns).is_some_and(|re| re.is_match(key))
    }
}

/// Whether the value at `value` sits between two of the same quote.
fn is_quoted(bytes: &[u8], value: &Range<usize>) -> bool {
    let open = value.start.checked_sub(1).and_then(|i| bytes.get(i));
    open.is_some_and(|b| assign::is_quote(*b)) && bytes.get(value.end) == open
}

/// `pattern` compiled on first use. A pattern that does not compile was reported when its
/// rule was validated (built-in rules by the tests, others before a scan starts), so here it
/// matches nothing.
fn lazily<'c>(
    pattern: &str,
    compiled: &'c OnceLock<Option<Regex>>,
    patterns: &Patterns,
) -> Option<&'c Regex> {
    compiled.get_or_init(|| patterns.regex(pattern).ok()).as_ref()
}

/// Whether the words of `phrase` (snake case) appear in a row in `name` (snake case).
fn has_words(name: &str, phrase: &str) -> bool {
    let (name, phrase) = (format!("_{name}_"), format!("_{phrase}_"));
    name.contains(&phrase)
}

/// The bytes after a provider's name where a key under it may be: at most [`CONTEXT_AFTER`]
/// bytes and [`CONTEXT_LINES`] line breaks.
fn context_after(bytes: &[u8], from: usize) -> Range<usize> {
    let mut end = (from + CONTEXT_AFTER).min(bytes.len());
    if let Some(nl) = memchr::memchr_iter(b'\n', &bytes[from..end]).nth(CONTEXT_LINES) {
        end = from + nl;
    }
    from..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(key: &str, value: &str, provider: &[&str]) -> CompiledAssignment {
        CompiledAssignment::new(
            &AssignmentSpec {
                key: key.to_string(),
                not_key: None,
                value: value.to_string(),
                quoted_value: None,
                provider: provider.iter().map(|p| p.to_string()).collect(),
            },
            &Patterns::default(),
        )
        .unwrap()
    }

    fn secrets(rule: &CompiledAssignment, text: &str, keyword: &str) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        let mut out = Vec::new();
        for (at, _) in lower.match_indices(keyword) {
            rule.matches_at(
                text.as_bytes(),
                at..at + keyword.len(),
                &Patterns::default(),
                &mut out,
            );
        }
        out.into_iter().map(|(_, s)| text[s].to_string()).collect()
    }

    const HEX: &str = "5d52bd5a846d63025c482d08f4c1be98";

    #[test]
    fn a_provider_names_the_key_or_its_parent() {
        let twilio = spec("(?:^|_)(?:auth_)?token$", "[0-9a-f]{32}", &["twilio"]);
        for text in [
            format!("twilioAuthToken = \"{HEX}\""),
            format!("TWILIO_AUTH_TOKEN={HEX}"),
            format!("twilio:\n  account: AC1\n  auth_token: {HEX}\n"),
            format!("{{\"twilio\": {{\"sid\": \"AC1\", \"token\": \"{HEX}\"}}}}"),
        ] {
            assert_eq!(secrets(&twilio, &text, "twilio"), vec![HEX.to_string()], "{text}");
        }
        for text in [
            format!("twilio_auth_token_file = \"{HEX}\""),
            format!("twilioAuthToken = \"{}\"", &HEX[..20]),
            format!("twiliofied_token = \"{HEX}\""),
            format!("twilio:\n{}\n  auth_token: {HEX}\n", "  x: 1\n".repeat(8)),
        ] {
            assert!(secrets(&twilio, &text, "twilio").is_empty(), "{text}");
        }
    }

    #[test]
    fn an_ordinary_word_is_a_provider_only_as_a_whole_word() {
        let box_rule = spec("(?:^|_)client_secret$", "[A-Za-z0-9]{32}", &["box"]);
        let value = "Wq3ZtR8mWx2LpN7kd4Hs9Tb1Yc6Gv0Jf";
        assert_eq!(
            secrets(&box_rule, &format!("BOX_CLIENT_SECRET={value}"), "box"),
            vec![value.to_string()]
        );
        assert!(secrets(&box_rule, &format!("checkbox_client_secret={value}"), "box").is_empty());
    }

    #[test]
    fn a_generic_rule_reads_the_key_it_was_woken_in() {
        let token = spec("(?:^|_)token$", "[A-Za-z0-9]{20,}", &[]);
        let value = "Wq3ZtR8mWx2LpN7kd4Hs";
        assert_eq!(
            secrets(&token, &format!("discordToken: {value}"), "token"),
            vec![value.to_string()]
        );
        assert!(secrets(&token, &format!("tokenizer = \"{value}\""), "token").is_empty());
    }

    #[test]
    fn validation_compiles_the_patterns_a_scan_leaves_for_later() {
        let bad = |not_key: Option<&str>, value: &str| {
            CompiledAssignment::validate(
                &AssignmentSpec {
                    key: "(?:^|_)token$".to_string(),
                    not_key: not_key.map(str::to_string),
                    value: value.to_string(),
                    quoted_value: None,
                    provider: Vec::new(),
                },
                &Patterns::default(),
            )
            .unwrap_err()
        };
        assert!(bad(Some("(?:unclosed"), "[a-z]{8}").starts_with("assignment.not_key: "));
        assert!(bad(None, "[a-z]{8").starts_with("assignment.value: "));
        let quoted =
            CompiledAssignment::validate(&password_spec("[a-z0-9]{8,}", "[!-~]{8"), &Patterns::default());
        assert!(quoted.unwrap_err().starts_with("assignment.quoted_value: "));
    }

    /// A password rule whose quoted values may take another shape.
    fn password_spec(value: &str, quoted_value: &str) -> AssignmentSpec {
        AssignmentSpec {
            key: "(?:^|_)password$".to_string(),
            not_key: None,
            value: value.to_string(),
            quoted_value: Some(quoted_value.to_string()),
            provider: Vec::new(),
        }
    }

    #[test]
    fn a_quoted_value_may_take_its_other_shape_and_an_unquoted_one_may_not() {
        let rule = CompiledAssignment::new(
            &password_spec("[A-Za-z0-9]{8,}", "[!-~]{8,}"),
            &Patterns::default(),
        )
        .unwrap();
        let found = |text: &str| {
            let at = text.find("password").unwrap();
            let mut out = Vec::new();
            rule.matches_at(text.as_bytes(), at..at + 8, &Patterns::default(), &mut out);
            out.first().map(|(_, v)| text[v.clone()].to_string())
        };
        assert_eq!(
            found("password = \"k7#x2@q9(zv\"").as_deref(),
            Some("k7#x2@q9(zv")
        );
        assert_eq!(found("password = 'k7#x2@q9(zv'").as_deref(), Some("k7#x2@q9(zv"));
        assert_eq!(
            found("password = k7#x2@q9(zv"),
            None,
            "unquoted, `(` ends the value"
        );
        assert_eq!(found("password = \"tests/run-pass/*.rs\""), None, "a glob");
    }
}
