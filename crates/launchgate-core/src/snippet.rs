//! What an error may quote of a user's file: the lines around the problem, each cut to
//! [`MAX_LINE_CHARS`] characters, with anything that looks like a credential masked.
//!
//! A configuration or baseline file holds secrets by design (`secrets.allow.values`, a
//! password in a URL, a key pasted into the wrong place); an error about it must still be
//! safe to print in a CI log. Lines keep their numbers so `file:line:column` stays right.

/// The longest line an error snippet shows; longer ones are cut around the problem.
pub const MAX_LINE_CHARS: usize = 200;
/// Lines shown either side of the problem.
const CONTEXT_LINES: usize = 2;
/// A token at least this long that mixes letters and digits is taken for a credential.
const MIN_TOKEN_CHARS: usize = 16;
/// Key names whose values are masked whatever they look like.
const SECRET_KEY_WORDS: [&str; 10] = [
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "auth",
    "credential",
    "cookie",
    "values",
    "fingerprint",
];

/// The source an error may show, with the problem's span moved to match: lines far from
/// the problem are emptied (so line numbers stay), nearby ones masked and cut.
pub fn excerpt(source: &str, offset: usize, len: usize) -> (String, usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let problem_line = source[..offset].matches('\n').count();
    let mut out = String::with_capacity(source.len().min(64 * 1024));
    let mut new_offset = 0;
    let mut new_len = 0;
    let mut line_start = 0;
    let lines: Vec<&str> = source.split('\n').collect();
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if index.abs_diff(problem_line) <= CONTEXT_LINES {
            let owner = owner_key(&lines, index);
            let focus = (index == problem_line).then(|| offset - line_start);
            let (shown, mapped) = show_line(line, owner.as_deref(), focus);
            if let Some(at) = mapped {
                new_offset = out.len() + at;
                let rest = line.len() - (offset - line_start);
                new_len = len.min(rest).min(shown.len() - at);
            }
            out.push_str(&shown);
        }
        line_start += line.len() + 1;
    }
    (out, new_offset, new_len)
}

/// An error message that may repeat a value from user input, with what looks like a
/// credential masked and long lines cut. A message is prose: only what it quotes (between
/// `"`, `'` or backticks) and URL passwords are masked, so the paths it names stay whole.
pub fn mask_credentials(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let mut spans: Vec<(usize, usize)> = quoted(line)
                .into_iter()
                .flat_map(|(start, end)| {
                    credential_tokens(&line[start..end])
                        .into_iter()
                        .map(move |(s, e)| (start + s, start + e))
                })
                .collect();
            spans.extend(url_password(line));
            cut_line(&replace_spans(line, spans, None).0, None).0
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The insides of the quoted parts of a line.
fn quoted(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for (i, c) in line.char_indices() {
        match open {
            Some((q, start)) if c == q => {
                out.push((start, i));
                open = None;
            }
            None if matches!(c, '"' | '\'' | '`') => open = Some((c, i + c.len_utf8())),
            _ => {}
        }
    }
    out
}

/// One line as shown, and where `focus` (a byte offset in it) landed.
fn show_line(line: &str, owner: Option<&str>, focus: Option<usize>) -> (String, Option<usize>) {
    let (masked, focus) = mask_line(line, owner, focus);
    cut_line(&masked, focus)
}

/// Masks tokens that look like credentials, the value of a secret-named key, and URL
/// passwords.
fn mask_line(line: &str, owner: Option<&str>, focus: Option<usize>) -> (String, Option<usize>) {
    let mut spans: Vec<(usize, usize)> = credential_tokens(line);
    spans.extend(url_password(line));
    if let Some(value) = secret_value(line, owner) {
        spans.push(value);
    }
    replace_spans(line, spans, focus)
}

/// The line with each span replaced by `…`, and where `focus` landed.
fn replace_spans(
    line: &str,
    mut spans: Vec<(usize, usize)>,
    focus: Option<usize>,
) -> (String, Option<usize>) {
    spans.sort_unstable();
    let focus = focus.filter(|f| *f <= line.len());
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    let mut mapped = None;
    for (start, end) in spans {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&line[at..start]);
        match focus {
            Some(f) if mapped.is_none() && f < start => mapped = Some(out.len() - (start - f)),
            Some(f) if mapped.is_none() && f < end => mapped = Some(out.len()),
            _ => {}
        }
        out.push('…');
        at = end;
    }
    if let Some(f) = focus.filter(|f| mapped.is_none() && *f >= at) {
        mapped = Some(out.len() + (f - at));
    }
    out.push_str(&line[at..]);
    (out, mapped)
}

/// Cuts a line to [`MAX_LINE_CHARS`] characters, keeping the part around `focus`.
fn cut_line(line: &str, focus: Option<usize>) -> (String, Option<usize>) {
    let chars = line.chars().count();
    if chars <= MAX_LINE_CHARS {
        return (line.to_string(), focus);
    }
    let focus_char = focus.map_or(0, |f| line[..floor_char_boundary(line, f)].chars().count());
    let first = focus_char
        .saturating_sub(MAX_LINE_CHARS / 4)
        .min(chars - MAX_LINE_CHARS);
    let mut out = String::new();
    if first > 0 {
        out.push('…');
    }
    let mut mapped = None;
    for (n, c) in line.chars().enumerate().skip(first).take(MAX_LINE_CHARS) {
        if n == focus_char {
            mapped = Some(out.len());
        }
        out.push(c);
    }
    if first + MAX_LINE_CHARS < chars {
        out.push('…');
    }
    let mapped = focus.map(|_| mapped.unwrap_or(out.len()));
    (out, mapped)
}

/// Runs of at least [`MIN_TOKEN_CHARS`] token characters that mix letters and digits.
fn credential_tokens(line: &str) -> Vec<(usize, usize)> {
    let is_token = |c: char| c.is_ascii_alphanumeric() || "+/=_-.~".contains(c);
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices().chain(std::iter::once((line.len(), ' '))) {
        match (start, is_token(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                // A path is not a credential, unless one of its parts looks like one.
                let looks_secret = |part: &str| {
                    part.chars().count() >= MIN_TOKEN_CHARS
                        && part.chars().any(|c| c.is_ascii_digit())
                        && part.chars().any(|c| c.is_ascii_alphabetic())
                };
                if line[s..i].split('/').any(looks_secret) {
                    out.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The password of a URL (`scheme://user:password@host`).
fn url_password(line: &str) -> Option<(usize, usize)> {
    let scheme = line.find("://")? + 3;
    let authority_end = line[scheme..]
        .find(['/', ' ', '"', '\''])
        .map_or(line.len(), |i| scheme + i);
    let at = line[scheme..authority_end].rfind('@')? + scheme;
    let colon = line[scheme..at].find(':')? + scheme + 1;
    (colon < at).then_some((colon, at))
}

/// The value part of a line whose key (on the line, or the parent key of a list item) is
/// secret-named: everything after `key:` or `- `.
fn secret_value(line: &str, owner: Option<&str>) -> Option<(usize, usize)> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    if let Some((key, value_at)) = key_of(trimmed) {
        if secret_named(key) {
            let start = indent + value_at;
            let value = line[start..].trim();
            return (!value.is_empty()).then(|| {
                (
                    line.len() - line[start..].trim_start().len(),
                    line.trim_end().len(),
                )
            });
        }
        return None;
    }
    let item = trimmed.strip_prefix("- ").map(|_| indent + 2).or_else(|| {
        // A JSON array element or a flow item: the whole line is the value.
        (!trimmed.is_empty()).then_some(indent)
    })?;
    let value_end = line.trim_end().len();
    (owner.is_some_and(secret_named) && item < value_end).then_some((item, value_end))
}

fn secret_named(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEY_WORDS.iter().any(|w| key.contains(w))
}

/// `key: …` or `"key": …` at the start of a trimmed line: the key and where its value starts.
fn key_of(trimmed: &str) -> Option<(&str, usize)> {
    let (key, rest_at) = if let Some(quoted) = trimmed.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], end + 2)
    } else {
        let end = trimmed.find(':')?;
        let key = &trimmed[..end];
        if key.is_empty() || key.contains(char::is_whitespace) || key.starts_with('-') {
            return None;
        }
        (key, end)
    };
    let rest = &trimmed[rest_at..];
    let after_colon = rest.strip_prefix(':')?;
    Some((
        key,
        rest_at + 1 + (after_colon.len() - after_colon.trim_start().len()),
    ))
}

/// The key a line belongs to: the nearest line above with less indentation that holds a key.
fn owner_key(lines: &[&str], index: usize) -> Option<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[index]);
    lines[..index]
        .iter()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .find(|l| indent(l) < own || (indent(l) == own && key_of(l.trim_start()).is_some()))
        .and_then(|l| key_of(l.trim_start()).map(|(k, _)| k.to_string()))
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_nearby_lines_are_masked_and_far_lines_emptied() {
        let source = "a: 1\nb: 2\nc: 3\nsecrets:\n  allow:\n    values:\n      - hunter2\n      - 42x: [\n    password: Summer2024\n    url: https://deploy:s3cret@example.com/x\n    note: sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe\n";
        let offset = source.find("42x").unwrap();
        let (shown, at, len) = excerpt(source, offset, 3);
        assert_eq!(shown.lines().count(), source.lines().count());
        assert!(shown.starts_with("\n\n\n"), "{shown}");
        for secret in ["hunter2", "Summer2024", "s3cret", "51NbQk2LzVt8RwYpX3mHc7JdKe"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("url: https://deploy:…@example.com/x"), "{shown}");
        assert_eq!(
            shown[..at].matches('\n').count(),
            7,
            "the label stays on its line"
        );
        assert!(len <= 3);
    }

    #[test]
    fn long_lines_are_cut_around_the_problem() {
        let line = format!("items: [{}BAD{}]", "x, ".repeat(400), ", y".repeat(400));
        let offset = line.find("BAD").unwrap();
        let (shown, at, _) = excerpt(&line, offset, 3);
        assert!(shown.chars().count() <= MAX_LINE_CHARS + 2, "{}", shown.len());
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(&shown[at..at + 3], "BAD");
    }

    #[test]
    fn paths_in_messages_and_sources_stay_whole() {
        let message = "/tmp/.tmptFx7ih/lhr.json is not valid JSON: it ends early";
        assert_eq!(mask_credentials(message), message);
        let (shown, _, _) = excerpt("extra: [/tmp/.tmptFx7ih/rules-2024.yaml, x]\n", 8, 1);
        assert!(shown.contains("/tmp/.tmptFx7ih/rules-2024.yaml"), "{shown}");
        let aws = "aws: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPL3KEY\n";
        assert!(!excerpt(aws, 0, 1).0.contains("bPxRfiCY"));
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let text = "unknown key `max_file_sise` in secrets (did you mean `max_file_size`?)";
        assert_eq!(mask_credentials(text), text);
        assert_eq!(
            mask_credentials("invalid type: string \"ghp_8f3kQ9zLm2XwR7vT1yB6nH4cJ0pD5sA2eG9u\""),
            "invalid type: string \"…\""
        );
    }
}
