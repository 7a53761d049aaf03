//! Which company a name server, CNAME target, address, response header, MX host or SPF
//! include belongs to.
//!
//! Host names are matched by their labels, not by a whole registered domain: `vercel-dns`
//! matches `cname.vercel-dns.com` and the same name under a test domain, and `awsdns-*`
//! matches `ns-12.awsdns-34.org`. An unknown name is no provider (`None`), never a guess.

/// (label pattern, provider). A pattern of several labels (`protection.outlook`) must
/// appear as consecutive labels; a trailing `*` matches a label's start.
const NAME_SERVERS: &[(&str, &str)] = &[
    ("cloudflare", "Cloudflare"),
    ("awsdns-*", "Amazon Route 53"),
    ("vercel-dns", "Vercel"),
    ("nsone", "NS1 (Netlify DNS)"),
    ("netlify", "Netlify"),
    ("googledomains", "Google Cloud DNS"),
    ("digitalocean", "DigitalOcean"),
    ("domaincontrol", "GoDaddy"),
    ("registrar-servers", "Namecheap"),
    ("dnsimple", "DNSimple"),
    ("azure-dns", "Azure DNS"),
    ("hetzner", "Hetzner"),
    ("ovh", "OVHcloud"),
    ("gandi", "Gandi"),
    ("porkbun", "Porkbun"),
];

/// CNAME targets and host names of web platforms and CDNs.
const WEB_HOSTS: &[(&str, &str)] = &[
    ("vercel-dns", "Vercel"),
    ("vercel-app", "Vercel"),
    ("netlify", "Netlify"),
    ("cloudfront", "Amazon CloudFront"),
    ("elb", "AWS Elastic Load Balancing"),
    ("herokudns", "Heroku"),
    ("herokuapp", "Heroku"),
    ("github", "GitHub Pages"),
    ("pages.dev", "Cloudflare Pages"),
    ("cloudflare", "Cloudflare"),
    ("fastly", "Fastly"),
    ("fly", "Fly.io"),
    ("onrender", "Render"),
    ("railway", "Railway"),
    ("azurewebsites", "Azure App Service"),
    ("azureedge", "Azure CDN"),
    ("ghs.googlehosted", "Google"),
    ("web.app", "Firebase Hosting"),
    ("statuspage", "Atlassian Statuspage"),
    ("shopify", "Shopify"),
    ("squarespace", "Squarespace"),
    ("wixdns", "Wix"),
    ("webflow", "Webflow"),
    ("framer", "Framer"),
];

/// Well-known anycast addresses of web platforms.
const ADDRESSES: &[(&str, &str)] = &[
    ("76.76.21.21", "Vercel"),
    ("75.2.60.5", "Netlify"),
    ("185.199.108.153", "GitHub Pages"),
    ("185.199.109.153", "GitHub Pages"),
    ("185.199.110.153", "GitHub Pages"),
    ("185.199.111.153", "GitHub Pages"),
    ("23.227.38.65", "Shopify"),
];

/// Response headers that name who answered: (header, value prefix or empty for any, provider).
const HEADERS: &[(&str, &str, &str)] = &[
    ("server", "cloudflare", "Cloudflare"),
    ("cf-ray", "", "Cloudflare"),
    ("x-vercel-id", "", "Vercel"),
    ("server", "vercel", "Vercel"),
    ("x-nf-request-id", "", "Netlify"),
    ("server", "netlify", "Netlify"),
    ("x-amz-cf-id", "", "Amazon CloudFront"),
    ("fly-request-id", "", "Fly.io"),
    ("x-github-request-id", "", "GitHub Pages"),
    ("x-served-by", "cache-", "Fastly"),
    ("x-render-origin-server", "", "Render"),
    ("x-railway-request-id", "", "Railway"),
    ("server", "google frontend", "Google Cloud"),
    ("x-azure-ref", "", "Azure Front Door"),
];

/// MX hosts, SPF includes and DMARC report addresses of mail providers.
const MAIL: &[(&str, &str)] = &[
    ("google", "Google Workspace"),
    ("googlemail", "Google Workspace"),
    ("protection.outlook", "Microsoft 365"),
    ("outlook", "Microsoft 365"),
    ("amazonses", "Amazon SES"),
    ("resend", "Resend"),
    ("sendgrid", "SendGrid"),
    ("mailgun", "Mailgun"),
    ("mtasv", "Postmark"),
    ("postmarkapp", "Postmark"),
    ("mandrillapp", "Mailchimp Transactional"),
    ("mcsv", "Mailchimp"),
    ("zoho", "Zoho Mail"),
    ("messagingengine", "Fastmail"),
    ("protonmail", "Proton Mail"),
    ("mimecast", "Mimecast"),
    ("pphosted", "Proofpoint"),
    ("dmarcian", "dmarcian"),
    ("valimail", "Valimail"),
    ("ondmarc", "Red Sift OnDMARC"),
    ("uriports", "URIports"),
];

/// The provider of a name server host.
pub fn name_server(host: &str) -> Option<&'static str> {
    by_labels(host, NAME_SERVERS)
}

/// The platform or CDN a CNAME target or host name belongs to.
pub fn web_host(host: &str) -> Option<&'static str> {
    by_labels(host, WEB_HOSTS)
}

/// The platform a well-known address belongs to.
pub fn address(ip: &str) -> Option<&'static str> {
    ADDRESSES.iter().find(|(a, _)| *a == ip).map(|(_, p)| *p)
}

/// The mail provider of an MX host, SPF include or report address's domain.
pub fn mail(host: &str) -> Option<&'static str> {
    by_labels(host, MAIL)
}

/// The platform that the response headers name, and the header that says so.
pub fn from_headers(headers: &[(String, String)]) -> Option<(&'static str, &str)> {
    HEADERS.iter().find_map(|(name, prefix, provider)| {
        headers
            .iter()
            .find(|(n, v)| n.eq_ignore_ascii_case(name) && v.to_ascii_lowercase().starts_with(prefix))
            .map(|(n, _)| (*provider, n.as_str()))
    })
}

fn by_labels(host: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    table
        .iter()
        .find(|(pattern, _)| {
            let wanted: Vec<&str> = pattern.split('.').collect();
            labels.windows(wanted.len()).any(|window| {
                window
                    .iter()
                    .zip(&wanted)
                    .all(|(label, want)| match want.strip_suffix('*') {
                        Some(prefix) => label.starts_with(prefix),
                        None => label == want,
                    })
            })
        })
        .map(|(_, provider)| *provider)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_labels_not_by_substrings() {
        assert_eq!(name_server("ns-12.awsdns-34.org."), Some("Amazon Route 53"));
        assert_eq!(name_server("ada.ns.cloudflare.com"), Some("Cloudflare"));
        assert_eq!(name_server("ns1.notcloudflare.com"), None);
        assert_eq!(web_host("cname.vercel-dns.test."), Some("Vercel"));
        assert_eq!(web_host("makers.pages.dev"), Some("Cloudflare Pages"));
        assert_eq!(web_host("pages.example.dev"), None);
        assert_eq!(mail("aspmx.l.google.com"), Some("Google Workspace"));
        assert_eq!(
            mail("mydomain-com.mail.protection.outlook.com"),
            Some("Microsoft 365")
        );
        assert_eq!(mail("_spf.resend.test"), Some("Resend"));
        assert_eq!(mail("mx1.provider.test"), None);
        assert_eq!(address("76.76.21.21"), Some("Vercel"));
    }

    #[test]
    fn headers_name_the_platform_that_answered() {
        let headers = vec![
            ("Server".to_string(), "cloudflare".to_string()),
            ("CF-RAY".to_string(), "8a-AMS".to_string()),
        ];
        assert_eq!(from_headers(&headers), Some(("Cloudflare", "Server")));
        let headers = vec![("x-vercel-id".to_string(), "fra1::abc".to_string())];
        assert_eq!(from_headers(&headers), Some(("Vercel", "x-vercel-id")));
        assert_eq!(from_headers(&[("server".into(), "nginx".into())]), None);
    }
}
