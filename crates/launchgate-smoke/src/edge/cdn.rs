//! Who is in front of the site, read from response headers; whether a second request was
//! answered from the edge cache; which HTTP versions are offered; and version numbers that
//! `Server` or `X-Powered-By` give away.
//!
//! The header sets come from each provider's public documentation of the headers it adds.

use std::sync::{Arc, OnceLock};

use regex::Regex;
use reqwest::header::HeaderMap;

/// One sign of a provider: a header present, or a header whose value contains a text
/// (compared lower-case).
#[derive(Debug, Clone, Copy)]
enum Sign {
    Present(&'static str),
    Contains(&'static str, &'static str),
    StartsWith(&'static str, &'static str),
}

const PROVIDERS: &[(&str, &[Sign])] = &[
    (
        "Cloudflare",
        &[
            Sign::Present("cf-ray"),
            Sign::Present("cf-cache-status"),
            Sign::Contains("server", "cloudflare"),
        ],
    ),
    (
        "Fastly",
        &[
            Sign::Present("fastly-restarts"),
            Sign::Present("x-fastly-request-id"),
            Sign::StartsWith("x-served-by", "cache-"),
        ],
    ),
    (
        "Akamai",
        &[
            Sign::Present("akamai-grn"),
            Sign::Present("x-akamai-transformed"),
            Sign::Present("akamai-cache-status"),
            Sign::Contains("server", "akamaighost"),
        ],
    ),
    (
        "Amazon CloudFront",
        &[
            Sign::Present("x-amz-cf-id"),
            Sign::Present("x-amz-cf-pop"),
            Sign::Contains("via", "cloudfront"),
            Sign::Contains("x-cache", "cloudfront"),
        ],
    ),
    (
        "Vercel",
        &[
            Sign::Present("x-vercel-id"),
            Sign::Present("x-vercel-cache"),
            Sign::StartsWith("server", "vercel"),
        ],
    ),
    (
        "Netlify",
        &[
            Sign::Present("x-nf-request-id"),
            Sign::StartsWith("server", "netlify"),
        ],
    ),
    (
        "Fly.io",
        &[
            Sign::Present("fly-request-id"),
            Sign::StartsWith("server", "fly/"),
            Sign::Contains("via", "fly.io"),
        ],
    ),
    (
        "Render",
        &[Sign::Present("rndr-id"), Sign::Present("x-render-origin-server")],
    ),
    ("GitHub Pages", &[Sign::StartsWith("server", "github.com")]),
    ("Azure Front Door", &[Sign::Present("x-azure-ref")]),
    ("Google Cloud CDN", &[Sign::Contains("via", "1.1 google")]),
    ("Bunny CDN", &[Sign::StartsWith("server", "bunnycdn")]),
];

/// A provider seen, with the headers that gave it away (`cf-ray`, `server: cloudflare`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub name: &'static str,
    pub evidence: Vec<String>,
}

/// Every provider whose signs show in `headers`.
pub fn detect(headers: &HeaderMap) -> Vec<Detected> {
    let value = |n: &str| {
        headers
            .get_all(n)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for (name, signs) in PROVIDERS {
        let mut evidence = Vec::new();
        for sign in *signs {
            let seen = match sign {
                Sign::Present(h) => headers.contains_key(*h).then(|| (*h).to_string()),
                Sign::Contains(h, text) => value(h)
                    .into_iter()
                    .find(|v| v.contains(text))
                    .map(|v| format!("{h}: {v}")),
                Sign::StartsWith(h, text) => value(h)
                    .into_iter()
                    .find(|v| v.starts_with(text))
                    .map(|v| format!("{h}: {v}")),
            };
            evidence.extend(seen);
        }
        if !evidence.is_empty() {
            out.push(Detected { name, evidence });
        }
    }
    out
}

/// Every provider seen in any of several responses, each once, with the evidence of the
/// first response that showed it.
pub fn detect_all<'a>(responses: impl Iterator<Item = &'a HeaderMap>) -> Vec<Detected> {
    let mut seen: Vec<Detected> = Vec::new();
    for headers in responses {
        for d in detect(headers) {
            if !seen.iter().any(|s| s.name == d.name) {
                seen.push(d);
            }
        }
    }
    seen
}

/// Cache status headers (and `Age`) as sent: `cf-cache-status: HIT, age: 12`.
pub fn cache_status(headers: &HeaderMap) -> Vec<String> {
    [
        "cf-cache-status",
        "x-cache",
        "x-vercel-cache",
        "akamai-cache-status",
        "cache-status",
        "x-cache-status",
        "age",
    ]
    .iter()
    .filter_map(|n| {
        headers
            .get(*n)
            .and_then(|v| v.to_str().ok())
            .map(|v| format!("{n}: {}", v.trim()))
    })
    .collect()
}

/// Whether the status headers say a cache answered: a HIT, or an `Age` above 0.
pub fn served_from_cache(headers: &HeaderMap) -> bool {
    cache_status(headers).iter().any(|s| {
        let (name, value) = s.split_once(": ").unwrap_or(("", ""));
        let value = value.to_ascii_lowercase();
        match name {
            "age" => value.parse::<u64>().is_ok_and(|a| a > 0),
            "cache-status" => value.contains(";hit") || value.contains("; hit"),
            _ => value.starts_with("hit") || value.contains(" hit") || value.contains(",hit"),
        }
    })
}

/// `Server` and `X-Powered-By` values that carry a version number: `nginx/1.18.0`,
/// `PHP/8.1.2`, `Express 4.18`.
pub fn version_leaks(headers: &HeaderMap) -> Vec<String> {
    static VERSION: OnceLock<Regex> = OnceLock::new();
    let version = VERSION.get_or_init(|| Regex::new(r"(/\s*v?\d|\b\d+\.\d+)").expect("valid regex"));
    ["server", "x-powered-by", "x-aspnet-version"]
        .iter()
        .filter_map(|n| {
            let v = headers.get(*n)?.to_str().ok()?.trim().to_string();
            version.is_match(&v).then(|| format!("{n}: {v}"))
        })
        .collect()
}

/// HTTP/3 as `alt-svc` advertises it (`h3=":443"`), if it does.
pub fn http3_advertised(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("alt-svc")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|entry| entry.starts_with("h3"))
        .map(str::to_string)
}

/// The protocol a TLS server picks when offered `h2` and `http/1.1` (ALPN), or why none.
pub async fn negotiated_alpn(
    client: &crate::http::HttpClient,
    host: &str,
    port: u16,
) -> Result<Option<String>, String> {
    let addr = client.address(host, port).await.map_err(|e| e.to_string())?;
    let mut config =
        crate::tls::client_config(client.verifier.clone(), None).map_err(|e| e.message().to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|_| format!("`{host}` is not a valid host name"))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| crate::tls::connect_words(&e, addr))?;
        let stream = connector
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        Ok(stream
            .get_ref()
            .1
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()))
    };
    tokio::time::timeout(client.timeout, attempt)
        .await
        .unwrap_or_else(|_| Err(format!("timeout after {}", crate::http::secs(client.timeout))))
}

/// A header map from name and value pairs, for tests.
#[cfg(test)]
pub(crate) fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).expect("a header name"),
            reqwest::header::HeaderValue::from_str(v).expect("a header value"),
        );
    }
    h
}

#[cfg(test)]
mod tests {
    use super::header_map as headers;
    use super::*;

    /// Header sets as the providers' documentation shows them in example responses.
    #[test]
    fn recorded_header_sets_name_their_provider() {
        let recorded: &[(&[(&str, &str)], &str)] = &[
            (
                &[
                    ("Server", "cloudflare"),
                    ("CF-RAY", "8f1c2a3b4d5e6f70-AMS"),
                    ("CF-Cache-Status", "HIT"),
                ],
                "Cloudflare",
            ),
            (
                &[
                    ("X-Served-By", "cache-ams21080-AMS"),
                    ("X-Cache", "HIT"),
                    ("X-Timer", "S1700000000.123,VS0,VE0"),
                ],
                "Fastly",
            ),
            (
                &[
                    ("Server", "AkamaiGHost"),
                    ("Akamai-GRN", "0.08a7cb17.1771389547.c1005fe"),
                ],
                "Akamai",
            ),
            (
                &[
                    ("Via", "1.1 2a3b4c5d6e.cloudfront.net (CloudFront)"),
                    ("X-Cache", "Hit from cloudfront"),
                    ("X-Amz-Cf-Pop", "AMS54-P1"),
                    ("X-Amz-Cf-Id", "k1Xw3nq2bBv0d9XoZfYq8t1pG6cJ2hWm4rT7sE5uN3aL0yQ=="),
                ],
                "Amazon CloudFront",
            ),
            (
                &[
                    ("Server", "Vercel"),
                    ("X-Vercel-Id", "fra1::iad1::8v7fx-1700000000000-3c2b1a0f9e8d"),
                    ("X-Vercel-Cache", "HIT"),
                ],
                "Vercel",
            ),
            (
                &[
                    ("Server", "Netlify"),
                    ("X-NF-Request-ID", "01HF3K8Q2ZJ9W7V6T5S4R3P2N1"),
                ],
                "Netlify",
            ),
            (
                &[
                    ("Server", "Fly/6f0ae2e4 (2023-11-14)"),
                    ("Fly-Request-Id", "01HF3K8Q2ZJ9W7V6T5S4R3P2N1-ams"),
                    ("Via", "1.1 fly.io"),
                ],
                "Fly.io",
            ),
            (
                &[
                    ("rndr-id", "6e2b1c4a-8f3d-4e7a"),
                    ("x-render-origin-server", "Render"),
                ],
                "Render",
            ),
            (
                &[
                    ("Server", "GitHub.com"),
                    ("X-GitHub-Request-Id", "A1B2:3C4D:5E6F:7A8B:65A1B2C3"),
                ],
                "GitHub Pages",
            ),
            (
                &[("X-Azure-Ref", "0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")],
                "Azure Front Door",
            ),
            (&[("Via", "1.1 google")], "Google Cloud CDN"),
        ];
        for (set, name) in recorded {
            let found: Vec<&str> = detect(&headers(set)).iter().map(|d| d.name).collect();
            assert_eq!(found, [*name], "{set:?}");
        }
        let origin = headers(&[
            ("Server", "nginx"),
            ("X-Powered-By", "Express"),
            ("X-Cache", "HIT"),
        ]);
        assert_eq!(detect(&origin), []);
        let cf = detect(&headers(recorded[0].0));
        assert_eq!(
            cf[0].evidence,
            ["cf-ray", "cf-cache-status", "server: cloudflare"]
        );
    }

    #[test]
    fn providers_of_the_page_and_its_assets_are_named_once() {
        let page = headers(&[("Server", "Netlify"), ("X-NF-Request-ID", "01HF3K8Q")]);
        let plain = headers(&[("Server", "nginx")]);
        let asset = headers(&[("X-Amz-Cf-Pop", "AMS54-P1"), ("X-Amz-Cf-Id", "k1Xw3nq2")]);
        let again = headers(&[("Server", "Netlify")]);
        let names: Vec<&str> = detect_all([&page, &plain, &asset, &again].into_iter())
            .iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["Netlify", "Amazon CloudFront"]);
    }

    #[test]
    fn version_leaks_and_http3() {
        let h = headers(&[
            ("Server", "nginx/1.18.0 (Ubuntu)"),
            ("X-Powered-By", "Express"),
            ("Alt-Svc", "h3=\":443\"; ma=86400, h2=\":443\""),
        ]);
        assert_eq!(version_leaks(&h), ["server: nginx/1.18.0 (Ubuntu)"]);
        assert_eq!(http3_advertised(&h).as_deref(), Some("h3=\":443\"; ma=86400"));
        let h = headers(&[("Server", "cloudflare"), ("X-Powered-By", "PHP/8.1.2")]);
        assert_eq!(version_leaks(&h), ["x-powered-by: PHP/8.1.2"]);
    }

    #[test]
    fn cache_hits() {
        assert!(served_from_cache(&headers(&[("cf-cache-status", "HIT")])));
        assert!(served_from_cache(&headers(&[("x-cache", "Hit from cloudfront")])));
        assert!(served_from_cache(&headers(&[("x-cache", "MISS, HIT")])));
        assert!(served_from_cache(&headers(&[("age", "12")])));
        assert!(!served_from_cache(&headers(&[
            ("cf-cache-status", "DYNAMIC"),
            ("age", "0")
        ])));
        assert!(!served_from_cache(&headers(&[(
            "x-cache",
            "Miss from cloudfront"
        )])));
    }
}
