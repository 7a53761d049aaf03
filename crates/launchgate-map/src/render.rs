//! The map as text for people, Markdown, JSON, and Graphviz DOT.
//!
//! Names come from DNS and headers from servers: every renderer escapes them for its
//! format (visible escapes for control characters, Markdown cells, DOT strings).

use std::fmt::Write;

use launchgate_core::render::{deployment_table, inert_commands, to_json_pretty, visible};

use crate::{DeploymentMap, HostNode, Named, Registration};

/// A map format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    Human,
    Markdown,
    Json,
    /// Graphviz DOT: `launchgate map --format dot | dot -Tsvg > map.svg`.
    Dot,
}

pub fn render(maps: &[DeploymentMap], format: MapFormat) -> String {
    match format {
        MapFormat::Human => inert_commands(&human(maps)).into_owned(),
        MapFormat::Markdown => inert_commands(&markdown(maps)).into_owned(),
        MapFormat::Json => to_json_pretty(&maps) + "\n",
        MapFormat::Dot => dot(maps),
    }
}

fn provider(p: &Option<String>) -> String {
    p.as_deref()
        .map_or("unknown provider".to_string(), |p| p.to_string())
}

fn named_list(items: &[Named]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    items
        .iter()
        .map(|n| match &n.provider {
            Some(p) => format!("{} ({p})", n.name),
            None => n.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line for what answers on a host.
pub fn host_line(node: &HostNode) -> String {
    if !node.resolves {
        return node
            .problem
            .clone()
            .unwrap_or_else(|| "does not resolve".to_string());
    }
    let mut parts = Vec::new();
    if !node.cname_chain.is_empty() {
        parts.push(format!("CNAME {}", node.cname_chain.join(" → ")));
    }
    parts.push(node.addresses.join(", "));
    if let Some(platform) = &node.platform {
        let evidence = node.platform_evidence.as_deref().unwrap_or("");
        parts.push(format!("{platform} (from {evidence})"));
    }
    if let Some(http) = &node.http {
        match (http.status, &http.error) {
            (Some(status), _) => parts.push(format!("HTTP {status} at {}", http.url)),
            (None, Some(error)) => parts.push(format!("{}: {error}", http.url)),
            _ => {}
        }
    }
    if let Some(tls) = &node.tls {
        match (&tls.issuer, &tls.error) {
            (Some(issuer), None) => parts.push(format!(
                "TLS by {issuer}, expires {} ({} days)",
                tls.expires.as_deref().unwrap_or("?"),
                tls.days_left.unwrap_or_default()
            )),
            (_, Some(error)) => parts.push(format!("TLS: {error}")),
            _ => {}
        }
    }
    parts.join("; ")
}

fn human(maps: &[DeploymentMap]) -> String {
    let mut out = String::new();
    for map in maps {
        let _ = writeln!(out, "{}", visible(&map.domain));
        let ns = if map.dns.name_servers.is_empty() {
            map.dns.problem.clone().unwrap_or_default()
        } else {
            format!(
                "{} ({})",
                map.dns.name_servers.join(", "),
                provider(&map.dns.provider)
            )
        };
        let _ = writeln!(out, "  DNS served by: {}", visible(&ns));
        let registrar = match &map.registration {
            Some(r) => format!("{} (RDAP {})", r.found(), r.rdap_server),
            None => "not looked up (a DNS-only map)".to_string(),
        };
        let _ = writeln!(out, "  registrar: {}", visible(&registrar));
        for node in &map.hosts {
            let _ = writeln!(out, "  {}: {}", visible(&node.name), visible(&host_line(node)));
        }
        let mail = &map.mail;
        let mx: Vec<String> = mail
            .mx
            .iter()
            .map(|m| format!("{} {} ({})", m.preference, m.host, provider(&m.provider)))
            .collect();
        let _ = writeln!(out, "  mail (MX): {}", visible(&or_none(&mx.join(", "))));
        let _ = writeln!(out, "  senders (SPF): {}", visible(&named_list(&mail.senders)));
        let _ = writeln!(
            out,
            "  DKIM selectors: {}",
            visible(&or_none(&mail.dkim_selectors.join(", ")))
        );
        let _ = writeln!(
            out,
            "  DMARC: {}, reports to {}",
            visible(
                &mail
                    .dmarc_policy
                    .as_ref()
                    .map_or("no record".to_string(), |p| format!("p={p}"))
            ),
            visible(&named_list(&mail.dmarc_reports))
        );
    }
    out
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "none".to_string()
    } else {
        text.to_string()
    }
}

fn cell(text: &str) -> String {
    visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

fn markdown(maps: &[DeploymentMap]) -> String {
    let mut out = String::from("## Deployment map\n\n");
    for map in maps {
        let _ = writeln!(out, "### {}\n", cell(&map.domain));
        out.push_str(&deployment_table(map));
        out.push('\n');
    }
    out
}

/// A DOT string literal: quotes and backslashes escaped, control characters visible.
fn quoted(text: &str) -> String {
    format!("\"{}\"", visible(text).replace('\\', "\\\\").replace('"', "\\\""))
}

/// The registrar's node and its edge to the domain's; a lookup that failed is drawn dashed
/// and red with why, as a host that does not resolve is.
fn dot_registrar(out: &mut String, domain_node: &str, domain: &str, registration: &Registration) {
    match registration.label() {
        Some(label) => {
            let _ = writeln!(
                out,
                "  {} -> {domain_node} [label=\"registers\"];",
                quoted(&format!("registrar: {label}"))
            );
        }
        None => {
            let node = quoted(&format!("registrar of {domain}"));
            let _ = writeln!(
                out,
                "  {node} [style=dashed, color=red, xlabel={}];\n  {node} -> {domain_node} [label=\"registers\"];",
                quoted(&registration.found())
            );
        }
    }
}

fn dot(maps: &[DeploymentMap]) -> String {
    let mut out =
        String::from("digraph deployment {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for map in maps {
        let domain = quoted(&map.domain);
        let _ = writeln!(out, "  {domain} [shape=folder];");
        let dns_label = format!("DNS: {}", provider(&map.dns.provider));
        let _ = writeln!(
            out,
            "  {} -> {domain} [label=\"serves DNS\"];",
            quoted(&dns_label)
        );
        if let Some(registration) = &map.registration {
            dot_registrar(&mut out, &domain, &map.domain, registration);
        }
        for node in &map.hosts {
            let name = quoted(&node.name);
            if node.name != map.domain {
                let _ = writeln!(out, "  {domain} -> {name};");
            }
            if node.resolves {
                let target = quoted(&provider(&node.platform));
                let _ = writeln!(out, "  {name} -> {target} [label=\"web\"];");
            } else {
                let _ = writeln!(
                    out,
                    "  {name} [style=dashed, color=red, xlabel=\"does not resolve\"];"
                );
            }
        }
        for mx in &map.mail.mx {
            let target = quoted(&format!("mail: {}", provider(&mx.provider)));
            let _ = writeln!(
                out,
                "  {domain} -> {target} [label={}];",
                quoted(&format!("MX {}", mx.host))
            );
        }
        for sender in &map.mail.senders {
            let target = quoted(&format!("sends: {}", provider(&sender.provider)));
            let _ = writeln!(
                out,
                "  {target} -> {domain} [label={}];",
                quoted(&format!("SPF {}", sender.name))
            );
        }
        for report in &map.mail.dmarc_reports {
            let _ = writeln!(
                out,
                "  {domain} -> {} [label=\"DMARC reports\"];",
                quoted(&report.name)
            );
        }
    }
    out.push_str("}\n");
    out
}
