//! Whether the links of a delivered message answer: a bounded number, on the sending
//! domain's hosts (and `link_domains`) only, so the gate never follows a link elsewhere.
//! Findings show a link as [`shown`] writes it: a reset link holds its token in the query or
//! in the path (`/reset/{uid}/{token}`), and a link may carry a password as userinfo.

use std::time::Duration;

use launchgate_core::{Error, Finding, Location, Severity};

use crate::content::within;
use crate::message::{Facts, link_host};

/// The most links requested per message.
pub const MAX_CHECKED_LINKS: usize = 10;
/// How long one link may take to answer.
pub const LINK_TIMEOUT: Duration = Duration::from_secs(10);

/// `mail.link-broken` for each checked link that does not answer with a success or redirect.
pub async fn check(facts: &Facts, place: &str, own: &str, allowed: &[String]) -> Result<Vec<Finding>, Error> {
    let tls = launchgate_dns::trust::client_config(&[]).map_err(Error::input)?;
    let client = reqwest::Client::builder()
        .timeout(LINK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| Error::input(format!("cannot start the HTTP client: {e}")))?;
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for link in &facts.links {
        let Some(host) = link_host(link) else { continue };
        if !within(&host, own) && !allowed.iter().any(|d| within(&host, d)) {
            continue;
        }
        let shown = shown(link);
        if seen.contains(&shown) || seen.len() == MAX_CHECKED_LINKS {
            continue;
        }
        seen.push(shown.clone());
        let why = match client.get(link).send().await {
            Ok(r) if r.status().is_success() || r.status().is_redirection() => continue,
            Ok(r) => format!("answers {}", r.status()),
            Err(e) if e.is_timeout() => format!("does not answer within {} s", LINK_TIMEOUT.as_secs()),
            Err(e) => format!("cannot be reached ({})", e.without_url()),
        };
        out.push(
            Finding::new(
                "mail.link-broken",
                Severity::Error,
                format!("the link {shown} {why}"),
            )
            .at(Location::file(place.to_string()))
            .subject("body")
            .help("the email links to a page that does not work: fix the route or the template's link"),
        );
    }
    Ok(out)
}

/// A link as findings show it: scheme, host and path, without userinfo, query or fragment,
/// and with each path segment that could be a token written `…`.
pub fn shown(link: &str) -> String {
    let link = link.split(['?', '#']).next().unwrap_or(link);
    let Some((scheme, rest)) = link.split_once("://") else {
        return link.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| if plain_segment(segment) { segment } else { "…" })
        .collect();
    format!("{scheme}://{host}{}", path.join("/"))
}

/// A path segment that reads as a word (`reset-password`, `ResetPassword`, `v1`): short, or
/// letters and `-_.` only, at most 32 of them, without two capitals in a row. Tokens
/// (hex, base64, base62) nearly always break one of these.
fn plain_segment(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    bytes.len() <= 4
        || (bytes.len() <= 32
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphabetic() || b"-_.".contains(b))
            && !bytes
                .windows(2)
                .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn a_shown_link_keeps_its_words_and_loses_tokens_and_userinfo() {
        assert_eq!(
            shown("https://app.example/help/reset-password?token=r8KqX2#top"),
            "https://app.example/help/reset-password"
        );
        // Django and Laravel put the reset token in the path.
        assert_eq!(
            shown("https://app.example/reset/MQ/c4v6xz-8f0e1d2c3b4a59687f6e5d4c3b2a1908/"),
            "https://app.example/reset/MQ/…/"
        );
        assert_eq!(
            shown("https://app.example/Account/ResetPassword/QmFzZTY0VG9rZW5XaXRob3V0RGlnaXRz"),
            "https://app.example/Account/ResetPassword/…"
        );
        assert_eq!(
            shown("https://admin:s3cr3t-pass@app.example:8443/api/v1/me"),
            "https://app.example:8443/api/v1/me"
        );
        assert_eq!(shown("${APP_RESET_URL}"), "${APP_RESET_URL}");
    }
}
