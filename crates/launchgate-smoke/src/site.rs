//! Site-wide checks: aliases reach the canonical URL in at most two permanent hops (http to
//! https on the same host first), the redirect map lands on 200s, TLS on every host, the
//! recommended security headers, and no mixed content.

use std::sync::OnceLock;

use launchgate_core::{Finding, Severity};
use regex::Regex;
use reqwest::Url;

use crate::cookies::CookieJar;
use crate::http::{Exchange, HttpClient, Prepared};
use crate::spec::{SecurityHeaders, SiteSpec, TlsVersion};
use crate::tls::unix_now;
use launchgate_core::CheckRun;

/// Permanent-redirect hops allowed from an alias to the canonical URL.
pub const MAX_ALIAS_HOPS: usize = 2;
/// HSTS max-age that counts as long enough: one year.
pub const HSTS_MIN_AGE: u64 = 31_536_000;
pub const DEFAULT_MIN_DAYS_LEFT: u32 = 14;

/// Walks an alias hop by hop and judges the chain.
pub async fn check_alias(client: &HttpClient, alias: &str, canonical: &Url) -> CheckRun {
    let name = format!("alias {alias}");
    let mut outcome = CheckRun::new(name.as_str());
    let Ok(start) = Url::parse(alias) else {
        return outcome.fail("smoke.redirect.alias", format!("`{alias}` is not a URL"), alias);
    };
    let mut jar = CookieJar::default();
    let mut chain: Vec<(Url, u16)> = Vec::new();
    let mut current = start.clone();
    let began = std::time::Instant::now();
    let final_url = loop {
        let response = match client
            .send(&Prepared::get(current.clone()), &mut jar, false, None)
            .await
        {
            Ok(r) => r,
            Err(e) => return outcome.fail("smoke.redirect.alias", format!("{alias}: {e}"), alias),
        };
        let status = response.status;
        let target = response.location().and_then(|l| current.join(&l).ok());
        match target {
            Some(next) if (300..400).contains(&status) => {
                chain.push((current.clone(), status));
                if chain.iter().any(|(u, _)| *u == next) {
                    let text = chain_words(&chain, &next);
                    return outcome.fail(
                        "smoke.redirect.loop",
                        format!("redirect loop from {alias}: {text}"),
                        alias,
                    );
                }
                if chain.len() > crate::http::MAX_REDIRECTS {
                    let text = chain_words(&chain, &next);
                    return outcome.fail(
                        "smoke.redirect.alias",
                        format!("{alias} never settles: {text}"),
                        alias,
                    );
                }
                current = next;
            }
            _ => break (current.clone(), status),
        }
    };
    outcome.duration_ms = Some(began.elapsed().as_millis() as u64);
    let (end, end_status) = final_url;
    let chain_text = chain_words(&chain, &end);
    let mut problems: Vec<(&str, String)> = Vec::new();
    let wanted = canonical.join(start.path()).unwrap_or_else(|_| canonical.clone());
    if chain.is_empty() {
        problems.push((
            "smoke.redirect.alias",
            format!("{alias} answers {end_status} instead of redirecting to {wanted}"),
        ));
    } else {
        if same_origin(&end, &wanted) && end.path() != wanted.path() {
            problems.push((
                "smoke.redirect.alias",
                format!("{alias} lands on {end}, not {wanted}: {chain_text}"),
            ));
        } else if !same_origin(&end, &wanted) {
            problems.push((
                "smoke.redirect.alias",
                format!("{alias} does not reach {wanted}: {chain_text}"),
            ));
        }
        if chain.len() > MAX_ALIAS_HOPS {
            problems.push((
                "smoke.redirect.hops",
                format!(
                    "{alias} takes {} hops (at most {MAX_ALIAS_HOPS}): {chain_text}",
                    chain.len()
                ),
            ));
        }
        for (url, status) in &chain {
            if !matches!(status, 301 | 308) {
                problems.push((
                    "smoke.redirect.permanent",
                    format!("{url} redirects with {status}, not a permanent 301 or 308: {chain_text}"),
                ));
            }
        }
        if start.scheme() == "http" {
            let first = chain
                .get(1)
                .map(|(u, _)| u.clone())
                .unwrap_or_else(|| end.clone());
            if first.scheme() != "https" || first.host_str() != start.host_str() {
                problems.push((
                    "smoke.redirect.https-first",
                    format!("{alias} goes to {first} first; send http to https on the same host first, so HSTS is set for it"),
                ));
            }
        }
    }
    if end_status != 200 && !chain.is_empty() {
        problems.push((
            "smoke.redirect.alias",
            format!("{alias} ends at {end} with status {end_status}, not 200"),
        ));
    }
    outcome.detail = Some(chain_text.clone());
    for (rule, message) in problems {
        outcome.push(Finding::new(rule, Severity::Error, message).subject(alias));
    }
    outcome
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn chain_words(chain: &[(Url, u16)], end: &Url) -> String {
    let mut parts: Vec<String> = chain.iter().map(|(u, s)| format!("{u} ({s})")).collect();
    parts.push(end.to_string());
    parts.join(" -> ")
}

/// An old path must land, through redirects, on its new path with a 200.
pub async fn check_mapped_redirect(client: &HttpClient, base: &Url, from: &str, to: &str) -> CheckRun {
    let mut outcome = CheckRun::new(format!("redirect {from} -> {to}"));
    let (Ok(source), Ok(target)) = (base.join(from), base.join(to)) else {
        return outcome.fail(
            "smoke.redirect.map",
            format!("`{from}` or `{to}` is not a path"),
            from,
        );
    };
    let mut jar = CookieJar::default();
    match client
        .send(&Prepared::get(source.clone()), &mut jar, true, None)
        .await
    {
        Err(e) => return outcome.fail("smoke.redirect.map", format!("{source}: {e}"), source.as_str()),
        Ok(r) => {
            outcome.duration_ms = Some(r.elapsed.as_millis() as u64);
            outcome.detail = Some(format!("{} -> {} ({})", source.path(), r.url.path(), r.status));
            if r.url.path() != target.path() || r.url.host_str() != target.host_str() {
                outcome.push(
                    Finding::new(
                        "smoke.redirect.map",
                        Severity::Error,
                        format!("{from} lands on {}, not {to}", r.url),
                    )
                    .subject(source.as_str())
                    .help("fix the redirect rule for this path"),
                );
            } else if r.status != 200 {
                outcome.push(
                    Finding::new(
                        "smoke.redirect.map",
                        Severity::Error,
                        format!(
                            "{from} lands on {to}, which answers {}; {}",
                            r.status,
                            r.body_excerpt()
                        ),
                    )
                    .subject(source.as_str()),
                );
            }
        }
    }
    outcome
}

/// Handshake with a host and judge its certificate and protocol version.
pub async fn check_tls(
    client: &HttpClient,
    url: &Url,
    min_days: u32,
    min_version: Option<TlsVersion>,
) -> CheckRun {
    let host = url.host_str().unwrap_or("").to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let mut outcome = CheckRun::new(format!("tls {host}"));
    let subject = format!("https://{host}:{port}");
    let addr = match client.address(&host, port).await {
        Ok(a) => a,
        Err(e) => return outcome.fail("smoke.tls.invalid", e.to_string(), &subject),
    };
    let began = std::time::Instant::now();
    let probe = crate::tls::probe(
        &host,
        addr,
        client.verifier.clone(),
        &client.certs,
        client.timeout,
    )
    .await;
    outcome.duration_ms = Some(began.elapsed().as_millis() as u64);
    let now = unix_now();
    if let Some(error) = &probe.error {
        outcome.push(
            Finding::new(
                "smoke.tls.invalid",
                Severity::Error,
                format!("{host}: TLS error: {error}"),
            )
            .subject(&subject)
            .help("renew or reissue the certificate so it is valid for this host name"),
        );
    }
    let mut detail = Vec::new();
    if let Some(v) = probe.version {
        detail.push(v.to_string());
    }
    if let Some(cert) = &probe.cert {
        let days = cert.days_left(now);
        detail.push(format!("{days} days left"));
        if probe.error.is_none() && days < i64::from(min_days) {
            outcome.push(
                Finding::new(
                    "smoke.tls.expiry",
                    Severity::Error,
                    format!(
                        "{host}: certificate expires in {days} days ({}), under the {min_days}-day minimum",
                        cert.not_after_text()
                    ),
                )
                .subject(&subject)
                .property("days_left", days)
                .help("renew the certificate, or check that automatic renewal runs"),
            );
        }
        if probe.error.is_none() && !cert.covers(&host) {
            outcome.push(
                Finding::new(
                    "smoke.tls.invalid",
                    Severity::Error,
                    format!("{host}: certificate is for {}", cert.names()),
                )
                .subject(&subject),
            );
        }
    }
    if let (Some(min), Some(got)) = (min_version, probe.version)
        && got < min
    {
        outcome.push(
            Finding::new(
                "smoke.tls.version",
                Severity::Error,
                format!("{host}: negotiated {got}, below the minimum {min}"),
            )
            .subject(&subject),
        );
    }
    outcome.detail = Some(match &probe.error {
        Some(e) => e.clone(),
        None => detail.join(", "),
    });
    outcome
}

/// Fetches the canonical page and checks security headers and mixed content.
pub async fn check_page_security(client: &HttpClient, site: &SiteSpec, canonical: &Url) -> CheckRun {
    let mut outcome = CheckRun::new(format!("security headers {canonical}"));
    let mut jar = CookieJar::default();
    let page = match client
        .send(&Prepared::get(canonical.clone()), &mut jar, true, None)
        .await
    {
        Ok(p) => p,
        Err(e) => return outcome.fail("smoke.headers", format!("{canonical}: {e}"), canonical.as_str()),
    };
    outcome.duration_ms = Some(page.elapsed.as_millis() as u64);
    if site.security_headers == Some(SecurityHeaders::Recommended) {
        for f in security_header_findings(&page) {
            outcome.push(f);
        }
    }
    for f in mixed_content(&page) {
        outcome.push(f);
    }
    outcome.detail = Some(format!("{} {}", page.status, page.url));
    outcome
}

/// The recommended-header findings for one response.
pub fn security_header_findings(page: &Exchange) -> Vec<Finding> {
    let subject = page.url.to_string();
    let mut out = Vec::new();
    let mut add = |rule: &str, severity: Severity, message: String, help: &str| {
        out.push(Finding::new(rule, severity, message).subject(&subject).help(help));
    };
    match page.header("strict-transport-security") {
        None => add(
            "smoke.headers.hsts",
            Severity::Error,
            "no Strict-Transport-Security header".into(),
            "send `Strict-Transport-Security: max-age=31536000; includeSubDomains`",
        ),
        Some(hsts) => {
            let lower = hsts.to_ascii_lowercase();
            let age = lower
                .split(';')
                .filter_map(|p| p.trim().strip_prefix("max-age="))
                .find_map(|v| v.trim_matches('"').parse::<u64>().ok());
            match age {
                Some(a) if a >= HSTS_MIN_AGE => {}
                Some(a) => add(
                    "smoke.headers.hsts",
                    Severity::Warning,
                    format!("HSTS max-age is {a} s, under a year ({HSTS_MIN_AGE} s)"),
                    "raise max-age to 31536000 once HTTPS works everywhere",
                ),
                None => add(
                    "smoke.headers.hsts",
                    Severity::Error,
                    format!("Strict-Transport-Security `{hsts}` has no valid max-age"),
                    "write `max-age=31536000; includeSubDomains`",
                ),
            }
            if !lower.split(';').any(|p| p.trim() == "includesubdomains") {
                add(
                    "smoke.headers.hsts",
                    Severity::Warning,
                    "HSTS lacks includeSubDomains".into(),
                    "add `includeSubDomains` once every subdomain serves HTTPS",
                );
            }
        }
    }
    if !page
        .header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
    {
        add(
            "smoke.headers.nosniff",
            Severity::Warning,
            "X-Content-Type-Options is not `nosniff`".into(),
            "send `X-Content-Type-Options: nosniff`",
        );
    }
    let frame_ancestors = page
        .header("content-security-policy")
        .is_some_and(|c| c.to_ascii_lowercase().contains("frame-ancestors"));
    if !frame_ancestors && page.header("x-frame-options").is_none() {
        add(
            "smoke.headers.framing",
            Severity::Warning,
            "neither CSP frame-ancestors nor X-Frame-Options: the page can be framed (clickjacking)".into(),
            "send `Content-Security-Policy: frame-ancestors 'self'` or `X-Frame-Options: DENY`",
        );
    }
    if page.header("referrer-policy").is_none() {
        add(
            "smoke.headers.referrer",
            Severity::Warning,
            "no Referrer-Policy header".into(),
            "send `Referrer-Policy: strict-origin-when-cross-origin`",
        );
    }
    out
}

/// http:// scripts, styles, images and frames on an https HTML page.
pub fn mixed_content(page: &Exchange) -> Vec<Finding> {
    if page.url.scheme() != "https" {
        return Vec::new();
    }
    let is_html = page
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"));
    if !is_html {
        return Vec::new();
    }
    static TAG: OnceLock<Regex> = OnceLock::new();
    static ATTR: OnceLock<Regex> = OnceLock::new();
    let tag = TAG.get_or_init(|| {
        Regex::new(r"(?is)<(script|img|iframe|frame|source|audio|video|embed|object|link)\b([^>]*)>")
            .expect("valid regex")
    });
    let attr = ATTR.get_or_init(|| {
        Regex::new(r#"(?is)\b(src|href|data|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
            .expect("valid regex")
    });
    let body = page.text();
    let mut found: Vec<String> = Vec::new();
    for t in tag.captures_iter(&body) {
        let name = t[1].to_ascii_lowercase();
        let attrs = &t[2];
        if name == "link" && !attrs.to_ascii_lowercase().contains("stylesheet") {
            continue;
        }
        for a in attr.captures_iter(attrs) {
            let value = a
                .get(2)
                .or(a.get(3))
                .or(a.get(4))
                .map(|m| m.as_str())
                .unwrap_or("");
            for candidate in value.split(',') {
                let url = candidate.split_whitespace().next().unwrap_or("");
                if url.to_ascii_lowercase().starts_with("http://") {
                    found.push(format!("<{name}> {url}"));
                }
            }
        }
    }
    found.dedup();
    found
        .into_iter()
        .map(|what| {
            Finding::new(
                "smoke.mixed-content",
                Severity::Error,
                format!("https page loads {what} over plain http"),
            )
            .subject(page.url.as_str())
            .help("load it over https (or a relative URL); browsers block or warn on mixed content")
        })
        .collect()
}
