//! The one error type of every gate: a usage, configuration or input problem (exit 2).
//!
//! It carries a message naming the input, a hint saying what to do, and, for files, the
//! source with a labelled span so miette can show file, line and column.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

/// A problem that stops a gate from doing its job. Boxed, so `Result<T, Error>` stays small.
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    message: String,
    help: Option<String>,
    source_code: Option<Excerpt>,
    label: Option<(SourceSpan, String)>,
    /// 1-based line and column of the label, kept for plain-text renderings and tests.
    position: Option<(usize, usize)>,
}

impl Error {
    /// An error about an input: name the input in the message.
    pub fn input(message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            message: message.into(),
            help: None,
            source_code: None,
            label: None,
            position: None,
        }))
    }

    /// An error about a file read from disk.
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        let help = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path; it is relative to the current directory",
            std::io::ErrorKind::PermissionDenied => "make the file readable by this user",
            _ => "check that the path names a readable file",
        };
        Error::input(format!("cannot read {}: {}", path.display(), err)).with_help(help)
    }

    /// An error at a byte offset of a source text, labelled with `label`. What it shows of
    /// the source and the message is masked and cut ([`crate::snippet`]): a file the user
    /// wrote may hold credentials.
    pub fn at_source(
        message: impl Into<String>,
        file_name: impl AsRef<str>,
        source: &str,
        offset: usize,
        len: usize,
        label: impl Into<String>,
    ) -> Self {
        let offset = offset.min(source.len());
        let len = len.min(source.len() - offset);
        let (line, column) = line_column(source, offset);
        let (shown, shown_offset, shown_len) = crate::snippet::excerpt(source, offset, len);
        Error(Box::new(Inner {
            message: crate::snippet::mask_credentials(&message.into()),
            help: None,
            source_code: Some(Excerpt {
                name: file_name.as_ref().to_string(),
                text: shown,
                label: SourceSpan::new(shown_offset.into(), shown_len),
                position: (line, column),
            }),
            label: Some((SourceSpan::new(shown_offset.into(), shown_len), label.into())),
            position: Some((line, column)),
        }))
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn hint(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// 1-based line and column, when the error points into a file.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.0.position
    }

    /// One line: the message, `(file:line:column)` when known, and the hint.
    pub fn one_line(&self) -> String {
        let mut text = self.0.message.clone();
        if let (Some(src), Some((line, col))) = (&self.0.source_code, self.0.position) {
            text.push_str(&format!(" ({}:{line}:{col})", src.name));
        }
        if let Some(help) = &self.0.help {
            text.push_str(&format!("; {help}"));
        }
        text
    }

    /// The error as miette draws it: message, `file:line:column`, snippet, hint, with long lines
    /// left whole. Colour only when `color` is true.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        // Unwrapped: a path or command split across lines cannot be copied or grepped from a CI log.
        let handler = GraphicalReportHandler::new_themed(theme).with_wrap_lines(false);
        if handler.render_report(&mut out, self).is_err() {
            out = format!("error: {}\n", self.0.message);
        }
        out
    }

    /// Prints the error on stderr, in colour only on a terminal without `NO_COLOR`.
    pub fn eprint(&self) {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        eprint!("{}", printable(&self.render(color), color));
    }
}

/// The part of a source an error shows ([`crate::snippet::excerpt`]), which still names the
/// problem's real line and column when its line was cut.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    label: SourceSpan,
    /// 1-based line and column of the label in the whole source.
    position: (usize, usize),
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // The `file:line:column` header reads the label's own span.
        let (line, column) = if *span == self.label && context_lines_before == 0 && context_lines_after == 0 {
            (self.position.0 - 1, self.position.1 - 1)
        } else {
            (inner.line(), inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

/// What reaches stderr, which a CI job logs: a message may quote a file name or a line of the
/// user's file, so it must not carry a workflow command or, without colour (where every
/// escape sequence would be the input's), a control character other than line breaks and tabs.
fn printable(text: &str, color: bool) -> String {
    use crate::render::{inert_commands, is_unsafe, visible};
    let text = if color {
        std::borrow::Cow::Borrowed(text)
    } else {
        let mut out = String::with_capacity(text.len());
        let mut buf = [0u8; 4];
        for c in text.chars() {
            if is_unsafe(c) && c != '\n' && c != '\t' {
                out.push_str(&visible(c.encode_utf8(&mut buf)));
            } else {
                out.push(c);
            }
        }
        std::borrow::Cow::Owned(out)
    };
    inert_commands(&text).into_owned()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.label.as_ref().map(|(span, text)| {
            Box::new(std::iter::once(LabeledSpan::new_with_span(
                Some(text.clone()),
                *span,
            ))) as Box<dyn Iterator<Item = LabeledSpan>>
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The byte offset of a 1-based line and column (in characters).
pub fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match source[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return source.len(),
        }
    }
    source[start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| start + i)
        .unwrap_or(source.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_round_trips() {
        let src = "a: 1\nbé: 2\n  c: 3\n";
        for (line, col) in [(1, 1), (2, 1), (2, 3), (3, 3)] {
            assert_eq!(line_column(src, offset_of(src, line, col)), (line, col));
        }
    }

    #[test]
    fn printed_errors_carry_no_command_or_escape() {
        let e = Error::input("cannot read x\n::error::pwned \x1b[2J ##[warning]y\u{202e}");
        let text = printable(&e.render(false), false);
        assert!(
            !text
                .lines()
                .any(|l| l.trim_start().starts_with("::") || l.contains("##[")),
            "{text}"
        );
        assert!(text.contains("\\x1b[2J") && text.contains("\\u{202e}"), "{text}");
    }

    #[test]
    fn render_names_file_line_and_hint() {
        let src = "secrets:\n  alow: []\n";
        let e = Error::at_source(
            "unknown key `alow`",
            "launchgate.yml",
            src,
            11,
            4,
            "not a key of secrets",
        )
        .with_help("did you mean `allow`?");
        let text = e.render(false);
        assert!(text.contains("launchgate.yml:2:3"), "{text}");
        assert!(text.contains("did you mean `allow`?"), "{text}");
        assert_eq!(e.position(), Some((2, 3)));
    }

    #[test]
    fn render_keeps_a_long_path_on_one_line() {
        let path = format!("/{}/stats.json", "deep-checkout-folder".repeat(8));
        let e = Error::input(format!("{path} is not a Lighthouse result"))
            .with_help("pass the JSON that `lighthouse --output=json` writes");
        let text = e.render(false);
        assert!(
            text.contains(&format!("{path} is not a Lighthouse result")),
            "{text}"
        );
    }
}
