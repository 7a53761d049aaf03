//! The deployment map of a zone served by the dns crate's responder on 127.0.0.1, with a
//! web server on 127.0.0.1 that answers as a platform would.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use launchgate_core::config::ConfigFile;
use launchgate_dns::responder::{DnsServer, Zone};
use launchgate_map::render::{MapFormat, render};
use launchgate_map::{MapOptions, discover_configured};

const DKIM_KEY: &str = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC8";

fn zone() -> Zone {
    let mut zone = Zone::new();
    zone.ns("shop.test", "ada.ns.cloudflare.test")
        .ns("shop.test", "bob.ns.cloudflare.test")
        .a("shop.test", "127.0.0.1")
        .cname("www.shop.test", "cname.vercel-dns.test")
        .a("cname.vercel-dns.test", "76.76.21.21")
        .cname("status.shop.test", "shop.statuspage.test")
        .mx("shop.test", 10, "aspmx.l.google.test")
        .mx("shop.test", 20, "alt1.aspmx.l.google.test")
        .txt(
            "shop.test",
            "v=spf1 include:_spf.google.test include:amazonses.test ~all",
        )
        .txt("resend._domainkey.shop.test", DKIM_KEY)
        .txt("google._domainkey.shop.test", DKIM_KEY)
        .txt(
            "_dmarc.shop.test",
            "v=DMARC1; p=quarantine; rua=mailto:abc@ag.dmarcian.test,mailto:dmarc@shop.test!10m",
        );
    zone
}

/// Answers every connection with one response naming Vercel, like its edge does.
fn platform_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut request = [0u8; 2048];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nServer: Vercel\r\nx-vercel-id: fra1::abc\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            );
        }
    });
    port
}

fn config(dns: &DnsServer) -> ConfigFile {
    ConfigFile {
        path: PathBuf::from("launchgate.yml"),
        source: format!(
            "dns:\n  domain: shop.test\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n  records:\n    - {{ name: www, type: CNAME, values: [cname.vercel-dns.test.] }}\n    - {{ name: status, type: CNAME, values: [shop.statuspage.test.] }}\n    - {{ name: gone, type: A, values: [192.0.2.1] }}\n  email: {{ dkim: {{ selectors: [resend] }} }}\n",
            dns.url()
        ),
    }
}

#[test]
fn the_map_names_dns_web_and_mail_providers_and_says_which_hosts_do_not_resolve() {
    let dns = DnsServer::start(zone());
    // Nothing listens on the HTTPS port: the TLS probe fails and the map says so.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = MapOptions {
        probe_web: true,
        // The registrar has its own test (registrar.rs); no RDAP query leaves the machine.
        lookup_registrar: false,
        https_port: closed,
        http_port: platform_server(),
        web_timeout: Duration::from_secs(2),
        ca_certs: Vec::new(),
    };
    let maps = discover_configured(&config(&dns), &options).unwrap();
    assert_eq!(maps.len(), 1);
    let map = &maps[0];
    assert_eq!(map.domain, "shop.test");
    assert_eq!(
        map.dns.name_servers,
        ["ada.ns.cloudflare.test", "bob.ns.cloudflare.test"]
    );
    assert_eq!(map.dns.provider.as_deref(), Some("Cloudflare"));

    let names: Vec<&str> = map.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        ["shop.test", "www.shop.test", "status.shop.test", "gone.shop.test"]
    );
    let apex = &map.hosts[0];
    assert!(apex.resolves);
    assert_eq!(apex.addresses, ["127.0.0.1"]);
    assert_eq!(apex.platform.as_deref(), Some("Vercel"));
    assert_eq!(
        apex.platform_evidence.as_deref(),
        Some("response header x-vercel-id")
    );
    let http = apex.http.as_ref().unwrap();
    assert_eq!(http.status, Some(200));
    assert_eq!(http.server.as_deref(), Some("Vercel"));
    let tls = apex.tls.as_ref().unwrap();
    assert!(
        tls.error.as_deref().unwrap().contains("connection refused"),
        "{tls:?}"
    );

    let www = &map.hosts[1];
    assert_eq!(www.cname_chain, ["cname.vercel-dns.test"]);
    assert_eq!(www.addresses, ["76.76.21.21"]);
    assert_eq!(www.platform.as_deref(), Some("Vercel"));
    assert_eq!(
        www.platform_evidence.as_deref(),
        Some("CNAME cname.vercel-dns.test")
    );

    let status = &map.hosts[2];
    assert!(!status.resolves);
    assert_eq!(status.cname_chain, ["shop.statuspage.test"]);
    assert_eq!(
        status.problem.as_deref(),
        Some(
            "does not resolve: its CNAME leads to shop.statuspage.test, which answers NXDOMAIN (the name does not exist)"
        )
    );
    assert_eq!(status.http, None, "a host that does not resolve is not probed");
    let gone = &map.hosts[3];
    assert_eq!(
        gone.problem.as_deref(),
        Some("does not resolve: NXDOMAIN (the name does not exist)")
    );

    let mail = &map.mail;
    let mx: Vec<(u16, &str, Option<&str>)> = mail
        .mx
        .iter()
        .map(|m| (m.preference, m.host.as_str(), m.provider.as_deref()))
        .collect();
    assert_eq!(
        mx,
        [
            (10, "aspmx.l.google.test", Some("Google Workspace")),
            (20, "alt1.aspmx.l.google.test", Some("Google Workspace"))
        ]
    );
    let senders: Vec<(&str, Option<&str>)> = mail
        .senders
        .iter()
        .map(|s| (s.name.as_str(), s.provider.as_deref()))
        .collect();
    assert_eq!(
        senders,
        [
            ("_spf.google.test", Some("Google Workspace")),
            ("amazonses.test", Some("Amazon SES"))
        ]
    );
    // The configured selector first, then the common ones that exist.
    assert_eq!(mail.dkim_selectors, ["resend", "google"]);
    assert_eq!(mail.dmarc_policy.as_deref(), Some("quarantine"));
    let reports: Vec<(&str, Option<&str>)> = mail
        .dmarc_reports
        .iter()
        .map(|r| (r.name.as_str(), r.provider.as_deref()))
        .collect();
    assert_eq!(
        reports,
        [
            ("abc@ag.dmarcian.test", Some("dmarcian")),
            ("dmarc@shop.test", None)
        ]
    );

    let human = render(&maps, MapFormat::Human);
    assert!(
        human.contains("  DNS served by: ada.ns.cloudflare.test, bob.ns.cloudflare.test (Cloudflare)\n"),
        "{human}"
    );
    assert!(
        human.contains("  gone.shop.test: does not resolve: NXDOMAIN"),
        "{human}"
    );
    let markdown = render(&maps, MapFormat::Markdown);
    assert!(
        markdown.contains("| mail (MX 10) | aspmx.l.google.test | Google Workspace |"),
        "{markdown}"
    );
    let dot = render(&maps, MapFormat::Dot);
    assert!(dot.starts_with("digraph deployment {"), "{dot}");
    assert!(
        dot.contains("\"www.shop.test\" -> \"Vercel\" [label=\"web\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"gone.shop.test\" [style=dashed, color=red, xlabel=\"does not resolve\"];"),
        "{dot}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(&maps, MapFormat::Json)).unwrap();
    assert_eq!(json[0]["hosts"][1]["platform"], "Vercel");
}

#[test]
fn a_domain_without_name_servers_and_a_config_without_dns_are_said_plainly() {
    let dns = DnsServer::start(Zone::new());
    let config = ConfigFile {
        path: PathBuf::from("launchgate.yml"),
        source: format!(
            "dns:\n  domain: nowhere.test\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n",
            dns.url()
        ),
    };
    let options = MapOptions {
        probe_web: false,
        ..MapOptions::default()
    };
    let maps = discover_configured(&config, &options).unwrap();
    assert_eq!(
        maps[0].dns.problem.as_deref(),
        Some("no name servers: NXDOMAIN (the name does not exist)")
    );
    assert!(!maps[0].hosts[0].resolves);
    let none = ConfigFile {
        path: PathBuf::from("launchgate.yml"),
        source: "secrets: {}\n".into(),
    };
    let error = discover_configured(&none, &options).unwrap_err();
    assert!(
        error.message().contains("has no dns: section"),
        "{}",
        error.message()
    );
}
