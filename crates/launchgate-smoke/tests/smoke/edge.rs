//! `site.edge` against HTTPS servers on 127.0.0.1: one that caches and compresses well behind
//! Cloudflare's headers, one that does neither behind no CDN, a page with thousands of
//! assets, and an off-site asset host that must never be asked.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::app::{checks, findings, json_report, run};
use crate::server::{Handler, Pki, Request, Response, Seen, Server, paths, recording};

const LONG: &str = "public, max-age=31536000, immutable";

/// A script big enough to compress: 6,000 bytes of repetitive code.
fn script() -> Vec<u8> {
    "export function add(a, b) { return a + b; }\n"
        .repeat(140)
        .into_bytes()
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(body).unwrap();
    e.finish().unwrap()
}

fn page(offsite_port: u16) -> String {
    format!(
        r#"<!doctype html><html><head>
<link rel="stylesheet" href="/assets/main.3e1f0a9c.css">
<link rel="stylesheet" href="/assets/print.9a8b7c6d.css" media="print">
<link rel="preload" as="font" href="/fonts/inter-1a2b3c4d.woff2" crossorigin>
<script type="module" src="/assets/index-4f3a9c2b.js"></script>
<script src="http://cdn.other.test:{offsite_port}/lib.js"></script>
</head><body><img src="/assets/hero-7c1d4e2a.png" alt=""></body></html>"#
    )
}

/// A well-run site behind Cloudflare: HTML revalidated, hashed assets cached for a year and
/// immutable, text gzipped, validators everywhere, a cache HIT from the second request on.
fn good(req: &Request, offsite_port: u16, hits: &AtomicUsize, mono: &AtomicUsize) -> Response {
    let cf = |r: Response| {
        r.header("Server", "cloudflare")
            .header("CF-Ray", "8f1c2a3b4d5e6f70-AMS")
            .header("Alt-Svc", "h3=\":443\"; ma=86400")
    };
    let cached = |r: Response, path: &str| {
        let seen = hits.fetch_add(usize::from(path.ends_with(".css")), Ordering::SeqCst);
        let status = if seen == 0 { "MISS" } else { "HIT" };
        cf(r)
            .header("Cache-Control", LONG)
            .header("ETag", "\"a1\"")
            .header("CF-Cache-Status", status)
            .header("Age", if seen == 0 { "0" } else { "42" })
    };
    match req.path() {
        "/" => cf(Response::new(200, gzip(page(offsite_port).as_bytes())))
            .header("Content-Type", "text/html; charset=utf-8")
            .header("Content-Encoding", "gzip")
            .header("Cache-Control", "no-cache")
            .header("ETag", "\"p1\""),
        p @ "/assets/index-4f3a9c2b.js" => cached(
            Response::new(200, gzip(&script()))
                .header("Content-Type", "text/javascript")
                .header("Content-Encoding", "gzip"),
            p,
        ),
        // Two stylesheets name the same fonts, one of them preloaded too: each is fetched once.
        p @ "/assets/main.3e1f0a9c.css" => cached(
            Response::new(
                200,
                gzip(b"@font-face{src:url(/fonts/inter-1a2b3c4d.woff2)}@font-face{src:url(/fonts/mono-5f6e7d8c.woff2)}@font-face{src:url(/fonts/serif-0a1b2c3d.woff2)}"),
            )
            .header("Content-Type", "text/css")
            .header("Content-Encoding", "gzip"),
            p,
        ),
        p @ "/assets/print.9a8b7c6d.css" => cached(
            Response::new(200, gzip(b"@font-face{src:url('/fonts/mono-5f6e7d8c.woff2')}"))
                .header("Content-Type", "text/css")
                .header("Content-Encoding", "gzip"),
            p,
        ),
        p if p.starts_with("/fonts/") || p == "/assets/hero-7c1d4e2a.png" => {
            mono.fetch_add(usize::from(p.contains("mono")), Ordering::SeqCst);
            cached(Response::new(200, vec![0u8; 4000]).header("Content-Type", "font/woff2"), p)
        }
        _ => Response::new(404, "not found"),
    }
}

/// A site that gets it all wrong, behind no CDN: HTML cached for an hour, a hashed script
/// marked no-store and sent uncompressed, a hashed stylesheet cached for an hour without a
/// validator, and a server header naming its version.
fn bad(req: &Request, offsite_port: u16) -> Response {
    let r = match req.path() {
        "/" => Response::new(200, page(offsite_port))
            .header("Content-Type", "text/html")
            .header("Cache-Control", "public, max-age=3600"),
        "/assets/index-4f3a9c2b.js" => Response::new(200, script())
            .header("Content-Type", "application/javascript")
            .header("Cache-Control", "no-store")
            .header("ETag", "\"b1\""),
        "/assets/main.3e1f0a9c.css" => Response::new(200, "body{margin:0}")
            .header("Content-Type", "text/css")
            .header("Cache-Control", "max-age=3600"),
        "/assets/hero-7c1d4e2a.png" => Response::new(200, vec![0u8; 4000])
            .header("Content-Type", "image/png")
            .header("Cache-Control", LONG)
            .header("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT"),
        _ => Response::new(404, "not found"),
    };
    r.header("Server", "nginx/1.18.0 (Ubuntu)")
}

/// An HTTPS server for example.test with the test CA, an off-site plain-HTTP server that
/// records what it is asked, and a spec folder.
struct Edge {
    server: Server,
    /// Kept running for the test; it stops when dropped.
    _offsite: Server,
    offsite_seen: Seen,
    dir: tempfile::TempDir,
    ca: PathBuf,
}

impl Edge {
    fn start(handler: impl Fn(&Request, u16) -> Response + Send + Sync + 'static) -> Edge {
        Edge::start_offering(&[b"http/1.1"], handler)
    }

    /// A server whose TLS offers `alpn`, in its order of preference.
    fn start_offering(
        alpn: &[&[u8]],
        handler: impl Fn(&Request, u16) -> Response + Send + Sync + 'static,
    ) -> Edge {
        let pki = Pki::new();
        let (offsite, offsite_seen) = recording(|_| Response::new(200, "console.log(1)"));
        let port = offsite.port();
        let handler: Handler = Arc::new(move |req: &Request| handler(req, port));
        let mut tls = (*pki.server_config()).clone();
        tls.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let server = Server::start(handler, Some(Arc::new(tls)));
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &pki.ca_pem).unwrap();
        Edge {
            server,
            _offsite: offsite,
            offsite_seen,
            dir,
            ca,
        }
    }

    fn cmd(&self, edge: &str) -> assert_cmd::Command {
        self.cmd_for("", edge)
    }

    /// The command for a canonical URL carrying `userinfo` (`user:password@`).
    fn cmd_for(&self, userinfo: &str, edge: &str) -> assert_cmd::Command {
        let spec = self.dir.path().join("smoke.yml");
        let port = self.server.port();
        std::fs::write(
            &spec,
            format!(
                "base_url: https://example.test:{port}\nsite:\n  canonical: https://{userinfo}example.test:{port}/\n  edge: {edge}\n"
            ),
        )
        .unwrap();
        let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").unwrap();
        cmd.current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .arg("--spec")
            .arg(spec)
            .arg("--ca-cert")
            .arg(&self.ca)
            .args(["--resolve", "example.test:443:127.0.0.1"])
            .args(["--resolve", "cdn.other.test:443:127.0.0.1"]);
        cmd
    }
}

fn table_rows(report: &serde_json::Value) -> Vec<Vec<String>> {
    report["reports"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap_or("").starts_with("Edge"))
        .expect("an edge table")["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_well_cached_compressed_site_behind_a_cdn_passes_and_reports_what_it_saw() {
    let hits = Arc::new(AtomicUsize::new(0));
    let mono = Arc::new(AtomicUsize::new(0));
    let (h, m) = (hits.clone(), mono.clone());
    // It offers HTTP/2 too; requests still speak HTTP/1.1, only the probe asks for h2.
    let edge = Edge::start_offering(&[b"h2", b"http/1.1"], move |req, port| good(req, port, &h, &m));
    let (code, report) = json_report(&mut edge.cmd("{ require: cdn }"));
    let f = findings(&report);
    let serious: Vec<_> = f.iter().filter(|x| x.1 != "note").collect();
    assert_eq!(serious, Vec::<&(String, String, String)>::new(), "{report:#}");
    assert_eq!(code, 0);
    // The off-site script is skipped with a note, and its host never asked.
    assert!(
        f.contains(&(
            "smoke.edge.skipped".into(),
            "note".into(),
            "1 asset on cdn.other.test not fetched: the host is not the site's and not in edge.asset_hosts"
                .into()
        ))
    );
    assert_eq!(paths(&edge.offsite_seen), Vec::<String>::new());
    let c = checks(&report);
    let caching = c.iter().find(|x| x.0.starts_with("edge caching")).unwrap();
    // Fonts named by both stylesheets, or preloaded too, are fetched once.
    assert_eq!(caching.2, "7 assets checked, 7 hashed");
    assert_eq!(mono.load(Ordering::SeqCst), 1);
    let cdn = c.iter().find(|x| x.0 == "edge CDN").unwrap();
    assert!(
        cdn.2.starts_with("behind Cloudflare (cf-ray, server: cloudflare); second request for /assets/main.3e1f0a9c.css: cf-cache-status: HIT, age: 42, answered from a cache"),
        "{cdn:?}"
    );
    assert!(
        cdn.2
            .ends_with("HTTP/2 offered (ALPN h2), HTTP/3 advertised (alt-svc: h3=\":443\"; ma=86400)"),
        "{cdn:?}"
    );
    let rows = table_rows(&report);
    let port = edge.server.port();
    assert!(
        rows.contains(&vec![
            format!("https://example.test:{port}/assets/index-4f3a9c2b.js"),
            "script".into(),
            "200".into(),
            LONG.into(),
            "gzip".into(),
            gzip(&script()).len().to_string(),
            "ETag".into(),
            "ok".into(),
        ]),
        "{rows:#?}"
    );

    // Listing the host brings it in: the assertion above could fail.
    let (_, report) = json_report(&mut edge.cmd("{ asset_hosts: [cdn.other.test] }"));
    assert_eq!(paths(&edge.offsite_seen), ["/lib.js"], "{report:#}");
}

#[test]
fn a_site_without_caching_compression_or_cdn_fails_with_figures() {
    let edge = Edge::start(bad);
    let (code, report) = json_report(&mut edge.cmd("{ require: cdn }"));
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    let port = edge.server.port();
    let size = script().len();
    let gz = launchgate_smoke::edge::compress::gzip_size(&script());
    for expected in [
        (
            "smoke.edge.cache.html",
            "error",
            format!(
                "the page https://example.test:{port}/ may be served from cache for 1 h without revalidation (Cache-Control: public, max-age=3600), over 10 min: after a deploy visitors keep the old page, which may name assets that are gone"
            ),
        ),
        (
            "smoke.edge.cache.hashed",
            "error",
            "/assets/index-4f3a9c2b.js has a hashed name but `Cache-Control: no-store` forbids storing it: every visit downloads it again".to_string(),
        ),
        (
            "smoke.edge.cache.hashed",
            "error",
            "/assets/main.3e1f0a9c.css has a hashed name but is cacheable for only 1 h (Cache-Control: max-age=3600), under 30 days".to_string(),
        ),
        (
            "smoke.edge.compression",
            "error",
            format!(
                "/assets/index-4f3a9c2b.js is sent uncompressed: {size} bytes, which gzip would cut to {gz} (saving {} bytes, {:.0}%)",
                size - gz,
                (size - gz) as f64 * 100.0 / size as f64
            ),
        ),
        (
            "smoke.edge.validator",
            "warning",
            "/assets/main.3e1f0a9c.css has no ETag or Last-Modified: once stale it must be downloaded whole instead of answered with 304".to_string(),
        ),
        (
            "smoke.edge.version-leak",
            "note",
            "`server: nginx/1.18.0 (Ubuntu)` tells every visitor which software version to look up exploits for".to_string(),
        ),
        (
            "smoke.edge.http-version",
            "note",
            "example.test offers only HTTP/1.1: browsers fetch at most 6 assets at once per host".to_string(),
        ),
    ] {
        let expected = (expected.0.to_string(), expected.1.to_string(), expected.2);
        assert!(f.contains(&expected), "{expected:?} not in {f:#?}");
    }
    assert!(f.iter().any(|x| {
        x.0 == "smoke.edge.cdn"
            && x.1 == "error"
            && x.2
                .starts_with(&format!("https://example.test:{port}/ is not behind a CDN"))
    }));
    // The page itself is small: under 1 KiB it may go uncompressed.
    assert!(
        !f.iter()
            .any(|x| x.0 == "smoke.edge.compression" && x.2.starts_with("/ "))
    );
    // The hashed image is cached well; the font is 404 here and says so.
    assert!(!f.iter().any(|x| x.2.contains("hero-7c1d4e2a.png")), "{f:#?}");
    assert!(f.contains(&(
        "smoke.edge.asset".into(),
        "error".into(),
        "/fonts/inter-1a2b3c4d.woff2 (font) referenced by the page answers 404".into()
    )));
    assert_eq!(paths(&edge.offsite_seen), Vec::<String>::new());

    // Without `require: cdn` the missing CDN is reported, not failed.
    let (_, report) = json_report(&mut edge.cmd("{}"));
    assert!(!findings(&report).iter().any(|x| x.0 == "smoke.edge.cdn"));
    let c = checks(&report);
    let cdn = c.iter().find(|x| x.0 == "edge CDN").unwrap();
    assert!(
        cdn.2.starts_with("no CDN or edge platform seen in the response headers; second request for /assets/main.3e1f0a9c.css: no cache status header, not answered from an edge cache; ALPN chose http/1.1, no HTTP/2"),
        "{cdn:?}"
    );
}

#[test]
fn thousands_of_assets_are_checked_up_to_the_cap_with_a_note() {
    let asked = Arc::new(AtomicUsize::new(0));
    let a = asked.clone();
    let edge = Edge::start(move |req, _| {
        if req.path() == "/" {
            let imgs: String = (0..3000).map(|i| format!("<img src=\"/img/{i}.png\">")).collect();
            return Response::new(200, imgs).header("Content-Type", "text/html");
        }
        a.fetch_add(1, Ordering::SeqCst);
        Response::new(200, "x")
            .header("Cache-Control", "max-age=60")
            .header("ETag", "\"x\"")
    });
    let (code, report) = json_report(&mut edge.cmd("{ max_assets: 25 }"));
    assert_eq!(code, 1, "{report:#}");
    assert!(findings(&report).contains(&(
        "smoke.edge.skipped".into(),
        "note".into(),
        "the page references 3000 assets on the site's hosts; checked the first 25 (edge.max_assets)".into()
    )));
    // 25 assets, and the second request goes to the page (no asset is hashed).
    assert_eq!(asked.load(Ordering::SeqCst), 25);
    assert_eq!(table_rows(&report).len(), 26);

    // A cap past the ceiling is refused where it is written.
    let (code, stdout, stderr) = run(&mut edge.cmd("{ max_assets: 5000 }"));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("site.edge.max_assets must be 1 to 1000 (got 5000)"),
        "{stderr}"
    );
    assert!(stderr.contains("smoke.yml:4:"), "{stderr}");
}

#[test]
fn a_password_in_the_canonical_url_never_shows() {
    const PW: &str = "edge-probe-password-7f3k9q2x";
    let edge = Edge::start(bad);
    for format in ["human", "json", "markdown", "sarif"] {
        let (code, stdout, stderr) = run(edge
            .cmd_for(&format!("probe:{PW}@"), "{}")
            .args(["--format", format]));
        assert_eq!(code, 1, "{format}: {stdout}{stderr}");
        // The page's findings name the canonical URL as their subject: redacted there.
        assert!(stdout.contains("smoke.edge.cache.html"), "{format}: {stdout}");
        assert!(stdout.contains("/assets/index-4f3a9c2b.js"), "{format}: {stdout}");
        assert!(
            !stdout.contains(PW) && !stderr.contains(PW),
            "{format}: {stdout}{stderr}"
        );
        assert!(
            !stdout.contains("edge-probe"),
            "{format} shows part of the password"
        );
    }
}
