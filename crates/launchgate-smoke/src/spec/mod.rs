//! The `smoke:` section of launchgate.yml: what to request and what to expect.
//!
//! Every value that can be wrong in a way serde cannot see (a duration, a status range, a
//! capture source, a check with two methods) is checked while deserializing, so the error
//! carries the file, line and column of the value.

use std::collections::BTreeMap;
use std::fmt;

use launchgate_core::TimeSpan;
use serde::Deserialize;
use serde::de::{self, Deserializer};

mod alerts;
mod edge;
mod expect;
mod json_expect;
mod multipart;
mod rdap;

pub use alerts::{
    ALERT_FIELDS, AlertsSpec, ChatWebhook, EmailSpec, PagerDutySeverity, PagerDutySpec, SmtpTls, WebhookBody,
    WebhookSpec, is_one_reference,
};

pub use edge::{
    DEFAULT_MAX_ASSETS, EdgeSpec, MAX_ASSETS_CEILING, RATE_LIMIT_MAX_REQUESTS, RateLimitBody, RateLimitSpec,
};
pub use expect::{
    CaptureSource, CookieExpect, Expect, HeaderExpect, OneOrMany, Pattern, Quantifier, StatusExpect,
};
pub use json_expect::{
    Bounds, CountCheck, JsonCheck, JsonExpectation, JsonExpectations, JsonQuery, JsonType,
};
pub use multipart::{FilePart, MultipartField, MultipartSpec};
pub use rdap::{DEFAULT_RDAP_SERVER, RdapSpec, check_domain};

/// The whole `smoke:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeSpec {
    /// Where relative paths point, for example `https://example.com`.
    pub base_url: String,
    #[serde(default)]
    pub defaults: Defaults,
    /// Requests run concurrently across checks, at most this many at once (default 8).
    #[serde(default)]
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub site: Option<SiteSpec>,
    #[serde(default)]
    pub checks: Vec<RequestSpec>,
    #[serde(default)]
    pub latency: Option<LatencySpec>,
    #[serde(default)]
    pub burst: Option<BurstSpec>,
    /// A bounded series of failed logins that must be throttled.
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
    #[serde(default)]
    pub live_version: Option<LiveVersionSpec>,
    /// Domain registration expiry, through RDAP.
    #[serde(default)]
    pub rdap: Option<RdapSpec>,
    /// Where uptime alerts and recoveries are sent.
    #[serde(default)]
    pub alerts: Option<AlertsSpec>,
}

/// Settings every request inherits.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default)]
    pub timeout: Option<TimeSpan>,
    #[serde(default)]
    pub retries: Option<Retries>,
    /// The longest response body read (default 10 MiB); a longer one fails the check.
    #[serde(default, deserialize_with = "crate::limits::bounded_body_size")]
    pub max_body: Option<launchgate_core::ByteSize>,
}

/// Retries within one run: a check that fails is run again, from its first step.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawRetries")]
pub struct Retries {
    /// Attempts in all, the first included (1 to [`crate::limits::MAX_ATTEMPTS`]).
    pub attempts: u32,
    pub delay: Option<TimeSpan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetries {
    attempts: u32,
    #[serde(default)]
    delay: Option<TimeSpan>,
}

impl TryFrom<RawRetries> for Retries {
    type Error = String;

    fn try_from(raw: RawRetries) -> Result<Self, String> {
        let max = crate::limits::MAX_ATTEMPTS;
        if !(1..=max).contains(&raw.attempts) {
            return Err(format!(
                "retries.attempts must be 1 to {max} (got {}): it counts every attempt, the first included",
                raw.attempts
            ));
        }
        Ok(Retries {
            attempts: raw.attempts,
            delay: raw.delay,
        })
    }
}

/// The site-wide checks: canonical host, aliases, redirect map, TLS and security headers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    pub canonical: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Old path to the path it must land on with a 200.
    #[serde(default)]
    pub redirects: BTreeMap<String, String>,
    #[serde(default)]
    pub tls: Option<TlsSpec>,
    #[serde(default)]
    pub security_headers: Option<SecurityHeaders>,
    /// Caching, compression and the CDN in front of the canonical page and its assets.
    #[serde(default)]
    pub edge: Option<EdgeSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSpec {
    #[serde(default)]
    pub min_days_left: Option<u32>,
    #[serde(default)]
    pub min_version: Option<TlsVersion>,
}

/// A TLS protocol version, written "1.2" or "1.3".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    V1_2,
    V1_3,
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsVersion::V1_2 => "TLS 1.2",
            TlsVersion::V1_3 => "TLS 1.3",
        })
    }
}

impl<'de> Deserialize<'de> for TlsVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = ScalarText::deserialize(d)?.0;
        match raw
            .trim()
            .trim_start_matches("TLS")
            .trim_start_matches("tls")
            .trim()
        {
            "1.2" => Ok(TlsVersion::V1_2),
            "1.3" => Ok(TlsVersion::V1_3),
            other => Err(de::Error::custom(format!(
                "unsupported TLS version `{other}`: write \"1.2\" or \"1.3\""
            ))),
        }
    }
}

/// Which security-header policy to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecurityHeaders {
    /// HSTS, nosniff, framing protection and Referrer-Policy.
    Recommended,
    Off,
}

/// `latency:` samples per route after a warm-up, with a p95 budget.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    pub routes: Vec<String>,
    #[serde(default = "default_samples")]
    pub samples: usize,
    #[serde(default = "default_warmup")]
    pub warmup: usize,
    /// The p95 budget: `p95: 300ms` (or `p95_ms: 300`).
    #[serde(alias = "p95", deserialize_with = "launchgate_core::units::millis")]
    pub p95_ms: u64,
}

fn default_samples() -> usize {
    20
}

fn default_warmup() -> usize {
    1
}

/// `burst:` a bounded number of requests at a bounded concurrency.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurstSpec {
    pub get: String,
    pub concurrency: usize,
    pub requests: usize,
    /// The p95 budget under the burst: `p95: 1s` (or `p95_ms: 1000`).
    #[serde(
        default,
        alias = "p95",
        deserialize_with = "launchgate_core::units::optional_millis"
    )]
    pub p95_ms: Option<u64>,
    #[serde(default)]
    pub max_error_rate: Option<f64>,
}

/// The most requests and the widest concurrency a burst may ask for.
pub const BURST_MAX_REQUESTS: usize = 20_000;
pub const BURST_MAX_CONCURRENCY: usize = 500;

/// `live_version:` poll until the deployed version answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveVersionSpec {
    pub get: String,
    pub body_contains: String,
    /// How long to keep polling (default 5 minutes).
    #[serde(default)]
    pub timeout: Option<TimeSpan>,
    /// Time between polls (default 5 s).
    #[serde(default)]
    pub interval: Option<TimeSpan>,
}

/// One request, and for a check also its name and retries. A check holds either one
/// request inline or a list of `steps`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "RawRequest")]
pub struct RequestSpec {
    pub name: Option<String>,
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub query: BTreeMap<String, String>,
    pub body: Option<Body>,
    /// Sent as `Authorization: Basic …`; dropped with the other headers on a redirect to
    /// another origin.
    pub basic_auth: Option<BasicAuth>,
    /// A client certificate to present to a server that asks for one (mutual TLS).
    pub client_cert: Option<ClientCertSpec>,
    pub expect: Expect,
    pub capture: BTreeMap<String, CaptureSource>,
    pub follow_redirects: bool,
    pub timeout: Option<TimeSpan>,
    pub retries: Option<Retries>,
    pub steps: Vec<RequestSpec>,
}

/// `basic_auth: { user, password }` (both may use `${NAME}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub user: String,
    pub password: String,
}

/// `client_cert: { cert: client.pem, key: client-key.pem }`: PEM files, relative to the
/// working directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCertSpec {
    pub cert: String,
    pub key: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    Json(serde_json::Value),
    Form(BTreeMap<String, String>),
    Raw(String),
    Multipart(MultipartSpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    name: Option<String>,
    get: Option<String>,
    head: Option<String>,
    post: Option<String>,
    put: Option<String>,
    patch: Option<String>,
    delete: Option<String>,
    options: Option<String>,
    method: Option<String>,
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    query: BTreeMap<String, ScalarText>,
    json: Option<serde_json::Value>,
    form: Option<BTreeMap<String, ScalarText>>,
    body: Option<String>,
    multipart: Option<MultipartSpec>,
    basic_auth: Option<BasicAuth>,
    client_cert: Option<ClientCertSpec>,
    #[serde(default)]
    expect: Expect,
    #[serde(default)]
    capture: BTreeMap<String, CaptureSource>,
    #[serde(default)]
    follow_redirects: Option<bool>,
    timeout: Option<TimeSpan>,
    retries: Option<Retries>,
    #[serde(default)]
    steps: Vec<RequestSpec>,
}

impl TryFrom<RawRequest> for RequestSpec {
    type Error = String;

    fn try_from(raw: RawRequest) -> Result<Self, String> {
        let shorthands = [
            ("GET", raw.get),
            ("HEAD", raw.head),
            ("POST", raw.post),
            ("PUT", raw.put),
            ("PATCH", raw.patch),
            ("DELETE", raw.delete),
            ("OPTIONS", raw.options),
        ];
        let mut given: Vec<(String, String)> = shorthands
            .into_iter()
            .filter_map(|(m, u)| u.map(|u| (m.to_string(), u)))
            .collect();
        match (raw.method, raw.url) {
            (Some(m), Some(u)) => given.push((m.to_ascii_uppercase(), u)),
            (None, None) => {}
            _ => return Err("`method` and `url` go together: give both, or use `get: /path`".into()),
        }
        let name = raw.name;
        let label = name
            .as_deref()
            .map(|n| format!("check `{n}`"))
            .unwrap_or("a request".into());
        if !raw.steps.is_empty() {
            if !given.is_empty() {
                return Err(format!(
                    "{label} has both `steps` and a request: put the request in a step"
                ));
            }
            if raw.steps.iter().any(|s| !s.steps.is_empty()) {
                return Err(format!("{label}: steps cannot hold steps"));
            }
            if raw.basic_auth.is_some() {
                return Err(format!("{label}: put `basic_auth` in the steps that need it"));
            }
            if raw.client_cert.is_some() {
                return Err(format!("{label}: put `client_cert` in the steps that need it"));
            }
            return Ok(RequestSpec {
                name,
                retries: raw.retries,
                timeout: raw.timeout,
                steps: raw.steps,
                ..RequestSpec::default()
            });
        }
        let (method, url) = match given.len() {
            1 => given.remove(0),
            0 => {
                return Err(format!(
                    "{label} names no request: add `get: /path` (or post, put, …) or `steps`"
                ));
            }
            _ => {
                return Err(format!(
                    "{label} names {} requests: keep one of get/post/put/… per step",
                    given.len()
                ));
            }
        };
        if !method.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!("`{method}` is not an HTTP method"));
        }
        let bodies = usize::from(raw.json.is_some())
            + usize::from(raw.form.is_some())
            + usize::from(raw.body.is_some())
            + usize::from(raw.multipart.is_some());
        if bodies > 1 {
            return Err(format!(
                "{label} has {bodies} bodies: use one of `json`, `form`, `body` or `multipart`"
            ));
        }
        if raw.basic_auth.is_some()
            && raw
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("authorization"))
        {
            return Err(format!(
                "{label} has both `basic_auth` and an Authorization header: keep one"
            ));
        }
        let body = match (raw.json, raw.form, raw.body, raw.multipart) {
            (Some(j), ..) => Some(Body::Json(j)),
            (_, Some(f), ..) => Some(Body::Form(f.into_iter().map(|(k, v)| (k, v.0)).collect())),
            (_, _, Some(b), _) => Some(Body::Raw(b)),
            (.., Some(m)) => Some(Body::Multipart(m)),
            _ => None,
        };
        Ok(RequestSpec {
            name,
            method,
            url,
            headers: raw.headers,
            query: raw.query.into_iter().map(|(k, v)| (k, v.0)).collect(),
            body,
            basic_auth: raw.basic_auth,
            client_cert: raw.client_cert,
            follow_redirects: raw.follow_redirects.unwrap_or(raw.expect.final_url.is_some()),
            expect: raw.expect,
            capture: raw.capture,
            timeout: raw.timeout,
            retries: raw.retries,
            steps: Vec::new(),
        })
    }
}

impl RequestSpec {
    /// The requests to run in order: the steps, or the check itself.
    pub fn requests(&self) -> Vec<&RequestSpec> {
        if self.steps.is_empty() {
            vec![self]
        } else {
            self.steps.iter().collect()
        }
    }

    /// Every text that `${NAME}` may appear in.
    pub fn templates(&self) -> Vec<&str> {
        let mut out = vec![self.url.as_str()];
        out.extend(self.headers.values().map(String::as_str));
        out.extend(self.query.values().map(String::as_str));
        if let Some(auth) = &self.basic_auth {
            out.extend([auth.user.as_str(), auth.password.as_str()]);
        }
        match &self.body {
            Some(Body::Raw(s)) => out.push(s),
            Some(Body::Form(f)) => out.extend(f.values().map(String::as_str)),
            Some(Body::Json(v)) => json_strings(v, &mut out),
            Some(Body::Multipart(m)) => out.extend(m.texts()),
            None => {}
        }
        out.extend(self.expect.templates());
        out
    }
}

pub(crate) fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

/// A scalar read as text, so `status: 200` and `status: "2xx"` both parse.
#[derive(Debug, Clone)]
pub(crate) struct ScalarText(pub(crate) String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            U(u64),
            I(i64),
            F(f64),
            B(bool),
        }
        match Raw::deserialize(d).map_err(|_| de::Error::custom("expected a plain value"))? {
            Raw::S(s) => Ok(ScalarText(s)),
            Raw::U(u) => Ok(ScalarText(u.to_string())),
            Raw::I(i) => Ok(ScalarText(i.to_string())),
            Raw::F(f) => Ok(ScalarText(f.to_string())),
            Raw::B(b) => Ok(ScalarText(b.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Time budgets read as every duration does (`800ms`, `1s`); the `_ms` keys with a
    /// number of milliseconds still work.
    #[test]
    fn time_budgets_take_durations_or_milliseconds() {
        let spec: SmokeSpec = launchgate_core::yaml::parse(
            "base_url: https://example.test\nchecks:\n  - { name: a, get: /, expect: { max: 800ms } }\n  - { name: b, get: /, expect: { max_ms: 900 } }\nlatency: { routes: [/], p95: 1.5s }\nburst: { get: /, concurrency: 2, requests: 4, p95: 300ms }\n",
        )
        .unwrap();
        assert_eq!(spec.checks[0].expect.max_ms, Some(800));
        assert_eq!(spec.checks[1].expect.max_ms, Some(900));
        assert_eq!(spec.latency.unwrap().p95_ms, 1500);
        assert_eq!(spec.burst.unwrap().p95_ms, Some(300));
    }
}
