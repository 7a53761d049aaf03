//! Whether the links of a delivered message answer: a bounded number, on the sending
//! domain's hosts (and `link_domains`) only, so the gate never follows a link elsewhere.
//! Findings show scheme, host and path: a reset link's query holds its token.

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
        let shown = link.split(['?', '#']).next().unwrap_or(link).to_string();
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
