//! The test world: good and broken domains under `.test`, served by [`DnsServer`].

use crate::server::Zone;

pub const RSA_768: &str = include_str!("fixtures/rsa-768.pub.b64");
pub const RSA_1024: &str = include_str!("fixtures/rsa-1024.pub.b64");
pub const RSA_2048: &str = include_str!("fixtures/rsa-2048.pub.b64");

/// Every domain the tests use.
pub fn world() -> Zone {
    let mut z = Zone::new();
    providers(&mut z);
    good(&mut z);
    broken(&mut z);
    spf_cases(&mut z);
    mail_cases(&mut z);
    dnssec_cases(&mut z);
    z
}

/// Domains whose MX records say something on their own: a host without an address, a null
/// MX (RFC 7505) on a domain that sends no mail, a null MX mixed with a real one.
fn mail_cases(z: &mut Zone) {
    z.mx("deadmx.test", 10, "mail.deadmx.test")
        .mx("deadmx.test", 20, "mx1.provider.test")
        .txt("mail.deadmx.test", "a name without an address")
        .txt("deadmx.test", "v=spf1 include:_spf.resend.test -all")
        .txt("_dmarc.deadmx.test", "v=DMARC1; p=reject");
    z.a("nomail.test", "76.76.21.21")
        .mx("nomail.test", 0, ".")
        .txt("nomail.test", "v=spf1 -all");
    z.a("parked.test", "76.76.21.21")
        .mx("parked.test", 0, ".")
        .txt("parked.test", "v=spf1 -all")
        .txt("_dmarc.parked.test", "v=DMARC1; p=quarantine");
    z.mx("aliasmx.test", 10, "mail.aliasmx.test")
        .cname("mail.aliasmx.test", "mx1.provider.test")
        .txt("aliasmx.test", "v=spf1 include:_spf.resend.test -all");
    z.mx("brand.test", 10, "mx1.provider.test")
        .txt("brand.test", "v=spf1 include:_spf.resend.test -all")
        .txt("_dmarc.brand.test", "v=DMARC1; p=none")
        .txt(
            "default._bimi.brand.test",
            "v=BIMI1; l=http://brand.test/logo.png; a=;",
        );
    // An MX host on loopback, where the tests run an SMTP server.
    z.mx("smtp.test", 10, "mx.smtp.test")
        .a("mx.smtp.test", "127.0.0.1")
        .ptr("1.0.0.127.in-addr.arpa", "mx.smtp.test")
        .txt("smtp.test", "v=spf1 mx -all")
        .mx("smtp2.test", 10, "mx.smtp.test");
    // Reverse DNS: an address without PTR, one whose PTR name points elsewhere, one over
    // IPv6 that is forward-confirmed.
    z.mx("rdns.test", 10, "mx-noptr.rdns.test")
        .mx("rdns.test", 20, "mx-stale.rdns.test")
        .mx("rdns.test", 30, "mx6.rdns.test")
        .a("mx-noptr.rdns.test", "192.0.2.40")
        .a("mx-stale.rdns.test", "192.0.2.41")
        .ptr("41.2.0.192.in-addr.arpa", "old-server.hosting.test")
        .a("old-server.hosting.test", "192.0.2.99")
        .aaaa("mx6.rdns.test", "2001:db8::25")
        .ptr(
            "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
            "mx6.rdns.test",
        )
        .txt("rdns.test", "v=spf1 mx -all");
    z.mx("mixednull.test", 0, ".")
        .mx("mixednull.test", 10, "mx1.provider.test")
        .txt("mixednull.test", "v=spf1 include:_spf.resend.test -all");
}

/// What mail and hosting providers publish.
fn providers(z: &mut Zone) {
    z.a("cname.vercel-dns.test", "76.76.21.21")
        .a("mx1.provider.test", "192.0.2.25")
        .a("mx2.provider.test", "192.0.2.26")
        .ptr("25.2.0.192.in-addr.arpa", "mx1.provider.test")
        .ptr("26.2.0.192.in-addr.arpa", "mx2.provider.test")
        .txt("_spf.resend.test", "v=spf1 ip4:192.0.2.0/24 -all")
        .txt("_spf.google.test", "v=spf1 ip4:198.51.100.0/24 ~all")
        // The aggregate report service that authorised authorised.test but not broken.test.
        .mx("reports.test", 10, "mx1.provider.test")
        .txt("authorised.test._report._dmarc.reports.test", "v=DMARC1")
        // A platform host that exists but serves no address.
        .txt("parked.platform.test", "parked");
}

/// A domain where everything is right.
fn good(z: &mut Zone) {
    let d = "good.test";
    z.a(d, "76.76.21.21")
        .cname("www.good.test", "cname.vercel-dns.test")
        .mx(d, 10, "mx1.provider.test")
        .mx(d, 20, "mx2.provider.test")
        .mx("mail.good.test", 10, "mx1.provider.test")
        .txt(d, "v=spf1 include:_spf.resend.test -all")
        .txt(d, "google-site-verification=abc123")
        .txt(
            "_dmarc.good.test",
            "v=DMARC1; p=reject; rua=mailto:dmarc@good.test; adkim=s",
        )
        .txt(
            "resend._domainkey.good.test",
            &format!("v=DKIM1; k=rsa; p={RSA_2048}"),
        )
        .txt(
            "google._domainkey.good.test",
            &format!("v=DKIM1; k=rsa; p={RSA_2048}"),
        )
        .txt("_mta-sts.good.test", "v=STSv1; id=20260101T000000")
        .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tls@good.test")
        .caa_issue(d, "letsencrypt.org")
        // Subdomains without their own DMARC record inherit good.test's (tree walk).
        .a("shop.good.test", "76.76.21.21")
        .silent("slow.good.test")
        .servfail("broken-ns.good.test");
}

/// A domain with the launch failures the gate exists for.
fn broken(z: &mut Zone) {
    let d = "broken.test";
    z.a(d, "203.0.113.9")
        .cname("www.broken.test", "old-app.herokuapp.test")
        .cname("docs.broken.test", "parked.platform.test")
        .mx(d, 10, "mx1.provider.test")
        .txt(d, "v=spf1 include:_spf.resend.test ?all")
        .txt(
            "_dmarc.broken.test",
            "v=DMARC1; p=none; pct=50; rua=mailto:agg@reports.test; ruf=https://reports.test/f; adkim=x",
        )
        .txt(
            "weak._domainkey.broken.test",
            &format!("v=DKIM1; k=rsa; p={RSA_768}"),
        )
        .txt(
            "short._domainkey.broken.test",
            &format!("v=DKIM1; k=rsa; h=sha1; p={RSA_1024}"),
        )
        .txt("old._domainkey.broken.test", "v=DKIM1; k=rsa; p=")
        .txt("_mta-sts.broken.test", "v=STSv1; id=1")
        .caa_issue(d, "digicert.com");
    // Only warnings: `?all`, p=none (allowed by its configuration), a 1024-bit key.
    z.txt("warn.test", "v=spf1 ip4:192.0.2.1 ?all")
        .txt("_dmarc.warn.test", "v=DMARC1; p=none; rua=mailto:dmarc@warn.test")
        .txt("k1._domainkey.warn.test", &format!("v=DKIM1; p={RSA_1024}"));
    // The apex is a CNAME here.
    z.cname("apex-cname.test", "cname.vercel-dns.test");
    // External rua that the report domain has authorised.
    z.a("authorised.test", "76.76.21.21")
        .txt("authorised.test", "v=spf1 -all")
        .txt(
            "_dmarc.authorised.test",
            "v=DMARC1; p=quarantine; rua=mailto:agg@reports.test",
        );
}

/// SPF records that fail in each of the ways RFC 7208 describes.
fn spf_cases(z: &mut Zone) {
    // 12 lookups through three levels of includes.
    z.txt(
        "lookups.test",
        "v=spf1 include:a.lookups.test include:b.lookups.test mx -all",
    )
    .mx("lookups.test", 10, "mx1.provider.test")
    .txt(
        "a.lookups.test",
        "v=spf1 include:c.lookups.test a:mx1.provider.test a:mx2.provider.test ~all",
    )
    .txt(
        "b.lookups.test",
        "v=spf1 include:_spf.google.test include:_spf.resend.test ~all",
    )
    .txt(
        "c.lookups.test",
        "v=spf1 include:d.lookups.test mx:lookups.test ~all",
    )
    .txt(
        "d.lookups.test",
        "v=spf1 a:mx1.provider.test a:mx2.provider.test ~all",
    );
    // A loop through two records.
    z.txt("loop.test", "v=spf1 include:one.loop.test -all")
        .txt("one.loop.test", "v=spf1 include:two.loop.test -all")
        .txt("two.loop.test", "v=spf1 include:loop.test -all");
    // Two SPF records.
    z.txt("twospf.test", "v=spf1 include:_spf.resend.test -all")
        .txt("twospf.test", "v=spf1 include:_spf.google.test ~all");
    // +all, ptr, a syntax error, and terms after all.
    z.txt(
        "plusall.test",
        "v=spf1 ptr ip4:192.0.2.300 +all include:_spf.resend.test",
    );
    // Void lookups and a missing include target.
    z.txt(
        "void.test",
        "v=spf1 include:gone.void.test a:nx1.void.test a:nx2.void.test -all",
    );
    // Over 512 bytes: only TCP can carry it.
    let mut big = String::from("v=spf1");
    for i in 0..40 {
        big.push_str(&format!(" ip4:198.51.100.{i}"));
    }
    big.push_str(" include:_spf.resend.test -all");
    z.txt("big.test", &big);
    // Split by hand into two strings without a space at the join.
    z.txt_strings(
        "split.test",
        &["v=spf1 include:_spf.resend.test", "include:_spf.google.test -all"],
    );
    // Redirect, whose target's `all` counts.
    z.txt("redirect.test", "v=spf1 redirect=_spf.google.test");
}

/// DNSSEC: a signed domain whose answers carry the AD bit, and the two halves of a chain.
pub fn dnssec_cases(z: &mut Zone) {
    use hickory_resolver::proto::rr::RecordType;
    // Key tag 12345, algorithm 13 (ECDSA P-256), digest type 2 (SHA-256).
    let ds = [[0x30, 0x39, 13, 2].as_slice(), &[0xab; 32]].concat();
    // Flags 257 (a key-signing key), protocol 3, algorithm 13, a 64-byte public key.
    let dnskey = [[0x01, 0x01, 3, 13].as_slice(), &[0x5a; 64]].concat();
    z.raw("signed.test", RecordType::DS, &ds)
        .raw("signed.test", RecordType::DNSKEY, &dnskey)
        .txt("signed.test", "v=spf1 -all")
        .authenticated("signed.test");
    z.raw("lameds.test", RecordType::DS, &ds)
        .txt("lameds.test", "v=spf1 -all");
    z.raw("keysonly.test", RecordType::DNSKEY, &dnskey)
        .txt("keysonly.test", "v=spf1 -all");
}
