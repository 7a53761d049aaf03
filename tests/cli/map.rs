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
