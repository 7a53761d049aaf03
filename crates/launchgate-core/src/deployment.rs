//! The deployment map's model: where a domain's DNS, web traffic and mail go. The map crate
//! discovers it; the launch report draws it ([`crate::render`]) and the JSON report carries it.

use serde::{Deserialize, Serialize};

/// The map of one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentMap {
    pub domain: String,
    /// Who serves the domain's DNS.
    pub dns: DnsHosting,
    /// Each configured host: what it points at and who answers.
    pub hosts: Vec<HostNode>,
    pub mail: Mail,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DnsHosting {
    pub name_servers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Why the name servers are unknown (NXDOMAIN, a timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostNode {
    pub name: String,
    /// Whether the name leads to an address.
    pub resolves: bool,
    /// Why it does not resolve, in words ("NXDOMAIN (the name does not exist)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The CNAME targets followed from the name, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cname_chain: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// The platform or CDN that answers, and what says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_evidence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFacts>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub mx: Vec<MxHost>,
    /// The SPF record, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spf: Option<String>,
    /// The senders SPF authorises through `include:` (and `redirect=`).
    pub senders: Vec<Named>,
    /// DKIM selectors that have a record.
    pub dkim_selectors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dmarc_policy: Option<String>,
    /// Where DMARC aggregate (`rua`) and failure (`ruf`) reports go.
    pub dmarc_reports: Vec<Named>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MxHost {
    pub preference: u16,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// A name and the provider it belongs to, if known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// The answer to `GET /` on a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpFacts {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The `Server` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The certificate a host presents on its HTTPS port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// Why the handshake or verification failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
