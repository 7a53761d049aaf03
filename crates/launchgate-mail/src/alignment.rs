//! DMARC identifier alignment (RFC 7489 §3.1) for the alignment table, and for the verdict
//! when the From domain publishes no DMARC record.
//!
//! Strict is the same name; relaxed is the same organizational domain (RFC 7489 §3.2): the
//! name one label below its public suffix, by the Public Suffix List. So `mail.shop.co.uk`
//! and `news.shop.co.uk` align (both `shop.co.uk`), and `a.co.uk` and `b.co.uk` do not.
//! mail-auth's verdict finds organizational domains by the DMARC tree walk (RFC 9989), which
//! agrees with the list unless a domain's DMARC records say otherwise (`psd=`).

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
        Alignment::Relaxed => organizational_domain(&domain) == organizational_domain(&from),
    }
}

/// The registrable domain of a lowercase `name` under the Public Suffix List (a name
/// under no listed suffix has its last label as suffix); a public suffix is its own.
pub fn organizational_domain(name: &str) -> &str {
    psl::domain_str(name).unwrap_or(name)
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

    #[test]
    fn relaxed_alignment_compares_organizational_domains_by_the_public_suffix_list() {
        assert!(aligned("mail.shop.co.uk", "news.shop.co.uk", Alignment::Relaxed));
        assert!(aligned("shop.co.uk", "news.shop.co.uk", Alignment::Relaxed));
        assert!(!aligned("a.co.uk", "b.co.uk", Alignment::Relaxed));
        assert!(!aligned("co.uk", "a.co.uk", Alignment::Relaxed));
        assert!(!aligned("alice.github.io", "bob.github.io", Alignment::Relaxed));
        assert!(aligned(
            "bounces.membership.example",
            "membership.example",
            Alignment::Relaxed
        ));
        assert!(!aligned("mail.shop.co.uk", "news.shop.co.uk", Alignment::Strict));
    }

    #[test]
    fn organizational_domains_are_one_label_below_the_public_suffix() {
        assert_eq!(organizational_domain("mail.shop.co.uk"), "shop.co.uk");
        assert_eq!(organizational_domain("a.b.example.com"), "example.com");
        // A wildcard rule (`*.kawasaki.jp`) and its exception (`!city.kawasaki.jp`).
        assert_eq!(
            organizational_domain("a.shop.nakahara.kawasaki.jp"),
            "shop.nakahara.kawasaki.jp"
        );
        assert_eq!(organizational_domain("www.city.kawasaki.jp"), "city.kawasaki.jp");
        assert_eq!(organizational_domain("co.uk"), "co.uk");
        assert_eq!(
            organizational_domain("mail.membership.example"),
            "membership.example"
        );
    }
}
