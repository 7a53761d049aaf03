//! Redaction of whatever the built-in rules recognise, for text another tool printed.

use crate::default_engine;

/// `text` with every credential the built-in rules find in it replaced by its redacted form
/// (`sk_live_…dKe`): for messages that quote what another tool printed.
pub fn redact_secrets(text: &str) -> String {
    let ranges = default_engine()
        .scan_bytes("", text.as_bytes())
        .into_iter()
        .map(|m| m.secret_range)
        .collect();
    redact_ranges(text, ranges)
}

fn redact_ranges(text: &str, mut ranges: Vec<std::ops::Range<usize>>) -> String {
    ranges.sort_by_key(|r| r.start);
    // Overlapping matches of two rules become one span, widened to whole characters, so no
    // part of either is left in clear.
    let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
    for mut range in ranges {
        while !text.is_char_boundary(range.start) {
            range.start -= 1;
        }
        range.end = range.end.min(text.len());
        while !text.is_char_boundary(range.end) {
            range.end += 1;
        }
        match spans.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => spans.push(range),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(&launchgate_core::secret::redact(&text[span.clone()]));
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_secrets_hides_every_credential_and_keeps_the_rest() {
        let key = "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"; // launchgate:allow (made up for the test)
        let token = "ghp_8f3kQ9zLm2XwR7vT1yB6nH4cJ0pD5sA2eG9u"; // launchgate:allow (made up for the test)
        let text = format!("Expected \";\" but found \"{key}\" near {token}\n");
        let out = super::redact_secrets(&text);
        assert!(!out.contains(key) && !out.contains(token), "{out}");
        assert!(out.starts_with("Expected \";\" but found \"…JdKe\""), "{out}");
        assert_eq!(super::redact_secrets("nothing here"), "nothing here");
    }

    #[test]
    fn overlapping_and_mid_character_ranges_are_redacted_whole() {
        let text = "id=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 é-tail";
        // Two overlapping spans: nothing of either may survive.
        let out = super::redact_ranges(text, vec![3..20, 12..39]);
        assert!(
            !out.contains("QRSTUVWXYZ") && !out.contains("0123456789"),
            "{out}"
        );
        assert!(out.starts_with("id=") && out.ends_with(" é-tail"), "{out}");
        // A range that starts inside `é` is widened to the whole character.
        let at = text.find('é').unwrap();
        let out = super::redact_ranges(text, std::iter::once(at + 1..text.len()).collect());
        assert!(!out.contains("tail") && !out.contains('é'), "{out}");
    }
}
