//! A `.env` parser that keeps positions.
//!
//! It reads what dotenv loaders read (`KEY=value`, `export KEY=value`, single, double and
//! multi-line quoted values, `# comments`) and records every syntax problem it meets, each
//! with a lint id, a 1-based line and a 1-based column in characters. It never fails: a
//! NUL byte, invalid UTF-8 or an unterminated quote is a problem, not an error. Messages
//! name keys, never values, since a value may be a secret.

use crate::columns::{Columns, column};

pub use text::{TooLong, expand, key_for_display};
use text::{split_comment, unescape};

mod text;

/// How a value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// One `KEY=value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    /// The value as a loader sees it: quotes removed, `\n` escapes of double quotes applied.
    pub value: String,
    pub line: u32,
    /// Column of the key's first character.
    pub column: u32,
    /// Line and column where the value starts (its opening quote, if quoted).
    pub value_line: u32,
    pub value_column: u32,
    /// The last line of the entry (greater than `line` for multi-line values).
    pub end_line: u32,
    pub quote: Quote,
    pub exported: bool,
    /// The value exactly as written, quotes included.
    pub raw_value: String,
    /// A trailing `# comment`, as written.
    pub comment: Option<String>,
    /// Whether the value's quote was closed.
    pub terminated: bool,
}

/// A syntax problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: &'static str,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Ranges where inline `# launchgate:off ID` comments switch a lint off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// (id or `*`, first line, last line inclusive)
    ranges: Vec<(String, u32, u32)>,
}

impl Suppressions {
    /// Whether lint `id` (with or without its `env.` prefix) is off at `line`.
    pub fn is_off(&self, id: &str, line: u32) -> bool {
        let short = id.strip_prefix("env.").unwrap_or(id);
        self.ranges
            .iter()
            .any(|(r, from, to)| (r == "*" || r == short) && (*from..=*to).contains(&line))
    }
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
    pub suppressions: Suppressions,
    /// Lines in the file (a final line without a newline counts).
    pub line_count: u32,
}

impl Parsed {
    /// The last entry for `key`: the one a loader keeps.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses the bytes of a `.env` file.
pub fn parse(bytes: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    let mut body = bytes;
    if body.starts_with(BOM) {
        out.problems.push(problem(
            "bom",
            1,
            1,
            "the file starts with a UTF-8 byte order mark, which some loaders read as part of the first key"
                .into(),
        ));
        body = &body[BOM.len()..];
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let (line, column) = position_of(
                &String::from_utf8_lossy(&body[..e.valid_up_to()]),
                e.valid_up_to(),
            );
            out.problems.push(problem(
                "invalid-utf8",
                line,
                column,
                "invalid UTF-8 here; the file must be saved as UTF-8".into(),
            ));
            String::from_utf8_lossy(body)
        }
    };
    Parser::new(&text, &mut out).run();
    out.problems.sort_by_key(|p| (p.line, p.column));
    out
}

fn problem(id: &'static str, line: u32, column: u32, message: String) -> Problem {
    Problem {
        id,
        line,
        column,
        message,
    }
}

/// 1-based line and column (characters) of byte `offset` in `text`.
fn position_of(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line as u32, before[start..].chars().count() as u32 + 1)
}

struct Parser<'a, 'o> {
    text: &'a str,
    out: &'o mut Parsed,
    /// Each key's first line; keys borrow the text, so no line copies its key twice.
    seen: foldhash::HashMap<&'a str, u32>,
    /// Byte offsets after which no closing quote exists, so repeated unterminated quotes do
    /// not rescan the rest of the file each time.
    no_close_after: [Option<usize>; 2],
    open_off: Vec<(String, u32)>,
}

impl<'a, 'o> Parser<'a, 'o> {
    fn new(text: &'a str, out: &'o mut Parsed) -> Self {
        // One key per line, at most: no growing, copying and rehashing on the way.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        out.entries.reserve(lines);
        Parser {
            text,
            out,
            seen: foldhash::HashMap::with_capacity_and_hasher(lines, Default::default()),
            no_close_after: [None, None],
            open_off: Vec::new(),
        }
    }

    fn run(mut self) {
        let text = self.text;
        let mut offset = 0;
        let mut line_no: u32 = 0;
        let mut blank_run = 0;
        while offset < text.len() {
            line_no += 1;
            let end = memchr::memchr(b'\n', &text.as_bytes()[offset..])
                .map(|i| offset + i)
                .unwrap_or(text.len());
            let mut line = &text[offset..end];
            if let Some(stripped) = line.strip_suffix('\r') {
                self.push(
                    "crlf",
                    line_no,
                    column(line, stripped.len()),
                    "the line ends with CRLF; use LF line endings".into(),
                );
                line = stripped;
            }
            if let Some(i) = memchr::memchr(0, line.as_bytes()) {
                self.push(
                    "nul-byte",
                    line_no,
                    column(line, i),
                    "the line contains a NUL byte".into(),
                );
            }
            if line.trim().is_empty() {
                blank_run += 1;
                if blank_run >= 2 {
                    self.push("extra-blank-line", line_no, 1, "repeated blank line".into());
                }
                if !line.is_empty() {
                    self.push(
                        "trailing-whitespace",
                        line_no,
                        1,
                        "the blank line holds whitespace".into(),
                    );
                }
                offset = end + 1;
                continue;
            }
            blank_run = 0;
            let next = self.line(line_no, offset, line);
            // A multi-line value moves us past its closing line.
            line_no += next.extra_lines;
            offset = next.next_offset.unwrap_or(end + 1);
        }
        self.out.line_count = line_no;
        if !text.is_empty() && !text.ends_with('\n') {
            let last = text.rsplit('\n').next().unwrap_or("");
            self.push(
                "missing-final-newline",
                line_no,
                last.chars().count() as u32 + 1,
                "the file does not end with a newline".into(),
            );
        }
        for (id, from) in self.open_off.drain(..) {
            self.out.suppressions.ranges.push((id, from, u32::MAX));
        }
    }

    fn push(&mut self, id: &'static str, line: u32, column: u32, message: String) {
        self.out.problems.push(problem(id, line, column, message));
    }

    fn directive(&mut self, comment: &str, line_no: u32, whole_line: bool) {
        let Some(rest) = comment.trim_start_matches('#').trim().strip_prefix("launchgate:") else {
            return;
        };
        let (on, ids) = if let Some(ids) = rest.strip_prefix("off") {
            (false, ids)
        } else if let Some(ids) = rest.strip_prefix("on") {
            (true, ids)
        } else {
            return;
        };
        let mut ids: Vec<String> = ids
            .split([',', ' '])
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| s.strip_prefix("env.").unwrap_or(s).to_string())
            .collect();
        if ids.is_empty() {
            ids.push("*".into());
        }
        for id in ids {
            if !whole_line {
                self.out.suppressions.ranges.push((id, line_no, line_no));
            } else if on {
                if let Some(i) = self.open_off.iter().position(|(o, _)| *o == id) {
                    let (id, from) = self.open_off.remove(i);
                    self.out.suppressions.ranges.push((id, from, line_no));
                }
            } else {
                self.open_off.push((id, line_no));
            }
        }
    }

    fn line(&mut self, line_no: u32, offset: usize, line: &'a str) -> NextLine {
        let mut next = NextLine::default();
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if body.starts_with('#') {
            self.directive(body, line_no, true);
            if line.trim_end().len() != line.len() {
                self.push(
                    "trailing-whitespace",
                    line_no,
                    column(line, line.trim_end().len()),
                    "trailing whitespace".into(),
                );
            }
            return next;
        }
        if indent > 0 {
            self.push(
                "leading-whitespace",
                line_no,
                1,
                "the line starts with whitespace".into(),
            );
        }
        let mut pos = indent;
        let mut exported = false;
        if let Some(after) = body.strip_prefix("export")
            && after.starts_with([' ', '\t'])
        {
            exported = true;
            self.push("export-prefix", line_no, column(line, pos), "`export` prefix: fine for `source .env`, but docker --env-file and some loaders read it as part of the key".into());
            pos += "export".len();
            pos += line[pos..].len() - line[pos..].trim_start().len();
        }
        let Some(eq) = line[pos..].find('=').map(|i| pos + i) else {
            let key = line[pos..].trim_end();
            self.push(
                "key-without-value",
                line_no,
                column(line, pos),
                format!(
                    "`{}` has no `=`; write `KEY=value`, or `{}=` for an empty value",
                    key_for_display(key),
                    key_for_display(key)
                ),
            );
            return next;
        };
        let key_raw = &line[pos..eq];
        let key = key_raw.trim_end();
        if key.len() != key_raw.len() || line[eq + 1..].starts_with([' ', '\t']) {
            self.push(
                "space-around-equals",
                line_no,
                column(line, pos + key.len()),
                format!(
                    "spaces around `=` after `{}`; loaders disagree on them",
                    key_for_display(key)
                ),
            );
        }
        self.check_key(line_no, line, pos, key);
        let key_column = column(line, pos);
        let mut vstart = eq + 1;
        vstart += line[vstart..].len() - line[vstart..].trim_start_matches([' ', '\t']).len();
        let value_column = column(line, vstart);
        let rest = &line[vstart..];
        let mut entry = Entry {
            key: key.to_string(),
            value: String::new(),
            line: line_no,
            column: key_column,
            value_line: line_no,
            value_column,
            end_line: line_no,
            quote: Quote::None,
            exported,
            raw_value: String::new(),
            comment: None,
            terminated: true,
        };
        match rest.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => {
                let quote = if q == b'"' { Quote::Double } else { Quote::Single };
                entry.quote = quote;
                let abs = offset + vstart;
                let close = self
                    .closing_quote(abs + 1, q)
                    .filter(|close| self.closes_cleanly(abs, *close));
                match close {
                    Some(close) => {
                        let inner = &self.text[abs + 1..close];
                        entry.raw_value = self.text[abs..=close].to_string();
                        entry.value = if quote == Quote::Double {
                            unescape(inner)
                        } else {
                            inner.to_string()
                        };
                        if quote == Quote::Double {
                            self.check_substitutions(line_no, line, vstart + 1, inner);
                        }
                        let extra = memchr::memchr_iter(b'\n', inner.as_bytes()).count() as u32;
                        let close_line_start = self.text[..close].rfind('\n').map(|i| i + 1).unwrap_or(0);
                        let close_line_end = memchr::memchr(b'\n', &self.text.as_bytes()[close..])
                            .map(|i| close + i)
                            .unwrap_or(self.text.len());
                        let close_line = self.text[close_line_start..close_line_end].trim_end_matches('\r');
                        let after_start = close + 1 - close_line_start;
                        let after = &close_line[after_start.min(close_line.len())..];
                        entry.end_line = line_no + extra;
                        self.after_value(entry.end_line, close_line, after_start, after, &mut entry);
                        if extra > 0 {
                            next.extra_lines = extra;
                            next.next_offset = Some(close_line_end + 1);
                        }
                    }
                    None => {
                        self.push(
                            "unterminated-quote",
                            line_no,
                            value_column,
                            format!(
                                "the value of `{}` opens a {} quote that is never closed",
                                key_for_display(key),
                                if q == b'"' { "double" } else { "single" }
                            ),
                        );
                        entry.terminated = false;
                        entry.raw_value = rest.to_string();
                        entry.value = rest[1..].to_string();
                    }
                }
            }
            _ => {
                let (value, comment_at) = split_comment(rest);
                let trimmed = value.trim_end_matches([' ', '\t']);
                if trimmed.len() != value.len() && comment_at.is_none() {
                    self.push(
                        "trailing-whitespace",
                        line_no,
                        column(line, vstart + trimmed.len()),
                        "trailing whitespace".into(),
                    );
                }
                if let Some(c) = comment_at {
                    let comment = &rest[c..];
                    let t = comment.trim_end();
                    if t.len() != comment.len() {
                        self.push(
                            "trailing-whitespace",
                            line_no,
                            column(line, vstart + c + t.len()),
                            "trailing whitespace".into(),
                        );
                    }
                    self.directive(t, line_no, false);
                    entry.comment = Some(t.to_string());
                }
                if let Some(i) = memchr::memchr2(b'"', b'\'', trimmed.as_bytes()) {
                    self.push(
                        "stray-quote",
                        line_no,
                        column(line, vstart + i),
                        format!(
                            "the value of `{}` has a quote in the middle; quote the whole value or escape it",
                            key_for_display(key)
                        ),
                    );
                }
                if let Some(i) = memchr::memchr2(b' ', b'\t', trimmed.as_bytes()) {
                    self.push(
                        "unquoted-whitespace",
                        line_no,
                        column(line, vstart + i),
                        format!(
                            "the value of `{}` holds whitespace but is not quoted",
                            key_for_display(key)
                        ),
                    );
                }
                self.check_substitutions(line_no, line, vstart, trimmed);
                entry.raw_value = trimmed.to_string();
                entry.value = trimmed.to_string();
            }
        }
        if let Some(first) = self.seen.get(key) {
            let first = *first;
            self.push(
                "duplicate-key",
                line_no,
                key_column,
                format!(
                    "`{}` is already set on line {first}; the later value wins in most loaders",
                    key_for_display(key)
                ),
            );
        } else {
            self.seen.insert(key, line_no);
        }
        self.out.entries.push(entry);
        next
    }

    /// What follows a closing quote: whitespace and a comment, or a stray character.
    fn after_value(&mut self, line_no: u32, line: &str, after_start: usize, after: &str, entry: &mut Entry) {
        let t = after.trim_start_matches([' ', '\t']);
        if t.is_empty() {
            if !after.is_empty() {
                self.push(
                    "trailing-whitespace",
                    line_no,
                    column(line, after_start),
                    "trailing whitespace".into(),
                );
            }
        } else if t.starts_with('#') && t.len() != after.len() {
            let comment = t.trim_end();
            if comment.len() != t.len() {
                self.push(
                    "trailing-whitespace",
                    line_no,
                    column(line, line.len() - (t.len() - comment.len())),
                    "trailing whitespace".into(),
                );
            }
            self.directive(comment, line_no, false);
            entry.comment = Some(comment.to_string());
        } else {
            let at = after_start + (after.len() - t.len());
            self.push(
                "stray-quote",
                line_no,
                column(line, at),
                format!(
                    "text after the closing quote of `{}`",
                    key_for_display(&entry.key)
                ),
            );
        }
    }

    /// A quote closed on a later line counts only if nothing but a comment follows it;
    /// otherwise the opening quote is the mistake (`A="abc` followed by `B="x"`).
    fn closes_cleanly(&self, open: usize, close: usize) -> bool {
        let text = self.text;
        if memchr::memchr(b'\n', &text.as_bytes()[open..close]).is_none() {
            return true;
        }
        let end = memchr::memchr(b'\n', &text.as_bytes()[close..])
            .map(|i| close + i)
            .unwrap_or(text.len());
        let after = text[close + 1..end].trim();
        after.is_empty() || after.starts_with('#')
    }

    fn closing_quote(&mut self, from: usize, q: u8) -> Option<usize> {
        let slot = usize::from(q == b'\'');
        if matches!(self.no_close_after[slot], Some(n) if n <= from) {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut i = from;
        while let Some(j) = memchr::memchr2(q, b'\\', &bytes[i..]) {
            let at = i + j;
            if bytes[at] == b'\\' && q == b'"' {
                i = at + 2;
                if i >= bytes.len() {
                    break;
                }
                continue;
            }
            if bytes[at] == q {
                return Some(at);
            }
            i = at + 1;
        }
        self.no_close_after[slot] = Some(from);
        None
    }

    fn check_key(&mut self, line_no: u32, line: &str, pos: usize, key: &str) {
        if key.is_empty() {
            self.push(
                "invalid-key",
                line_no,
                column(line, pos),
                "the line has `=` but no key".into(),
            );
            return;
        }
        let first_bad = key
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_alphanumeric() || *c == '_') || (*i == 0 && c.is_ascii_digit()));
        if let Some((i, c)) = first_bad {
            let what = if i == 0 && c.is_ascii_digit() {
                "starts with a digit".to_string()
            } else {
                format!("contains `{}`", c.escape_default())
            };
            self.push(
                "invalid-key",
                line_no,
                column(line, pos + i),
                format!(
                    "the key `{}` {what}; keys are letters, digits and `_`",
                    key_for_display(key)
                ),
            );
        } else if key.bytes().any(|b| b.is_ascii_lowercase()) {
            self.push(
                "lowercase-key",
                line_no,
                column(line, pos),
                format!("the key `{}` is not upper-case", key_for_display(key)),
            );
        }
    }

    fn check_substitutions(&mut self, line_no: u32, line: &str, start: usize, value: &str) {
        // When `value` is the line's own text (not a multi-line value), offsets in it map to
        // columns; otherwise every problem is reported where the value starts.
        let in_line = line.get(start..start + value.len()) == Some(value);
        let mut columns = Columns::new(line);
        for (at, why) in text::substitution_errors(value) {
            let col = columns.at(if in_line { start + at } else { start });
            self.push(
                "bad-substitution",
                line_no,
                col,
                format!("malformed substitution: {why}"),
            );
        }
    }
}

#[derive(Default)]
struct NextLine {
    extra_lines: u32,
    next_offset: Option<usize>,
}

#[cfg(test)]
mod tests;
