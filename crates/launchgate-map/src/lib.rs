//! launchgate's deployment map: where a domain's DNS is served, what answers for each of its
//! hosts, and where its mail goes, discovered from DNS, HTTP and TLS rather than declared.
//!
//! [`discover`] asks the name servers of the `dns:` section ([`dns_facts`]), then each host
//! that resolves over HTTPS and HTTP ([`web`]) and each domain's RDAP service for its
//! registrar ([`registrar`]), and names the companies behind what it found ([`providers`]).
//! [`render`] writes the map as text, Markdown, JSON or Graphviz DOT. The DNS, HTTP and
//! RDAP parts are the dns and smoke gates' own resolver and clients.

mod dns_facts;
mod providers;
mod registrar;
pub mod render;
mod web;

use std::time::Duration;

use launchgate_core::Error;
use launchgate_core::config::ConfigFile;
use launchgate_core::launch::MapMode;
use launchgate_dns::DnsConfig;
use launchgate_dns::config::RecordKind;

pub use launchgate_core::deployment::{
    DeploymentMap, DnsHosting, HostNode, HttpFacts, Mail, MxHost, Named, Registration, TlsFacts,
};
pub use registrar::RdapLookup;

/// What discovery may do besides the `dns:` section.
#[derive(Debug, Clone)]
pub struct MapOptions {
    /// Look at what answers on each host over HTTPS and HTTP.
    pub probe_web: bool,
    /// Ask RDAP who each domain is registered with.
    pub lookup_registrar: bool,
    /// The ports of those probes (443 and 80 unless a test serves elsewhere).
    pub https_port: u16,
    pub http_port: u16,
    /// Bounds each HTTP request, TLS handshake and RDAP query.
    pub web_timeout: Duration,
    /// PEM files of certificate authorities trusted besides the web's (a test's own CA).
    pub ca_certs: Vec<std::path::PathBuf>,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            probe_web: true,
            lookup_registrar: true,
            https_port: 443,
            http_port: 80,
            web_timeout: Duration::from_secs(5),
            ca_certs: Vec::new(),
        }
    }
}

/// The hosts to map: the apex, every configured record's name, and the smoke gate's site
/// hosts under the domain, each once.
pub fn hosts_of(domain: &str, dns: &DnsConfig, site_hosts: &[String]) -> Vec<String> {
    let mut hosts = vec![domain.to_string()];
    let web_records = dns.records.iter().filter(|r| {
        matches!(
            r.record_type,
            RecordKind::A | RecordKind::Aaaa | RecordKind::Cname
        )
    });
    let record_hosts = web_records.map(|r| match r.name.as_str() {
        "@" | "" => domain.to_string(),
        name if name.ends_with('.') => name.trim_end_matches('.').to_string(),
        name => format!("{name}.{domain}"),
    });
    let site = site_hosts
        .iter()
        .filter(|h| *h == domain || h.ends_with(&format!(".{domain}")))
        .cloned();
    for host in record_hosts.chain(site) {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    hosts
}

/// The maps of every domain of launchgate.yml's `dns:` section.
pub fn discover_configured(config: &ConfigFile, options: &MapOptions) -> Result<Vec<DeploymentMap>, Error> {
    let dns = launchgate_dns::config::load(config)?.ok_or_else(|| {
        Error::input(format!(
            "{} has no dns: section, so there is no domain to map",
            config.display_name()
        ))
        .with_help("add `dns: { domain: example.com }` (see `launchgate init`)")
    })?;
    let site_hosts = launchgate_dns::config::site_hosts(config);
    let rdap = match options.lookup_registrar {
        true => Some(RdapLookup::from_config(config)?),
        false => None,
    };
    discover(&dns, &site_hosts, rdap.as_ref(), options)
}

/// The maps the launch report draws, as its `report.map` setting asks: none when it is
/// `off` or there is no `dns:` section, DNS only (no web probe, no RDAP) for `dns`.
pub fn for_launch_report(config: &ConfigFile, mode: MapMode) -> Result<Vec<DeploymentMap>, Error> {
    if mode == MapMode::Off || launchgate_dns::config::load(config)?.is_none() {
        return Ok(Vec::new());
    }
    let options = MapOptions {
        probe_web: mode == MapMode::Full,
        lookup_registrar: mode == MapMode::Full,
        ..MapOptions::default()
    };
    discover_configured(config, &options)
}

/// The maps of every domain of `dns`, on a runtime of their own; with `rdap`, each
/// domain's registration too (one query per domain).
pub fn discover(
    dns: &DnsConfig,
    site_hosts: &[String],
    rdap: Option<&RdapLookup>,
    options: &MapOptions,
) -> Result<Vec<DeploymentMap>, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let resolver = dns_facts::resolver(dns)?;
        let rdap_client = match rdap {
            Some(rdap) => Some((rdap, rdap.client(options.web_timeout, &options.ca_certs)?)),
            None => None,
        };
        let mut maps = Vec::new();
        for domain in dns.domain.names() {
            let hosts = hosts_of(domain, dns, site_hosts);
            let selectors = dns
                .email
                .as_ref()
                .map(|e| e.dkim.selectors.clone())
                .unwrap_or_default();
            let mut map = dns_facts::discover(&resolver, domain, &hosts, &selectors).await;
            if options.probe_web {
                web::probe_hosts(&mut map.hosts, options).await?;
            }
            if let Some((rdap, client)) = &rdap_client {
                map.registration = Some(rdap.registration(client, domain).await);
            }
            maps.push(map);
        }
        Ok(maps)
    })
}
