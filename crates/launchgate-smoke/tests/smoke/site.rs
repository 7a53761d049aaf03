//! Site checks: aliases, redirect map, TLS on every host, security headers, mixed content.

use crate::app::{Site, checks, findings, json_report};

#[test]
fn the_example_site_section_passes_on_a_well_configured_site() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
site:
  canonical: https://example.test:{https}
  aliases: ["http://example.test:{http}", "https://www.example.test:{https}", "http://www.example.test:{http}"]
  redirects: { /old-promo: /pricing, /join: /signup }
  tls: { min_days_left: 14, min_version: "1.2" }
  security_headers: recommended
"#,
    ));
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
    let c = checks(&report);
    let port = site.https.port();
    let www_http = c.iter().find(|x| x.0.starts_with("alias http://www.")).unwrap();
    assert_eq!(
        www_http.2,
        format!(
            "http://www.example.test:{}/ (301) -> https://www.example.test:{port}/ (301) -> https://example.test:{port}/",
            site.http.port()
        )
    );
    let tls = c.iter().find(|x| x.0 == "tls example.test").unwrap();
    assert!(
        tls.2.starts_with("TLS 1.3, 89 days left") || tls.2.starts_with("TLS 1.3, 90 days left"),
        "{tls:?}"
    );
    assert!(
        c.iter()
            .any(|x| x.0 == "redirect /old-promo -> /pricing" && x.1 == "passed")
    );
}

#[test]
fn certificates_expiring_expired_and_for_another_host_fail_with_reasons() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
site:
  canonical: https://example.test:{https}
  aliases: ["https://expiring.test:{https}", "https://expired.test:{https}", "https://wrong.test:{https}"]
  tls: { min_days_left: 14, min_version: "1.3" }
"#,
    ));
    assert_eq!(code, 1);
    let f = findings(&report);
    let tls: Vec<&(String, String, String)> = f.iter().filter(|x| x.0.starts_with("smoke.tls")).collect();
    assert!(
        tls.iter().any(|x| x.0 == "smoke.tls.expiry"
            && x.2.starts_with("expiring.test: certificate expires in 5 days (")),
        "{tls:?}"
    );
    assert!(tls.iter().any(|x| {
        x.0 == "smoke.tls.invalid"
            && x.2
                .starts_with("expired.test: TLS error: certificate expired 3 days ago")
    }));
    assert!(tls.iter().any(|x| x.0 == "smoke.tls.invalid"
        && x.2 == "wrong.test: TLS error: certificate is for other.example, not wrong.test"));
    assert!(!tls.iter().any(|x| x.2.starts_with("example.test")), "{tls:?}");
}

#[test]
fn redirect_problems_each_get_their_rule() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
site:
  canonical: https://example.test:{https}
  aliases: ["https://loop.example.test:{https}", "https://example.test:{https}/loop-a"]
  redirects: { /gone: /missing, /old-promo: /signup }
"#,
    ));
    assert_eq!(code, 1);
    let f = findings(&report);
    let port = site.https.port();
    assert!(f.iter().any(|x| x.0 == "smoke.redirect.loop"
        && x.2 == format!("redirect loop from https://loop.example.test:{port}: https://loop.example.test:{port}/ (301) -> https://loop.example.test:{port}/")), "{f:#?}");
    assert!(
        f.iter()
            .any(|x| x.0 == "smoke.redirect.loop" && x.2.contains("/loop-a (302) -> https://example.test"))
    );
    assert!(f.iter().any(|x| x.0 == "smoke.redirect.map"
        && x.2 == "/gone lands on /missing, which answers 404; body: not found"));
    assert!(f.iter().any(|x| x.0 == "smoke.redirect.map"
        && x.2 == format!("/old-promo lands on https://example.test:{port}/pricing, not /signup")));
}

#[test]
fn weak_headers_and_mixed_content_are_reported() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
site:
  canonical: https://example.test:{https}/weak-headers
  security_headers: recommended
checks:
  - { name: mixed, get: /mixed }
"#,
    ));
    assert_eq!(code, 1);
    let f = findings(&report);
    let rules: Vec<(&str, &str)> = f.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
    for expected in [
        ("smoke.headers.hsts", "warning"),
        ("smoke.headers.nosniff", "warning"),
        ("smoke.headers.framing", "warning"),
        ("smoke.headers.referrer", "warning"),
        ("smoke.mixed-content", "error"),
    ] {
        assert!(rules.contains(&expected), "{expected:?} missing from {rules:?}");
    }
    assert!(
        f.iter()
            .any(|x| x.2 == "HSTS max-age is 300 s, under a year (31536000 s)")
    );
    assert!(
        f.iter()
            .any(|x| x.2 == "https page loads <script> http://cdn.example.test/app.js over plain http")
    );
    assert!(
        f.iter()
            .any(|x| x.2 == "https page loads <link> http://cdn.example.test/site.css over plain http")
    );
    assert!(
        !f.iter().any(|x| x.2.contains("elsewhere.test")),
        "plain links are not mixed content"
    );
}

#[test]
fn missing_hsts_is_an_error() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        "base_url: https://example.test:{https}\nsite: { canonical: \"https://example.test:{https}/api/health\", security_headers: recommended }\n",
    ));
    assert_eq!(code, 1);
    assert!(findings(&report).contains(&(
        "smoke.headers.hsts".to_string(),
        "error".to_string(),
        "no Strict-Transport-Security header".to_string()
    )));
}

#[test]
fn cross_host_upgrades_and_temporary_redirects_are_reported() {
    let site = Site::start();
    let (code, report) = json_report(&mut site.cmd(
        r#"
base_url: https://example.test:{https}
site:
  canonical: https://example.test:{https}
  aliases: ["http://cross.example.test:{http}", "https://example.test:{https}/temp"]
"#,
    ));
    assert_eq!(code, 1);
    let f = findings(&report);
    let (http, https) = (site.http.port(), site.https.port());
    assert!(f.iter().any(|x| x.0 == "smoke.redirect.https-first"
        && x.2 == format!("http://cross.example.test:{http} goes to https://example.test:{https}/ first; send http to https on the same host first, so HSTS is set for it")), "{f:#?}");
    assert!(f.iter().any(|x| x.0 == "smoke.redirect.permanent"
        && x.2.starts_with(&format!(
            "https://example.test:{https}/temp redirects with 302, not a permanent 301 or 308"
        ))));
    // The cross-host alias still reaches the canonical URL in one permanent hop.
    assert!(
        !f.iter()
            .any(|x| x.0 == "smoke.redirect.alias" && x.2.contains("cross")),
        "{f:#?}"
    );
}
