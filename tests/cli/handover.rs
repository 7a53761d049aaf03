//! `launchgate handover`: a new document, a re-run that keeps what a person wrote, and a
//! document whose markers were removed, refused with nothing written.

use predicates::prelude::*;

use crate::{launchgate, repo_with_config};

fn repo(dns_url: &str) -> tempfile::TempDir {
    repo_with_config(&format!(
        "report: {{ product: Shop, revenue_paths: [/checkout], map: dns }}\n\
         env:\n  vars:\n    STRIPE_SECRET_KEY: {{ type: string, secret: true }}\n    SENTRY_DSN: {{ type: url }}\n\
         smoke:\n  base_url: http://127.0.0.1:9\n  checks:\n    - {{ name: homepage, get: /, expect: {{ status: 200 }} }}\n\
         dns:\n  domain: shop.test\n  resolver: [{dns_url}]\n  timeout: 1s\n  attempts: 1\n  records: [{{ name: status, type: CNAME, values: [gone.statuspage.test.] }}]\n"
    ))
}

#[test]
fn handover_writes_then_updates_keeping_what_a_person_wrote_and_refuses_lost_markers() {
    use launchgate_dns::responder::{DnsServer, Zone};
    let mut zone = Zone::new();
    zone.ns("shop.test", "ada.ns.cloudflare.test")
        .a("shop.test", "76.76.21.21")
        .cname("status.shop.test", "gone.statuspage.test")
        .mx("shop.test", 10, "aspmx.l.google.test");
    let dns = DnsServer::start(zone);
    let dir = repo(&dns.url());
    let file = dir.path().join("HANDOVER.md");
    launchgate()
        .current_dir(dir.path())
        .arg("handover")
        .assert()
        .code(0);
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.starts_with("# Handover: Shop\n"), "{first}");
    for line in [
        "| DNS host of shop.test | Cloudflare | name servers ada.ns.cloudflare.test | … | … |",
        "| hosting or CDN of shop.test | Vercel | address 76.76.21.21 | … | … |",
        "| email receiving | Google Workspace | MX aspmx.l.google.test | … | … |",
        "| payments | Stripe | env variable STRIPE_SECRET_KEY | … | … |",
        "| error tracking | Sentry | env variable SENTRY_DSN | … | … |",
        "| `STRIPE_SECRET_KEY` | Stripe credential | create a new value at https://docs.stripe.com/keys, set it where production reads STRIPE_SECRET_KEY, deploy, then revoke the old one |",
        "- homepage",
        "- [ ] go through each revenue path once as a customer would: /checkout",
        "- [ ] watch new errors in Sentry",
        "- [ ] status.shop.test does not resolve: fix or remove its record",
        "| domain registrar of shop.test | … | not looked up (report.map is dns): look the domain up in its registry's RDAP or WHOIS | … | … |",
    ] {
        assert!(first.contains(line), "no `{line}` in:\n{first}");
    }

    // A person fills in blanks and writes outside the markers; a re-run keeps both.
    let edited = first
        .replace(
            "| payments | Stripe | env variable STRIPE_SECRET_KEY | … | … |",
            "| payments | Stripe | env variable STRIPE_SECRET_KEY | Ada | ada@shop.test |",
        )
        .replace(
            "who may do it:\n\n…",
            "who may do it:\n\n`vercel rollback`, by Ada or Bob",
        );
    std::fs::write(&file, &edited).unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("handover")
        .assert()
        .code(0);
    let second = std::fs::read_to_string(&file).unwrap();
    assert_eq!(second, edited, "a re-run changed what it should keep");

    // The markers of a generated part removed by hand: refused, the file left as it was.
    let unmarked = edited.replace("<!-- launchgate:begin secrets -->\n", "");
    std::fs::write(&file, &unmarked).unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("handover")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "was edited by hand and the marker `<!-- launchgate:begin secrets -->` is missing",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), unmarked);
}

/// A secret whose name says nothing of its service gets the rotation page of the rule that
/// recognises its value; the value itself is never written.
#[test]
fn a_secret_is_recognised_by_its_value_and_never_written() {
    let value = "sk_live_51Qm8ZrT2vLx6NcW4pHs9JdF1bKy7Ug3Ae5Vo0Ri8Tn2Lw";
    let dir = repo_with_config(
        "report: { product: Shop, map: off }\n\
         env:\n  check: { environment: production, files: [.env.production] }\n  vars:\n    PAYMENTS_TOKEN: { type: string, secret: true }\n",
    );
    std::fs::write(
        dir.path().join(".env.production"),
        format!("PAYMENTS_TOKEN={value}\n"),
    )
    .unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("handover")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(value).not())
        .stderr(predicate::str::contains(value).not());
    let text = std::fs::read_to_string(dir.path().join("HANDOVER.md")).unwrap();
    assert!(
        text.contains(
            "| `PAYMENTS_TOKEN` | Stripe live secret key | create a new value at https://docs.stripe.com/keys, set it where production reads PAYMENTS_TOKEN"
        ),
        "{text}"
    );
    assert!(
        !text.contains(value) && !text.contains("Qm8ZrT2vLx6NcW4"),
        "{text}"
    );
}

/// With `report.map: full`, the registrar row holds what RDAP (a service on 127.0.0.1 named
/// by `smoke.rdap.server`) says; a domain it does not know is said, not left blank.
#[test]
fn handover_names_the_registrar_found_in_rdap() {
    use crate::rdap_server::{RdapServer, domain_object};
    use launchgate_dns::responder::{DnsServer, Zone};
    let mut zone = Zone::new();
    zone.ns("shop.test", "ada.ns.cloudflare.test");
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
        "report: {{ product: Shop, map: full }}\n\
         smoke:\n  base_url: http://127.0.0.1:9\n  rdap: {{ server: \"{}\" }}\n\
         dns:\n  domain: [shop.test, gone.test]\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n",
        rdap.url(),
        dns.url()
    ));
    launchgate()
        .current_dir(dir.path())
        .arg("handover")
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("HANDOVER.md")).unwrap();
    let server = rdap.url();
    for line in [
        format!(
            "| domain registrar of shop.test | Example Registrar, Inc. | RDAP {server}: registrar Example Registrar, Inc. (IANA id 292), expires 2027-03-09 | … | … |"
        ),
        format!(
            "| domain registrar of gone.test | unknown | RDAP {server}: registrar not found (127.0.0.1 has no record of gone.test (404)) | … | … |"
        ),
    ] {
        assert!(text.contains(&line), "no `{line}` in:\n{text}");
    }
    assert!(!text.contains("| domain registrar |"), "{text}");
}

/// An existing document is read within the limit of every configuration file; past it the
/// run stops naming the file and the limit, and the file is left as it is.
#[test]
fn an_existing_document_past_its_read_limit_is_refused_and_left_as_it_is() {
    let dir = repo_with_config("report: { product: Shop, map: off }\n");
    let file = dir.path().join("HANDOVER.md");
    let huge = "x".repeat(16 * 1024 * 1024 + 1);
    std::fs::write(&file, &huge).unwrap();
    launchgate()
        .current_dir(dir.path())
        .arg("handover")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "HANDOVER.md is larger than 16 MiB, the most launchgate reads for the handover document",
        ));
    assert_eq!(std::fs::metadata(&file).unwrap().len(), huge.len() as u64);
}
