//! The detection engine.
//!
//! One Aho-Corasick automaton over every rule's keywords finds the candidate rules of an
//! input. Only those rules' regexes run, only in windows around their keyword hits, and a
//! regex is compiled the first time a hit needs it: a pre-commit run over three files
//! compiles the few regexes those files call for, not every rule's.

use std::collections::HashMap;
use std::ops::Range;

use globset::GlobSet;
use launchgate_core::{Error, Secret, Severity};
use regex::bytes::Regex;

use crate::assignment_rule::CompiledAssignment;
use crate::patterns::Patterns;
use crate::position;
use crate::prefilter::Prefilter;
use crate::printable::{self, PrintableRuns};
use crate::rules::{Confidence, Rule, RuleSet};

/// Bytes either side of a keyword hit that a single-line rule's regex may see.
const LINE_WINDOW: usize = 1024;
/// Bytes either side of a keyword hit for a multi-line rule without its own `window`.
const MULTILINE_WINDOW: usize = 8192;

/// What an engine is told besides its rules: the user's allowlists.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// Globs of paths never scanned (`secrets.allow.paths`).
    pub allow_paths: Vec<String>,
    /// Regexes; a secret (or the whole match) that one of them matches is not reported.
    pub allow_regexes: Vec<String>,
    /// Values that are never reported (exact secrets, or `sha256:<hex>` of one).
    pub allow_values: Vec<String>,
}

/// One secret found in an input.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub rule_id: String,
    /// Index of the rule in [`Engine::rules`].
    pub rule_index: usize,
    /// The whole regex match, in bytes of the input.
    pub range: Range<usize>,
    /// The secret itself, in bytes of the input.
    pub secret_range: Range<usize>,
    /// 1-based line and column (in characters) of the secret's start.
    pub line: u32,
    pub column: u32,
    /// 1-based line and column just past the secret's end.
    pub end_line: u32,
    pub end_column: u32,
    /// Whether the line(s) of the whole match carry an inline allow comment
    /// (`launchgate:allow`, or `gitleaks:allow` for teams moving over).
    pub inline_allowed: bool,
    /// Whether the input was binary (a NUL in its first 8 KiB), so the match was found in
    /// its printable runs; `secret_range` then says where in the input.
    pub in_binary: bool,
    pub secret: Secret,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Why the value looks like a sample rather than an issued credential, if it does:
    /// then `severity` is a note and `confidence` low, whatever the rule says.
    pub sample: Option<Sample>,
}

/// Why a match looks like a sample value rather than a credential in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// Typed out in sequence (`1234567890abcdef`, `a1b2c3d4…`, `qwerty…`).
    Sequence,
    /// Below the rule's entropy gate, for a credential people choose (`4ian1234`).
    Weak,
}

impl Sample {
    /// The finding's `sample` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Sample::Sequence => "sequence",
            Sample::Weak => "weak",
        }
    }
}

mod compiled;
mod search;

use compiled::{CompiledRule, compile_rule};
use search::{RawMatch, resolve_overlaps};

/// Whether a rule's patterns compile, as a scan would compile them.
pub fn validate_rule(rule: &Rule) -> Result<(), String> {
    let patterns = Patterns::default();
    match &rule.spec.assignment {
        Some(spec) => CompiledAssignment::validate(spec, &patterns),
        None => patterns.regex(&rule.spec.regex).map(|_| ()),
    }
}

pub use crate::patterns::build_rule_regex;

/// The engine: rules, their keyword automaton and the user's allowlists. `Sync`, so one
/// engine serves every thread.
pub struct Engine {
    rules: Vec<CompiledRule>,
    /// The compiled regexes of the rules used so far, each distinct pattern once.
    patterns: Patterns,
    prefilter: Option<Prefilter>,
    /// For each keyword pattern, the rules it wakes.
    keyword_rules: Vec<Vec<u32>>,
    allow_paths: Option<GlobSet>,
    allow_regexes: Vec<Regex>,
    allow_values: Vec<String>,
    allow_hashes: Vec<String>,
    /// Every rule's `public_samples`: published by the provider, so no rule reports them.
    public_samples: std::collections::HashSet<String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Builds an engine. Rules without keywords are left out (every rule needs one; `rules
    /// check` reports them); a bad allowlist glob or regex is an error.
    pub fn new(rules: RuleSet, config: &EngineConfig) -> Result<Engine, Error> {
        let mut keyword_ids: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut compiled = Vec::with_capacity(rules.rules.len());
        let mut public_samples = std::collections::HashSet::new();
        for rule in rules.rules {
            public_samples.extend(rule.spec.public_samples.iter().cloned());
            let usable: Vec<String> = rule
                .spec
                .keywords
                .iter()
                .filter(|k| !k.is_empty())
                .map(|k| k.to_ascii_lowercase())
                .collect();
            if usable.is_empty() {
                continue;
            }
            let index = compiled.len() as u32;
            for keyword in usable {
                let id = *keyword_ids.entry(keyword.clone()).or_insert_with(|| {
                    keywords.push(keyword);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !keyword_rules[id].contains(&index) {
                    keyword_rules[id].push(index);
                }
            }
            compiled.push(compile_rule(rule));
        }
        // The automaton reports the longest keyword at each place and does not overlap hits,
        // which scans faster than reporting every overlapping keyword. A hit of a keyword
        // therefore also wakes the rules of every keyword it contains (`sk_live_` holds `sk_`).
        let prefilter = if keywords.is_empty() {
            None
        } else {
            Some(Prefilter::new(keywords)?)
        };
        let allow_paths = crate::globs::glob_set(&config.allow_paths, "secrets.allow.paths")?;
        let allow_regexes = config
            .allow_regexes
            .iter()
            .map(|r| {
                Regex::new(r).map_err(|e| {
                    Error::input(format!("secrets.allow.regexes has an invalid regex `{r}`: {e}"))
                        .with_help("regexes use Rust `regex` syntax; escape `.` and `$` with a backslash")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (allow_hashes, allow_values) = config
            .allow_values
            .iter()
            .cloned()
            .partition::<Vec<String>, _>(|v| v.starts_with("sha256:"));
        Ok(Engine {
            rules: compiled,
            patterns: Patterns::default(),
            prefilter,
            keyword_rules,
            allow_paths,
            allow_regexes,
            allow_values,
            allow_hashes: allow_hashes
                .into_iter()
                .map(|h| h["sha256:".len()..].to_ascii_lowercase())
                .collect(),
            public_samples,
        })
    }

    /// The rules this engine runs, in order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| &r.rule)
    }

    /// The rule at an index of [`Match::rule_index`].
    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index].rule
    }

    /// How many regexes have been compiled so far.
    pub fn compiled_regex_count(&self) -> usize {
        self.rules.iter().filter(|r| r.matcher.get().is_some()).count()
    }

    /// How many distinct patterns have been compiled so far; rules that share a pattern
    /// share its compiled regex.
    pub fn compiled_pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The rules whose regex failed to compile, with the error; only rules used so far.
    pub fn regex_errors(&self) -> Vec<(String, String)> {
        self.rules
            .iter()
            .filter_map(|r| match r.matcher.get() {
                Some(Err(e)) => Some((r.rule.spec.id.clone(), e.clone())),
                _ => None,
            })
            .collect()
    }

    /// An error naming the first rule, with its file and line, whose patterns a keyword hit
    /// needed and that did not compile: the scan missed what that rule would have found, so
    /// it must not pass. Extra rule files are compiled before a scan starts and the built-in
    /// ones are proven by the tests, so this only meets a build with a broken rule file.
    pub fn compile_failure(&self) -> Result<(), Error> {
        match self
            .rules
            .iter()
            .find(|r| matches!(r.matcher.get(), Some(Err(_))))
        {
            None => Ok(()),
            Some(r) => {
                let error = r
                    .matcher
                    .get()
                    .and_then(|m| m.as_ref().err())
                    .cloned()
                    .unwrap_or_default();
                Err(Error::input(format!(
                    "{}:{}: rule `{}` has a regex that does not compile: {error}",
                    r.rule.file, r.rule.line, r.rule.spec.id
                ))
                .with_help("fix the rule until `launchgate-secrets rules check` passes; a scan never runs without one of its rules"))
            }
        }
    }

    /// Compiles one rule's regex now, returning its error if it has one.
    pub fn compile_rule(&self, index: usize) -> Result<(), String> {
        self.rules[index]
            .matcher(&self.patterns)
            .map(|_| ())
            .map_err(str::to_string)
    }

    /// The most bytes one keyword hit lets a match span: the hit's window either side plus
    /// the longest keyword. A streamed input keeps this much of each cut for the next step.
    pub fn longest_match_span(&self) -> usize {
        let keyword = self
            .rules
            .iter()
            .flat_map(|r| r.rule.spec.keywords.iter().map(String::len))
            .max()
            .unwrap_or(0);
        let window = self.rules.iter().map(|r| r.window).max().unwrap_or(0);
        2 * window + keyword
    }

    /// Whether `secrets.allow.paths` excludes a path.
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allow_paths.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// Every secret in `bytes`, sorted by position. `path` is matched against the allowed
    /// paths; an allowed path yields nothing. Binary input (a NUL in the first 8 KiB) is
    /// scanned through its printable runs, as `strings` reads it.
    pub fn scan_bytes(&self, path: &str, bytes: &[u8]) -> Vec<Match> {
        self.scan_bytes_counting(path, bytes, &mut 0)
    }

    /// [`Engine::scan_bytes`], adding to `examined` the bytes read to place the matches
    /// (lines, columns, allow comments): the proof that placing them stays linear. Public
    /// for the property tests that check it on generated inputs.
    #[doc(hidden)]
    pub fn scan_bytes_counting(&self, path: &str, bytes: &[u8], examined: &mut u64) -> Vec<Match> {
        if self.path_allowed(path) {
            return Vec::new();
        }
        if printable::is_binary(bytes) {
            return self.scan_binary(bytes, examined);
        }
        let mut raw = self.raw_matches(bytes);
        resolve_overlaps(&mut raw, &self.rules);
        self.locate(bytes, raw, examined)
    }

    /// Scans the printable runs of binary input; matches are placed in the input itself,
    /// while allow comments count on the match's run.
    fn scan_binary(&self, bytes: &[u8], examined: &mut u64) -> Vec<Match> {
        let runs = PrintableRuns::extract(bytes);
        let mut raw = self.raw_matches(&runs.text);
        resolve_overlaps(&mut raw, &self.rules);
        let mut found = self.locate(&runs.text, raw, examined);
        for m in &mut found {
            m.range = runs.input_range(&m.range);
            m.secret_range = runs.input_range(&m.secret_range);
            m.in_binary = true;
        }
        let spans: Vec<_> = found
            .iter()
            .map(|m| (m.secret_range.clone(), m.secret_range.clone()))
            .collect();
        for (m, at) in found.iter_mut().zip(position::resolve(bytes, &spans, examined)) {
            (m.line, m.column) = (at.start.line, at.start.column);
            (m.end_line, m.end_column) = (at.end.line, at.end.column);
        }
        found
    }

    /// Whether a value, on its own, is a secret a rule recognises: the rule id and its
    /// confidence. Used to decide which values to redact.
    pub fn recognise(&self, value: &str) -> Option<(String, Confidence)> {
        let matches = self.scan_bytes("", value.as_bytes());
        matches
            .iter()
            .max_by_key(|m| (m.secret.expose() == value.trim(), m.confidence))
            .map(|m| (m.rule_id.clone(), m.confidence))
    }

    fn raw_matches(&self, bytes: &[u8]) -> Vec<RawMatch> {
        let hits = self.keyword_hits(bytes);
        self.raw_matches_at(bytes, &hits)
    }

    /// Every keyword occurrence in `bytes`, overlapping ones included (`sk_live_` also
    /// reports `sk_`), in the order [`KeywordHit`] sorts them. A pure function of the text,
    /// which is what lets a history scan take a blob's hits from its delta base.
    pub fn keyword_hits(&self, bytes: &[u8]) -> Vec<KeywordHit> {
        let mut hits = Vec::new();
        self.keyword_hits_in(bytes, 0..bytes.len(), &mut hits);
        hits.sort_unstable();
        hits
    }

    /// Adds the keyword occurrences that lie wholly inside `range` of `bytes` to `hits`,
    /// placed in `bytes`, unsorted.
    pub fn keyword_hits_in(&self, bytes: &[u8], range: Range<usize>, hits: &mut Vec<KeywordHit>) {
        let Some(prefilter) = &self.prefilter else {
            return;
        };
        let offset = range.start;
        let text = &bytes[range];
        hits.extend(
            prefilter
                .automaton(text.len())
                .find_overlapping_iter(text)
                .map(|hit| KeywordHit {
                    end: offset + hit.end(),
                    start: offset + hit.start(),
                    keyword: hit.pattern().as_u32(),
                }),
        );
    }

    /// The length in bytes of the longest keyword: a hit is never longer.
    pub fn longest_keyword(&self) -> usize {
        self.prefilter.as_ref().map_or(0, Prefilter::longest)
    }

    /// Every secret in text (not binary) whose keyword hits are already known, as
    /// [`Engine::scan_bytes`] finds them; `hits` sorted, as [`Engine::keyword_hits`] gives them.
    pub fn scan_text_with_hits(&self, path: &str, bytes: &[u8], hits: &[KeywordHit]) -> Vec<Match> {
        if self.path_allowed(path) {
            return Vec::new();
        }
        let mut raw = self.raw_matches_at(bytes, hits);
        resolve_overlaps(&mut raw, &self.rules);
        self.locate(bytes, raw, &mut 0)
    }

    /// Adds lines, columns and allow comments, reading the input once for all matches.
    fn locate(&self, bytes: &[u8], raw: Vec<RawMatch>, examined: &mut u64) -> Vec<Match> {
        let spans: Vec<_> = raw
            .iter()
            .map(|m| (m.secret_range.clone(), m.range.clone()))
            .collect();
        let positions = position::resolve(bytes, &spans, examined);
        raw.into_iter()
            .zip(positions)
            .map(|(m, at)| {
                let rule = &self.rules[m.rule_index as usize].rule;
                Match {
                    rule_id: rule.spec.id.clone(),
                    rule_index: m.rule_index as usize,
                    range: m.range,
                    secret: Secret::new(String::from_utf8_lossy(&bytes[m.secret_range.clone()])),
                    secret_range: m.secret_range,
                    line: at.start.line,
                    column: at.start.column,
                    end_line: at.end.line,
                    end_column: at.end.column,
                    inline_allowed: at.allowed,
                    in_binary: false,
                    severity: if m.sample.is_some() {
                        Severity::Note
                    } else {
                        rule.spec.severity
                    },
                    confidence: if m.sample.is_some() {
                        Confidence::Low
                    } else {
                        rule.spec.confidence
                    },
                    sample: m.sample,
                }
            })
            .collect()
    }
}

/// One occurrence of a keyword. Hits sort by end, then start: the order in which the
/// automaton's overlapping search reports them (at one end, the longest keyword first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeywordHit {
    pub end: usize,
    pub start: usize,
    /// Index of the keyword in the automaton.
    pub keyword: u32,
}

pub use position::line_column;
