//! Secrets that cannot be printed by accident.
//!
//! A [`Secret`] holds a raw value; its `Display` and `Debug` show only the redacted form,
//! and it does not implement `Serialize`. What reaches a report is a [`RedactedSecret`]:
//! the display form and a SHA-256 fingerprint, never the value.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A secret value. Printing it, in any way, shows the redacted form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a raw value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// The raw value, for matching and comparison only. Never format this into output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The display form: a short prefix, an ellipsis and at most the last four characters,
    /// together never more than a third of the value.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// The hex SHA-256 of the raw value.
    pub fn sha256(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// What a report may carry about this secret.
    pub fn to_redacted(&self) -> RedactedSecret {
        RedactedSecret {
            display: self.redacted(),
            sha256: self.sha256(),
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

/// The only form of a secret that findings and reports hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedSecret {
    /// For example `ghp_…a1b2`.
    pub display: String,
    /// Hex SHA-256 of the raw value; lets a reader confirm which key it is without seeing it.
    pub sha256: String,
}

/// Redacts a raw value for display.
///
/// Values shorter than 9 characters show nothing but the ellipsis: any character of a
/// short password is too much. Longer values keep a recognisable prefix (up to and
/// including an early `_` or `-`, as in `ghp_` or `sk_live_`, else 4 characters) and up to
/// 4 trailing characters, within a third of the length.
pub fn redact(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n < 9 {
        return "…".to_string();
    }
    let budget = n / 3;
    let suffix = (budget / 3).clamp(1, 4);
    let natural_prefix = chars
        .iter()
        .take(9)
        .rposition(|c| *c == '_' || *c == '-')
        .map(|i| i + 1)
        .unwrap_or(4);
    let prefix = natural_prefix.min(budget - suffix);
    let head: String = chars[..prefix].iter().collect();
    let tail: String = chars[n - suffix..].iter().collect();
    format!("{head}…{tail}")
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_token_keeps_prefix_and_tail() {
        let s = Secret::new("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789");
        assert_eq!(s.redacted(), "ghp_…6789");
    }

    #[test]
    fn never_more_than_a_third_is_shown() {
        for len in 0..200 {
            let value: String = "abcdefghij_klmnop".chars().cycle().take(len).collect();
            let shown = redact(&value).chars().filter(|c| *c != '…').count();
            assert!(shown * 3 <= len, "len {len}: shown {shown}");
        }
    }

    #[test]
    fn short_values_show_nothing() {
        assert_eq!(redact("hunter2"), "…");
        assert_eq!(redact(""), "…");
    }

    #[test]
    fn display_and_debug_redact() {
        let raw = "sk_live_51Habcdefghijklmnopqrstuvwx";
        let s = Secret::new(raw);
        assert!(!format!("{s}").contains(raw));
        assert!(!format!("{s:?}").contains(raw));
        assert!(!format!("{s:#?}").contains("51Habcdefghijklmnop"));
        assert_eq!(s.sha256().len(), 64);
    }

    #[test]
    fn multibyte_values_do_not_panic() {
        let s = Secret::new("pässwörd-ünïcödé-välüé");
        assert!(s.redacted().contains('…'));
    }
}
