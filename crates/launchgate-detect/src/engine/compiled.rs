//! Rules as the engine runs them: the window each may see around a keyword hit, its extra
//! validator, and its regex or assignment matcher, compiled the first time a hit needs it.

use std::sync::OnceLock;

use regex::bytes::Regex;

use super::{LINE_WINDOW, MULTILINE_WINDOW};
use crate::assignment_rule::{self, CompiledAssignment};
use crate::filter;
use crate::patterns::Patterns;
use crate::rules::Rule;

/// A rule as the engine runs it: its matcher compiled on first use, and how far around a
/// keyword hit it may look.
pub(super) struct CompiledRule {
    pub(super) rule: Rule,
    pub(super) matcher: OnceLock<Result<Matcher, String>>,
    pub(super) window: usize,
    pub(super) line_clipped: bool,
    pub(super) validator: Option<fn(&str) -> bool>,
    /// A check of the text around a match (the whole input and the secret's range), for
    /// rules whose secrets are told by the structure they sit in.
    pub(super) in_context: Option<InContext>,
    /// The regex opens with a name (`(?i:okta)…`): a match must begin where a word does.
    pub(super) name_led: bool,
}

/// A check of a match against the text around it; the memo carries what one check learnt
/// to the next in the same input.
pub(super) type InContext = fn(&[u8], std::ops::Range<usize>, &mut crate::kube_secret::Memo) -> bool;

/// How a rule finds its secrets, compiled on first use.
pub(super) enum Matcher {
    /// A regex and the index of its secret group.
    Regex(Regex, usize),
    /// A key assigned a token-shaped value.
    Assignment(Box<CompiledAssignment>),
}

impl CompiledRule {
    /// The rule's compiled matcher, compiled on first use from the engine's patterns.
    pub(super) fn matcher(&self, patterns: &Patterns) -> Result<&Matcher, &str> {
        self.matcher
            .get_or_init(|| {
                if let Some(spec) = &self.rule.spec.assignment {
                    return CompiledAssignment::new(spec, patterns).map(|a| Matcher::Assignment(Box::new(a)));
                }
                let re = patterns.regex(&self.rule.spec.regex)?;
                let group = re
                    .capture_names()
                    .position(|n| n == Some("secret"))
                    .unwrap_or(if re.captures_len() > 1 { 1 } else { 0 });
                Ok(Matcher::Regex(re, group))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    pub(super) fn is_assignment(&self) -> bool {
        self.rule.spec.assignment.is_some()
    }
}

/// Prepares a rule: its window and validator now, its regex on first use.
pub(super) fn compile_rule(rule: Rule) -> CompiledRule {
    let source = &rule.spec.regex;
    // A rule whose regex spells out a line break, or sets a window, spans lines; the others
    // see at most their own line, which keeps `[^"]+` from running across a file.
    let spans_lines = rule.spec.window.is_some()
        || source.contains("\\n")
        || source.contains("\\r")
        || source.contains("(?s")
        || source.contains("[\\s\\S]")
        || source.contains("[\\S\\s]");
    let window = if rule.spec.assignment.is_some() {
        // A key, its value and a provider's context: what one hit may reach.
        crate::assign::MAX_KEY + crate::assign::MAX_VALUE + assignment_rule::CONTEXT_AFTER
    } else {
        0
    };
    let window = window.max(rule.spec.window.unwrap_or(if spans_lines {
        MULTILINE_WINDOW
    } else {
        LINE_WINDOW
    }));
    let validator: Option<fn(&str) -> bool> = match rule.spec.id.as_str() {
        "log.card-number" => Some(filter::passes_luhn),
        "grafana.api-key" => Some(filter::is_grafana_key_payload),
        "generic.jwt-base64" => Some(filter::is_base64_jwt),
        _ => None,
    };
    let in_context: Option<InContext> = match rule.spec.id.as_str() {
        "kubernetes.secret-data" => Some(crate::kube_secret::is_secret_entry),
        _ => None,
    };
    let name_led = source.starts_with("(?i:") || source.starts_with("(?:(?i:");
    CompiledRule {
        rule,
        matcher: OnceLock::new(),
        name_led,
        window,
        line_clipped: !spans_lines,
        validator,
        in_context,
    }
}
