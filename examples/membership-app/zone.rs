//! The membership app's DNS zone, `membership-app.test`, as its DNS provider serves it on
//! launch day, with the hosting and mail providers' names it points at.

use launchgate_dns::responder::Zone;

pub const DOMAIN: &str = "membership-app.test";

/// The DKIM key the mail provider generated when the domain was added: 1024-bit RSA.
const RESEND_DKIM_KEY: &str = include_str!("dns/resend-dkim-1024.pub.b64");

pub fn zone() -> Zone {
    let mut z = Zone::new();
    // What the providers publish.
    z.a("cname.vercel-dns.test", "76.76.21.21")
        .a("mx1.provider.test", "192.0.2.25")
        .ptr("25.2.0.192.in-addr.arpa", "mx1.provider.test")
        .txt("_spf.resend.test", "v=spf1 ip4:192.0.2.0/24 -all");
    // The domain's DNS is served by its registrar's name servers.
    z.ns(DOMAIN, "dns1.registrar-servers.test")
        .ns(DOMAIN, "dns2.registrar-servers.test");
    // The apex still points at the old server from before the move to the new host.
    z.a(DOMAIN, "203.0.113.10")
        .cname("www.membership-app.test", "cname.vercel-dns.test")
        // The status page was moved; its CNAME still names a host that no longer exists.
        .cname("status.membership-app.test", "makers-circle.statuspage.test")
        .mx(DOMAIN, 10, "mx1.provider.test")
        // "+all" lets any server on the internet send mail as the domain.
        .txt(DOMAIN, "v=spf1 include:_spf.resend.test +all")
        .txt(
            "_dmarc.membership-app.test",
            "v=DMARC1; p=none; rua=mailto:dmarc@membership-app.test",
        )
        .txt(
            "resend._domainkey.membership-app.test",
            &format!("v=DKIM1; k=rsa; p={}", RESEND_DKIM_KEY.trim()),
        )
        .caa_issue(DOMAIN, "letsencrypt.org");
    z
}
