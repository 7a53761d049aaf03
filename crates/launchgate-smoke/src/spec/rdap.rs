//! `smoke.rdap`: domain registration expiry, read from RDAP (RFC 9083).

use serde::Deserialize;

/// Where RDAP queries go unless `server` says otherwise: a redirector to the registry's
/// own RDAP service for the domain's top-level domain.
pub const DEFAULT_RDAP_SERVER: &str = "https://rdap.org/";

/// `rdap: { server, domains, warn_days, fail_days }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdapSpec {
    /// The RDAP base URL; `domain/NAME` is appended.
    #[serde(default = "default_server")]
    pub server: String,
    /// Domains to check; default the base URL's host, then its parents, until the registry
    /// knows one.
    #[serde(default)]
    pub domains: Vec<String>,
    /// A warning with fewer days left than this (default 30).
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
    /// An error with fewer days left than this (default 7).
    #[serde(default = "default_fail_days")]
    pub fail_days: u32,
}

fn default_server() -> String {
    DEFAULT_RDAP_SERVER.to_string()
}

fn default_warn_days() -> u32 {
    30
}

fn default_fail_days() -> u32 {
    7
}

/// Checks a name given in `rdap.domains` (after `${NAME}` substitution).
pub fn check_domain(d: &str) -> Result<(), String> {
    let ok = d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "smoke.rdap.domains: `{d}` is not a domain name such as example.com (write an IDN in its xn-- form)"
        ))
    }
}
