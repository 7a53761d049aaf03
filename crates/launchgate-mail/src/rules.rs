//! Every rule this gate reports, with a name and a description for SARIF and `--list-rules`.

use launchgate_core::{Rule, RuleSet, Severity};

/// Every rule this gate reports.
pub const RULES: &[Rule] = &[
    Rule::new(
        "mail.malformed",
        "Malformed",
        "The message cannot be read as RFC 5322 mail, or its header exceeds the stated limits (a header bomb): nothing else was checked.",
        Severity::Error,
    ),
    Rule::new(
        "mail.dkim-missing",
        "DkimMissing",
        "The message carries no DKIM-Signature: mailbox providers treat unsigned mail as suspect.",
        Severity::Error,
    ),
    Rule::new(
        "mail.dkim-fail",
        "DkimFail",
        "A DKIM signature does not verify: the body or a signed header changed after signing, or the key in DNS does not match.",
        Severity::Error,
    ),
    Rule::new(
        "mail.dkim-key",
        "DkimKey",
        "A DKIM key record is missing, revoked or does not parse.",
        Severity::Error,
    ),
    Rule::new(
        "mail.dkim-weak-key",
        "DkimWeakKey",
        "An RSA DKIM key shorter than 2048 bits (RFC 8301 forbids under 1024 and recommends 2048).",
        Severity::Warning,
    ),
    Rule::new(
        "mail.dkim-weak-algorithm",
        "DkimWeakAlgorithm",
        "A DKIM signature uses rsa-sha1, which RFC 8301 forbids signers to use.",
        Severity::Error,
    ),
    Rule::new(
        "mail.dkim-body-length",
        "DkimBodyLength",
        "A DKIM signature covers only part of the body (l=): anything appended after it passes unsigned.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.spf-fail",
        "SpfFail",
        "SPF for the envelope sender does not pass for the address that delivered the message.",
        Severity::Error,
    ),
    Rule::new(
        "mail.spf-unknown",
        "SpfUnknown",
        "SPF could not be evaluated: no Received header with the sending address, or no envelope sender.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.dmarc-fail",
        "DmarcFail",
        "Neither a passing DKIM signature nor passing SPF is aligned with the From domain, so DMARC fails.",
        Severity::Error,
    ),
    Rule::new(
        "mail.dmarc-missing",
        "DmarcMissing",
        "The From domain has no DMARC record; large mailbox providers require one (p=none at least) of bulk senders.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.arc-fail",
        "ArcFail",
        "The message carries an ARC chain that does not verify.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.auth-results-disagree",
        "AuthResultsDisagree",
        "The receiving server's Authentication-Results header says otherwise than this verification.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.dns-timeout",
        "DnsTimeout",
        "A DNS lookup needed to authenticate the message timed out or failed: that part could not be checked, so nothing proves it.",
        Severity::Error,
    ),
    Rule::new(
        "mail.trigger-failed",
        "TriggerFailed",
        "The product did not accept the request that makes it send the message (not 2xx, or no answer).",
        Severity::Error,
    ),
    Rule::new(
        "mail.not-delivered",
        "NotDelivered",
        "The round trip's message did not arrive in the seed inbox (nor its spam folder) within its deadline.",
        Severity::Error,
    ),
    Rule::new(
        "mail.link-broken",
        "LinkBroken",
        "A link of the delivered message, on the sending domain, does not answer with a success or a redirect.",
        Severity::Error,
    ),
    Rule::new(
        "mail.junk",
        "Junk",
        "The receiving mailbox put the message in spam: the round trip found it in a spam folder, or its headers say so (X-Gmail-Labels, X-Spam-Flag, Microsoft 365's spam confidence level).",
        Severity::Error,
    ),
    Rule::new(
        "mail.promotions-tab",
        "PromotionsTab",
        "A transactional message landed in Gmail's Promotions tab, where readers miss it: asked over Gmail's IMAP extension (X-GM-EXT-1) when the seed inbox's server offers it.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.from-domain",
        "FromDomain",
        "The From address is not at the configured sending domain.",
        Severity::Error,
    ),
    Rule::new(
        "mail.reply-to-domain",
        "ReplyToDomain",
        "The Reply-To address is at another domain than the From address: replies go elsewhere.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.message-id",
        "MessageId",
        "The Message-ID header is missing or names another domain than the sender (a test or provider host name).",
        Severity::Warning,
    ),
    Rule::new(
        "mail.no-text-part",
        "NoTextPart",
        "An HTML message without a plain-text alternative, which spam filters score against.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.one-click-unsubscribe",
        "OneClickUnsubscribe",
        "Bulk mail without List-Unsubscribe (https) and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), required by large mailbox providers since 2024.",
        Severity::Error,
    ),
    Rule::new(
        "mail.insecure-link",
        "InsecureLink",
        "A link over plain http from a product served over https.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.link-domain",
        "LinkDomain",
        "A link to a host outside the sending domain, which looks like phishing to readers and filters.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.size",
        "Size",
        "The message is larger than the stated size, past which Gmail clips it.",
        Severity::Warning,
    ),
];

/// The rule set of this gate.
pub const SET: RuleSet<'static> = RuleSet::new(RULES);

#[cfg(test)]
mod tests {
    /// What `--list-rules` prints: every rule, its default severity and what it finds.
    #[test]
    fn the_rule_list() {
        insta::assert_snapshot!(super::SET.list());
    }
}
