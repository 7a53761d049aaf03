//! The registrar in the map: asked of an RDAP service on 127.0.0.1 named by
//! `smoke.rdap.server`, once per domain; a lookup that fails is said, never left blank.

#[path = "support/rdap_server.rs"]
mod rdap_server;

use std::path::PathBuf;
use std::time::Duration;

use launchgate_core::config::ConfigFile;
use launchgate_dns::responder::{DnsServer, Zone};
use launchgate_map::render::{MapFormat, render};
use launchgate_map::{MapOptions, discover_configured};
use rdap_server::{RdapServer, domain_object};

fn config(dns: &DnsServer, domains: &str, rdap_server: &str) -> ConfigFile {
    ConfigFile {
        path: PathBuf::from("launchgate.yml"),
        source: format!(
            "smoke:\n  base_url: http://127.0.0.1:9\n  rdap: {{ server: \"{rdap_server}\", warn_days: 30 }}\n\
             dns:\n  domain: {domains}\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n",
            dns.url()
        ),
    }
}

fn options() -> MapOptions {
    MapOptions {
        probe_web: false,
        web_timeout: Duration::from_secs(3),
        ..MapOptions::default()
    }
}

fn zone() -> Zone {
    let mut zone = Zone::new();
    zone.ns("shop.test", "ada.ns.cloudflare.test");
    zone
}

#[test]
fn the_registrar_and_expiry_are_read_from_rdap_and_shown_in_every_format() {
    let dns = DnsServer::start(zone());
    let rdap = RdapServer::start(vec![(
        "shop.test",
        (
            200,
            domain_object(
                "shop.test",
                "Example Registrar, Inc.",
                "292",
                "2027-03-09T17:00:00Z",
            ),
        ),
    )]);
    let maps = discover_configured(&config(&dns, "shop.test", &rdap.url()), &options()).unwrap();
    assert_eq!(rdap.paths(), ["/domain/shop.test"], "one query per domain");
    let registration = maps[0].registration.as_ref().expect("looked up");
    assert_eq!(registration.rdap_server, rdap.url());
    assert_eq!(registration.registrar.as_deref(), Some("Example Registrar, Inc."));
    assert_eq!(registration.iana_id.as_deref(), Some("292"));
    assert_eq!(registration.expires.as_deref(), Some("2027-03-09T17:00:00Z"));
    assert_eq!(registration.problem, None);

    let human = render(&maps, MapFormat::Human);
    assert!(
        human.contains(&format!(
            "  registrar: Example Registrar, Inc. (IANA id 292), expires 2027-03-09 (RDAP {})\n",
            rdap.url()
        )),
        "{human}"
    );
    let markdown = render(&maps, MapFormat::Markdown);
    assert!(
        markdown.contains(&format!(
            "| registrar | RDAP {}: registrar Example Registrar, Inc. (IANA id 292), expires 2027-03-09 | Example Registrar, Inc. |",
            rdap.url()
        )),
        "{markdown}"
    );
    let dot = render(&maps, MapFormat::Dot);
    assert!(
        dot.contains("  \"registrar: Example Registrar, Inc.\" -> \"shop.test\" [label=\"registers\"];"),
        "{dot}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(&maps, MapFormat::Json)).unwrap();
    assert_eq!(json[0]["registration"]["registrar"], "Example Registrar, Inc.");
    assert_eq!(json[0]["registration"]["iana_id"], "292");
}

#[test]
fn a_404_bad_json_and_an_error_status_are_said_and_credentials_never_shown() {
    let dns = DnsServer::start(zone());
    let rdap = RdapServer::start(vec![
        ("broken.test", (200, "<html>maintenance</html>".to_string())),
        ("down.test", (503, "unavailable".to_string())),
        (
            "anonymous.test",
            (200, r#"{"objectClassName":"domain","events":[]}"#.to_string()),
        ),
        ("huge.test", (200, " ".repeat(1024 * 1024 + 1))),
    ]);
    let server = rdap.url().replacen("http://", "http://ada:s3cret-rdap-pass@", 1);
    let domains = "[nowhere.test, broken.test, down.test, anonymous.test, huge.test]";
    let maps = discover_configured(&config(&dns, domains, &server), &options()).unwrap();
    assert_eq!(rdap.paths().len(), 5, "one query per domain: {:?}", rdap.paths());
    let problems: Vec<(Option<&str>, Option<&str>)> = maps
        .iter()
        .map(|m| {
            let r = m.registration.as_ref().unwrap();
            (r.registrar.as_deref(), r.problem.as_deref())
        })
        .collect();
    assert_eq!(
        problems[0],
        (None, Some("127.0.0.1 has no record of nowhere.test (404)"))
    );
    assert_eq!(problems[1].0, None);
    assert!(
        problems[1].1.unwrap().starts_with("not RDAP JSON ("),
        "{problems:?}"
    );
    assert_eq!(problems[2], (None, Some("127.0.0.1 answered 503")));
    assert_eq!(problems[3], (None, Some("the answer names no registrar entity")));
    assert_eq!(
        problems[4],
        (
            None,
            Some("the answer is larger than the 1 MiB limit; reading stopped there")
        )
    );

    let human = render(&maps, MapFormat::Human);
    let shown = format!("(RDAP {})", rdap.url());
    assert!(
        human.contains(&format!(
            "  registrar: not found (127.0.0.1 has no record of nowhere.test (404)) {shown}\n"
        )),
        "{human}"
    );
    assert!(
        human.contains(&format!(
            "  registrar: not found (127.0.0.1 answered 503) {shown}\n"
        )),
        "{human}"
    );
    let dot = render(&maps, MapFormat::Dot);
    assert!(
        dot.contains("  \"registrar of down.test\" [style=dashed, color=red, xlabel=\"not found (127.0.0.1 answered 503)\"];"),
        "{dot}"
    );
    for format in [
        MapFormat::Human,
        MapFormat::Markdown,
        MapFormat::Json,
        MapFormat::Dot,
    ] {
        let text = render(&maps, format);
        assert!(
            !text.contains("s3cret-rdap-pass") && !text.contains("ada:"),
            "{format:?}: the server's credentials are shown:\n{text}"
        );
    }
}

#[test]
fn a_server_that_does_not_answer_is_said_and_a_dns_only_map_asks_nothing() {
    let dns = DnsServer::start(zone());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config_closed = config(&dns, "shop.test", &format!("http://127.0.0.1:{closed}/"));
    let maps = discover_configured(&config_closed, &options()).unwrap();
    let problem = maps[0].registration.as_ref().unwrap().problem.as_deref().unwrap();
    assert!(problem.contains("connection refused"), "{problem}");

    // One that takes the connection and never answers: bounded by the timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config_silent = config(
        &dns,
        "shop.test",
        &format!("http://{}/", silent.local_addr().unwrap()),
    );
    let quick = MapOptions {
        web_timeout: Duration::from_secs(1),
        ..options()
    };
    let started = std::time::Instant::now();
    let maps = discover_configured(&config_silent, &quick).unwrap();
    let problem = maps[0].registration.as_ref().unwrap().problem.as_deref().unwrap();
    assert_eq!(problem, "timeout after 1 s");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    let rdap = RdapServer::start(Vec::new());
    let dns_only = MapOptions {
        lookup_registrar: false,
        ..options()
    };
    let maps = discover_configured(&config(&dns, "shop.test", &rdap.url()), &dns_only).unwrap();
    assert!(rdap.paths().is_empty(), "{:?}", rdap.paths());
    assert_eq!(maps[0].registration, None);
    let human = render(&maps, MapFormat::Human);
    assert!(
        human.contains("  registrar: not looked up (a DNS-only map)\n"),
        "{human}"
    );
}

#[test]
fn a_server_setting_that_is_no_url_is_refused_by_name() {
    let dns = DnsServer::start(zone());
    let error = discover_configured(&config(&dns, "shop.test", "rdap.example"), &options()).unwrap_err();
    assert!(
        error
            .message()
            .contains("smoke.rdap.server: `rdap.example` is not an http(s) URL"),
        "{}",
        error.message()
    );
}
