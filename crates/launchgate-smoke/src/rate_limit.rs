//! `rate_limit`: a bounded series of failed logins, one after another, to one route on the
//! base URL's host; throttling must show before the series ends.
//!
//! Throttled means: a status from `expect.status` (429 by default), a `Retry-After` header,
//! or a rate-limit header saying no request is left (`RateLimit: …;r=0`,
//! `RateLimit-Remaining: 0`, `X-RateLimit-Remaining: 0`), or a Cloudflare challenge page
//! (`cf-mitigated: challenge`). Each attempt starts without cookies, as a bot's would.

use std::collections::BTreeMap;
use std::time::Instant;

use launchgate_core::{CheckRun, Finding, Severity};
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

use crate::cookies::CookieJar;
use crate::http::{HttpClient, Prepared, PreparedBody};
use crate::spec::{RateLimitBody, RateLimitSpec};

/// Sends the attempts and judges them.
pub async fn check(client: &HttpClient, base: &Url, spec: &RateLimitSpec) -> CheckRun {
    let label = format!("rate limit {} {}", spec.method, spec.path);
    let mut outcome = CheckRun::new(label.as_str());
    let url = match base.join(&spec.path) {
        Ok(u)
            if u.host_str() == base.host_str()
                && u.port_or_known_default() == base.port_or_known_default() =>
        {
            u
        }
        _ => {
            return outcome.fail(
                "smoke.rate-limit",
                format!("`{}` does not stay on {base}; nothing was sent", spec.path),
                &spec.path,
            );
        }
    };
    let request = prepare(spec, url.clone());
    let began = Instant::now();
    let deadline = began + spec.within;
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for attempt in 1..=spec.requests {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            outcome.duration_ms = Some(began.elapsed().as_millis() as u64);
            return outcome.fail(
                "smoke.rate-limit",
                format!(
                    "{label}: only {} of {} attempts fit in {}, none throttled ({}); raise `within` or lower `requests`",
                    attempt - 1,
                    spec.requests,
                    crate::http::secs(spec.within),
                    status_words(&statuses)
                ),
                url.as_str(),
            );
        }
        let mut jar = CookieJar::default();
        let timeout = left.min(client.timeout);
        let response = match client.send(&request, &mut jar, false, Some(timeout)).await {
            Ok(r) => r,
            Err(e) => {
                outcome.duration_ms = Some(began.elapsed().as_millis() as u64);
                return outcome.fail(
                    "smoke.rate-limit",
                    format!(
                        "{label}: attempt {attempt} of {} got no answer: {e}",
                        spec.requests
                    ),
                    url.as_str(),
                );
            }
        };
        *statuses.entry(response.status).or_default() += 1;
        if let Some(sign) = throttle_sign(response.status, &response.headers, &spec.throttled_status) {
            outcome.duration_ms = Some(began.elapsed().as_millis() as u64);
            outcome.detail = Some(format!(
                "throttled after {attempt} of {} attempts ({sign})",
                spec.requests
            ));
            return outcome;
        }
    }
    outcome.duration_ms = Some(began.elapsed().as_millis() as u64);
    let expected = spec
        .throttled_status
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ");
    outcome.detail = Some(format!(
        "{} attempts, none throttled ({})",
        spec.requests,
        status_words(&statuses)
    ));
    // Every attempt missing the route says more about the spec than about the limiter.
    if statuses.keys().all(|s| matches!(s, 404 | 405)) {
        return outcome.fail(
            "smoke.rate-limit",
            format!(
                "{label}: every attempt was refused as an unknown route ({}); is `{}` the login route?",
                status_words(&statuses),
                spec.path
            ),
            url.as_str(),
        );
    }
    outcome.push(
        Finding::new(
            "smoke.rate-limit",
            Severity::Error,
            format!(
                "{label}: {} failed logins in {} and none was throttled ({}); nothing stops a bot guessing passwords",
                spec.requests,
                crate::http::secs(began.elapsed()),
                status_words(&statuses)
            ),
        )
        .subject(url.as_str())
        .property("attempts", spec.requests)
        .help(format!(
            "limit attempts per account and per client address, answering {expected} with Retry-After once the limit is reached"
        )),
    );
    outcome
}

fn prepare(spec: &RateLimitSpec, url: Url) -> Prepared {
    let method = Method::from_bytes(spec.method.as_bytes()).unwrap_or(Method::POST);
    let body = spec.body.as_ref().map(|b| match b {
        RateLimitBody::Json(v) => PreparedBody::Json(v.clone()),
        RateLimitBody::Form(f) => PreparedBody::Form(f.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
    });
    Prepared {
        method,
        url,
        headers: spec.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        body,
        identity: None,
    }
}

/// What says "throttled" in one answer, in words; `None` when nothing does.
pub fn throttle_sign(status: u16, headers: &HeaderMap, throttled: &[u16]) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let mut signs = Vec::new();
    if throttled.contains(&status) {
        signs.push(format!("status {status}"));
    }
    if let Some(after) = header("retry-after") {
        signs.push(format!("Retry-After: {after}"));
    }
    for name in ["ratelimit-remaining", "x-ratelimit-remaining"] {
        if header(name).is_some_and(|v| v == "0") {
            signs.push(format!("{name}: 0"));
        }
    }
    // Cloudflare's challenge pages (its rate-limiting rules can answer with one) say so here.
    if header("cf-mitigated").is_some_and(|v| v.eq_ignore_ascii_case("challenge")) {
        signs.push("cf-mitigated: challenge".into());
    }
    if let Some(field) = header("ratelimit")
        && exhausted(field)
    {
        signs.push(format!("RateLimit: {field}"));
    }
    (!signs.is_empty()).then(|| signs.join(", "))
}

/// `RateLimit` as the IETF draft writes it: `"default";r=0;t=30` (later drafts) or
/// `limit=10, remaining=0, reset=5` (earlier ones).
fn exhausted(field: &str) -> bool {
    field
        .split([';', ','])
        .filter_map(|p| p.trim().split_once('='))
        .any(|(k, v)| matches!(k.trim(), "r" | "remaining") && v.trim() == "0")
}

fn status_words(statuses: &BTreeMap<u16, usize>) -> String {
    let parts: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} ×{n}")).collect();
    if parts.is_empty() {
        "no answer".into()
    } else {
        format!("answers: {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::cdn::header_map as headers;

    #[test]
    fn signs_of_throttling() {
        assert_eq!(
            throttle_sign(429, &headers(&[]), &[429]).as_deref(),
            Some("status 429")
        );
        assert_eq!(throttle_sign(403, &headers(&[]), &[429]), None);
        assert_eq!(
            throttle_sign(401, &headers(&[("Retry-After", "60")]), &[429]).as_deref(),
            Some("Retry-After: 60")
        );
        assert!(throttle_sign(401, &headers(&[("RateLimit", "\"default\";r=0;t=30")]), &[429]).is_some());
        assert!(
            throttle_sign(
                401,
                &headers(&[("RateLimit", "limit=10, remaining=0, reset=5")]),
                &[429]
            )
            .is_some()
        );
        assert!(throttle_sign(401, &headers(&[("X-RateLimit-Remaining", "0")]), &[429]).is_some());
        assert_eq!(
            throttle_sign(403, &headers(&[("cf-mitigated", "challenge")]), &[429]).as_deref(),
            Some("cf-mitigated: challenge")
        );
        // A limit that still has room is not throttling.
        assert_eq!(
            throttle_sign(
                401,
                &headers(&[
                    ("RateLimit", "\"default\";r=4;t=30"),
                    ("X-RateLimit-Remaining", "4")
                ]),
                &[429]
            ),
            None
        );
    }
}
