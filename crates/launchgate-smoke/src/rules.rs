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
    Rule::new(
        "smoke.edge.page",
        "edge: page unreadable",
        "The canonical page could not be fetched or decoded for the edge checks.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.edge.asset",
        "edge: asset missing",
        "An asset the page references does not load, answers an error, or redirects.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.edge.cache.hashed",
        "hashed asset not cached long",
        "An asset with a content hash in its name must be cacheable for at least 30 days and never no-store or no-cache.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.edge.cache.immutable",
        "hashed asset not immutable",
        "A long-cached hashed asset without `immutable` is still revalidated on reload.",
        Severity::Note,
    ),
    Rule::new(
        "smoke.edge.cache.html",
        "HTML cached too long",
        "HTML must not be cacheable for more than 10 minutes without revalidation, or visitors keep an old release.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.edge.validator",
        "no validator",
        "An asset has neither ETag nor Last-Modified, so a stale copy cannot be revalidated with a 304.",
        Severity::Warning,
    ),
    Rule::new(
        "smoke.edge.compression",
        "uncompressed text",
        "A text response over 1 KiB came without br, gzip or zstd although the request accepted them.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.edge.skipped",
        "edge: assets not checked",
        "Assets on other hosts, or past max_assets, were not fetched.",
        Severity::Note,
    ),
    Rule::new(
        "smoke.edge.cdn",
        "no CDN",
        "`require: cdn` is set and no CDN or edge platform shows in the response headers.",
        Severity::Error,
    ),
    Rule::new(
        "smoke.edge.http-version",
        "HTTP/1.1 only",
        "An https site offers neither HTTP/2 (ALPN) nor HTTP/3 (alt-svc).",
        Severity::Note,
    ),
    Rule::new(
        "smoke.edge.version-leak",
        "version in Server header",
        "Server or X-Powered-By names a software version.",
        Severity::Note,
    ),
    Rule::new(
        "smoke.rate-limit",
        "login not throttled",
        "A bounded series of failed logins was never answered with 429, a configured status, Retry-After or an exhausted RateLimit header.",
        Severity::Error,
    ),
];

/// The rules as a set, to describe a report's findings and list them.
pub const SET: RuleSet<'static> = RuleSet::new(RULES);

#[cfg(test)]
mod tests {
    /// What `--list-rules` prints: every rule, its default severity and what it finds.
    #[test]
    fn the_rule_list() {
        insta::assert_snapshot!(super::SET.list());
    }
}
