//! Which assets a page references: scripts, stylesheets, images, fonts and preloads in its
//! HTML and `Link` headers, and fonts in its stylesheets; and whether a file name carries a
//! content hash.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;
use reqwest::Url;

/// What an asset is, from the tag (or `as=`) that referenced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    Script,
    Style,
    Image,
    Font,
    /// A preload of another kind, or an icon or manifest.
    Other,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Script => "script",
            AssetKind::Style => "style",
            AssetKind::Image => "image",
            AssetKind::Font => "font",
            AssetKind::Other => "asset",
        }
    }

    fn from_as(value: &str) -> AssetKind {
        match value.to_ascii_lowercase().as_str() {
            "script" | "worker" => AssetKind::Script,
            "style" => AssetKind::Style,
            "image" => AssetKind::Image,
            "font" => AssetKind::Font,
            _ => AssetKind::Other,
        }
    }
}

/// One referenced asset, resolved against the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRef {
    pub url: Url,
    pub kind: AssetKind,
}

fn tag_regex() -> &'static Regex {
    static TAG: OnceLock<Regex> = OnceLock::new();
    TAG.get_or_init(|| Regex::new(r"(?is)<(script|link|img|source)\b([^>]*)>").expect("valid regex"))
}

fn attr_regex() -> &'static Regex {
    static ATTR: OnceLock<Regex> = OnceLock::new();
    ATTR.get_or_init(|| {
        Regex::new(r#"(?is)\b([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).expect("valid regex")
    })
}

/// The assets an HTML page references, in page order, without duplicates. `link` counts
/// when it is a stylesheet, a preload or modulepreload, or an icon.
pub fn from_html(html: &str, page: &Url) -> Vec<AssetRef> {
    let mut out = Found::default();
    for tag in tag_regex().captures_iter(html) {
        let name = tag[1].to_ascii_lowercase();
        let attrs: Vec<(String, String)> = attr_regex()
            .captures_iter(&tag[2])
            .map(|a| {
                let value = a.get(2).or(a.get(3)).or(a.get(4)).map_or("", |m| m.as_str());
                (a[1].to_ascii_lowercase(), value.to_string())
            })
            .collect();
        let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let mut found: Vec<(&str, AssetKind)> = Vec::new();
        match name.as_str() {
            "script" => found.extend(attr("src").map(|s| (s, AssetKind::Script))),
            "img" | "source" => {
                found.extend(attr("src").map(|s| (s, AssetKind::Image)));
                if let Some(set) = attr("srcset") {
                    found.extend(srcset(set).map(|s| (s, AssetKind::Image)));
                }
            }
            _ => {
                let rel = attr("rel").unwrap_or("").to_ascii_lowercase();
                let kind = if rel.split_whitespace().any(|r| r == "stylesheet") {
                    Some(AssetKind::Style)
                } else if rel.split_whitespace().any(|r| r == "modulepreload") {
                    Some(AssetKind::Script)
                } else if rel.split_whitespace().any(|r| r == "preload") {
                    Some(AssetKind::from_as(attr("as").unwrap_or("")))
                } else if rel
                    .split_whitespace()
                    .any(|r| r == "icon" || r == "apple-touch-icon")
                {
                    Some(AssetKind::Image)
                } else {
                    None
                };
                if let (Some(kind), Some(href)) = (kind, attr("href")) {
                    found.push((href, kind));
                }
            }
        }
        for (raw, kind) in found {
            out.push(page, raw, kind);
        }
    }
    out.list
}

fn srcset(set: &str) -> impl Iterator<Item = &str> {
    set.split(',').filter_map(|c| c.split_whitespace().next())
}

/// Preloads named by `Link` header values: `</app.css>; rel=preload; as=style`.
pub fn from_link_headers<'a>(values: impl Iterator<Item = &'a str>, page: &Url) -> Vec<AssetRef> {
    let mut out = Found::default();
    for value in values {
        for link in value.split(',') {
            let mut parts = link.split(';');
            let Some(target) = parts.next().map(str::trim) else {
                continue;
            };
            let Some(target) = target.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
                continue;
            };
            let params: Vec<(String, String)> = parts
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| {
                    (
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_string(),
                    )
                })
                .collect();
            let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
            let rel = param("rel").unwrap_or("").to_ascii_lowercase();
            if rel
                .split_whitespace()
                .any(|r| r == "preload" || r == "modulepreload")
            {
                let kind = if rel.contains("modulepreload") {
                    AssetKind::Script
                } else {
                    AssetKind::from_as(param("as").unwrap_or(""))
                };
                out.push(page, target, kind);
            }
        }
    }
    out.list
}

/// Fonts a stylesheet loads with `url(…)`.
pub fn fonts_in_css(css: &str, sheet: &Url) -> Vec<AssetRef> {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = URL.get_or_init(|| {
        Regex::new(r#"(?i)url\(\s*["']?([^"')\s]+\.(?:woff2?|ttf|otf|eot)(?:[?#][^"')\s]*)?)["']?\s*\)"#)
            .expect("valid regex")
    });
    let mut out = Found::default();
    for c in url.captures_iter(css) {
        out.push(sheet, &c[1], AssetKind::Font);
    }
    out.list
}

/// Assets in the order first seen; a page may name tens of thousands, so duplicates are
/// found by hash, not by scanning the list.
#[derive(Default)]
struct Found {
    list: Vec<AssetRef>,
    seen: HashSet<Url>,
}

impl Found {
    fn push(&mut self, base: &Url, raw: &str, kind: AssetKind) {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with("data:") || raw.starts_with('#') {
            return;
        }
        let Ok(mut url) = base.join(raw) else { return };
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        url.set_fragment(None);
        if self.seen.insert(url.clone()) {
            self.list.push(AssetRef { url, kind });
        }
    }
}

/// Whether a file name carries a content hash, as bundlers write them: `index-4f3a9c.js`,
/// `main.3e1f0a9c.css`, `chunk-DiwrgTda.js`. A part of the name (between `-`, `.` and `_`)
/// counts when it is 6 or more hex digits with at least one digit and one letter, 8 to 16
/// letters and digits with at least two of each, or 8 letters of both cases (Rollup's
/// default hash).
pub fn is_hashed(url: &Url) -> bool {
    let file = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("");
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.split(['-', '.', '_']).any(|part| {
        let hex = part.len() >= 6
            && part.chars().all(|c| c.is_ascii_hexdigit())
            && part.chars().any(|c| c.is_ascii_digit())
            && part.chars().any(|c| c.is_ascii_alphabetic());
        let digits = part.chars().filter(char::is_ascii_digit).count();
        let upper = part.chars().filter(char::is_ascii_uppercase).count();
        let lower = part.chars().filter(char::is_ascii_lowercase).count();
        let letters = upper + lower;
        let mixed = (8..=16).contains(&part.len())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
            && ((digits >= 2 && letters >= 2) || (part.len() == 8 && upper > 0 && lower > 0));
        hex || mixed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://example.com/shop/").unwrap()
    }

    #[test]
    fn html_references_in_order_without_duplicates() {
        let html = r#"<link rel="stylesheet" href="/assets/index-5e0b7f31.css">
            <link rel=preload as=font href="/fonts/inter.woff2" crossorigin>
            <link rel="modulepreload" href="vendor-a1b2c3d4.js"><link rel="canonical" href="/x">
            <script type="module" src='/assets/index-a41f9c3d.js'></script><script>inline()</script>
            <img src="data:image/png;base64,AA" srcset="/a.png 1x, /a@2x.png 2x">
            <img src="https://cdn.other.test/logo.svg#x"><script src="/assets/index-a41f9c3d.js"></script>"#;
        let found: Vec<(String, AssetKind)> = from_html(html, &page())
            .into_iter()
            .map(|a| (a.url.to_string(), a.kind))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "https://example.com/assets/index-5e0b7f31.css".to_string(),
                    AssetKind::Style
                ),
                ("https://example.com/fonts/inter.woff2".into(), AssetKind::Font),
                (
                    "https://example.com/shop/vendor-a1b2c3d4.js".into(),
                    AssetKind::Script
                ),
                (
                    "https://example.com/assets/index-a41f9c3d.js".into(),
                    AssetKind::Script
                ),
                ("https://example.com/a.png".into(), AssetKind::Image),
                ("https://example.com/a@2x.png".into(), AssetKind::Image),
                ("https://cdn.other.test/logo.svg".into(), AssetKind::Image),
            ]
        );
    }

    #[test]
    fn link_headers_and_css_fonts() {
        let links = from_link_headers(
            ["</style.css>; rel=preload; as=style, </x>; rel=canonical"].into_iter(),
            &page(),
        );
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].kind, AssetKind::Style);
        let css = "@font-face{src:url(../fonts/a-1f2e3d4c.woff2) format('woff2'),url(\"/b.ttf?v=2\")}body{background:url(/bg.png)}";
        let fonts = fonts_in_css(css, &Url::parse("https://example.com/assets/app.css").unwrap());
        let urls: Vec<String> = fonts.iter().map(|f| f.url.to_string()).collect();
        assert_eq!(
            urls,
            [
                "https://example.com/fonts/a-1f2e3d4c.woff2",
                "https://example.com/b.ttf?v=2"
            ]
        );
    }

    #[test]
    fn hashed_names() {
        for hashed in [
            "index-4f3a9c.js",
            "main.3e1f0a9c.css",
            "chunk-DiwrgTda.js",
            "app_b2c4e6f8a0.js",
            "hero-7c1d4e2a.png",
            "index-BzX3k9aQ.js",
        ] {
            let url = Url::parse(&format!("https://x.test/assets/{hashed}")).unwrap();
            assert!(is_hashed(&url), "{hashed}");
        }
        for plain in [
            "app.js",
            "jquery-3.7.1.min.js",
            "bootstrap.bundle.min.js",
            "logo.png",
            "MyComponent.js",
            "favicon.ico",
            "html5shiv.js",
            "decade.css",
        ] {
            let url = Url::parse(&format!("https://x.test/{plain}")).unwrap();
            assert!(!is_hashed(&url), "{plain}");
        }
    }
}
