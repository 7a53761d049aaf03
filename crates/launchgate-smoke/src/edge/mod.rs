//! `site.edge`: the canonical page and the assets it references, fetched as a browser would
//! (`Accept-Encoding: br, gzip`), judged for caching (`cache.rs`) and compression
//! (`compress.rs`); and the CDN or platform in front, the edge cache, HTTP versions and
//! version leaks (`cdn.rs`). Only the site's hosts and `edge.asset_hosts` are fetched, at
//! most `max_assets` assets.

pub mod assets;
pub mod cache;
pub mod cdn;
pub mod compress;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use launchgate_core::{CheckRun, Finding, Severity, Table};
use reqwest::Url;
use tokio::sync::Semaphore;

use crate::cookies::CookieJar;
use crate::http::{Exchange, Failure, HttpClient, Prepared};
use crate::spec::EdgeSpec;
use assets::{AssetKind, AssetRef};

/// Assets fetched at once.
pub const FETCH_CONCURRENCY: usize = 8;

/// An asset and what fetching it gave.
struct Fetched {
    asset: AssetRef,
    result: Result<Exchange, Failure>,
}

/// Runs the edge checks: one check for caching and compression, one for the CDN, and a
/// table of what each response sent.
pub async fn check(
    client: &HttpClient,
    canonical: &Url,
    base: &Url,
    spec: &EdgeSpec,
) -> (Vec<CheckRun>, Table) {
    let mut caching = CheckRun::new(format!("edge caching {canonical}"));
    let mut table = Table {
        title: format!(
            "Edge: what the page and each asset sent (Accept-Encoding: {})",
            compress::ACCEPT_ENCODING
        ),
        columns: [
            "response",
            "kind",
            "status",
            "cache-control",
            "encoding",
            "bytes",
            "validator",
            "result",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let began = std::time::Instant::now();
    let page = match fetch(client, canonical.clone(), true).await {
        Ok(p) => p,
        Err(e) => {
            let failed = caching.fail("smoke.edge.page", format!("{canonical}: {e}"), canonical.as_str());
            let cdn = CheckRun::new("edge CDN").skip("skipped: the canonical page did not answer");
            return (vec![failed, cdn], table);
        }
    };
    let subject = canonical.as_str();
    let html = match compress::decoded(&page, client.max_body) {
        Ok(body) => String::from_utf8_lossy(&body).into_owned(),
        Err(why) => {
            caching.push(
                Finding::new("smoke.edge.page", Severity::Error, format!("{canonical}: {why}"))
                    .subject(subject),
            );
            String::new()
        }
    };
    let mut page_findings = Vec::new();
    if !(200..300).contains(&page.status) {
        page_findings.push(
            Finding::new(
                "smoke.edge.page",
                Severity::Error,
                format!(
                    "{canonical} answers {}, not 200: its assets cannot be checked",
                    page.status
                ),
            )
            .subject(subject),
        );
    }
    page_findings.extend(cache::judge_html(subject, &page, spec.html_max_ttl));
    page_findings.extend(compress::judge(subject, &page, spec.compress_min));
    table.rows.push(row(&page, "page", &page_findings));
    caching.findings.extend(page_findings);

    let site_hosts: Vec<String> = [canonical, base, &page.url]
        .iter()
        .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
        .chain(spec.asset_hosts.iter().cloned())
        .collect();
    let mut referenced = assets::from_html(&html, &page.url);
    let link_values = page
        .headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let mut known: HashSet<Url> = referenced.iter().map(|a| a.url.clone()).collect();
    for a in assets::from_link_headers(link_values, &page.url) {
        if known.insert(a.url.clone()) {
            referenced.push(a);
        }
    }
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut wanted = keep_on_site(referenced, &site_hosts, &mut skipped);
    let total = wanted.len();
    wanted.truncate(spec.max_assets);
    let mut fetched = fetch_all(client, wanted).await;
    // Fonts are named by stylesheets; they join the list while the cap allows.
    let mut fonts = Vec::new();
    for f in &fetched {
        if let (AssetKind::Style, Ok(sheet)) = (f.asset.kind, &f.result)
            && let Ok(css) = compress::decoded(sheet, client.max_body)
        {
            fonts.extend(assets::fonts_in_css(&String::from_utf8_lossy(&css), &sheet.url));
        }
    }
    // A font two stylesheets name, or one already fetched as a preload, is fetched once.
    let mut known: HashSet<Url> = fetched.iter().map(|f| f.asset.url.clone()).collect();
    fonts.retain(|font| known.insert(font.url.clone()));
    let mut fonts = keep_on_site(fonts, &site_hosts, &mut skipped);
    let total = total + fonts.len();
    fonts.truncate(spec.max_assets.saturating_sub(fetched.len()));
    fetched.extend(fetch_all(client, fonts).await);

    for f in &fetched {
        let found = judge_asset(f, spec);
        match &f.result {
            Ok(ex) => table.rows.push(row(ex, f.asset.kind.as_str(), &found)),
            Err(e) => table.rows.push(vec![
                f.asset.url.to_string(),
                f.asset.kind.as_str().into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("no answer: {e}"),
            ]),
        }
        caching.findings.extend(found);
    }
    for (host, count) in &skipped {
        caching.push(
            Finding::new(
                "smoke.edge.skipped",
                Severity::Note,
                format!(
                    "{count} asset{} on {host} not fetched: the host is not the site's and not in edge.asset_hosts",
                    if *count == 1 { "" } else { "s" }
                ),
            )
            .subject(host)
            .help("add the host to `site.edge.asset_hosts` to check its caching and compression"),
        );
    }
    if total > fetched.len() {
        caching.push(
            Finding::new(
                "smoke.edge.skipped",
                Severity::Note,
                format!(
                    "the page references {total} assets on the site's hosts; checked the first {} (edge.max_assets)",
                    fetched.len()
                ),
            )
            .subject(subject)
            .help(format!(
                "raise `site.edge.max_assets` (at most {}) to check more",
                crate::spec::MAX_ASSETS_CEILING
            )),
        );
    }
    caching.duration_ms = Some(began.elapsed().as_millis() as u64);
    caching.detail = Some(format!(
        "{} assets checked, {} hashed",
        fetched.len(),
        fetched.iter().filter(|f| assets::is_hashed(&f.asset.url)).count()
    ));
    let cdn = check_cdn(client, &page, &fetched, spec).await;
    (vec![caching, cdn], table)
}

fn keep_on_site(
    found: Vec<AssetRef>,
    hosts: &[String],
    skipped: &mut BTreeMap<String, usize>,
) -> Vec<AssetRef> {
    found
        .into_iter()
        .filter(|a| {
            let host = a.url.host_str().unwrap_or("").to_ascii_lowercase();
            let keep = hosts.contains(&host);
            if !keep {
                *skipped.entry(host).or_default() += 1;
            }
            keep
        })
        .collect()
}

async fn fetch(client: &HttpClient, url: Url, follow: bool) -> Result<Exchange, Failure> {
    let mut request = Prepared::get(url);
    request
        .headers
        .push(("Accept-Encoding".into(), compress::ACCEPT_ENCODING.into()));
    client
        .send(&request, &mut CookieJar::default(), follow, None)
        .await
}

/// Fetches every asset, [`FETCH_CONCURRENCY`] at once, without following redirects (a
/// redirect could lead off the site); results keep the input order.
async fn fetch_all(client: &HttpClient, list: Vec<AssetRef>) -> Vec<Fetched> {
    let permits = Arc::new(Semaphore::new(FETCH_CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, asset) in list.into_iter().enumerate() {
        let client = client.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            let result = fetch(&client, asset.url.clone(), false).await;
            (i, Fetched { asset, result })
        });
    }
    let mut done = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(pair) = joined {
            done.push(pair);
        }
    }
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, f)| f).collect()
}

fn judge_asset(f: &Fetched, spec: &EdgeSpec) -> Vec<Finding> {
    let subject = f.asset.url.as_str();
    let ex = match &f.result {
        Ok(ex) => ex,
        Err(e) => {
            return vec![
                Finding::new(
                    "smoke.edge.asset",
                    Severity::Error,
                    format!("{} ({}) did not load: {e}", f.asset.url, f.asset.kind.as_str()),
                )
                .subject(subject),
            ];
        }
    };
    if (300..400).contains(&ex.status) {
        let to = ex.location().unwrap_or_default();
        return vec![
            Finding::new(
                "smoke.edge.asset",
                Severity::Warning,
                format!(
                    "{} redirects ({}) to {to}: every visit pays an extra round trip",
                    ex.url.path(),
                    ex.status
                ),
            )
            .subject(subject)
            .help("reference the final URL in the page"),
        ];
    }
    if !(200..300).contains(&ex.status) {
        return vec![
            Finding::new(
                "smoke.edge.asset",
                Severity::Error,
                format!(
                    "{} ({}) referenced by the page answers {}",
                    ex.url.path(),
                    f.asset.kind.as_str(),
                    ex.status
                ),
            )
            .subject(subject)
            .help("deploy the file or fix the reference; a missing script or stylesheet breaks the page"),
        ];
    }
    let mut out = Vec::new();
    if assets::is_hashed(&ex.url) {
        out.extend(cache::judge_hashed(subject, ex, spec.hashed_min_ttl));
    }
    out.extend(cache::judge_validator(subject, ex));
    out.extend(compress::judge(subject, ex, spec.compress_min));
    out
}

fn row(ex: &Exchange, kind: &str, found: &[Finding]) -> Vec<String> {
    let validator = match (ex.header("etag"), ex.header("last-modified")) {
        (Some(_), _) => "ETag",
        (None, Some(_)) => "Last-Modified",
        (None, None) => "none",
    };
    let result = found
        .iter()
        .map(|f| f.severity)
        .max()
        .map_or("ok", Severity::as_str);
    vec![
        ex.url.to_string(),
        kind.to_string(),
        ex.status.to_string(),
        cache::header_text(ex),
        compress::encoding(ex).unwrap_or_else(|| "none".into()),
        ex.body.len().to_string(),
        validator.to_string(),
        result.to_string(),
    ]
}

/// The CDN check: who is in front, whether a second request came from the edge cache,
/// HTTP versions offered, and version leaks.
async fn check_cdn(client: &HttpClient, page: &Exchange, fetched: &[Fetched], spec: &EdgeSpec) -> CheckRun {
    let mut outcome = CheckRun::new("edge CDN");
    let subject = page.url.as_str();
    // Assets may come from a CDN the page does not (an asset host on CloudFront, say).
    let seen = cdn::detect_all(
        std::iter::once(&page.headers).chain(
            fetched
                .iter()
                .filter_map(|f| f.result.as_ref().ok().map(|e| &e.headers)),
        ),
    );
    let mut detail = Vec::new();
    if seen.is_empty() {
        detail.push("no CDN or edge platform seen in the response headers".to_string());
        if spec.require_cdn {
            outcome.push(
                Finding::new(
                    "smoke.edge.cdn",
                    Severity::Error,
                    format!(
                        "{} is not behind a CDN: no response header of Cloudflare, Fastly, Akamai, CloudFront, Vercel, Netlify, Fly.io, Render or another known edge",
                        page.url
                    ),
                )
                .subject(subject)
                .help("put the site behind a CDN (it caches assets near visitors and absorbs floods), or drop `require: cdn`"),
            );
        }
    } else {
        let words: Vec<String> = seen
            .iter()
            .map(|d| format!("{} ({})", d.name, d.evidence.join(", ")))
            .collect();
        detail.push(format!("behind {}", words.join("; ")));
    }
    // The second request: a hashed asset if there is one (pages are rarely edge-cached).
    let probe = fetched
        .iter()
        .filter(|f| f.result.as_ref().is_ok_and(|e| (200..300).contains(&e.status)))
        .find(|f| assets::is_hashed(&f.asset.url))
        .map(|f| f.asset.url.clone())
        .unwrap_or_else(|| page.url.clone());
    if let Ok(again) = fetch(client, probe.clone(), false).await {
        let status = cdn::cache_status(&again.headers);
        let verdict = if cdn::served_from_cache(&again.headers) {
            "answered from a cache"
        } else {
            "not answered from an edge cache"
        };
        let shown = if status.is_empty() {
            "no cache status header".to_string()
        } else {
            status.join(", ")
        };
        detail.push(format!("second request for {}: {shown}, {verdict}", probe.path()));
    }
    let alpn = match page.url.scheme() {
        "https" => {
            let host = page.url.host_str().unwrap_or("");
            let port = page.url.port_or_known_default().unwrap_or(443);
            Some(cdn::negotiated_alpn(client, host, port).await)
        }
        _ => None,
    };
    let h3 = cdn::http3_advertised(&page.headers);
    detail.push(protocol_words(alpn.as_ref(), h3.as_deref()));
    let only_http1 = matches!(&alpn, Some(Ok(p)) if p.as_deref() != Some("h2"));
    if only_http1 && h3.is_none() {
        outcome.push(
            Finding::new(
                "smoke.edge.http-version",
                Severity::Note,
                format!(
                    "{} offers only HTTP/1.1: browsers fetch at most 6 assets at once per host",
                    page.url.host_str().unwrap_or("")
                ),
            )
            .subject(subject)
            .help("turn on HTTP/2 at the server or CDN (most CDNs offer HTTP/3 too)"),
        );
    }
    for leak in cdn::version_leaks(&page.headers) {
        outcome.push(
            Finding::new(
                "smoke.edge.version-leak",
                Severity::Note,
                format!("`{leak}` tells every visitor which software version to look up exploits for"),
            )
            .subject(subject)
            .help("drop the version from the header (nginx: `server_tokens off`; Express: `app.disable('x-powered-by')`)"),
        );
    }
    outcome.detail = Some(detail.join("; "));
    outcome
}

/// What the protocol probe found, in words.
fn protocol_words(alpn: Option<&Result<Option<String>, String>>, h3: Option<&str>) -> String {
    let h3 = h3
        .map(|a| format!(", HTTP/3 advertised (alt-svc: {a})"))
        .unwrap_or_default();
    match alpn {
        None => format!("plain HTTP, so no HTTP/2 (browsers use it only over TLS){h3}"),
        Some(Ok(Some(p))) if p == "h2" => format!("HTTP/2 offered (ALPN h2){h3}"),
        Some(Ok(Some(p))) => format!("ALPN chose {p}, no HTTP/2{h3}"),
        Some(Ok(None)) => format!("no ALPN answer, so HTTP/1.1 only{h3}"),
        Some(Err(e)) => format!("HTTP/2 unknown: {e}{h3}"),
    }
}
