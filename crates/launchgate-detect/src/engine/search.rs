//! The search itself: the windows a rule's keyword hits open, its matcher run in them, the
//! false-positive filters on each candidate, and one match kept where rules overlap.

use std::ops::Range;

use regex::bytes::{CaptureLocations, Regex};

use super::compiled::{CompiledRule, Matcher};
use super::{Engine, KeywordHit, Sample};
use crate::assignment_rule::CompiledAssignment;
use crate::prefilter::CandidateWindows;
use crate::rules::WeakValues;
use crate::{filter, key_names};

impl Engine {
    /// The matches of the rules the keyword hits wake, each rule's regex run in the windows
    /// around its hits.
    pub(super) fn raw_matches_at(&self, bytes: &[u8], hits: &[KeywordHit]) -> Vec<RawMatch> {
        // Windows are kept per rule in hit order; a hit inside the rule's last window adds
        // nothing.
        let mut windows = CandidateWindows::take(self.rules.len());
        for hit in hits {
            let (start, end) = (hit.start, hit.end);
            for &rule_index in &self.keyword_rules[hit.keyword as usize] {
                let rule = &self.rules[rule_index as usize];
                let list = windows.of(rule_index);
                // An assignment rule reads the key around each hit: it keeps the hits, not a
                // window, and one hit per place (`api_key` and `apikey` overlap).
                if rule.is_assignment() {
                    if list.last().is_none_or(|last| start >= last.end) {
                        list.push(start..end);
                    }
                    continue;
                }
                if let Some(last) = list.last_mut()
                    && start >= last.start
                    && end <= last.end
                {
                    continue;
                }
                let window = window_around(bytes, start, end, rule);
                match list.last_mut() {
                    Some(last) if window.start <= last.end => {
                        last.start = last.start.min(window.start);
                        last.end = last.end.max(window.end);
                    }
                    _ => list.push(window),
                }
            }
        }
        let mut found = Vec::new();
        for (rule_index, rule_windows) in windows.woken() {
            let rule = &self.rules[rule_index];
            let (regex, group) = match rule.matcher(&self.patterns) {
                Ok(Matcher::Regex(regex, group)) => (regex, group),
                Ok(Matcher::Assignment(assignment)) => {
                    self.run_assignment(
                        bytes,
                        rule_windows,
                        rule_index as u32,
                        rule,
                        assignment,
                        &mut found,
                    );
                    continue;
                }
                Err(_) => continue,
            };
            let mut locations = regex.capture_locations();
            for window in rule_windows {
                self.run_in_window(
                    bytes,
                    window,
                    rule_index as u32,
                    rule,
                    regex,
                    *group,
                    &mut locations,
                    &mut found,
                );
            }
        }
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn run_in_window(
        &self,
        bytes: &[u8],
        window: &Range<usize>,
        rule_index: u32,
        rule: &CompiledRule,
        regex: &Regex,
        group: usize,
        locations: &mut CaptureLocations,
        found: &mut Vec<RawMatch>,
    ) {
        let haystack = &bytes[..window.end];
        let mut at = window.start;
        let mut memo = crate::kube_secret::Memo::default();
        while at <= haystack.len() {
            let Some(whole) = regex.captures_read_at(locations, haystack, at) else {
                break;
            };
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
            // In a rule with alternatives, the secret is the first group that took part
            // when the named or first group did not (`…(a)|…(b)`).
            let Some((s, e)) = locations
                .get(group)
                .or_else(|| (1..locations.len()).find_map(|i| locations.get(i)))
            else {
                continue;
            };
            if s == e
                || (rule.name_led && crate::boundaries::starts_inside_word(bytes, whole.start()))
                || crate::boundaries::continues_as_file_name(&bytes[e..])
            {
                continue;
            }
            let secret = String::from_utf8_lossy(&bytes[s..e]);
            let key = || key_names::key_before(&bytes[..s]);
            let Some(sample) = self.judge(rule, &secret, &bytes[whole.start()..whole.end()], &key) else {
                continue;
            };
            if rule.in_context.is_some_and(|fits| !fits(bytes, s..e, &mut memo)) {
                continue;
            }
            found.push(RawMatch {
                rule_index,
                range: whole.start()..whole.end(),
                secret_range: s..e,
                sample,
            });
        }
    }

    /// An assignment rule at each of its keyword hits; a key read twice yields one match.
    fn run_assignment(
        &self,
        bytes: &[u8],
        hits: &[Range<usize>],
        rule_index: u32,
        rule: &CompiledRule,
        assignment: &CompiledAssignment,
        found: &mut Vec<RawMatch>,
    ) {
        let mut candidates = Vec::new();
        for hit in hits {
            candidates.clear();
            assignment.matches_at(bytes, hit.clone(), &self.patterns, &mut candidates);
            for (whole, secret_range) in candidates.drain(..) {
                if found
                    .last()
                    .is_some_and(|m| m.rule_index == rule_index && m.secret_range == secret_range)
                {
                    continue;
                }
                let secret = String::from_utf8_lossy(&bytes[secret_range.clone()]);
                // The match starts at the key the grammar read (or the provider's name).
                let key = || key_names::key_at(&bytes[whole.start..secret_range.start]);
                let Some(sample) = self.judge(rule, &secret, &bytes[whole.clone()], &key) else {
                    continue;
                };
                found.push(RawMatch {
                    rule_index,
                    range: whole,
                    secret_range,
                    sample,
                });
            }
        }
    }

    /// The false-positive filters every rule goes through: `None` when the match is not a
    /// secret, else whether it only looks like a sample value (see [`RawMatch::sample`]).
    /// `key` reads the words of the key the secret is assigned to, only for the rules that ask.
    fn judge(
        &self,
        rule: &CompiledRule,
        secret: &str,
        whole: &[u8],
        key: &dyn Fn() -> String,
    ) -> Option<Option<Sample>> {
        // A value typed out as a sequence is most often a sample, but people also choose
        // such passwords and keys for real, and a real credential in a sample's place is
        // still exposed: it is kept at the lowest severity rather than dropped. Its low
        // entropy is what makes it a sample, so the entropy gate does not apply.
        let mut sample = filter::is_sequence_sample(secret).then_some(Sample::Sequence);
        if sample.is_none()
            && let Some(min) = rule.rule.spec.min_entropy
            && !crate::entropy::passes(min, secret)
        {
            if rule.rule.spec.weak_values == WeakValues::Drop || !filter::is_chosen_password(secret) {
                return None;
            }
            sample = Some(Sample::Weak);
        }
        if self.rejects(rule, secret, whole, key) {
            return None;
        }
        Some(sample)
    }

    fn rejects(&self, rule: &CompiledRule, secret: &str, whole: &[u8], key: &dyn Fn() -> String) -> bool {
        if filter::is_placeholder(secret) || self.public_samples.contains(secret) {
            return true;
        }
        // Ids and hashes look like the tokens of providers whose tokens carry no prefix, and
        // regex rules that read "provider name, any key, a UUID or hex value" would take
        // `HEROKU_APP_ID` or `TWILIO_ACCOUNT_ID`: the key decides. An assignment rule has
        // judged the key with its own pattern (`CC_TEST_REPORTER_ID` is a credential).
        if rule.rule.spec.assignment.is_none()
            && ((filter::is_uuid(secret) && key_names::names_an_id(&key()))
                || (filter::is_hex(secret) && key_names::last_word_names_non_secret(&key())))
        {
            return true;
        }
        if rule.rule.is_generic() {
            if filter::looks_like_code_reference(secret) {
                return true;
            }
            // A publishable prefix is evidence unless the key calls the value a secret:
            // some providers issue secret keys with a `pk_` prefix (`courier_secret=pk_test_…`).
            let key = key();
            if key_names::names_non_secret(&key)
                || (filter::is_publishable(secret) && !crate::words::has_word(&key, "secret"))
            {
                return true;
            }
        }
        if rule.validator.is_some_and(|valid| !valid(secret)) {
            return true;
        }
        if self.allow_values.iter().any(|v| v == secret) {
            return true;
        }
        if !self.allow_hashes.is_empty() {
            let hash = launchgate_core::secret::sha256_hex(secret.as_bytes());
            if self.allow_hashes.contains(&hash) {
                return true;
            }
        }
        self.allow_regexes
            .iter()
            .any(|re| re.is_match(secret.as_bytes()) || re.is_match(whole))
    }
}

/// A match before lines and columns are known.
#[derive(Debug, Clone)]
pub(super) struct RawMatch {
    pub(super) rule_index: u32,
    pub(super) range: Range<usize>,
    pub(super) secret_range: Range<usize>,
    /// Why the value looks like a sample rather than an issued credential, if it does:
    /// reported as a note, never failing a gate on its own.
    pub(super) sample: Option<Sample>,
}

/// The bytes a rule's regex may see around a keyword hit.
fn window_around(bytes: &[u8], start: usize, end: usize, rule: &CompiledRule) -> Range<usize> {
    let mut lo = start.saturating_sub(rule.window);
    let mut hi = (end + rule.window).min(bytes.len());
    if rule.line_clipped {
        if let Some(nl) = memchr::memrchr(b'\n', &bytes[lo..start]) {
            lo += nl + 1;
        }
        if let Some(nl) = memchr::memchr(b'\n', &bytes[end..hi]) {
            hi = end + nl;
        }
    }
    lo..hi
}

/// Keeps one match per secret span: a specific rule beats a `generic.*` one wherever they
/// overlap, and of two matches on the same span the more confident rule wins, then an
/// assignment rule over a regex rule, then the earlier rule.
pub(super) fn resolve_overlaps(raw: &mut Vec<RawMatch>, rules: &[CompiledRule]) {
    // Specific spans by start, with the furthest end of any span up to each: a generic
    // secret overlaps one iff a span starting before its end reaches past its start. A
    // binary search each keeps a line of thousands of matches from pairing every two.
    let mut specific: Vec<Range<usize>> = raw
        .iter()
        .filter(|m| !rules[m.rule_index as usize].rule.is_generic())
        .map(|m| m.range.clone())
        .collect();
    specific.sort_unstable_by_key(|r| r.start);
    let furthest_end: Vec<usize> = specific
        .iter()
        .scan(0, |end, r| {
            *end = r.end.max(*end);
            Some(*end)
        })
        .collect();
    raw.retain(|m| {
        if !rules[m.rule_index as usize].rule.is_generic() {
            return true;
        }
        let before_end = specific.partition_point(|r| r.start < m.secret_range.end);
        before_end == 0 || furthest_end[before_end - 1] <= m.secret_range.start
    });
    raw.sort_by(|a, b| {
        let key = |m: &RawMatch| {
            let rule = &rules[m.rule_index as usize].rule;
            (
                m.secret_range.start,
                m.secret_range.end,
                std::cmp::Reverse(rule.spec.confidence),
                // Of two equally confident rules, the one that read the key's words
                // (`CONTENTFUL_PREVIEW_TOKEN`) knows more than a regex over the same value.
                rule.spec.assignment.is_none(),
                m.rule_index,
            )
        };
        key(a).cmp(&key(b))
    });
    raw.dedup_by(|later, earlier| later.secret_range == earlier.secret_range);
}
