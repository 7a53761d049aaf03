//! The log check: streams log files of any size through the engine in bounded memory, and
//! looks for known secret values in the forms CI log masking misses.

use std::io::Read;
use std::ops::Range;

use launchgate_core::{Error, Finding, Location, Secret, Severity};
use launchgate_detect::known_values::{KnownHit, KnownValues};
use launchgate_detect::{Engine, position};

use crate::report::FindingCollector;

/// Bytes read per step.
const CHUNK: usize = 1024 * 1024;
/// Bytes of already-scanned lines kept before each chunk, so a match that starts in one
/// chunk and ends in the next is still found.
const OVERLAP: usize = 16 * 1024;
/// The rule id of a known value found in a log.
pub const KNOWN_VALUE_RULE: &str = "logs.known-value";

/// The finding for a known value found at a location, and the value found.
fn known_value_finding<'k>(hit: &KnownHit<'k>, location: Location) -> (Finding, &'k Secret) {
    let name = hit.name;
    let mut finding = Finding::new(
        KNOWN_VALUE_RULE,
        Severity::Error,
        format!("the value of ${name} appears in the log ({})", hit.form),
    )
    .at(location)
    .secret(hit.value.to_redacted_for(KNOWN_VALUE_RULE))
    .help(format!(
        "Rotate the credential held in ${name}, then find the step that printed it; CI log \
         masking only hides the exact value, not its {} form.",
        hit.form
    ))
    .property("variable", name)
    .property("form", hit.form);
    finding.fingerprint = hit.value.fingerprint(KNOWN_VALUE_RULE);
    (finding, hit.value)
}

/// Streams one log through the engine and the known values, adding findings to `collector`.
/// Returns the number of bytes read. Memory stays within about `CHUNK` plus twice the
/// overlap plus the longest line (cut at `CHUNK` bytes).
pub fn scan_log(
    engine: &Engine,
    known: &KnownValues,
    path: &str,
    reader: &mut dyn Read,
    collector: &mut FindingCollector<'_>,
) -> Result<u64, Error> {
    scan_log_counting(engine, known, path, reader, collector, &mut 0)
}

/// [`scan_log`], adding to `examined` the bytes read to place findings.
pub(crate) fn scan_log_counting(
    engine: &Engine,
    known: &KnownValues,
    path: &str,
    reader: &mut dyn Read,
    collector: &mut FindingCollector<'_>,
    examined: &mut u64,
) -> Result<u64, Error> {
    // A secret that crosses a cut must be whole in the next window: keep at least the longest
    // span a rule can match, and the longest known form.
    let overlap = OVERLAP.max(engine.longest_match_span()).max(known.longest_form());
    let mut buf: Vec<u8> = Vec::with_capacity(2 * overlap + 2 * CHUNK);
    let mut stream = StreamPosition::default();
    let mut tail_len = 0usize;
    let mut total = 0u64;
    let mut eof = false;
    while !eof {
        let before = buf.len();
        buf.resize(before + CHUNK, 0);
        let mut filled = before;
        while filled < buf.len() {
            let n = reader
                .read(&mut buf[filled..])
                .map_err(|e| Error::input(format!("cannot read {path}: {e}")))?;
            if n == 0 {
                eof = true;
                break;
            }
            filled += n;
        }
        buf.truncate(filled);
        total += (filled - before) as u64;

        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[tail_len..]) {
                Some(i) => tail_len + i + 1,
                // One line longer than a chunk: cut it, so memory stays bounded.
                None if buf.len() - tail_len >= CHUNK => buf.len(),
                None => continue,
            }
        };
        let window = &buf[..cut];
        // What the next window sees again; matches starting there wait for it.
        let keep_from = if eof { cut } else { tail_start(window, overlap) };
        for m in engine.scan_bytes_counting(path, window, examined) {
            if !stream.takes(m.range.start, &m.secret_range, keep_from) {
                continue;
            }
            let mut m = m;
            (m.line, m.column) = stream.place(m.line, m.column);
            (m.end_line, m.end_column) = stream.place(m.end_line, m.end_column);
            collector.add(path, &m, m.inline_allowed);
        }
        let hits = known.find(window);
        let spans: Vec<_> = hits.iter().map(|h| (h.range.clone(), h.range.clone())).collect();
        for (hit, at) in hits.iter().zip(position::resolve(window, &spans, examined)) {
            let range = &hit.range;
            if !stream.takes(range.start, range, keep_from) {
                continue;
            }
            let (line, column) = stream.place(at.start.line, at.start.column);
            let (end_line, end_column) = stream.place(at.end.line, at.end.column);
            let location = Location::at(path, line, column).to(end_line, end_column);
            if at.allowed {
                collector.count_inline_allowed();
                continue;
            }
            let (finding, value) = known_value_finding(hit, location);
            collector.add_finding(finding, value, false);
        }
        stream.advance(&buf[..keep_from], examined);
        tail_len = cut - keep_from;
        buf.drain(..keep_from);
    }
    Ok(total)
}

/// Where the tail kept for the next window starts: `overlap` bytes before the cut, moved back
/// to a line start or a separator within another `overlap` bytes, so the next window does not
/// start inside a token.
fn tail_start(window: &[u8], overlap: usize) -> usize {
    let floor = window.len().saturating_sub(overlap);
    let back = &window[floor.saturating_sub(overlap)..floor];
    let base = floor - back.len();
    memchr::memrchr(b'\n', back)
        .or_else(|| {
            back.iter()
                .rposition(|b| b.is_ascii_whitespace() || b"\"',;<>()[]{}".contains(b))
        })
        .map_or(floor, |i| base + i + 1)
}

/// Where the current window stands in the stream, and which secrets earlier windows took.
#[derive(Debug, Default)]
struct StreamPosition {
    /// Lines before the window.
    lines_before: u32,
    /// Characters of the window's first line before the window (it may start mid-line).
    columns_before: u32,
    /// In window bytes: earlier windows reported secrets up to here; a match starting before
    /// is the tail of one of them.
    reported_until: usize,
    /// Secrets reported by this window, up to here.
    reporting_until: usize,
}

impl StreamPosition {
    /// Whether this window reports a match: it starts before the kept tail and is not the
    /// tail of a secret an earlier window reported.
    fn takes(&mut self, start: usize, secret: &Range<usize>, keep_from: usize) -> bool {
        if start >= keep_from || secret.start < self.reported_until {
            return false;
        }
        self.reporting_until = self.reporting_until.max(secret.end);
        true
    }

    /// A window's line and column as lines and columns of the stream.
    fn place(&self, line: u32, column: u32) -> (u32, u32) {
        let column = if line == 1 {
            column + self.columns_before
        } else {
            column
        };
        (line + self.lines_before, column)
    }

    /// Moves past `dropped`, the bytes before the kept tail.
    fn advance(&mut self, dropped: &[u8], examined: &mut u64) {
        *examined += dropped.len() as u64;
        match memchr::memrchr(b'\n', dropped) {
            Some(last) => {
                self.lines_before += memchr::memchr_iter(b'\n', dropped).count() as u32;
                self.columns_before = position::characters(&dropped[last + 1..]);
            }
            None => self.columns_before += position::characters(dropped),
        }
        self.reported_until = self.reporting_until.saturating_sub(dropped.len());
        self.reporting_until = self.reported_until;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_across_chunk_boundaries_are_found_once_with_their_lines() {
        let mut set = launchgate_detect::RuleSet::default();
        set.add_source(
            "engine.yaml",
            include_str!("../../launchgate-detect/tests/fixtures/rules/engine.yaml"),
        );
        let engine = Engine::new(set, &launchgate_detect::EngineConfig::default()).unwrap();
        let filler = "0123456789 filler line of a build log\n";
        let mut log = String::new();
        while log.len() + 40 < CHUNK {
            log.push_str(filler);
        }
        let lines_before = log.matches('\n').count() as u32;
        // A key block that starts in the first chunk and ends in the second.
        log.push_str("-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\nQw3XK5sOlF7Gv2Hs8RtYzPc1\n-----END TEST KEY-----\n");
        for _ in 0..(2 * CHUNK / filler.len()) {
            log.push_str(filler);
        }
        let token_line = log.matches('\n').count() as u32 + 1;
        log.push_str("x tok_Q7wE9rT2yU4iO6pA8sD1\n");

        let known = KnownValues::new(Vec::new()).unwrap();
        let mut collector = FindingCollector::new(&engine, None, crate::report::Origin::Log);
        let read = scan_log(&engine, &known, "ci.log", &mut log.as_bytes(), &mut collector).unwrap();
        assert_eq!(read, log.len() as u64);
        let (report, _) = collector.finish();
        let found: Vec<(&str, Option<u32>, Option<u32>)> = report
            .findings
            .iter()
            .map(|f| {
                let l = f.location.as_ref().unwrap();
                (f.rule_id.as_str(), l.line, l.column)
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("test.pem", Some(lines_before + 2), Some(1)),
                ("test.token", Some(token_line), Some(3)),
            ]
        );
    }

    fn fixture_engine() -> Engine {
        let mut set = launchgate_detect::RuleSet::default();
        set.add_source(
            "engine.yaml",
            include_str!("../../launchgate-detect/tests/fixtures/rules/engine.yaml"),
        );
        Engine::new(set, &launchgate_detect::EngineConfig::default()).unwrap()
    }

    /// (rule, line, column, end column) of every finding of a log.
    fn scan_text(
        engine: &Engine,
        known: &KnownValues,
        log: &[u8],
        examined: &mut u64,
    ) -> Vec<(String, u32, u32, u32)> {
        let mut collector = FindingCollector::new(engine, None, crate::report::Origin::Log);
        let read =
            scan_log_counting(engine, known, "ci.log", &mut &log[..], &mut collector, examined).unwrap();
        assert_eq!(read, log.len() as u64);
        let (report, _) = collector.finish();
        report
            .findings
            .iter()
            .map(|f| {
                let l = f.location.as_ref().unwrap();
                (
                    f.rule_id.clone(),
                    l.line.unwrap(),
                    l.column.unwrap(),
                    l.end_column.unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn a_secret_across_the_cut_of_a_long_line_is_found_whole_once() {
        let engine = fixture_engine();
        let value = "Vq3ZtR8mWx2LpN7bKc";
        let known = KnownValues::new(vec![("DEPLOY_TOKEN".into(), Secret::new(value))]).unwrap();
        let token = "tok_Q7wE9rT2yU4iO6pA8sD1"; // launchgate:allow
        // One line longer than a chunk: the token straddles the first cut, the known value
        // the second; the filler before each has no separator to cut at.
        let mut log = String::from("first line\n");
        let line_start = log.len();
        log.push_str(&"x".repeat(CHUNK - log.len() - 10));
        log.push(' ');
        let token_column = (log.len() - line_start + 1) as u32;
        log.push_str(token);
        log.push(' ');
        log.push_str(&"y".repeat(2 * CHUNK - log.len() - 5));
        log.push(':');
        let value_column = (log.len() - line_start + 1) as u32;
        log.push_str(value);
        log.push_str(" end\n");
        let found = scan_text(&engine, &known, log.as_bytes(), &mut 0);
        assert_eq!(
            found,
            vec![
                (
                    "test.token".into(),
                    2,
                    token_column,
                    token_column + token.len() as u32
                ),
                (
                    KNOWN_VALUE_RULE.into(),
                    2,
                    value_column,
                    value_column + value.len() as u32
                ),
            ]
        );
    }

    #[test]
    fn placing_findings_in_a_long_log_line_reads_it_a_bounded_number_of_times() {
        let engine = fixture_engine();
        let value = "Vq3ZtR8mWx2LpN7bKc";
        let known = KnownValues::new(vec![("DEPLOY_TOKEN".into(), Secret::new(value))]).unwrap();
        // 1.2 MB, one line, 10,000 findings of two values (each fingerprinted once).
        let mut line = String::new();
        for _ in 0..5_000 {
            line.push_str("tok_Q7wE9rT2yU4iO6pA8sD1 ");
            line.push_str(&"-".repeat(100));
            line.push_str(value);
            line.push(' ');
            line.push_str(&"-".repeat(100));
        }
        line.push('\n');
        let mut examined = 0;
        let found = scan_text(&engine, &known, line.as_bytes(), &mut examined);
        assert!(found.len() > 9_990, "{}", found.len());
        assert!(
            examined <= 8 * line.len() as u64,
            "{examined} bytes examined for a {}-byte line",
            line.len()
        );
    }
}
