//! The content rules: who the message says it is from, how readers reply and unsubscribe,
//! where its links go, and how large it is.

use launchgate_core::{Finding, Location, Severity};

use crate::message::{Facts, RawMessage, domain_of, link_host};
use crate::{Kind, VerifyOptions};

/// Findings about the content of one message.
pub fn check(message: &RawMessage, facts: &Facts, kind: Kind, options: &VerifyOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = |header: &str| Location::at(message.path.clone(), message.line_of(header).unwrap_or(1), 1);
    let from_domain = facts.author_domain().unwrap_or_default().to_string();
    // Links and replies are judged against the sending domain when one is configured.
    let own = options
        .sending_domain
        .clone()
        .unwrap_or_else(|| from_domain.clone());

    if let Some(sending) = &options.sending_domain
        && !within(&from_domain, sending)
    {
        out.push(
            Finding::new(
                "mail.from-domain",
                Severity::Error,
                format!("From is `{}`, not an address at {sending}", facts.from.as_deref().unwrap_or("")),
            )
            .at(at("from"))
            .subject("From")
            .help(format!(
                "set the sender address in the app's mail settings to an address at {sending} (for example no-reply@{sending}), and verify {sending} at the mail provider"
            )),
        );
    }

    for reply_to in &facts.reply_to {
        let domain = domain_of(reply_to).unwrap_or_default();
        if !within(domain, &own) {
            out.push(
                Finding::new(
                    "mail.reply-to-domain",
                    Severity::Warning,
                    format!("Reply-To is `{reply_to}`, outside {own}: replies leave the sending domain"),
                )
                .at(at("reply-to"))
                .subject("Reply-To")
                .help(format!("set Reply-To to an address at {own}, or remove it")),
            );
        }
    }

    match facts.message_id.as_deref() {
        None => out.push(
            Finding::new(
                "mail.message-id",
                Severity::Warning,
                "the message has no Message-ID header",
            )
            .at(Location::at(message.path.clone(), 1, 1))
            .subject("Message-ID")
            .help("let the mail provider or library add a Message-ID at the sending domain"),
        ),
        Some(id) => {
            let domain = domain_of(id).unwrap_or_default().to_ascii_lowercase();
            if !within(&domain, &own) && !options.message_id_domains.iter().any(|d| within(&domain, d)) {
                out.push(
                    Finding::new(
                        "mail.message-id",
                        Severity::Warning,
                        format!("Message-ID `<{id}>` names `{domain}`, not {own}: it gives away a test or provider host"),
                    )
                    .at(at("message-id"))
                    .subject("Message-ID")
                    .help(format!(
                        "set the Message-ID domain to {own} in the mail library, or allow the provider's domain with mail.message_id_domains"
                    )),
                );
            }
        }
    }

    if facts.html_parts > 0 && facts.text_parts == 0 {
        out.push(
            Finding::new(
                "mail.no-text-part",
                Severity::Warning,
                "the message has an HTML part and no text/plain part beside it",
            )
            .at(at("content-type"))
            .subject("Content-Type")
            .help("send multipart/alternative with a text/plain version of the same content"),
        );
    }

    if kind == Kind::Bulk {
        unsubscribe(&mut out, message, facts, &at);
    }

    let mut seen = Vec::new();
    for link in &facts.links {
        let Some(host) = link_host(link) else { continue };
        if seen.contains(&host) {
            continue;
        }
        seen.push(host.clone());
        let body = Location::at(message.path.clone(), message.body_line(), 1);
        if options.https_product && link.to_ascii_lowercase().starts_with("http://") {
            out.push(
                Finding::new(
                    "mail.insecure-link",
                    Severity::Warning,
                    format!("the body links to http://{host}, not https"),
                )
                .at(body.clone())
                .subject("body")
                .help("use https links in the templates; link tracking at the provider needs its https tracking domain"),
            );
        }
        if !within(&host, &own) && !options.link_domains.iter().any(|d| within(&host, d)) {
            out.push(
                Finding::new(
                    "mail.link-domain",
                    Severity::Warning,
                    format!("the body links to {host}, outside {own}"),
                )
                .at(body)
                .subject("body")
                .help(format!(
                    "link to pages at {own} (a click-tracking domain can be a CNAME under it), or allow the host with mail.link_domains"
                )),
            );
        }
    }

    if facts.size as u64 > options.size_limit {
        out.push(
            Finding::new(
                "mail.size",
                Severity::Warning,
                format!(
                    "the message is {} bytes, over {} bytes: Gmail clips it and hides the rest",
                    facts.size, options.size_limit
                ),
            )
            .at(Location::at(message.path.clone(), 1, 1))
            .subject("message")
            .help("shrink the HTML (inline styles, images as links) or raise mail.max_size"),
        );
    }
    out
}

/// RFC 8058 one-click unsubscribe: an https URI and the exact POST body marker.
fn unsubscribe(out: &mut Vec<Finding>, message: &RawMessage, facts: &Facts, at: &dyn Fn(&str) -> Location) {
    let help = "have the provider add `List-Unsubscribe: <https://…>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), answering a POST to that URL";
    let https = facts
        .list_unsubscribe
        .as_deref()
        .is_some_and(|v| v.to_ascii_lowercase().contains("<https://"));
    let post = facts
        .list_unsubscribe_post
        .as_deref()
        .is_some_and(|v| v.trim() == "List-Unsubscribe=One-Click");
    let problem = match (facts.list_unsubscribe.is_some(), https, post) {
        (false, _, _) => Some(("List-Unsubscribe", "bulk mail without a List-Unsubscribe header")),
        (true, false, _) => Some((
            "List-Unsubscribe",
            "List-Unsubscribe has no https URI, so one-click unsubscribe is impossible",
        )),
        (true, true, false) => Some((
            "List-Unsubscribe-Post",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click is missing",
        )),
        _ => None,
    };
    if let Some((header, text)) = problem {
        let location = if message.line_of(header).is_some() {
            at(header)
        } else {
            Location::at(message.path.clone(), 1, 1)
        };
        out.push(
            Finding::new("mail.one-click-unsubscribe", Severity::Error, text)
                .at(location)
                .subject(header)
                .help(help),
        );
    }
}

/// `domain` is `parent` or a name under it.
pub fn within(domain: &str, parent: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let parent = parent.trim_end_matches('.').to_ascii_lowercase();
    !parent.is_empty() && (domain == parent || domain.ends_with(&format!(".{parent}")))
}
