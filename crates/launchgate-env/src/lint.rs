//! `lint`: the dotenv syntax checks, and `--fix` for the safe ones.
//!
//! Each check has its own id (`env.duplicate-key` …). A check can be turned off for the
//! repository in `env.lint.disable` or in a file with `# launchgate:off ID` (until
//! `# launchgate:on ID`, or for one line when the comment ends that line).

use std::collections::HashMap;

use launchgate_core::{Error, Finding, Location, Severity};

use crate::dotenv::{self, Entry, Parsed, Quote};

/// Lints that `--fix` repairs without changing any key or value.
pub const FIXABLE: [&str; 8] = [
    "bom",
    "crlf",
    "trailing-whitespace",
    "leading-whitespace",
    "space-around-equals",
    "extra-blank-line",
    "missing-final-newline",
    "unquoted-whitespace",
];

/// Every lint id (without the `env.` prefix), its severity and what it means.
pub const LINTS: [(&str, Severity, &str); 19] = [
    (
        "duplicate-key",
        Severity::Error,
        "A key is set twice in one file; loaders disagree on which value wins.",
    ),
    (
        "invalid-key",
        Severity::Error,
        "A key holds characters other than letters, digits and `_`, or starts with a digit.",
    ),
    ("lowercase-key", Severity::Warning, "A key is not upper-case."),
    (
        "space-around-equals",
        Severity::Warning,
        "Spaces around `=`; some loaders keep them in the key or value.",
    ),
    (
        "unterminated-quote",
        Severity::Error,
        "A quoted value is never closed.",
    ),
    (
        "stray-quote",
        Severity::Error,
        "A quote in the middle of an unquoted value, or text after a closing quote.",
    ),
    (
        "unquoted-whitespace",
        Severity::Warning,
        "An unquoted value holds whitespace.",
    ),
    (
        "bad-substitution",
        Severity::Error,
        "A malformed `${VAR}` substitution.",
    ),
    (
        "missing-final-newline",
        Severity::Warning,
        "The file does not end with a newline.",
    ),
    ("extra-blank-line", Severity::Warning, "Repeated blank lines."),
    (
        "export-prefix",
        Severity::Note,
        "An `export ` prefix, which docker --env-file and some loaders do not accept.",
    ),
    (
        "bom",
        Severity::Warning,
        "A UTF-8 byte order mark at the start of the file.",
    ),
    ("crlf", Severity::Warning, "CRLF line endings."),
    (
        "trailing-whitespace",
        Severity::Warning,
        "Whitespace at the end of a line.",
    ),
    (
        "leading-whitespace",
        Severity::Warning,
        "Whitespace before a key.",
    ),
    (
        "key-without-value",
        Severity::Warning,
        "A line with a key but no `=`.",
    ),
    ("nul-byte", Severity::Error, "A NUL byte in the file."),
    ("invalid-utf8", Severity::Error, "Bytes that are not UTF-8."),
    (
        "malformed-encrypted",
        Severity::Error,
        "An `encrypted:` value that is not a dotenvx payload, or a `DOTENV_PUBLIC_KEY` that is not a key.",
    ),
];

/// The severity of a lint id.
pub fn severity_of(id: &str) -> Severity {
    LINTS
        .iter()
        .find(|l| l.0 == id)
        .map(|l| l.1)
        .unwrap_or(Severity::Warning)
}

/// Which lints are off for the whole run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub disable: Vec<String>,
}

impl LintOptions {
    /// Rejects unknown ids, so a typo does not silently leave a lint on.
    pub fn validate(&self) -> Result<(), Error> {
        for id in &self.disable {
            let short = id.strip_prefix("env.").unwrap_or(id);
            if !LINTS.iter().any(|l| l.0 == short) {
                let names: Vec<&str> = LINTS.iter().map(|l| l.0).collect();
                let hint = match launchgate_core::config::closest(short, &names) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("lint ids: {}", names.join(", ")),
                };
                return Err(
                    Error::input(format!("unknown lint id `{id}` in env.lint.disable")).with_help(hint),
                );
            }
        }
        Ok(())
    }

    fn is_disabled(&self, id: &str) -> bool {
        self.disable
            .iter()
            .any(|d| d.strip_prefix("env.").unwrap_or(d) == id)
    }
}

/// The findings for one file's bytes; `display` is the path shown. Returns the findings and
/// how many an inline comment suppressed.
pub fn lint_bytes(display: &str, bytes: &[u8], options: &LintOptions) -> (Vec<Finding>, Parsed, usize) {
    let parsed = dotenv::parse(bytes);
    let mut findings = Vec::new();
    let mut suppressed = 0;
    let encryption = encryption_problems(&parsed);
    for p in parsed.problems.iter().chain(&encryption) {
        if options.is_disabled(p.id) {
            continue;
        }
        if parsed.suppressions.is_off(p.id, p.line) {
            suppressed += 1;
            continue;
        }
        let mut f = Finding::new(format!("env.{}", p.id), severity_of(p.id), p.message.clone())
            .at(Location::at(display, p.line, p.column));
        if FIXABLE.contains(&p.id) {
            f = f.help("run `launchgate-env lint --fix` to repair it");
        }
        findings.push(f);
    }
    (findings, parsed, suppressed)
}

/// dotenvx values that cannot be decrypted by anyone: text after `encrypted:` that is not a
/// payload (so a plaintext secret cannot hide behind the prefix), a header public key that
/// is not a key.
fn encryption_problems(parsed: &Parsed) -> Vec<dotenv::Problem> {
    let mut out = Vec::new();
    for e in &parsed.entries {
        let why = if crate::dotenvx::is_public_key_name(&e.key) {
            crate::dotenvx::malformed_public_key(&e.value).map(|why| format!("`{}` {why}", e.key))
        } else {
            crate::dotenvx::malformed(&e.value).map(|why| {
                format!(
                    "the `encrypted:` value of `{}` {why}; encrypt it again with `dotenvx set`",
                    dotenv::key_for_display(&e.key)
                )
            })
        };
        if let Some(message) = why {
            out.push(dotenv::Problem {
                id: "malformed-encrypted",
                line: e.value_line,
                column: e.value_column,
                message,
            });
        }
    }
    out
}

/// The fixed text of a file, or `None` when nothing fixable is wrong. Fails, leaving the
/// file alone, if the fixed text would not parse to the same keys and values.
pub fn fix_bytes(display: &str, bytes: &[u8], options: &LintOptions) -> Result<Option<Vec<u8>>, Error> {
    let parsed = dotenv::parse(bytes);
    let enabled = |id: &str, line: u32| {
        FIXABLE.contains(&id) && !options.is_disabled(id) && !parsed.suppressions.is_off(id, line)
    };
    let wanted: Vec<_> = parsed.problems.iter().filter(|p| enabled(p.id, p.line)).collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let fix_line: HashMap<u32, ()> = wanted
        .iter()
        .filter(|p| {
            !matches!(
                p.id,
                "bom" | "crlf" | "extra-blank-line" | "missing-final-newline"
            )
        })
        .map(|p| (p.line, ()))
        .collect();
    let strip_bom = wanted.iter().any(|p| p.id == "bom");
    let crlf_lines: HashMap<u32, ()> = wanted
        .iter()
        .filter(|p| p.id == "crlf")
        .map(|p| (p.line, ()))
        .collect();
    let drop_blank: HashMap<u32, ()> = wanted
        .iter()
        .filter(|p| p.id == "extra-blank-line")
        .map(|p| (p.line, ()))
        .collect();
    let add_newline = wanted.iter().any(|p| p.id == "missing-final-newline");

    let mut body = bytes;
    let mut out = Vec::with_capacity(bytes.len() + 1);
    if body.starts_with(b"\xEF\xBB\xBF") {
        if !strip_bom {
            out.extend_from_slice(&body[..3]);
        }
        body = &body[3..];
    }
    let text = String::from_utf8_lossy(body);
    let by_line: HashMap<u32, &Entry> = parsed.entries.iter().map(|e| (e.line, e)).collect();
    let mut inside_until = 0;
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len();
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i as u32 + 1;
        if i + 1 == last && raw.is_empty() {
            break;
        }
        let (content, had_cr) = match raw.strip_suffix('\r') {
            Some(c) => (c, true),
            None => (*raw, false),
        };
        let multi_line_part = line_no <= inside_until;
        let entry = by_line.get(&line_no).copied();
        if let Some(e) = entry
            && e.end_line > e.line
        {
            inside_until = e.end_line;
        }
        let verbatim = multi_line_part || entry.is_some_and(|e| e.end_line > e.line);
        let mut new_line: String = if verbatim {
            raw.to_string()
        } else if content.trim().is_empty() {
            if drop_blank.contains_key(&line_no) {
                continue;
            }
            if fix_line.contains_key(&line_no) {
                String::new()
            } else {
                content.to_string()
            }
        } else if !fix_line.contains_key(&line_no) {
            content.to_string()
        } else {
            match entry {
                Some(e) if e.terminated => rebuild(e, enabled("unquoted-whitespace", line_no)),
                _ => content.trim().to_string(),
            }
        };
        if !verbatim && had_cr && !crlf_lines.contains_key(&line_no) {
            new_line.push('\r');
        }
        out.extend_from_slice(new_line.as_bytes());
        if i + 1 < last || add_newline {
            out.push(b'\n');
        }
    }
    let after = dotenv::parse(&out);
    let same = |a: &Parsed, b: &Parsed| {
        a.entries.len() == b.entries.len()
            && a.entries
                .iter()
                .zip(&b.entries)
                .all(|(x, y)| x.key == y.key && x.value == y.value && x.exported == y.exported)
    };
    if !same(&parsed, &after) {
        return Err(Error::input(format!(
            "{display}: the fixes would change a key or value, so the file was left as it is"
        ))
        .with_help("fix it by hand; `launchgate-env lint` shows what is wrong"));
    }
    Ok(if out == bytes { None } else { Some(out) })
}

/// A single-line entry written the canonical way, its value exactly as it was (or wrapped
/// in single quotes when it holds whitespace and nothing a loader would interpret).
fn rebuild(e: &Entry, quote_whitespace: bool) -> String {
    let mut value = e.raw_value.clone();
    if quote_whitespace
        && e.quote == Quote::None
        && value.contains([' ', '\t'])
        && !value.contains(['\'', '"', '$', '\\', '#'])
    {
        value = format!("'{value}'");
    }
    let mut line = String::with_capacity(e.key.len() + value.len() + 16);
    if e.exported {
        line.push_str("export ");
    }
    line.push_str(&e.key);
    line.push('=');
    line.push_str(&value);
    if let Some(c) = &e.comment {
        line.push(' ');
        line.push_str(c);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(src: &str) -> String {
        String::from_utf8(
            fix_bytes("t", src.as_bytes(), &LintOptions::default())
                .unwrap()
                .unwrap_or_else(|| src.as_bytes().to_vec()),
        )
        .unwrap()
    }

    #[test]
    fn fixes_the_safe_problems() {
        assert_eq!(
            fixed("\u{feff}  A = 1  \r\n\n\n\nB=two words # c  \nC=\"x\"\n"),
            "A=1\n\nB='two words' # c\nC=\"x\"\n"
        );
        assert_eq!(fixed("A=1"), "A=1\n");
        assert_eq!(
            fixed("A=\"multi\r\nline\"\r\nB=1\r\n"),
            "A=\"multi\r\nline\"\r\nB=1\n"
        );
    }

    #[test]
    fn leaves_unsafe_values_unquoted() {
        assert_eq!(fixed("A=$HOME dir\n"), "A=$HOME dir\n");
    }

    #[test]
    fn disabled_lints_are_neither_reported_nor_fixed() {
        let opts = LintOptions {
            disable: vec!["env.crlf".into()],
        };
        let (findings, _, _) = lint_bytes("t", b"A=1\r\n", &opts);
        assert!(findings.is_empty());
        assert_eq!(fix_bytes("t", b"A=1\r\n", &opts).unwrap(), None);
        assert!(
            LintOptions {
                disable: vec!["crfl".into()]
            }
            .validate()
            .unwrap_err()
            .hint()
            .unwrap()
            .contains("crlf")
        );
    }
}
