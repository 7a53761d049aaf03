//! Errors that point into an input file. The labelled snippet shows the line it points
//! at, so a line that holds a credential (a config's `upload.token`, a URL with `?token=`)
//! or a long one (a minified Lighthouse result is one line of megabytes) is not shown:
//! the error then names `file:line:column` in its message instead.

use launchgate_core::Error;

/// The longest line shown in a snippet, in bytes.
const MAX_LINE: usize = 200;

/// An error at `offset` of `text` (the file `name`), with a snippet when the lines shown
/// are short and hold no credential.
pub fn at(message: String, name: &str, text: &str, offset: usize, len: usize, label: &str) -> Error {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    // miette shows a line of context on either side.
    let before = text[..start.saturating_sub(1)].rfind('\n').map_or(0, |i| i + 1);
    let after = text[(end + 1).min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| end + 1 + i);
    let shown = &text[before..after];
    let safe = shown.lines().all(|l| l.len() <= MAX_LINE) && crate::url::redact_in(shown) == shown;
    if safe {
        return Error::at_source(message, name, text, offset, len, label);
    }
    let (line, column) = launchgate_core::error::line_column(text, offset);
    Error::input(format!("{message} ({name}:{line}:{column})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_a_credential_is_not_shown() {
        let text = "{\n  \"ci\": {\n    \"upload\": {\"token\": \"https://u:pw@x.dev/?token=abcdef123456\"},\n    \"asert\": {}\n  }\n}\n";
        let offset = text.find("\"asert\"").unwrap();
        let e = at("unknown key".into(), "rc.json", text, offset, 7, "here");
        let shown = e.render(false);
        assert!(!shown.contains("abcdef123456"), "{shown}");
        assert!(shown.contains("rc.json:4:5"), "{shown}");
        let e = at(
            "unknown key".into(),
            "rc.json",
            "{\n\"asert\": 1\n}",
            2,
            7,
            "here",
        );
        assert!(e.render(false).contains("\"asert\": 1"));
    }

    #[test]
    fn a_long_line_is_not_shown() {
        let text = format!("{{\"audits\": \"{}\"", "x".repeat(10_000));
        let e = at("ends early".into(), "lhr.json", &text, text.len(), 1, "here");
        assert!(e.render(false).len() < 500);
        assert!(e.message().contains("lhr.json:1:"), "{}", e.message());
    }
}
