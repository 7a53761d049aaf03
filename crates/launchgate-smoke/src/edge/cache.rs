//! Cache-Control (RFC 9111, `immutable` from RFC 8246) read and judged: hashed assets must
//! be cacheable for long, HTML must not be cached for long without revalidation, and every
//! asset should carry a validator (`ETag` or `Last-Modified`).

use std::time::Duration;

use launchgate_core::{Finding, Severity};

use crate::http::Exchange;

/// The directives that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
    pub no_store: bool,
    pub no_cache: bool,
    pub immutable: bool,
}

impl CacheControl {
    /// Every `Cache-Control` field of a response, merged.
    pub fn of(exchange: &Exchange) -> CacheControl {
        let mut cc = CacheControl::default();
        for value in exchange.headers.get_all("cache-control") {
            let Ok(text) = value.to_str() else { continue };
            for directive in text.split(',') {
                let (name, arg) = match directive.split_once('=') {
                    Some((n, a)) => (n, Some(a.trim().trim_matches('"'))),
                    None => (directive, None),
                };
                let seconds = arg.and_then(|a| a.parse::<u64>().ok());
                match name.trim().to_ascii_lowercase().as_str() {
                    "max-age" => cc.max_age = seconds.or(cc.max_age),
                    "s-maxage" => cc.s_maxage = seconds.or(cc.s_maxage),
                    "no-store" => cc.no_store = true,
                    "no-cache" => cc.no_cache = true,
                    "immutable" => cc.immutable = true,
                    _ => {}
                }
            }
        }
        cc
    }

    /// How long any cache may serve it without asking: the longer of max-age and s-maxage.
    pub fn longest_ttl(&self) -> Option<u64> {
        self.max_age.max(self.s_maxage)
    }
}

/// The header as sent, for reports: `public, max-age=31536000, immutable` or `(none)`.
pub fn header_text(exchange: &Exchange) -> String {
    let values: Vec<&str> = exchange
        .headers
        .get_all("cache-control")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        "(none)".into()
    } else {
        values.join(", ")
    }
}

/// `30 days`, `1 h`, `10 min`, `45 s`.
pub fn span_words(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 && s.is_multiple_of(86_400) => format!("{} days", s / 86_400),
        s if s >= 86_400 => format!("{:.1} days", s as f64 / 86_400.0),
        s if s >= 3600 && s.is_multiple_of(3600) => format!("{} h", s / 3600),
        s if s >= 60 && s.is_multiple_of(60) => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// A hashed asset: long-lived and never `no-store` or `no-cache`; `immutable` is a note.
pub fn judge_hashed(subject: &str, exchange: &Exchange, min_ttl: Duration) -> Vec<Finding> {
    let cc = CacheControl::of(exchange);
    let sent = header_text(exchange);
    let min = min_ttl.as_secs();
    let file = exchange.url.path();
    let problem = if cc.no_store {
        Some(format!(
            "{file} has a hashed name but `Cache-Control: {sent}` forbids storing it: every visit downloads it again"
        ))
    } else if cc.no_cache {
        Some(format!(
            "{file} has a hashed name but `Cache-Control: {sent}` makes every use ask the server first"
        ))
    } else {
        match cc.longest_ttl() {
            None => Some(format!(
                "{file} has a hashed name but no max-age (Cache-Control: {sent}): browsers and CDNs guess how long to keep it"
            )),
            Some(ttl) if ttl < min => Some(format!(
                "{file} has a hashed name but is cacheable for only {} (Cache-Control: {sent}), under {}",
                span_words(ttl),
                span_words(min)
            )),
            Some(_) => None,
        }
    };
    let mut out = Vec::new();
    match problem {
        Some(message) => out.push(
            Finding::new("smoke.edge.cache.hashed", Severity::Error, message)
                .subject(subject)
                .help("its name changes with its content, so serve it with `Cache-Control: public, max-age=31536000, immutable`"),
        ),
        None if !cc.immutable => out.push(
            Finding::new(
                "smoke.edge.cache.immutable",
                Severity::Note,
                format!("{file} is cached long but not marked `immutable`, so a reload still revalidates it"),
            )
            .subject(subject)
            .help("add `immutable` to its Cache-Control"),
        ),
        None => {}
    }
    out
}

/// HTML: no longer than `max_ttl` in any cache unless every use is revalidated.
pub fn judge_html(subject: &str, exchange: &Exchange, max_ttl: Duration) -> Option<Finding> {
    let cc = CacheControl::of(exchange);
    if cc.no_store || cc.no_cache {
        return None;
    }
    let ttl = cc.longest_ttl()?;
    (ttl > max_ttl.as_secs()).then(|| {
        Finding::new(
            "smoke.edge.cache.html",
            Severity::Error,
            format!(
                "the page {} may be served from cache for {} without revalidation (Cache-Control: {}), over {}: after a deploy visitors keep the old page, which may name assets that are gone",
                exchange.url,
                span_words(ttl),
                header_text(exchange),
                span_words(max_ttl.as_secs())
            ),
        )
        .subject(subject)
        .help("serve HTML with `Cache-Control: no-cache` (cached, but revalidated) or a max-age of a few minutes")
    })
}

/// A warning when a response carries neither `ETag` nor `Last-Modified`.
pub fn judge_validator(subject: &str, exchange: &Exchange) -> Option<Finding> {
    let has = |n: &str| exchange.headers.contains_key(n);
    (!has("etag") && !has("last-modified")).then(|| {
        Finding::new(
            "smoke.edge.validator",
            Severity::Warning,
            format!(
                "{} has no ETag or Last-Modified: once stale it must be downloaded whole instead of answered with 304",
                exchange.url.path()
            ),
        )
        .subject(subject)
        .help("let the server or CDN send an ETag (most do for static files)")
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 200 from `url` with these headers and body.
    pub(crate) fn exchange(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Exchange {
        Exchange {
            url: reqwest::Url::parse(url).expect("a URL"),
            status: 200,
            headers: crate::edge::cdn::header_map(headers),
            body: body.to_vec(),
            elapsed: Duration::ZERO,
            hops: Vec::new(),
            set_cookies: Vec::new(),
            redactor: Default::default(),
        }
    }

    fn html(cache_control: &[&str]) -> Option<Finding> {
        let headers: Vec<(&str, &str)> = cache_control.iter().map(|v| ("Cache-Control", *v)).collect();
        judge_html(
            "x",
            &exchange("https://x.test/", &headers, b""),
            Duration::from_secs(600),
        )
    }

    #[test]
    fn directives_merge_across_fields_and_ignore_case_and_quotes() {
        let ex = exchange(
            "https://x.test/a.js",
            &[
                ("Cache-Control", "Public, MAX-AGE=\"60\""),
                ("Cache-Control", "s-maxage=3600, Immutable"),
            ],
            b"",
        );
        let cc = CacheControl::of(&ex);
        assert_eq!(
            (cc.max_age, cc.s_maxage, cc.immutable),
            (Some(60), Some(3600), true)
        );
        assert_eq!(cc.longest_ttl(), Some(3600));
        assert_eq!(
            header_text(&ex),
            "Public, MAX-AGE=\"60\", s-maxage=3600, Immutable"
        );
    }

    #[test]
    fn html_may_be_cached_ten_minutes_or_revalidated() {
        assert!(html(&["max-age=600"]).is_none());
        assert!(html(&["max-age=601"]).is_some());
        assert!(html(&["max-age=60, s-maxage=86400"]).is_some());
        assert!(html(&["no-cache, max-age=86400"]).is_none());
        assert!(html(&["no-store"]).is_none());
        assert!(html(&[]).is_none());
    }

    #[test]
    fn hashed_assets_need_thirty_days() {
        let month = Duration::from_secs(30 * 86_400);
        let judge = |cc: &str| {
            judge_hashed(
                "x",
                &exchange("https://x.test/a-1b2c3d4e.js", &[("Cache-Control", cc)], b""),
                month,
            )
            .into_iter()
            .map(|f| f.rule_id)
            .collect::<Vec<_>>()
        };
        assert_eq!(judge("max-age=2592000, immutable"), Vec::<String>::new());
        assert_eq!(judge("max-age=2592000"), ["smoke.edge.cache.immutable"]);
        assert_eq!(judge("max-age=2591999, immutable"), ["smoke.edge.cache.hashed"]);
        assert_eq!(
            judge("max-age=60, s-maxage=31536000, immutable"),
            Vec::<String>::new()
        );
        assert_eq!(judge("max-age=31536000, no-cache"), ["smoke.edge.cache.hashed"]);
        assert_eq!(judge("public"), ["smoke.edge.cache.hashed"]);
        assert_eq!(span_words(2_592_000), "30 days");
        assert_eq!(span_words(3600), "1 h");
    }
}
