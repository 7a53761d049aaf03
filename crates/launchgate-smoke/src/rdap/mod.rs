//! Domain registration expiry from RDAP (RFC 9083): the `expiration` event of the domain
//! object, judged against `warn_days` and `fail_days`. A domain the lookup cannot date is a
//! finding, never a pass. The query and the reading of its answer are [`domain`]'s.

pub mod domain;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use launchgate_core::{CheckRun, Finding, Severity};
use reqwest::Url;

pub use domain::{Expiry, Registrar, Registration, parse_domain, parse_expiry};

use crate::http::HttpClient;
use crate::spec::RdapSpec;

const SECONDS_PER_DAY: i64 = 86_400;

/// Registration dates change rarely: within one process (a `watch`), an answer is reused
/// for this long, so a one-minute interval does not query the registry every minute.
pub const LOOKUP_REUSE: Duration = Duration::from_secs(3600);

/// Answers already had, by server and domain name (`None`: the server does not know the
/// name). Failed lookups are not kept, so the next run asks again.
#[derive(Debug, Default)]
pub struct LookupCache(Mutex<HashMap<String, (Instant, Option<Expiry>)>>);

impl LookupCache {
    async fn lookup(&self, client: &HttpClient, server: &Url, name: &str) -> Result<Option<Expiry>, String> {
        let key = format!("{server} {name}");
        if let Some((at, answer)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && at.elapsed() < LOOKUP_REUSE
        {
            return Ok(answer.clone());
        }
        let answer = domain::lookup(client, server, name)
            .await?
            .map(|registration| registration.expiry);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (Instant::now(), answer.clone()));
        Ok(answer)
    }
}

/// The names to ask about for a host: the host, then each parent with two labels or more,
/// so `www.shop.example.com` finds the registration of `example.com` without a suffix list.
pub fn candidates(host: &str) -> Vec<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    (0..labels.len().saturating_sub(1))
        .map(|i| labels[i..].join("."))
        .collect()
}

/// One check per domain: the explicit `domains`, or the registration behind the base URL's
/// host.
pub async fn domain_expiry(
    client: &HttpClient,
    cache: &LookupCache,
    spec: Option<&RdapSpec>,
    base: &Url,
    now: i64,
) -> Vec<CheckRun> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let Ok(server) = domain::server_base(&spec.server) else {
        let o = CheckRun::new("domain expiry");
        return vec![o.fail(
            "smoke.domain.rdap",
            "rdap.server is not an http(s) URL".into(),
            &spec.server,
        )];
    };
    let mut outcomes = Vec::new();
    if spec.domains.is_empty() {
        let host = base.host_str().unwrap_or("");
        let is_ip = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok();
        let names = if is_ip { Vec::new() } else { candidates(host) };
        let mut o = CheckRun::new(format!("domain expiry {host}"));
        if names.is_empty() {
            outcomes.push(o.fail(
                "smoke.domain.rdap",
                format!("{host} is not a registered domain name: list the domains under rdap.domains"),
                host,
            ));
        } else {
            check_domain(client, cache, &server, &names, spec, now, &mut o).await;
            outcomes.push(o);
        }
    } else {
        for d in &spec.domains {
            let mut o = CheckRun::new(format!("domain expiry {d}"));
            check_domain(client, cache, &server, std::slice::from_ref(d), spec, now, &mut o).await;
            outcomes.push(o);
        }
    }
    outcomes
}

/// Asks the server about each name in turn until one is found, and judges its expiry.
async fn check_domain(
    client: &HttpClient,
    cache: &LookupCache,
    server: &Url,
    names: &[String],
    spec: &RdapSpec,
    now: i64,
    outcome: &mut CheckRun,
) {
    let started = std::time::Instant::now();
    let subject = names[0].clone();
    let mut found = None;
    for name in names {
        match cache.lookup(client, server, name).await {
            Ok(Some(expiry)) => {
                found = Some((name.clone(), expiry));
                break;
            }
            Ok(None) => continue,
            Err(why) => {
                outcome.push(
                    Finding::new(
                        "smoke.domain.rdap",
                        Severity::Error,
                        format!("RDAP lookup of {name} failed: {why}"),
                    )
                    .subject(&subject),
                );
                break;
            }
        }
    }
    outcome.duration_ms = Some(started.elapsed().as_millis() as u64);
    let finding = match found {
        None if outcome.findings.is_empty() => Some(Finding::new(
            "smoke.domain.rdap",
            Severity::Error,
            format!(
                "{} has no RDAP record at {}: name the registered domain under rdap.domains, or set rdap.server",
                names.join(", "),
                server.host_str().unwrap_or("the server")
            ),
        )),
        None => None,
        Some((name, Expiry::Unpublished)) => Some(Finding::new(
            "smoke.domain.expiry",
            Severity::Warning,
            format!("the registry publishes no expiration date for {name}; check it with the registrar"),
        )),
        Some((name, Expiry::At(at))) => {
            let days = (at - now).div_euclid(SECONDS_PER_DAY);
            let date = time::OffsetDateTime::from_unix_timestamp(at)
                .ok()
                .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                .unwrap_or_default();
            let (severity, text) = if days < 0 {
                (
                    Severity::Error,
                    format!("{name} expired {} days ago ({date})", -days),
                )
            } else if days < i64::from(spec.fail_days) {
                (
                    Severity::Error,
                    format!(
                        "{name} expires in {days} days ({date}), under the {}-day minimum",
                        spec.fail_days
                    ),
                )
            } else if days < i64::from(spec.warn_days) {
                (
                    Severity::Warning,
                    format!(
                        "{name} expires in {days} days ({date}), under the {}-day warning",
                        spec.warn_days
                    ),
                )
            } else {
                outcome.detail = Some(format!("{name} expires in {days} days ({date})"));
                return;
            };
            Some(
                Finding::new("smoke.domain.expiry", severity, text)
                    .help("renew the domain, or turn on auto-renewal"),
            )
        }
    };
    if let Some(f) = finding {
        outcome.push(f.subject(&subject));
    }
    outcome.detail = outcome.findings.first().map(|f| f.message.clone());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_asked_after_the_host() {
        assert_eq!(
            candidates("www.Shop.example.com."),
            ["www.shop.example.com", "shop.example.com", "example.com"]
        );
        assert!(candidates("localhost").is_empty());
    }
}
