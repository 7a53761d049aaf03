//! DMARC identifier alignment (RFC 7489 §3.1) for the alignment table.
//!
//! The verdict comes from mail-auth, which finds organizational domains by the DMARC tree
//! walk; the table's "aligned" column compares names: strict is the same name, relaxed is
//! the same last two labels (so `mail.example.com` and `example.com` align, and two names
//! under a two-label public suffix such as `co.uk` are shown as aligned).

use launchgate_core::Table;
use mail_auth::dmarc::Alignment;

/// One authenticated identity of a message: a DKIM `d=` or the SPF domain.
#[derive(Debug, Clone)]
pub struct Identity {
    /// `DKIM` or `SPF`.
    pub kind: &'static str,
    pub domain: String,
    /// The verification result in Authentication-Results words.
    pub result: String,
    pub aligned: bool,
    pub mode: Alignment,
}

/// Whether `domain` aligns with the From domain under `mode`.
pub fn aligned(domain: &str, from_domain: &str, mode: Alignment) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let from = from_domain.trim_end_matches('.').to_ascii_lowercase();
    if domain.is_empty() || from.is_empty() {
        return false;
    }
    match mode {
        Alignment::Strict => domain == from,
        Alignment::Relaxed => last_two_labels(&domain) == last_two_labels(&from),
    }
}

fn last_two_labels(name: &str) -> &str {
    let mut dots = name.rmatch_indices('.');
    dots.next();
    match dots.next() {
        Some((i, _)) => &name[i + 1..],
        None => name,
    }
}

/// The alignment table: one row per identity per message.
pub fn table(rows: &[(String, String, Identity)]) -> Table {
    Table {
        title: "DMARC alignment".into(),
        columns: [
            "message",
            "From domain",
            "identity",
            "domain",
            "result",
            "aligned",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|(message, from, id)| {
                vec![
                    message.clone(),
                    from.clone(),
                    id.kind.to_string(),
                    id.domain.clone(),
                    id.result.clone(),
                    format!(
                        "{} ({})",
                        if id.aligned { "yes" } else { "no" },
                        if id.mode == Alignment::Strict {
                            "strict"
                        } else {
                            "relaxed"
                        }
                    ),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_needs_the_same_name_relaxed_the_same_parent() {
        assert!(aligned("mail.example.com", "example.com", Alignment::Relaxed));
        assert!(!aligned("mail.example.com", "example.com", Alignment::Strict));
        assert!(aligned("Example.com.", "example.com", Alignment::Strict));
        assert!(!aligned("sendgrid.net", "example.com", Alignment::Relaxed));
        assert!(!aligned("", "example.com", Alignment::Relaxed));
    }
}
