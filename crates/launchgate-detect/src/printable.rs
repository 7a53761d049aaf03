//! The printable text of binary input, as `strings` finds it.
//!
//! A NUL byte does not make a file safe to skip: a key in a SQLite database, a compiled
//! binary, a UTF-16 resource file or a text file with one stray NUL is still a key. Binary
//! input is scanned through its runs of printable ASCII, and of printable ASCII in UTF-16LE,
//! each made one line of a text view whose offsets map back to the input.

use std::ops::Range;

/// How many leading bytes decide whether input is binary.
const BINARY_PROBE: usize = 8 * 1024;

/// The shortest run kept: shorter ones are mostly noise, and no credential is that short.
pub const MIN_RUN: usize = 8;

/// Whether bytes look binary: a NUL in the first 8 KiB.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some()
}

/// A byte a printable run holds: printable ASCII and the whitespace of text (line breaks
/// included, so a PEM block stays one run).
fn printable(b: u8) -> bool {
    matches!(b, 0x20..=0x7e | b'\t' | b'\n' | b'\r')
}

/// One run: where its text starts in the view and in the input, and whether it was UTF-16LE
/// (two input bytes per text byte).
#[derive(Debug, Clone, Copy)]
struct Run {
    text_start: usize,
    input_start: usize,
    wide: bool,
}

/// The runs of one input, joined by line breaks.
#[derive(Debug, Default)]
pub struct PrintableRuns {
    pub text: Vec<u8>,
    runs: Vec<Run>,
}

impl PrintableRuns {
    /// Every run of at least [`MIN_RUN`] printable bytes, or of as many UTF-16LE code units
    /// of printable ASCII, in one pass.
    pub fn extract(bytes: &[u8]) -> PrintableRuns {
        let mut out = PrintableRuns::default();
        let mut i = 0;
        while i < bytes.len() {
            if !printable(bytes[i]) {
                i += 1;
                continue;
            }
            let wide = bytes[i..]
                .chunks_exact(2)
                .take_while(|unit| printable(unit[0]) && unit[1] == 0)
                .count();
            if wide >= MIN_RUN {
                out.push(i, true, bytes[i..i + 2 * wide].iter().step_by(2).copied());
                i += 2 * wide;
                continue;
            }
            let narrow = bytes[i..].iter().take_while(|b| printable(**b)).count();
            if narrow >= MIN_RUN {
                out.push(i, false, bytes[i..i + narrow].iter().copied());
            }
            i += narrow.max(1);
        }
        out
    }

    fn push(&mut self, input_start: usize, wide: bool, text: impl Iterator<Item = u8>) {
        self.runs.push(Run {
            text_start: self.text.len(),
            input_start,
            wide,
        });
        self.text.extend(text);
        self.text.push(b'\n');
    }

    /// The run a text offset is in (or the separator after it).
    fn run_at(&self, at: usize) -> Option<&Run> {
        let index = self.runs.partition_point(|r| r.text_start <= at);
        self.runs.get(index.checked_sub(1)?)
    }

    /// The input offset of a text offset.
    fn input_offset(&self, at: usize) -> usize {
        match self.run_at(at) {
            Some(run) if run.wide => run.input_start + 2 * (at - run.text_start),
            Some(run) => run.input_start + (at - run.text_start),
            None => at,
        }
    }

    /// The input bytes of a span of the text.
    pub fn input_range(&self, span: &Range<usize>) -> Range<usize> {
        let start = self.input_offset(span.start);
        if span.is_empty() {
            return start..start;
        }
        let last = span.end - 1;
        let width = if self.run_at(last).is_some_and(|r| r.wide) {
            2
        } else {
            1
        };
        start..self.input_offset(last) + width
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_and_wide_runs_map_back_to_their_bytes() {
        let mut bytes = b"\x00\x01short\x00".to_vec();
        let narrow_at = bytes.len();
        bytes.extend_from_slice(b"key=AKIAQ7WE9RT2YU4IO6PA\x00\xff");
        let wide_at = bytes.len();
        for b in b"token=Q7wE9rT2" {
            bytes.extend_from_slice(&[*b, 0]);
        }
        bytes.extend_from_slice(b"\x00\x00\x07");
        let runs = PrintableRuns::extract(&bytes);
        assert_eq!(runs.text, b"key=AKIAQ7WE9RT2YU4IO6PA\ntoken=Q7wE9rT2\n");
        // `AKIA…` in the view, back in the input.
        let at = 4..24;
        assert_eq!(runs.input_range(&at), narrow_at + 4..narrow_at + 24);
        let wide = 25 + 6..25 + 14;
        assert_eq!(runs.input_range(&wide), wide_at + 12..wide_at + 28);
        assert!(is_binary(&bytes));
        assert!(!is_binary(b"plain text"));
    }
}
