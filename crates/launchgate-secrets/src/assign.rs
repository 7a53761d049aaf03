//! One assignment grammar for every setting-shaped rule: a key, an operator and a value, in
//! whatever syntax the file is written in.
//!
//! The key is an identifier (letters, digits, `_`, `.`, `-`) found around a keyword hit; what
//! follows it decides whether it is assigned a literal:
//!
//! | syntax | shape |
//! | --- | --- |
//! | shell, .env, `export`, Makefile, INI, TOML, HCL, properties, Python, Go, Java, C#, PHP, URL queries | `key = value`, `key := value`, `key ?= value`, `$key = 'value'` |
//! | YAML (block and flow), JSON, JavaScript objects, Ruby, properties | `key: value`, `"key": "value"` |
//! | PHP arrays, Ruby hashes, logstash | `'key' => 'value'`, `:key => 'value'` |
//! | Kotlin, TypeScript, Python annotations, Go `var` | `key: Type = "value"`, `var key string = "value"` |
//! | XML | `<key>value</key>`, `key="value"` |
//! | calls | `setKey("value")`, `.key("value")`, `put("key", "value")`, `define('KEY', 'value')` |
//! | Dockerfile | `ENV KEY=value`, `ENV KEY value`, `ARG KEY=value` |
//! | command lines | `--key=value`, `--key value` |
//!
//! Values are quoted (`"…"`, `'…'`, `` `…` ``, with backslash escapes and the `r`/`b`/`u`/`@`
//! prefixes) or bare (up to a blank or one of `,;)]}&<>`). A bare value followed by `(`, `[`
//! or `.` plus a letter is an expression, not a literal. Everything is bounded: a key of at
//! most [`MAX_KEY`] bytes, a value of at most [`MAX_VALUE`], on the key's own line (XML
//! elements and Dockerfile continuation lines included), so the work per keyword hit is
//! fixed whatever the input.

use std::ops::Range;

/// The longest key looked at, in bytes.
pub const MAX_KEY: usize = 128;
/// The longest value taken, in bytes; a longer one is not an assignment of a credential.
pub const MAX_VALUE: usize = 1024;

/// Bytes before a key that may hold a Dockerfile `ENV`/`ARG` instruction and its indent.
const MAX_INSTRUCTION: usize = 16;

/// A key assigned a literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The key as written, without quotes, `$`, `:` or leading dashes.
    pub key: Range<usize>,
    /// The value, without its quotes.
    pub value: Range<usize>,
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The identifier holding the bytes `hit`, without leading dashes or dots and trailing dots
/// or dashes; `None` when it is longer than [`MAX_KEY`].
pub fn key_around(bytes: &[u8], hit: Range<usize>) -> Option<Range<usize>> {
    let floor = hit.start.saturating_sub(MAX_KEY);
    let mut start = hit.start;
    while start > floor && is_key_byte(bytes[start - 1]) {
        start -= 1;
    }
    let ceiling = (hit.end + MAX_KEY).min(bytes.len());
    let mut end = hit.end;
    while end < ceiling && is_key_byte(bytes[end]) {
        end += 1;
    }
    if (start == floor && floor > 0 && is_key_byte(bytes[floor - 1]))
        || (end == ceiling && end < bytes.len() && is_key_byte(bytes[end]))
    {
        return None;
    }
    while start < end && matches!(bytes[start], b'-' | b'.') {
        start += 1;
    }
    while end > start && matches!(bytes[end - 1], b'-' | b'.') {
        end -= 1;
    }
    (start < end && end - start <= MAX_KEY).then_some(start..end)
}

/// Every key in `range` that is assigned a literal, in order.
pub fn assignments_in(bytes: &[u8], range: Range<usize>) -> Vec<Assignment> {
    let mut found = Vec::new();
    let mut at = range.start;
    while at < range.end {
        if !is_key_byte(bytes[at]) || (at > 0 && is_key_byte(bytes[at - 1])) {
            at += 1;
            continue;
        }
        let mut end = at;
        while end < bytes.len() && is_key_byte(bytes[end]) && end - at <= MAX_KEY {
            end += 1;
        }
        if let Some(key) = key_around(bytes, at..end)
            && let Some(assignment) = parse(bytes, key)
        {
            at = assignment.value.end.max(end);
            found.push(assignment);
            continue;
        }
        at = end.max(at + 1);
    }
    found
}

/// The assignment whose key is `key`, if the key is assigned a literal.
pub fn parse(bytes: &[u8], key: Range<usize>) -> Option<Assignment> {
    // Both searches are bounded, so a hit on a line of megabytes costs what it costs on a
    // short one: the line's start only matters for a Dockerfile instruction just before the
    // key, its end only up to the longest value.
    let floor = key.start.saturating_sub(MAX_INSTRUCTION);
    let line_start = memchr::memrchr(b'\n', &bytes[floor..key.start]).map_or(floor, |n| floor + n + 1);
    let ceiling = (key.end + MAX_VALUE + 64).min(bytes.len());
    let line_end = memchr::memchr(b'\n', &bytes[key.end..ceiling]).map_or(ceiling, |n| key.end + n);
    let before = key.start.checked_sub(1).map(|i| bytes[i]);
    let dashed = key.start >= 1 && bytes[key.start - 1] == b'-';
    let mut i = key.end;

    if before == Some(b'<') && bytes.get(i) == Some(&b'>') {
        return xml_element(bytes, key, line_end);
    }
    let quoted_key = before.filter(|b| is_quote(*b));
    if let Some(q) = quoted_key {
        if bytes.get(i) != Some(&q) {
            return None;
        }
        i += 1;
        // An index assignment: `ENV['KEY'] = …`, `os.environ["KEY"] = …`, `$cfg['key'] = …`.
        if key.start >= 2 && bytes[key.start - 2] == b'[' && bytes.get(i) == Some(&b']') {
            i += 1;
        }
    }
    i = skip_blanks(bytes, i, line_end);
    let (operator, needs_quote, closing) = match operator_at(bytes, i, line_end, quoted_key.is_some()) {
        Some(op) => op,
        None => {
            // `ENV KEY value`, `--key value`: a blank is the operator.
            let spaced = i > key.end && (dashed || dockerfile_instruction(&bytes[line_start..key.start]));
            if !spaced {
                return None;
            }
            (0, false, None)
        }
    };
    i = skip_blanks(bytes, i + operator, line_end);
    let value = value_at(bytes, i, line_end, needs_quote)?;
    if let Some(close) = closing {
        let after = skip_blanks(bytes, value.1, line_end);
        if !close.contains(&bytes.get(after).copied().unwrap_or(b'\n')) {
            return None;
        }
    }
    Some(Assignment { key, value: value.0 })
}

/// An operator's length, whether its value must be quoted, and the bytes one of which must
/// follow the value (a call's closing parenthesis).
type Operator = (usize, bool, Option<&'static [u8]>);

fn skip_blanks(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_blank(bytes[i]) {
        i += 1;
    }
    i
}

/// The operator at `i`, if any.
fn operator_at(bytes: &[u8], i: usize, end: usize, quoted_key: bool) -> Option<Operator> {
    let rest = &bytes[i..end];
    let first = *rest.first()?;
    let next = rest.get(1).copied();
    match first {
        b':' if rest.starts_with(b"::=") => Some((3, false, None)),
        b':' if next == Some(b'=') => Some((2, false, None)),
        b':' if next == Some(b':') => None,
        b':' => Some(annotated(bytes, i, i + 1, end).unwrap_or((1, false, None))),
        b'?' | b'+' if next == Some(b'=') => Some((2, false, None)),
        b'|' if rest.starts_with(b"||=") => Some((3, false, None)),
        b'=' if next == Some(b'>') => Some((2, false, None)),
        b'=' if matches!(next, Some(b'=' | b'~')) => None,
        b'=' => Some((1, false, None)),
        b'(' => Some((1, true, Some(b")" as &[u8]))),
        b',' if quoted_key => Some((1, true, Some(b")}]" as &[u8]))),
        _ if first.is_ascii_alphabetic() => annotated(bytes, i, i, end),
        _ => None,
    }
}

/// `: Type =` or ` Type =` after a key (Kotlin, TypeScript, Python, Go `var`): the operator
/// from `op_start` to just past the `=`, with the type searched from `type_from`.
fn annotated(bytes: &[u8], op_start: usize, type_from: usize, end: usize) -> Option<Operator> {
    let type_start = skip_blanks(bytes, type_from, end);
    let mut i = type_start;
    while i < end
        && (bytes[i].is_ascii_alphanumeric()
            || matches!(bytes[i], b'_' | b'.' | b'?' | b'<' | b'>' | b'[' | b']'))
    {
        i += 1;
    }
    if i == type_start || i - type_start > 40 {
        return None;
    }
    // A blank before the `=`: `key: dGVzdA=` is a YAML value with base64 padding, not a type.
    let j = skip_blanks(bytes, i, end);
    let assigns =
        j > i && bytes.get(j) == Some(&b'=') && !matches!(bytes.get(j + 1), Some(b'=' | b'>' | b'~'));
    assigns.then_some((j + 1 - op_start, false, None))
}

/// A value starting at `i`: its range without quotes and where the literal ends.
fn value_at(bytes: &[u8], i: usize, end: usize, needs_quote: bool) -> Option<(Range<usize>, usize)> {
    let mut i = i;
    // String prefixes: r"…", b'…', u"…", C#'s @"…"; an f-string is a template.
    if i + 1 < end
        && is_quote(bytes[i + 1])
        && matches!(bytes[i], b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'@')
    {
        i += 1;
    }
    let first = *bytes.get(i).filter(|_| i < end)?;
    if is_quote(first) {
        let start = i + 1;
        let mut j = start;
        while j < end && bytes[j] != first {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        if j >= end || j == start || j - start > MAX_VALUE {
            return None;
        }
        return Some((start..j, j + 1));
    }
    if needs_quote
        || matches!(
            first,
            b'{' | b'[' | b'(' | b'|' | b'>' | b'&' | b'*' | b'!' | b'#'
        )
    {
        return None;
    }
    let mut j = i;
    while j < end
        && !bytes[j].is_ascii_whitespace()
        && !matches!(
            bytes[j],
            b'"' | b'\'' | b'`' | b',' | b';' | b')' | b']' | b'}' | b'&' | b'<' | b'>' | b'(' | b'['
        )
    {
        j += 1;
    }
    if j == i || j - i > MAX_VALUE {
        return None;
    }
    // `getSecret()`, `keys[0]`, `f"{x}"`: an expression or a template, not a literal.
    if matches!(bytes.get(j), Some(b'(' | b'[' | b'"' | b'\'' | b'`')) {
        return None;
    }
    let value_end = if bytes[j - 1] == b'\r' { j - 1 } else { j };
    (value_end > i).then_some((i..value_end, j))
}

/// `<key>value</key>`: the text between the tags, on one line.
fn xml_element(bytes: &[u8], key: Range<usize>, line_end: usize) -> Option<Assignment> {
    let start = key.end + 1;
    let close = memchr::memchr(b'<', &bytes[start..line_end])? + start;
    let closing = bytes.get(close + 1..close + 2 + key.len())?;
    if closing[0] != b'/' || closing[1..] != bytes[key.clone()] {
        return None;
    }
    let mut value = start..close;
    while value.start < value.end && bytes[value.start].is_ascii_whitespace() {
        value.start += 1;
    }
    while value.end > value.start && bytes[value.end - 1].is_ascii_whitespace() {
        value.end -= 1;
    }
    (!value.is_empty() && value.len() <= MAX_VALUE).then_some(Assignment { key, value })
}

/// Whether a line up to a key is a Dockerfile `ENV` or `ARG` instruction.
fn dockerfile_instruction(prefix: &[u8]) -> bool {
    let trimmed = prefix.trim_ascii();
    trimmed.eq_ignore_ascii_case(b"ENV") || trimmed.eq_ignore_ascii_case(b"ARG")
}

#[cfg(test)]
#[path = "assign_tests.rs"]
mod tests;
