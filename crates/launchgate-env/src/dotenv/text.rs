//! Pieces of a value: trailing comments, escapes, `${VAR}` substitutions.

/// Splits an unquoted value from a trailing comment: `#` starts one after whitespace.
pub(super) fn split_comment(rest: &str) -> (&str, Option<usize>) {
    let bytes = rest.as_bytes();
    let mut from = 0;
    while let Some(j) = memchr::memchr(b'#', &bytes[from..]) {
        let at = from + j;
        if at == 0 || matches!(bytes[at - 1], b' ' | b'\t') {
            return (&rest[..at], Some(at));
        }
        from = at + 1;
    }
    (rest, None)
}

pub(super) fn unescape(inner: &str) -> String {
    if !inner.contains('\\') {
        return inner.to_string();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other @ ('"' | '\\' | '$')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A key as messages show it: in full when it is shaped like a variable name and no secrets
/// rule recognises it, else redacted (so a 10 MB line does not become a 10 MB message either).
pub fn key_for_display(s: &str) -> String {
    // Text before `=`, or a line without one, is only a key when it looks like one; a pasted
    // token or password (`hunter2hunter2`, `Tr0ub4dor`) lands here too, so anything else is
    // shown redacted, like any value that may be a secret.
    let is_identifier = !s.is_empty()
        && s.chars().count() <= 60
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if is_identifier && s.split(['_', '.', '-']).all(is_word) && crate::secret_values::recognise(s).is_none()
    {
        s.to_string()
    } else {
        launchgate_core::secret::redact(s)
    }
}

/// A part of a variable name: letters then digits (`API`, `V2`, `S3`, `2`), never letters and
/// digits mixed the way passwords are (`hunter2hunter2`, `p4ss`).
fn is_word(part: &str) -> bool {
    let letters = part.bytes().take_while(u8::is_ascii_alphabetic).count();
    part[letters..].bytes().all(|b| b.is_ascii_digit())
}

/// `${NAME}`, `${NAME:-default}` and `$NAME` are fine; `${NAME`, `$NAME}` and `${NAME!}`
/// are not. Returns the byte offset of each bad `$` and why it is bad.
pub(super) fn substitution_errors(value: &str) -> Vec<(usize, &'static str)> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let name_len = |from: usize| {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
    };
    while let Some(j) = memchr::memchr(b'$', &bytes[i..]) {
        let at = i + j;
        i = at + 1;
        if at > 0 && bytes[at - 1] == b'\\' {
            continue;
        }
        if bytes.get(at + 1) == Some(&b'{') {
            let len = name_len(at + 2);
            let after = at + 2 + len;
            match bytes.get(after) {
                _ if len == 0 => out.push((at, "`${` is not followed by a name")),
                Some(b'}') => i = after + 1,
                Some(b':' | b'-' | b'?' | b'+' | b'=') => match memchr::memchr(b'}', &bytes[after..]) {
                    Some(k) => i = after + k + 1,
                    None => out.push((at, "`${` is never closed with `}`")),
                },
                None => out.push((at, "`${` is never closed with `}`")),
                Some(_) => out.push((at, "only letters, digits and `_` may follow `${`")),
            }
        } else {
            let len = name_len(at + 1);
            if len > 0 && bytes.get(at + 1 + len) == Some(&b'}') {
                out.push((at, "`}` without `${`"));
            }
            i = at + 1 + len;
        }
    }
    out
}

/// A `${NAME}` whose value would make the expanded text longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong {
    /// The name whose value (or default) crossed the limit.
    pub reference: String,
}

/// Expands `${NAME}`, `${NAME:-default}`, `${NAME-default}` and `$NAME` with `lookup`, as
/// dotenv-expand does; an unknown name becomes the default or the empty string.
///
/// The result may grow to `max_len` bytes, or to the length of `value` when that is
/// longer: a file of `B=${A}${A}`, `C=${B}${B}` … doubles at every line, so an unbounded
/// expansion of a few hundred bytes would fill memory.
pub fn expand<'v>(
    value: &str,
    max_len: usize,
    lookup: impl FnMut(&str) -> Option<&'v str>,
) -> Result<String, TooLong> {
    let expanded = expand_within(value, max_len, lookup);
    crate::columns::work::add_expanded(value.len() + expanded.as_ref().map_or(0, String::len));
    expanded
}

fn expand_within<'v>(
    value: &str,
    max_len: usize,
    mut lookup: impl FnMut(&str) -> Option<&'v str>,
) -> Result<String, TooLong> {
    if !value.contains('$') {
        return Ok(value.to_string());
    }
    let limit = max_len.max(value.len());
    let bytes = value.as_bytes();
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while let Some(j) = memchr::memchr(b'$', &bytes[i..]) {
        let at = i + j;
        out.push_str(&value[i..at]);
        let braced = bytes.get(at + 1) == Some(&b'{');
        let start = at + 1 + usize::from(braced);
        let len = bytes[start..].iter().take_while(|b| is_name(b)).count();
        if len == 0 {
            out.push('$');
            i = at + 1;
            continue;
        }
        let name = &value[start..start + len];
        let mut end = start + len;
        let mut default = None;
        if braced {
            let Some(close) = memchr::memchr(b'}', &bytes[end..]).map(|k| end + k) else {
                out.push_str(&value[at..]);
                return Ok(out);
            };
            let modifier = &value[end..close];
            default = modifier.strip_prefix(":-").or_else(|| modifier.strip_prefix('-'));
            end = close + 1;
        }
        let piece = match lookup(name).filter(|v| !v.is_empty()) {
            Some(v) => v,
            None => default.unwrap_or(""),
        };
        if out.len() + piece.len() + (value.len() - end) > limit {
            return Err(TooLong {
                reference: name.to_string(),
            });
        }
        out.push_str(piece);
        i = end;
    }
    out.push_str(&value[i..]);
    Ok(out)
}
