//! One assignment grammar for every setting-shaped rule: a key, an operator and a value, in
//! whatever syntax the file is written in.
//!
//! The key is an identifier (letters, digits, `_`, `.`, `-`) found around a keyword hit; what
//! follows it decides whether it is assigned a literal:
//!
//! | syntax | shape |
//! | --- | --- |
//! | shell, .env, `export`, Makefile, INI, TOML, HCL, properties, Python, Go, Java, C#, PHP, URL queries | `key = value`, `key := value`, `key ::= value`, `key :::= value`, `key ?= value`, `$key = 'value'`, `$key .= 'value'`, `$key ??= 'value'` |
//! | YAML (block and flow), JSON, JavaScript objects, Ruby, properties | `key: value`, `"key": "value"` |
//! | PHP arrays, Ruby hashes, logstash | `'key' => 'value'`, `:key => 'value'` |
//! | Kotlin, TypeScript, Python annotations, Go `var` | `key: Type = "value"`, `var key string = "value"` |
//! | XML | `<key>value</key>` (the text may sit alone on the next line), `key="value"`, `<add key="Key" value="value"/>`, `<entry key="key">value</entry>` |
//! | calls | `setKey("value")`, `.key("value")`, `put("key", "value")`, `define('KEY', 'value')` |
//! | Dockerfile | `ENV KEY=value`, `ENV KEY value`, `ARG KEY=value` |
//! | command lines | `--key=value`, `--key value` |
//! | directives (.netrc, Gradle, redis.conf) | a line holding only `key value`, or up to three words before it: `shop access token value` |
//! | keys written as words (YAML, INI, notes) | `Fastly API token: value`, `shop key = value`, read whole when the last word alone names no credential a rule knows |
//! | name/value pairs (Kubernetes and Compose env lists, ECS task definitions, CloudFormation parameters, Terraform variables) | `- name: KEY` then `value: value`, `{"name": "KEY", "value": "value"}`, `"ParameterKey": "Key", "ParameterValue": "value"`, `variable "key" { default = "value" }` |
//! | JSON inside a string | `\"key\":\"value\"` |
//!
//! Values are quoted (`"…"`, `'…'`, `` `…` ``, with backslash escapes and the `r`/`b`/`u`/`@`
//! prefixes) or bare: up to a blank, one of `,;)]}&<>`, or an escape such as `\n` that shows
//! the assignment is itself inside a string (`{"app.ini": "KEY=value\nDEBUG=0"}`). A bare
//! value followed by `(`, `[`, `<` or `.` plus a letter is an expression, and one that is a
//! path, a suffixed number or a snake-case identifier is code; neither is a literal.
//! Everything is bounded: a key of at most [`MAX_KEY`] bytes, a value of at most
//! [`MAX_VALUE`], on the key's own line (XML elements and Dockerfile continuation lines
//! included), so the work per keyword hit is fixed whatever the input.

use std::ops::Range;

/// The longest key looked at, in bytes.
pub const MAX_KEY: usize = 128;
/// The longest value taken, in bytes; a longer one is not an assignment of a credential.
pub const MAX_VALUE: usize = 1024;

/// Bytes before a key that may hold a Dockerfile `ENV`/`ARG` instruction and its indent.
const MAX_INSTRUCTION: usize = 16;

/// Type suffixes of Rust number literals (`-1073741089i32`).
const NUMBER_SUFFIXES: [&[u8]; 14] = [
    b"i8", b"i16", b"i32", b"i64", b"i128", b"isize", b"u8", b"u16", b"u32", b"u64", b"u128", b"usize",
    b"f32", b"f64",
];

/// Bytes before a key that may hold its indent and the words leading up to it.
const MAX_DIRECTIVE_PREFIX: usize = 48;
/// Words that may lead up to a key on its line (`shop password …`, `Fastly API token: …`).
const MAX_LEADING_WORDS: usize = 3;
/// Words that start a declaration or a sentence rather than name a setting: a phrase
/// holding one is no key (`export TOKEN=…`, `String password = …`, `the key is …`).
const NOT_KEY_WORDS: &[&str] = &[
    "export",
    "set",
    "setx",
    "declare",
    "local",
    "readonly",
    "env",
    "arg",
    "var",
    "let",
    "const",
    "val",
    "def",
    "my",
    "our",
    "public",
    "private",
    "protected",
    "internal",
    "static",
    "final",
    "string",
    "str",
    "int",
    "char",
    "byte",
    "bool",
    "auto",
    "new",
    "return",
    "if",
    "elif",
    "else",
    "when",
    "and",
    "or",
    "not",
    "the",
    "a",
    "an",
    "is",
    "are",
    "your",
    "this",
    "that",
    "with",
    "for",
    "to",
    "of",
    "in",
    "on",
    "by",
    "use",
    "using",
    "enter",
    "get",
];

/// A key assigned a literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The key as written, without quotes, `$`, `:` or leading dashes.
    pub key: Range<usize>,
    /// The value, without its quotes.
    pub value: Range<usize>,
}

/// Whether `b` may be part of a key: letters, digits, `_`, `.` and `-`.
pub fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

pub(crate) fn is_quote(b: u8) -> bool {
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
    // A JVM system property on a command line, `-Dsonar.login=…`: the key is what follows `-D`.
    let single_dash = start >= 1 && bytes[start - 1] == b'-' && (start < 2 || bytes[start - 2] != b'-');
    if single_dash && end - start > 2 && bytes[start] == b'D' && bytes[start + 1].is_ascii_lowercase() {
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
    if let Some(after_name) = named_by_field(bytes, &key)
        && let Some(value) = named_value(bytes, after_name)
    {
        return Some(Assignment { key, value });
    }
    // JSON written inside a string literal: `"{\"apiKey\":\"…\"}"`.
    if before == Some(b'"')
        && key.start >= 2
        && bytes[key.start - 2] == b'\\'
        && bytes[i..].starts_with(b"\\\"")
    {
        let op = skip_blanks(bytes, i + 2, line_end);
        if bytes.get(op) != Some(&b':') {
            return None;
        }
        let open = skip_blanks(bytes, op + 1, line_end);
        return escaped_string(bytes, open, line_end).map(|value| Assignment { key, value });
    }
    // A quote before the key that does not close after it opens a string the assignment is
    // written in (`"KEY=value\n…"`), so the key is read as unquoted.
    let quoted_key = before.filter(|b| is_quote(*b) && bytes.get(i) == Some(b));
    if quoted_key.is_some() {
        if let Some(value) = xml_named_value(bytes, key.clone(), i + 1, line_end) {
            return Some(Assignment { key, value });
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
                return directive(bytes, key, i, line_end);
            }
            (0, false, None)
        }
    };
    i = skip_blanks(bytes, i + operator, line_end);
    // A URL's query parameter (`?api_key=…`, `&token=…`) may sit in a string literal whose
    // closing quote ends its value.
    let in_query = before.is_some_and(|b| matches!(b, b'?' | b'&'));
    // A key inside a string that is still open (`"Password:"`): the quote after the
    // operator closes that string, and no value follows.
    if before.is_some_and(is_quote) && quoted_key.is_none() && bytes.get(i) == before.as_ref() {
        return None;
    }
    let (mut value, value_end) = value_at(bytes, i, line_end, needs_quote, in_query)?;
    // A string literal quoted once more, as Android's `buildConfigField "String", "API_KEY",
    // "\"…\""` writes a Java string: the setting is what the inner quotes hold, and a Groovy
    // call without parentheses may end with the line.
    let inner = inner_quoted(bytes, &value);
    if let Some(unwrapped) = inner.clone() {
        value = unwrapped;
    }
    if let Some(close) = closing {
        let after = skip_blanks(bytes, value_end, line_end);
        let next = bytes.get(after).copied().filter(|_| after < line_end);
        let closed = match next {
            Some(b) => close.contains(&b),
            None => inner.is_some(),
        };
        if !closed {
            return None;
        }
    }
    Some(Assignment { key, value })
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
        b':' if rest.starts_with(b":::=") => Some((4, false, None)),
        b':' if rest.starts_with(b"::=") => Some((3, false, None)),
        b':' if next == Some(b'=') => Some((2, false, None)),
        b':' if next == Some(b':') => None,
        b':' => Some(annotated(bytes, i, i + 1, end).unwrap_or((1, false, None))),
        b'?' | b'+' if next == Some(b'=') => Some((2, false, None)),
        b'|' if rest.starts_with(b"||=") => Some((3, false, None)),
        b'?' if rest.starts_with(b"??=") => Some((3, false, None)),
        // PHP's string append, `$key .= 'value'`.
        b'.' if next == Some(b'=') => Some((2, false, None)),
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
fn value_at(
    bytes: &[u8],
    i: usize,
    end: usize,
    needs_quote: bool,
    in_query: bool,
) -> Option<(Range<usize>, usize)> {
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
        && !is_string_escape(bytes, j)
    {
        j += 1;
    }
    if j == i || j - i > MAX_VALUE {
        return None;
    }
    // `getSecret()`, `keys[0]`, `f"{x}"`, `Seed<'_>`: an expression or a template, not a literal;
    // but a query parameter's value ends at the quote closing the URL's string.
    let closes_string = in_query && j - i > 3;
    if matches!(bytes.get(j), Some(b'(' | b'[' | b'<'))
        || (matches!(bytes.get(j), Some(b'"' | b'\'' | b'`')) && !closes_string)
    {
        return None;
    }
    let value_end = if bytes[j - 1] == b'\r' { j - 1 } else { j };
    (value_end > i && !is_code(&bytes[i..value_end])).then_some((i..value_end, j))
}

/// Whether an unquoted value is code rather than a literal: a path (`crate::types::Key`,
/// `Foo::BAR`), a number with a sign or a type suffix (`-1069547514i32`, `0x1Fu8`), or a
/// snake-case identifier of words (`x25519_generate_private_key`), which a random token
/// never is.
fn is_code(value: &[u8]) -> bool {
    if memchr::memmem::find(value, b"::").is_some() {
        return true;
    }
    let unsigned = value.strip_prefix(b"-").unwrap_or(value);
    if unsigned.first().is_some_and(u8::is_ascii_digit) {
        let digits = unsigned
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let suffixed = NUMBER_SUFFIXES.iter().any(|s| unsigned.ends_with(s));
        if digits == unsigned.len()
            && (suffixed || unsigned.len() < value.len())
            && unsigned.iter().filter(|b| b.is_ascii_digit()).count() * 2 >= unsigned.len()
        {
            return true;
        }
    }
    let snake = value.first().is_some_and(u8::is_ascii_lowercase)
        && value.contains(&b'_')
        && value
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_');
    // Two or more words and no long random part: `sk_live_<hex>` keeps its one word.
    let mut words = 0;
    for part in value.split(|b| *b == b'_') {
        if part.len() > 24 {
            return false;
        }
        words += usize::from(part.len() >= 3 && part.iter().all(u8::is_ascii_lowercase));
    }
    snake && words >= 2
}

/// A line that is a key, blanks and one value (a config directive or a call without
/// parentheses: `.netrc`'s `password …`, redis.conf's `requirepass …`, Gradle's
/// `password '…'`, `Key value;`), or the same after leading words (`stripe secret …`, read
/// as the key `stripe secret`). Anything after the value but a `;` or a comment rules the line
/// out, so prose (`Password reset link sent`) is not read as an assignment.
fn directive(bytes: &[u8], key: Range<usize>, i: usize, line_end: usize) -> Option<Assignment> {
    if i == key.end || i >= line_end {
        return None;
    }
    let key_start = leading_words(bytes, key.start)?;
    let (value, after) = value_at(bytes, i, line_end, false, false)?;
    let rest = &bytes[after..line_end];
    let rest = rest.trim_ascii();
    let ends = rest.is_empty() || rest == b";" || rest.starts_with(b"#") || rest.starts_with(b"//");
    ends.then_some(Assignment {
        key: key_start..key.end,
        value,
    })
}

/// Where the words leading up to a key on its line start: `key.start` when only an indent
/// does, else the first of at most [`MAX_LEADING_WORDS`] plain words, each followed by
/// blanks, none of them [`NOT_KEY_WORDS`] (`shop password …`, `Fastly API token: …`).
/// `None` when anything else stands before the key.
fn leading_words(bytes: &[u8], key_start: usize) -> Option<usize> {
    let floor = key_start.saturating_sub(MAX_DIRECTIVE_PREFIX);
    let line_start = match memchr::memrchr(b'\n', &bytes[floor..key_start]) {
        Some(n) => floor + n + 1,
        None if floor == 0 => 0,
        None => return None,
    };
    let prefix = &bytes[line_start..key_start];
    let indent = prefix.iter().take_while(|b| is_blank(**b)).count();
    let mut rest = &prefix[indent..];
    let mut count = 0;
    while !rest.is_empty() {
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count();
        let gap = rest[name_len..].iter().take_while(|b| is_blank(**b)).count();
        let word = &rest[..name_len];
        count += 1;
        if name_len == 0
            || gap == 0
            || count > MAX_LEADING_WORDS
            || NOT_KEY_WORDS
                .iter()
                .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
        {
            return None;
        }
        rest = &rest[name_len + gap..];
    }
    Some(line_start + indent)
}

/// The key read with the plain words before it on its line (`Fastly token: …`,
/// `knapsackpro key=…`, `API Key: …`, a YAML or INI key written as words), when there are
/// any: a rule that finds no credential in the last word alone may find it in the phrase.
pub fn phrase_key(bytes: &[u8], key: Range<usize>) -> Option<Range<usize>> {
    let start = leading_words(bytes, key.start)?;
    (start < key.start).then_some(start..key.end)
}

/// A setting written as an element naming its key in an attribute: .NET's
/// `<add key="DbPassword" value="…"/>`, Spring's `<property name="password" value="…"/>`,
/// Java's `<entry key="password">…</entry>`. `key` is the attribute's text and `after` the
/// byte after its closing quote.
fn xml_named_value(bytes: &[u8], key: Range<usize>, after: usize, line_end: usize) -> Option<Range<usize>> {
    // Bounded like every other look around a key, so a hit costs a fixed amount.
    let window = key.start.saturating_sub(MAX_KEY)..key.start - 1;
    let attribute = bytes[window]
        .trim_ascii_end()
        .strip_suffix(b"=")?
        .trim_ascii_end();
    let name_len = attribute
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = &attribute[attribute.len() - name_len..];
    let before_name = attribute.len().checked_sub(name_len + 1).map(|i| attribute[i]);
    if !(name.eq_ignore_ascii_case(b"key") || name.eq_ignore_ascii_case(b"name"))
        || !before_name.is_some_and(is_blank)
    {
        return None;
    }
    let rest = &bytes[after..line_end];
    let close = memchr::memchr(b'>', rest).unwrap_or(rest.len());
    let element = &rest[..close];
    // `value="…"` among the element's attributes.
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&element[from..], b"value") {
        let start = from + at;
        from = start + 5;
        if start > 0 && !is_blank(element[start - 1]) {
            continue;
        }
        let eq = skip_blanks(element, start + 5, element.len());
        if element.get(eq) != Some(&b'=') {
            continue;
        }
        let open = skip_blanks(element, eq + 1, element.len());
        let quote = *element.get(open).filter(|b| is_quote(**b))?;
        let end = memchr::memchr(quote, &element[open + 1..])? + open + 1;
        let value = after + open + 1..after + end;
        return (!value.is_empty() && value.len() <= MAX_VALUE).then_some(value);
    }
    // `<entry key="…">value</entry>`: the element's text.
    if close < rest.len() && !element.ends_with(b"/") {
        let text_start = after + close + 1;
        let text_end = memchr::memchr(b'<', &bytes[text_start..line_end])? + text_start;
        let text = text_start..text_end;
        let trimmed = bytes[text.clone()].trim_ascii();
        return (!trimmed.is_empty() && trimmed.len() == text.len() && text.len() <= MAX_VALUE)
            .then_some(text);
    }
    None
}

/// Whether `bytes[j]` starts an escape of a string literal (`\n`, `\t`, `\"`): a bare value
/// written inside a string (a config file embedded in JSON) ends there.
fn is_string_escape(bytes: &[u8], j: usize) -> bool {
    bytes[j] == b'\\' && matches!(bytes.get(j + 1), Some(b'n' | b'r' | b't' | b'"' | b'\''))
}

/// `<key>value</key>`: the text between the tags, on the key's line or, indented, on the
/// line after it (the closing tag then on the next line).
fn xml_element(bytes: &[u8], key: Range<usize>, line_end: usize) -> Option<Assignment> {
    let start = key.end + 1;
    let same_line = memchr::memchr(b'<', &bytes[start..line_end]).map(|n| n + start);
    let close = match same_line {
        Some(close) => close,
        None if bytes[start..line_end].trim_ascii().is_empty() => {
            // The value on its own line: search up to the longest value past the next line.
            let ceiling = (line_end + 1 + MAX_VALUE + 64).min(bytes.len());
            let close = memchr::memchr(b'<', &bytes[line_end.min(ceiling)..ceiling])? + line_end;
            // One line of value, no more: the text between the tags holds one newline
            // before it and one after.
            if memchr::memchr_iter(b'\n', &bytes[start..close]).count() > 2 {
                return None;
            }
            close
        }
        None => return None,
    };
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

#[path = "assign_pairs.rs"]
mod pairs;
use pairs::{escaped_string, inner_quoted, named_by_field, named_value};

#[cfg(test)]
#[path = "assign_tests.rs"]
mod tests;
