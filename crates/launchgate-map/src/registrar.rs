//! Who each domain is registered with: one RDAP query per configured domain, through the
//! smoke gate's RDAP client, at the server `smoke.rdap.server` names (else
//! [`DEFAULT_RDAP_SERVER`]). A lookup that fails is said in the map, never left blank.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use launchgate_core::Error;
use launchgate_core::config::ConfigFile;
use launchgate_smoke::http::{ClientOptions, HttpClient};
use launchgate_smoke::rdap::domain::{self, Expiry, MAX_RDAP_BODY};
use launchgate_smoke::spec::DEFAULT_RDAP_SERVER;
use launchgate_smoke::vars::{Redactor, expand_from, percent_decode, references};
use serde::Deserialize;
use url::Url;

use crate::Registration;

/// The part of the `smoke:` section the map reads; everything else there is the smoke
/// gate's to check.
#[derive(Deserialize)]
struct SmokeRdap {
    #[serde(default)]
    rdap: Option<RdapServer>,
}

#[derive(Deserialize)]
struct RdapServer {
    #[serde(default)]
    server: Option<String>,
}

/// Where the map asks RDAP, and how.
#[derive(Debug, Clone)]
pub struct RdapLookup {
    server: Url,
    /// The server as shown in the map: without the user name and password it may carry.
    shown: String,
    /// Those credentials, kept out of every error text.
    redactor: Redactor,
}

impl RdapLookup {
    /// The RDAP base URL `raw` (`${NAME}` taken from `env`), named `setting` in errors.
    pub fn new(raw: &str, setting: &str, env: impl Fn(&str) -> Option<String>) -> Result<RdapLookup, Error> {
        let values: BTreeMap<String, String> = references(raw)
            .into_iter()
            .filter_map(|name| env(&name).map(|value| (name, value)))
            .collect();
        let expanded = expand_from(raw, &values).map_err(|why| {
            Error::input(format!("{setting} `{raw}`: {why}"))
                .with_help("set the variable, or write the RDAP base URL itself")
        })?;
        let server = domain::server_base(&expanded).map_err(|why| {
            Error::input(format!("{setting}: {why}")).with_help(format!(
                "give the RDAP base URL, for example {DEFAULT_RDAP_SERVER}"
            ))
        })?;
        let redactor = Redactor::default();
        for part in [server.username(), server.password().unwrap_or("")] {
            redactor.add(part);
            redactor.add(&percent_decode(part));
        }
        let mut shown = server.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        Ok(RdapLookup {
            shown: shown.to_string(),
            server,
            redactor,
        })
    }

    /// `smoke.rdap.server` when the smoke section sets one, else the default server. A smoke
    /// section the map cannot read counts as none: the smoke gate reports its own errors.
    pub fn from_config(config: &ConfigFile) -> Result<RdapLookup, Error> {
        let configured = config
            .section::<SmokeRdap>("smoke")
            .ok()
            .flatten()
            .and_then(|s| s.rdap)
            .and_then(|r| r.server);
        match configured {
            Some(raw) => RdapLookup::new(&raw, "smoke.rdap.server", |name| std::env::var(name).ok()),
            None => RdapLookup::new(DEFAULT_RDAP_SERVER, "the default RDAP server", |_| None),
        }
    }

    /// The server as the map shows it.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The client for the lookups: bounded by `timeout` per query (redirects included) and
    /// [`MAX_RDAP_BODY`] per answer.
    pub fn client(&self, timeout: Duration, ca_certs: &[PathBuf]) -> Result<HttpClient, Error> {
        HttpClient::new(&ClientOptions {
            timeout: Some(timeout),
            max_body: Some(MAX_RDAP_BODY),
            ca_certs: ca_certs.to_vec(),
            redactor: self.redactor.clone(),
            ..ClientOptions::default()
        })
    }

    /// One query for `name`: the registrar and expiry, or why they are not known.
    pub async fn registration(&self, client: &HttpClient, name: &str) -> Registration {
        let mut registration = Registration {
            rdap_server: self.shown.clone(),
            ..Registration::default()
        };
        let problem = match domain::lookup(client, &self.server, name).await {
            Ok(Some(found)) => {
                registration.expires = match found.expiry {
                    Expiry::At(at) => rfc3339(at),
                    Expiry::Unpublished => None,
                };
                match found.registrar {
                    Some(registrar) if registrar.name.is_some() || registrar.iana_id.is_some() => {
                        registration.registrar = registrar.name;
                        registration.iana_id = registrar.iana_id;
                        None
                    }
                    Some(_) => Some("the registrar entity has neither a name nor an IANA id".to_string()),
                    None => Some("the answer names no registrar entity".to_string()),
                }
            }
            Ok(None) => Some(format!(
                "{} has no record of {name} (404)",
                self.server.host_str().unwrap_or("the server")
            )),
            Err(why) => Some(why),
        };
        registration.problem = problem.map(|p| self.redactor.redact(&p));
        registration
    }
}

fn rfc3339(unix: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_expanded_checked_and_shown_without_credentials() {
        let env = |name: &str| (name == "RDAP_HOST").then(|| "rdap.test".to_string());
        let lookup =
            RdapLookup::new("https://ada:pa%20ss@${RDAP_HOST}/v1", "smoke.rdap.server", env).unwrap();
        assert_eq!(lookup.shown(), "https://rdap.test/v1/");
        let said = lookup.redactor.redact("as ada with pa ss, or pa%20ss in the URL");
        assert!(
            !said.contains("ada") && !said.contains("pa ss") && !said.contains("pa%20ss"),
            "{said}"
        );
        let unset = RdapLookup::new("https://${NOPE}/", "smoke.rdap.server", env).unwrap_err();
        assert!(
            unset
                .message()
                .contains("smoke.rdap.server `https://${NOPE}/`: variable `NOPE` is not set"),
            "{}",
            unset.message()
        );
        let bad = RdapLookup::new("rdap.test", "smoke.rdap.server", env).unwrap_err();
        assert!(
            bad.message()
                .contains("smoke.rdap.server: `rdap.test` is not an http(s) URL"),
            "{}",
            bad.message()
        );
    }
}
