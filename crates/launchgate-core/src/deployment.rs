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
    /// Who the domain is registered with, from RDAP; `None` when it was not looked up (a
    /// DNS-only map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
}

/// The domain's registration as its registry's RDAP service tells it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    /// The RDAP base URL asked.
    pub rdap_server: String,
    /// The registrar's name (the `fn` of its vCard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrar: Option<String>,
    /// The registrar's IANA Registrar ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iana_id: Option<String>,
    /// When the registration expires, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Why the registrar is not known: the lookup failed, or the answer names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Registration {
    /// "NAME (IANA id N), expires YYYY-MM-DD", or "not found (why)": what was found about
    /// the registrar, in the words every format uses.
    pub fn found(&self) -> String {
        let mut text = match (&self.registrar, &self.iana_id) {
            (Some(name), Some(id)) => format!("{name} (IANA id {id})"),
            (Some(name), None) => name.clone(),
            (None, Some(id)) => format!("with IANA id {id} (no name given)"),
            (None, None) => format!(
                "not found ({})",
                self.problem.as_deref().unwrap_or("the answer names no registrar")
            ),
        };
        if let Some(date) = self.expires_on() {
            text.push_str(&format!(", expires {date}"));
        } else if self.problem.is_none() {
            text.push_str(", no expiry date published");
        }
        text
    }

    /// "RDAP SERVER: registrar …": what was found and where.
    pub fn summary(&self) -> String {
        format!("RDAP {}: registrar {}", self.rdap_server, self.found())
    }

    /// What names the registrar in a diagram: its name, else its IANA id; `None` when
    /// neither was found.
    pub fn label(&self) -> Option<String> {
        self.registrar
            .clone()
            .or_else(|| self.iana_id.as_ref().map(|id| format!("IANA id {id}")))
    }

    /// The expiry date, YYYY-MM-DD.
    pub fn expires_on(&self) -> Option<&str> {
        self.expires.as_deref().map(|d| d.get(..10).unwrap_or(d))
    }
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

#[cfg(test)]
mod tests {
    use super::Registration;

    #[test]
    fn a_registration_is_summed_up_with_what_was_found_and_why_not() {
        let found = Registration {
            rdap_server: "https://rdap.test/".into(),
            registrar: Some("Example Registrar, Inc.".into()),
            iana_id: Some("292".into()),
            expires: Some("2027-03-09T17:00:00Z".into()),
            problem: None,
        };
        assert_eq!(
            found.summary(),
            "RDAP https://rdap.test/: registrar Example Registrar, Inc. (IANA id 292), expires 2027-03-09"
        );
        let undated = Registration {
            iana_id: None,
            expires: None,
            ..found.clone()
        };
        assert_eq!(
            undated.found(),
            "Example Registrar, Inc., no expiry date published"
        );
        let unnamed = Registration {
            registrar: None,
            ..found.clone()
        };
        assert_eq!(unnamed.label().as_deref(), Some("IANA id 292"));
        assert_eq!(
            unnamed.found(),
            "with IANA id 292 (no name given), expires 2027-03-09"
        );
        let failed = Registration {
            rdap_server: "https://rdap.test/".into(),
            problem: Some("rdap.test has no record of shop.test (404)".into()),
            ..Registration::default()
        };
        assert_eq!(
            failed.found(),
            "not found (rdap.test has no record of shop.test (404))"
        );
        assert_eq!(failed.label(), None);
    }
}
