//! Makes text that came from the user's files inert in every format.
//!
//! A file name, a config value or a response header can hold anything: a line break followed
//! by `::error::`, a terminal escape that clears the screen, a right-to-left override that
//! makes `exe.txt` read `txt.exe`. The renderers write such characters as visible escapes
//! (`\n`, `\x1b`, `\u{202e}`), and keep the CI runner from reading workflow commands in
//! text printed to a log.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters never written raw: C0 controls, DEL, C1 controls, the line and paragraph
/// separators, and the bidirectional marks, embeddings, overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Writes one unsafe character as a visible escape.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// The text with every unsafe character written as a visible escape.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Keeps the GitHub runner from reading a workflow command in text bound for a log.
///
/// The runner takes a line whose first non-blank characters are `::` as a command, and
/// `##[name]` anywhere in a line as a legacy one. Output that holds user text and is not
/// itself made of commands goes through here after rendering: a leading `::` becomes
/// `\x3a:`, and `##[` becomes `#\x23[`. Neither ever occurs in what the renderers write
/// themselves.
pub fn inert_commands(text: &str) -> Cow<'_, str> {
    let starts_command = |line: &str| line.trim_start().starts_with("::");
    if !text.contains("##[") && !text.split('\n').any(starts_command) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = if starts_command(line) {
            let blank = line.len() - line.trim_start().len();
            out.push_str(&line[..blank]);
            out.push_str("\\x3a");
            &line[blank + 1..]
        } else {
            line
        };
        out.push_str(&line.replace("##[", "#\\x23["));
    }
    Cow::Owned(out)
}

/// Serialises to pretty JSON in which no string holds a raw unsafe character or `##[`:
/// those are written as `\uXXXX` escapes, so the value read back is unchanged.
pub fn to_json_pretty<T: serde::Serialize>(value: &T) -> String {
    let mut bytes = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, InertFormatter::default());
    if value.serialize(&mut ser).is_err() {
        return "{}".into();
    }
    String::from_utf8(bytes).unwrap_or_else(|_| "{}".into())
}

/// serde_json's pretty layout, with string contents passed through [`json_fragment`].
#[derive(Default)]
struct InertFormatter {
    pretty: serde_json::ser::PrettyFormatter<'static>,
}

impl serde_json::ser::Formatter for InertFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        w.write_all(json_fragment(fragment).as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

impl std::fmt::Debug for InertFormatter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InertFormatter")
    }
}

/// A run of string content serde_json did not escape itself (it escapes C0, `"` and `\`).
/// `##[` cannot straddle two runs: anything between runs is an escape starting with `\`.
fn json_fragment(fragment: &str) -> Cow<'_, str> {
    if !fragment.contains("##[") && !fragment.chars().any(is_unsafe) {
        return Cow::Borrowed(fragment);
    }
    let mut out = String::with_capacity(fragment.len() + 8);
    for c in fragment.replace("##[", "#\u{0}[").chars() {
        match c {
            // The placeholder above: the second `#` of `##[`.
            '\0' => out.push_str("\\u0023"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_controls_and_bidi() {
        assert_eq!(visible("plain/path.ts"), "plain/path.ts");
        assert_eq!(
            visible("a\nb\r\t\x1b[2J\x7f\u{85}\u{202e}\u{2028}\u{2066}"),
            "a\\nb\\r\\t\\x1b[2J\\x7f\\x85\\u{202e}\\u{2028}\\u{2066}"
        );
        assert_eq!(visible("café ✓ 日本"), "café ✓ 日本");
    }

    #[test]
    fn commands_are_made_inert() {
        assert_eq!(inert_commands("ok\n  ::error::x\n"), "ok\n  \\x3a:error::x\n");
        assert_eq!(inert_commands("a ##[error]b"), "a #\\x23[error]b");
        assert_eq!(inert_commands("a :: b\n"), "a :: b\n");
    }

    #[test]
    fn json_keeps_the_value_and_drops_raw_characters() {
        let value = serde_json::json!({ "path": "a\u{7f}\u{9b}\u{202e}##[error]\n" });
        let text = to_json_pretty(&value);
        assert!(!text.contains("##["), "{text}");
        assert!(!text.chars().any(|c| is_unsafe(c) && c != '\n'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        assert_eq!(text, to_json_pretty(&value));
        assert_eq!(
            to_json_pretty(&serde_json::json!({ "a": [1] })),
            serde_json::to_string_pretty(&serde_json::json!({ "a": [1] })).unwrap()
        );
    }
}
