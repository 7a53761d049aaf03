//! The rule ids this gate reports, with their descriptions for SARIF and help links.

use launchgate_core::{Rule, RuleSet, Severity};

/// Every rule this gate reports.
pub const RULES: &[Rule] = &[
    Rule::new(
        "smoke.check",
        "check failed",
        "A smoke check got no response or a response that did not meet its expectations.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.live-version",
        "new version not live",
        "The deployed version did not answer in time, so the old release may still be serving.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.redirect.alias",
        "alias does not reach canonical",
        "An alias URL must redirect to the canonical URL and end on a 200.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.redirect.loop",
        "redirect loop",
        "A redirect chain returns to a URL it already visited.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.redirect.hops",
        "too many redirect hops",
        "An alias takes more than two hops to reach the canonical URL.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.redirect.permanent",
        "temporary redirect",
        "Alias redirects must be permanent (301 or 308) so browsers and search engines remember them.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.redirect.https-first",
        "http not upgraded on the same host",
        "http must go to https on the same host first, so HSTS is set for that host.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.redirect.map",
        "redirect map",
        "An old path must land on its new path, which must answer 200.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.tls.invalid",
        "invalid certificate",
        "The certificate chain does not verify for the host name.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.tls.expiry",
        "certificate expires soon",
        "The certificate has fewer days left than the minimum.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.tls.version",
        "old TLS version",
        "The negotiated TLS version is below the minimum.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.domain.expiry",
        "domain expires soon",
        "The domain's registration, as RDAP reports it, has fewer days left than the minimum.",
        Severity::Warning,
    ),
    Rule::new(
        "smoke.domain.rdap",
        "domain expiry unknown",
        "The RDAP lookup of the domain failed or found no record, so its expiry could not be checked.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.headers",
        "page unreachable",
        "The canonical page could not be fetched for the header checks.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.headers.hsts",
        "HSTS",
        "Strict-Transport-Security is missing, short or lacks includeSubDomains.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.headers.nosniff",
        "nosniff",
        "X-Content-Type-Options: nosniff is missing.",
        Severity::Warning,
    ),
    Rule::new(
        "smoke.headers.framing",
        "framing protection",
        "Neither CSP frame-ancestors nor X-Frame-Options is set.",
        Severity::Warning,
    ),
    Rule::new(
        "smoke.headers.referrer",
        "Referrer-Policy",
        "Referrer-Policy is missing.",
        Severity::Warning,
    ),
    Rule::new(
        "smoke.mixed-content",
        "mixed content",
        "An https page loads scripts, styles, images or frames over plain http.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.latency",
        "latency samples failed",
        "Requests sampled for latency failed.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.latency.p95",
        "p95 over budget",
        "The 95th-percentile response time of a route is over its budget.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.burst.p95",
        "burst p95 over budget",
        "Under a burst of concurrent requests, p95 is over its budget.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.burst.errors",
        "burst errors",
        "Under a burst of concurrent requests, too many requests failed.",
        Severity::Error,
    ),
];

/// The rules as a set, to describe a report's findings and list them.
pub const SET: RuleSet<'static> = RuleSet::new(RULES);
