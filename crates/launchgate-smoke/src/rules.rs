//! The rule ids this gate reports, with their descriptions for SARIF and help links.

use launchgate_core::RuleInfo;

/// Every rule: id, short name, description.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "smoke.check",
        "check failed",
        "A smoke check got no response or a response that did not meet its expectations.",
    ),
    (
        "smoke.live-version",
        "new version not live",
        "The deployed version did not answer in time, so the old release may still be serving.",
    ),
    (
        "smoke.redirect.alias",
        "alias does not reach canonical",
        "An alias URL must redirect to the canonical URL and end on a 200.",
    ),
    (
        "smoke.redirect.loop",
        "redirect loop",
        "A redirect chain returns to a URL it already visited.",
    ),
    (
        "smoke.redirect.hops",
        "too many redirect hops",
        "An alias takes more than two hops to reach the canonical URL.",
    ),
    (
        "smoke.redirect.permanent",
        "temporary redirect",
        "Alias redirects must be permanent (301 or 308) so browsers and search engines remember them.",
    ),
    (
        "smoke.redirect.https-first",
        "http not upgraded on the same host",
        "http must go to https on the same host first, so HSTS is set for that host.",
    ),
    (
        "smoke.redirect.map",
        "redirect map",
        "An old path must land on its new path, which must answer 200.",
    ),
    (
        "smoke.tls.invalid",
        "invalid certificate",
        "The certificate chain does not verify for the host name.",
    ),
    (
        "smoke.tls.expiry",
        "certificate expires soon",
        "The certificate has fewer days left than the minimum.",
    ),
    (
        "smoke.tls.version",
        "old TLS version",
        "The negotiated TLS version is below the minimum.",
    ),
    (
        "smoke.domain.expiry",
        "domain expires soon",
        "The domain's registration, as RDAP reports it, has fewer days left than the minimum.",
    ),
    (
        "smoke.domain.rdap",
        "domain expiry unknown",
        "The RDAP lookup of the domain failed or found no record, so its expiry could not be checked.",
    ),
    (
        "smoke.headers",
        "page unreachable",
        "The canonical page could not be fetched for the header checks.",
    ),
    (
        "smoke.headers.hsts",
        "HSTS",
        "Strict-Transport-Security is missing, short or lacks includeSubDomains.",
    ),
    (
        "smoke.headers.nosniff",
        "nosniff",
        "X-Content-Type-Options: nosniff is missing.",
    ),
    (
        "smoke.headers.framing",
        "framing protection",
        "Neither CSP frame-ancestors nor X-Frame-Options is set.",
    ),
    (
        "smoke.headers.referrer",
        "Referrer-Policy",
        "Referrer-Policy is missing.",
    ),
    (
        "smoke.mixed-content",
        "mixed content",
        "An https page loads scripts, styles, images or frames over plain http.",
    ),
    (
        "smoke.latency",
        "latency samples failed",
        "Requests sampled for latency failed.",
    ),
    (
        "smoke.latency.p95",
        "p95 over budget",
        "The 95th-percentile response time of a route is over its budget.",
    ),
    (
        "smoke.burst.p95",
        "burst p95 over budget",
        "Under a burst of concurrent requests, p95 is over its budget.",
    ),
    (
        "smoke.burst.errors",
        "burst errors",
        "Under a burst of concurrent requests, too many requests failed.",
    ),
];

pub fn info(id: &str) -> Option<RuleInfo> {
    RULES
        .iter()
        .find(|(r, _, _)| *r == id)
        .map(|(_, name, description)| RuleInfo {
            name: name.to_string(),
            description: description.to_string(),
            help_uri: None,
        })
}
