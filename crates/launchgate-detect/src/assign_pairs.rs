//! Settings written as a pair of fields or inside another string: a name/value item
//! (`- name: DB_PASSWORD` then `value: …`), JSON with escaped quotes inside a string, and a
//! string quoted twice (`"\"…\""`).

use std::ops::Range;

use super::{MAX_KEY, MAX_VALUE, is_blank, is_key_byte, is_quote, skip_blanks, value_at};

/// Fields whose value names a setting (`- name: DB_PASSWORD`), lowercase.
const NAMING_FIELDS: [&[u8]; 4] = [b"name", b"key", b"parameterkey", b"parametername"];
/// Fields of the same item that hold the named setting's value, lowercase.
const VALUE_FIELDS: [&[u8]; 3] = [b"value", b"parametervalue", b"default"];
/// How far after a named key its value field is looked for: the item's next few lines.
const MAX_NAMED_VALUE_GAP: usize = 256;
const MAX_NAMED_VALUE_LINES: usize = 4;

/// Where the item continues when `key` is the value of a naming field (`name: KEY`,
/// `"Name": "KEY"`, `"ParameterKey": "KEY"`, Terraform's `variable "KEY"`): the byte after
/// the key and its closing quote.
pub(super) fn named_by_field(bytes: &[u8], key: &Range<usize>) -> Option<usize> {
    let floor = key.start.saturating_sub(MAX_KEY);
    let mut p = key.start;
    let quote = (p > floor && is_quote(bytes[p - 1])).then(|| bytes[p - 1]);
    if quote.is_some() {
        p -= 1;
    }
    while p > floor && is_blank(bytes[p - 1]) {
        p -= 1;
    }
    let operator = p > floor && matches!(bytes[p - 1], b':' | b'=');
    if operator {
        p -= 1;
        while p > floor && is_blank(bytes[p - 1]) {
            p -= 1;
        }
        if p > floor && is_quote(bytes[p - 1]) {
            p -= 1;
        }
    }
    let field_end = p;
    while p > floor && bytes[p - 1].is_ascii_alphabetic() {
        p -= 1;
    }
    let field = bytes[p..field_end].to_ascii_lowercase();
    if p > floor && (bytes[p - 1].is_ascii_alphanumeric() || bytes[p - 1] == b'_') {
        return None;
    }
    let names = if operator {
        NAMING_FIELDS.contains(&field.as_slice())
    } else {
        // HCL: `variable "db_password" {`.
        quote == Some(b'"') && field == b"variable"
    };
    if !names {
        return None;
    }
    match quote {
        Some(q) => (bytes.get(key.end) == Some(&q)).then_some(key.end + 1),
        None => Some(key.end),
    }
}

/// The literal of the value field (`value`, `ParameterValue`, `default`) that follows a
/// named key in the same item, within a few lines. Another naming field, the item's end
/// (`}` of its object or block) or a new list item (`- `) first means the item has none.
pub(super) fn named_value(bytes: &[u8], from: usize) -> Option<Range<usize>> {
    let end = (from + MAX_NAMED_VALUE_GAP).min(bytes.len());
    let mut depth = 0i32;
    let mut lines = 0;
    let mut i = from;
    while i < end {
        let b = bytes[i];
        match b {
            b'\n' => {
                lines += 1;
                if lines > MAX_NAMED_VALUE_LINES {
                    return None;
                }
                let indent = skip_blanks(bytes, i + 1, end);
                if bytes.get(indent) == Some(&b'-') && bytes.get(indent + 1).is_some_and(|b| is_blank(*b)) {
                    return None;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ if b.is_ascii_alphabetic() && !is_key_byte(bytes[i - 1]) => {
                let mut j = i;
                while j < end && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let field = bytes[i..j].to_ascii_lowercase();
                let mut k = j;
                if bytes.get(k).is_some_and(|b| is_quote(*b)) {
                    k += 1;
                }
                k = skip_blanks(bytes, k, end);
                let assigns = matches!(bytes.get(k), Some(b':' | b'=')) && bytes.get(k + 1) != Some(&b'=');
                if assigns && NAMING_FIELDS.contains(&field.as_slice()) {
                    return None;
                }
                if assigns && VALUE_FIELDS.contains(&field.as_slice()) {
                    let line_end = memchr::memchr(b'\n', &bytes[k..end]).map_or(end, |n| k + n);
                    let start = skip_blanks(bytes, k + 1, line_end);
                    return value_at(bytes, start, line_end, false, false).map(|(value, _)| value);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A value between escaped quotes (`\"…\"`) starting at `open`, ending on its line.
pub(super) fn escaped_string(bytes: &[u8], open: usize, line_end: usize) -> Option<Range<usize>> {
    if bytes.get(open) != Some(&b'\\') || !bytes.get(open + 1).is_some_and(|b| is_quote(*b)) {
        return None;
    }
    let quote = bytes[open + 1];
    let start = open + 2;
    let mut j = start;
    while j + 1 < line_end && !(bytes[j] == b'\\' && bytes[j + 1] == quote) {
        j += 1;
    }
    (j + 1 < line_end && j > start && j - start <= MAX_VALUE).then_some(start..j)
}

/// The text inside a second pair of quotes that fill a quoted value: `\"…\"` or `"…"`.
pub(super) fn inner_quoted(bytes: &[u8], value: &Range<usize>) -> Option<Range<usize>> {
    let text = &bytes[value.clone()];
    let escaped = text.len() > 4 && text.starts_with(b"\\\"") && text.ends_with(b"\\\"");
    let plain = text.len() > 2 && text[0] == b'"' && text[text.len() - 1] == b'"';
    if escaped {
        Some(value.start + 2..value.end - 2)
    } else if plain {
        Some(value.start + 1..value.end - 1)
    } else {
        None
    }
}
