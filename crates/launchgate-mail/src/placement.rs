//! Where the receiving mailbox put the message, as its own headers say: Gmail's labels in a
//! downloaded message, SpamAssassin's flag, Microsoft 365's spam confidence level.

use launchgate_core::{Finding, Location, Severity};

use crate::message::RawMessage;

/// Microsoft 365 moves messages with a spam confidence level of 5 or more to Junk Email.
const JUNK_SCL: i32 = 5;

/// The header that says the message went to spam, and its value.
pub fn junk_evidence(headers: &[(String, String)]) -> Option<(String, String)> {
    headers.iter().find_map(|(name, value)| {
        let v = value.trim();
        let junk = match name.to_ascii_lowercase().as_str() {
            "x-gmail-labels" => v
                .split(',')
                .any(|l| matches!(l.trim().to_ascii_lowercase().as_str(), "spam" | "junk")),
            "x-spam-flag" => v.eq_ignore_ascii_case("yes"),
            "x-ms-exchange-organization-scl" => v.parse::<i32>().is_ok_and(|scl| scl >= JUNK_SCL),
            _ => false,
        };
        junk.then(|| (name.clone(), v.to_string()))
    })
}

/// A `mail.junk` finding when the message's headers say it landed in spam.
pub fn check(message: &RawMessage, headers: &[(String, String)]) -> Option<Finding> {
    let (name, value) = junk_evidence(headers)?;
    Some(
        Finding::new(
            "mail.junk",
            Severity::Error,
            format!("the receiving mailbox put the message in spam ({name}: {value})"),
        )
        .at(Location::at(message.path.clone(), message.line_of(&name).unwrap_or(1), 1))
        .subject(name)
        .help("fix the authentication findings first (DMARC alignment above all); then warm up the sending domain and ask seed recipients to mark it not spam"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, value: &str) -> Vec<(String, String)> {
        vec![(name.to_string(), value.to_string())]
    }

    #[test]
    fn reads_each_providers_spam_header() {
        assert!(junk_evidence(&h("X-Gmail-Labels", "Spam,Category Updates")).is_some());
        assert!(junk_evidence(&h("X-Gmail-Labels", "Inbox,Important")).is_none());
        assert!(junk_evidence(&h("X-Spam-Flag", "YES")).is_some());
        assert!(junk_evidence(&h("X-MS-Exchange-Organization-SCL", "5")).is_some());
        assert!(junk_evidence(&h("X-MS-Exchange-Organization-SCL", "1")).is_none());
        assert!(junk_evidence(&h("Subject", "spam")).is_none());
    }
}
