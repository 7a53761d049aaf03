//! `launchgate map`: the deployment map, from a zone served on 127.0.0.1.

use predicates::prelude::*;

use crate::{launchgate, repo_with_config};

#[test]
fn map_prints_the_discovered_deployment_and_needs_a_dns_section() {
    use launchgate_dns::responder::{DnsServer, Zone};
    let mut zone = Zone::new();
    zone.ns("shop.test", "ns1.vercel-dns.test")
        .cname("www.shop.test", "cname.vercel-dns.test")
        .mx("shop.test", 10, "aspmx.l.google.test");
    let dns = DnsServer::start(zone);
    let dir = repo_with_config(&format!(
        "dns:\n  domain: shop.test\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n  records: [{{ name: www, type: CNAME, values: [cname.vercel-dns.test.] }}]\n",
        dns.url()
    ));
    launchgate()
        .current_dir(dir.path())
        .args(["map", "--dns-only", "--format", "dot", "-o", "map.dot"])
        .assert()
        .code(0);
    let dot = std::fs::read_to_string(dir.path().join("map.dot")).unwrap();
    assert!(dot.contains("\"DNS: Vercel\" -> \"shop.test\""), "{dot}");
    assert!(
        dot.contains("\"shop.test\" -> \"mail: Google Workspace\""),
        "{dot}"
    );
    assert!(dot.contains("\"www.shop.test\" [style=dashed"), "{dot}");
    launchgate()
        .current_dir(repo_with_config("secrets: {}\n").path())
        .arg("map")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no dns: section"));
}

/// The registrar, from an RDAP service on 127.0.0.1 named by `smoke.rdap.server`: found for
/// one domain, and a 404 for the other said in words.
#[test]
fn map_shows_each_domains_registrar_from_rdap_or_why_it_is_not_known() {
    use crate::rdap_server::{RdapServer, domain_object};
    use launchgate_dns::responder::{DnsServer, Zone};
    let mut zone = Zone::new();
    zone.ns("shop.test", "ns1.vercel-dns.test");
    let dns = DnsServer::start(zone);
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
    let dir = repo_with_config(&format!(
        "smoke:\n  base_url: http://127.0.0.1:9\n  rdap: {{ server: \"{}\" }}\n\
         dns:\n  domain: [shop.test, gone.test]\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n",
        rdap.url(),
        dns.url()
    ));
    let out = launchgate()
        .current_dir(dir.path())
        .args(["map", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let maps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = &maps[0]["registration"];
    assert_eq!(found["rdap_server"], rdap.url().as_str());
    assert_eq!(found["registrar"], "Example Registrar, Inc.");
    assert_eq!(found["iana_id"], "292");
    assert_eq!(found["expires"], "2027-03-09T17:00:00Z");
    let missing = &maps[1]["registration"];
    assert_eq!(missing.get("registrar"), None, "{missing}");
    assert_eq!(missing["problem"], "127.0.0.1 has no record of gone.test (404)");
    assert_eq!(rdap.paths(), ["/domain/shop.test", "/domain/gone.test"]);

    launchgate()
        .current_dir(dir.path())
        .arg("map")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "  registrar: not found (127.0.0.1 has no record of gone.test (404)) (RDAP {})\n",
            rdap.url()
        )));

    // A server setting that is no URL is bad input: exit 2, naming it.
    let bad = repo_with_config(&format!(
        "smoke:\n  base_url: http://127.0.0.1:9\n  rdap: {{ server: rdap.example }}\n\
         dns:\n  domain: shop.test\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n",
        dns.url()
    ));
    launchgate()
        .current_dir(bad.path())
        .arg("map")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "smoke.rdap.server: `rdap.example` is not an http(s) URL",
        ))
        .stderr(predicate::str::contains("give the RDAP base URL"));
}
