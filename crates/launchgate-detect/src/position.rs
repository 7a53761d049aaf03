//! Lines, columns and inline allow comments for many offsets of one input, in one pass.
//!
//! A minified bundle is one line of megabytes: looking up each match's column or its line's
//! allow comment from the line start would read the line once per match. Here every offset
//! is resolved in a single forward sweep, so the bytes read stay within a small multiple of
//! the input whatever the number of matches; the count is kept to prove it.

use std::ops::Range;

/// The comments that allow the secrets on their line (`gitleaks:allow` for teams moving over).
const ALLOW_MARKERS: [&[u8]; 2] = [b"launchgate:allow", b"gitleaks:allow"];

/// 1-based line and column (in characters) of a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Where a span starts and ends, and whether its line(s) carry an allow comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpanPosition {
    pub start: Position,
    pub end: Position,
    pub allowed: bool,
}

/// Resolves spans of `bytes`: `located[i]` are the positions of `located_spans[i]`, and
/// `allowed[i]` says whether the lines of `allow_spans[i]` (the whole match, which may start
/// before the secret) carry an allow comment. `examined` grows by the bytes read.
pub fn resolve(
    bytes: &[u8],
    spans: &[(Range<usize>, Range<usize>)],
    examined: &mut u64,
) -> Vec<SpanPosition> {
    if spans.is_empty() {
        return Vec::new();
    }
    let markers = allow_marker_offsets(bytes, examined);
    // Offsets to resolve: per span its located start and end, its whole start and end; then
    // every marker.
    let mut offsets: Vec<usize> = Vec::with_capacity(spans.len() * 4 + markers.len());
    for (located, whole) in spans {
        offsets.extend([located.start, located.end, whole.start, whole.end]);
    }
    offsets.extend(markers.iter().copied());
    let positions = sweep(bytes, &offsets, examined);
    let mut marker_lines: Vec<u32> = positions[spans.len() * 4..].iter().map(|p| p.line).collect();
    marker_lines.sort_unstable();
    positions[..spans.len() * 4]
        .chunks_exact(4)
        .map(|p| {
            let (first, last) = (p[2].line, p[3].line);
            let i = marker_lines.partition_point(|&l| l < first);
            SpanPosition {
                start: p[0],
                end: p[1],
                allowed: marker_lines.get(i).is_some_and(|&l| l <= last),
            }
        })
        .collect()
}

/// The offsets of every allow comment, in one pass over the input.
fn allow_marker_offsets(bytes: &[u8], examined: &mut u64) -> Vec<usize> {
    *examined += bytes.len() as u64;
    let mut found: Vec<usize> = memchr::memmem::find_iter(bytes, b":allow")
        .filter_map(|colon| {
            ALLOW_MARKERS.iter().find_map(|marker| {
                let start = colon.checked_sub(marker.len() - b":allow".len())?;
                bytes[start..].starts_with(marker).then_some(start)
            })
        })
        .collect();
    found.sort_unstable();
    found
}

/// The position of each offset (clamped to the input), reading the input once in order of
/// offset.
fn sweep(bytes: &[u8], offsets: &[usize], examined: &mut u64) -> Vec<Position> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![Position::default(); offsets.len()];
    let mut at = 0usize;
    let mut line = 1u32;
    let mut column = 1u32;
    for i in order {
        let target = offsets[i].min(bytes.len());
        let passed = &bytes[at..target];
        let mut last_newline = None;
        for nl in memchr::memchr_iter(b'\n', passed) {
            line += 1;
            last_newline = Some(nl);
        }
        let tail = &passed[last_newline.map_or(0, |nl| nl + 1)..];
        *examined += (passed.len() + tail.len()) as u64;
        column = match last_newline {
            Some(_) => 1 + characters(tail),
            None => column + characters(tail),
        };
        at = target;
        out[i] = Position { line, column };
    }
    out
}

/// Characters in bytes: the bytes that do not continue a UTF-8 sequence.
pub fn characters(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u32
}

/// 1-based line and column (in characters) of one byte offset.
pub fn line_column(bytes: &[u8], offset: usize) -> (u32, u32) {
    let p = sweep(bytes, &[offset], &mut 0)[0];
    (p.line, p.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines() {
        let text = "ab\né x\n\nlast".as_bytes();
        let spans = [(5..6, 5..6), (0..2, 0..2), (9..13, 9..13)];
        let got = resolve(text, &spans, &mut 0);
        assert_eq!(got[0].start, Position { line: 2, column: 2 });
        assert_eq!(got[0].end, Position { line: 2, column: 3 });
        assert_eq!(got[1].start, Position { line: 1, column: 1 });
        assert_eq!(got[2].start, Position { line: 4, column: 1 });
        assert_eq!(got[2].end, Position { line: 4, column: 5 });
        assert_eq!(line_column(text, 100), (4, 5));
    }

    #[test]
    fn allow_comments_count_on_every_line_of_the_whole_match() {
        let text = b"k = 1\nx launchgate:allow\nsecret\nnext gitleaks:allow\nnone\n";
        let line = |n: usize| {
            let start = text
                .split(|b| *b == b'\n')
                .take(n - 1)
                .map(|l| l.len() + 1)
                .sum::<usize>();
            start..start + 1
        };
        let spans = [
            (line(1), line(1)),
            (line(2), line(2)),
            (line(3), line(1).start..line(3).end),
            (line(3), line(3)),
            (line(4), line(4)),
            (line(5), line(5)),
        ];
        let allowed: Vec<bool> = resolve(text, &spans, &mut 0).iter().map(|p| p.allowed).collect();
        assert_eq!(allowed, vec![false, true, true, false, true, false]);
    }

    #[test]
    fn the_work_is_linear_in_the_input_whatever_the_number_of_spans() {
        let text = vec![b'a'; 1 << 20];
        let spans: Vec<_> = (0..text.len() / 64)
            .map(|i| (i * 64..i * 64 + 40, i * 64..i * 64 + 40))
            .collect();
        let mut examined = 0;
        resolve(&text, &spans, &mut examined);
        assert!(examined <= 3 * text.len() as u64, "{examined}");
    }
}
