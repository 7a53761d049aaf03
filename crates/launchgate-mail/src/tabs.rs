//! Which of Gmail's inbox tabs holds a message the round trip found in the inbox.
//!
//! Over plain IMAP Gmail's categories are not folders: a message in the Promotions tab is in
//! INBOX like any other. Gmail's IMAP extension (capability `X-GM-EXT-1`) adds the
//! `X-GM-RAW` search key, which takes Gmail's own search operators, so
//! `UID SEARCH UID 7 X-GM-RAW "category:promotions"` answers whether message 7 is in that
//! tab. A server without the extension has no tabs to ask about, and none is guessed.

use launchgate_core::{Finding, Location, Severity};

use crate::Kind;
use crate::inbox::Session;

/// The capability of Gmail's IMAP extension.
pub const GMAIL_EXTENSION: &str = "X-GM-EXT-1";

/// One of Gmail's inbox tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Promotions,
    Social,
    Updates,
    Forums,
    Primary,
}

impl Tab {
    /// In the order asked: Promotions first, the one that matters to a sender; Primary last,
    /// asked too so that no answer (a server that knows no categories) stays no answer.
    pub const ALL: [Tab; 5] = [
        Tab::Promotions,
        Tab::Social,
        Tab::Updates,
        Tab::Forums,
        Tab::Primary,
    ];

    /// The tab's name in Gmail.
    pub fn name(self) -> &'static str {
        match self {
            Tab::Promotions => "Promotions",
            Tab::Social => "Social",
            Tab::Updates => "Updates",
            Tab::Forums => "Forums",
            Tab::Primary => "Primary",
        }
    }

    /// Gmail's search operator for the messages in this tab.
    fn operator(self) -> &'static str {
        match self {
            Tab::Promotions => "category:promotions",
            Tab::Social => "category:social",
            Tab::Updates => "category:updates",
            Tab::Forums => "category:forums",
            Tab::Primary => "category:primary",
        }
    }
}

/// The SEARCH criteria asking whether `uid` is in `tab`.
pub fn criteria(uid: u32, tab: Tab) -> String {
    format!("UID {uid} X-GM-RAW \"{}\"", tab.operator())
}

/// Whether the server speaks Gmail's IMAP extension (asked once per login).
pub async fn gmail_extension(session: &mut Session) -> Result<bool, async_imap::error::Error> {
    Ok(session.capabilities().await?.has_str(GMAIL_EXTENSION))
}

/// The tab holding message `uid` of `folder`: one search per tab, stopping at the first
/// that holds it; `None` when none does.
pub async fn tab_of(
    session: &mut Session,
    folder: &str,
    uid: u32,
) -> Result<Option<Tab>, async_imap::error::Error> {
    session.examine(folder).await?;
    for tab in Tab::ALL {
        if session.uid_search(criteria(uid, tab)).await?.contains(&uid) {
            return Ok(Some(tab));
        }
    }
    Ok(None)
}

/// Where the message landed, for the report: the folder, and the tab when known.
pub fn placement(folder: &str, tab: Option<Tab>) -> String {
    match tab {
        Some(tab) => format!("{folder} ({} tab)", tab.name()),
        None => folder.to_string(),
    }
}

/// `mail.promotions-tab` for a transactional message in the Promotions tab, at `place`.
pub fn check(tab: Option<Tab>, kind: Kind, message: &str, inbox: &str, place: &str) -> Option<Finding> {
    if tab != Some(Tab::Promotions) || kind != Kind::Transactional {
        return None;
    }
    Some(
        Finding::new(
            "mail.promotions-tab",
            Severity::Warning,
            format!("`{message}`, a transactional message, was put in the Promotions tab of inbox `{inbox}`"),
        )
        .at(Location::file(place))
        .subject(Tab::Promotions.name())
        .help("make it read as the reply to what the user did: fewer links and images, no marketing wording (offers, discounts, newsletters), and send it from its own stream (a separate subdomain or provider stream from marketing mail)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_one_tab_of_one_message() {
        assert_eq!(
            criteria(7, Tab::Promotions),
            "UID 7 X-GM-RAW \"category:promotions\""
        );
        assert_eq!(criteria(12, Tab::Primary), "UID 12 X-GM-RAW \"category:primary\"");
    }

    #[test]
    fn shows_the_tab_only_when_known() {
        assert_eq!(placement("INBOX", Some(Tab::Updates)), "INBOX (Updates tab)");
        assert_eq!(placement("INBOX", None), "INBOX");
    }

    #[test]
    fn only_a_transactional_message_in_promotions_is_a_finding() {
        let found = |tab, kind| check(tab, kind, "reset", "seed", "seed/INBOX/UID 1").is_some();
        assert!(found(Some(Tab::Promotions), Kind::Transactional));
        assert!(!found(Some(Tab::Promotions), Kind::Bulk));
        assert!(!found(Some(Tab::Updates), Kind::Transactional));
        assert!(!found(None, Kind::Transactional));
    }
}
