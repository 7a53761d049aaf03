//! The deployment map as an inline SVG diagram for the HTML launch report: the DNS host on
//! the left, the domain's hosts in the middle, what answers for them and the mail providers
//! on the right. Drawn from the model alone; nothing is fetched.

use std::fmt::Write;

use super::html::text;
use crate::deployment::DeploymentMap;

const ROW: u32 = 34;
const BOX_H: u32 = 24;
const LEFT_X: u32 = 8;
const MID_X: u32 = 228;
const RIGHT_X: u32 = 500;
const BOX_W: u32 = 210;
const RIGHT_W: u32 = 252;
const WIDTH: u32 = RIGHT_X + RIGHT_W + 8;

/// A label that fits its box: long names are cut with an ellipsis (the table beside the
/// diagram has them whole).
fn fit(label: &str, width: u32) -> String {
    let max = (width / 7).saturating_sub(1) as usize;
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let cut: String = label.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn node(out: &mut String, x: u32, y: u32, width: u32, label: &str, class: &str) {
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{BOX_H}\" rx=\"4\"/>\
         <text x=\"{}\" y=\"{}\">{}</text>",
        x + 6,
        y + 16,
        text(&fit(label, width))
    );
}

fn edge(out: &mut String, from: (u32, u32), to: (u32, u32), class: &str) {
    let _ = write!(
        out,
        "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" marker-end=\"url(#arrow)\"/>",
        from.0, from.1, to.0, to.1
    );
}

fn known(provider: &Option<String>) -> String {
    provider.clone().unwrap_or_else(|| "unknown provider".to_string())
}

/// One diagram for one domain.
pub(super) fn render(map: &DeploymentMap) -> String {
    let mut rows: Vec<(String, String, &str)> = Vec::new();
    for host in &map.hosts {
        let (right, class) = if host.resolves {
            (known(&host.platform), "web")
        } else {
            ("does not resolve".to_string(), "broken")
        };
        rows.push((host.name.clone(), right, class));
    }
    for mx in &map.mail.mx {
        rows.push((
            format!("MX {}", mx.host),
            format!("mail: {}", known(&mx.provider)),
            "mail",
        ));
    }
    for sender in &map.mail.senders {
        rows.push((
            format!("SPF {}", sender.name),
            format!("sends: {}", known(&sender.provider)),
            "mail",
        ));
    }
    if !map.mail.dkim_selectors.is_empty() {
        rows.push((
            "DKIM".to_string(),
            format!("selectors: {}", map.mail.dkim_selectors.join(", ")),
            "mail",
        ));
    }
    for report in &map.mail.dmarc_reports {
        rows.push(("DMARC reports".to_string(), report.name.clone(), "mail"));
    }
    let slots = rows.len().max(1) as u32;
    let middle = 8 + (slots - 1) * ROW / 2;
    // The registrar sits under the DNS host in the left column: whoever holds the
    // registration can change where DNS is served.
    let registrar_y = middle + ROW;
    let height = if map.registration.is_some() {
        (slots * ROW).max(registrar_y + BOX_H) + 16
    } else {
        slots * ROW + 16
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"map\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\"><title>Deployment map of {}</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L8,4 L0,8 z\"/></marker></defs>",
        text(&map.domain)
    );
    let dns = match &map.dns.provider {
        Some(provider) => format!("DNS: {provider}"),
        None if map.dns.name_servers.is_empty() => "DNS: no name servers".to_string(),
        None => "DNS: unknown provider".to_string(),
    };
    node(&mut out, LEFT_X, middle, BOX_W, &dns, "dns");
    if let Some(registration) = &map.registration {
        let (label, class) = match registration.label() {
            Some(label) => (format!("registrar: {label}"), "dns"),
            None => ("registrar: not found".to_string(), "broken"),
        };
        node(&mut out, LEFT_X, registrar_y, BOX_W, &label, class);
    }
    for (i, (left, right, class)) in rows.iter().enumerate() {
        let y = 8 + i as u32 * ROW;
        edge(
            &mut out,
            (LEFT_X + BOX_W, middle + BOX_H / 2),
            (MID_X, y + BOX_H / 2),
            "serves",
        );
        node(&mut out, MID_X, y, BOX_W + 30, left, "host");
        edge(
            &mut out,
            (MID_X + BOX_W + 30, y + BOX_H / 2),
            (RIGHT_X, y + BOX_H / 2),
            class,
        );
        node(&mut out, RIGHT_X, y, RIGHT_W, right, class);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::{DnsHosting, HostNode, Mail, Registration};

    #[test]
    fn hosts_that_do_not_resolve_are_drawn_as_such_and_names_are_escaped() {
        let map = DeploymentMap {
            domain: "shop.test".into(),
            dns: DnsHosting {
                name_servers: vec!["ns1.cloudflare.test".into()],
                provider: Some("Cloudflare".into()),
                problem: None,
            },
            hosts: vec![
                HostNode {
                    name: "<b>.shop.test".into(),
                    resolves: true,
                    platform: Some("Vercel".into()),
                    ..HostNode::default()
                },
                HostNode {
                    name: "status.shop.test".into(),
                    ..HostNode::default()
                },
            ],
            mail: Mail::default(),
            registration: None,
        };
        let svg = render(&map);
        assert!(svg.starts_with("<svg class=\"map\""));
        assert!(svg.contains(">DNS: Cloudflare</text>"));
        assert!(svg.contains(">&lt;b&gt;.shop.test</text>"));
        assert!(svg.contains("<rect class=\"broken\""));
        assert!(svg.contains(">does not resolve</text>"));
        assert_eq!(fit("abcdefghij", 56), "abcdef…");
        assert!(!svg.contains("registrar"), "a DNS-only map has no registrar box");
    }

    #[test]
    fn the_registrar_is_drawn_under_the_dns_host_and_a_failed_lookup_as_broken() {
        let mut map = DeploymentMap {
            domain: "shop.test".into(),
            dns: DnsHosting::default(),
            hosts: vec![HostNode {
                name: "shop.test".into(),
                resolves: true,
                ..HostNode::default()
            }],
            mail: Mail::default(),
            registration: Some(Registration {
                rdap_server: "https://rdap.test/".into(),
                registrar: Some("Gandi & Co".into()),
                ..Registration::default()
            }),
        };
        let svg = render(&map);
        assert!(svg.contains(">registrar: Gandi &amp; Co</text>"), "{svg}");
        // One host row, yet room for the DNS box and the registrar box under it.
        assert!(svg.contains("height=\"82\""), "{svg}");
        map.registration = Some(Registration {
            rdap_server: "https://rdap.test/".into(),
            problem: Some("rdap.test answered 503".into()),
            ..Registration::default()
        });
        let svg = render(&map);
        assert!(
            svg.contains("<rect class=\"broken\" x=\"8\" y=\"42\"")
                && svg.contains(">registrar: not found</text>"),
            "{svg}"
        );
    }
}
