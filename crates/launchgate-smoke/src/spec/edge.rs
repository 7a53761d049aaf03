//! `site.edge` (caching, compression, CDN) and `rate_limit` (throttled failed logins).
//!
//! Every bound is checked while deserializing, so a wrong value is reported at its line
//! and column.

use std::collections::BTreeMap;
use std::time::Duration;

use launchgate_core::{ByteSize, TimeSpan};
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::ScalarText;

/// Assets checked per run unless `max_assets` says otherwise.
pub const DEFAULT_MAX_ASSETS: usize = 100;
/// The most assets `max_assets` may ask for.
pub const MAX_ASSETS_CEILING: usize = 1000;
/// A text asset larger than this must come compressed unless `compress_min` says otherwise.
pub const DEFAULT_COMPRESS_MIN: ByteSize = ByteSize(1024);
/// A hashed asset must be cacheable at least this long unless `hashed_min_ttl` says otherwise.
pub const DEFAULT_HASHED_MIN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// HTML may be cached without revalidation at most this long unless `html_max_ttl` says otherwise.
pub const DEFAULT_HTML_MAX_TTL: Duration = Duration::from_secs(600);

/// The most failed logins one `rate_limit` run sends.
pub const RATE_LIMIT_MAX_REQUESTS: usize = 100;
/// Failed logins sent unless `requests` says otherwise.
pub const RATE_LIMIT_DEFAULT_REQUESTS: usize = 30;
/// How long the attempts may take in all unless `within` says otherwise.
pub const RATE_LIMIT_DEFAULT_WITHIN: Duration = Duration::from_secs(30);
/// The longest `within` accepted.
pub const RATE_LIMIT_MAX_WITHIN: Duration = Duration::from_secs(300);

/// `site.edge: { require: cdn, max_assets: 200, asset_hosts: [cdn.example.com] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// `require: cdn`: a CDN or edge platform must be seen in front of the site.
    #[serde(default, rename = "require", deserialize_with = "require_cdn")]
    pub require_cdn: bool,
    #[serde(default = "default_max_assets", deserialize_with = "max_assets")]
    pub max_assets: usize,
    /// Hosts besides the site's whose assets are fetched and checked, lower-cased.
    #[serde(default, deserialize_with = "asset_hosts")]
    pub asset_hosts: Vec<String>,
    #[serde(default = "default_compress_min")]
    pub compress_min: ByteSize,
    #[serde(default = "default_hashed_min_ttl", deserialize_with = "span")]
    pub hashed_min_ttl: Duration,
    #[serde(default = "default_html_max_ttl", deserialize_with = "span")]
    pub html_max_ttl: Duration,
}

impl Default for EdgeSpec {
    fn default() -> Self {
        EdgeSpec {
            require_cdn: false,
            max_assets: DEFAULT_MAX_ASSETS,
            asset_hosts: Vec::new(),
            compress_min: DEFAULT_COMPRESS_MIN,
            hashed_min_ttl: DEFAULT_HASHED_MIN_TTL,
            html_max_ttl: DEFAULT_HTML_MAX_TTL,
        }
    }
}

fn default_max_assets() -> usize {
    DEFAULT_MAX_ASSETS
}

fn default_compress_min() -> ByteSize {
    DEFAULT_COMPRESS_MIN
}

fn default_hashed_min_ttl() -> Duration {
    DEFAULT_HASHED_MIN_TTL
}

fn default_html_max_ttl() -> Duration {
    DEFAULT_HTML_MAX_TTL
}

fn span<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    TimeSpan::deserialize(d).map(|t| t.0)
}

fn require_cdn<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match ScalarText::deserialize(d)?.0.as_str() {
        "cdn" => Ok(true),
        other => Err(de::Error::custom(format!(
            "site.edge.require `{other}` is not known: write `require: cdn`, or leave it out to only report the CDN"
        ))),
    }
}

fn max_assets<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if (1..=MAX_ASSETS_CEILING).contains(&n) {
        Ok(n)
    } else {
        Err(de::Error::custom(format!(
            "site.edge.max_assets must be 1 to {MAX_ASSETS_CEILING} (got {n})"
        )))
    }
}

fn asset_hosts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let mut out = Vec::new();
    for host in Vec::<String>::deserialize(d)? {
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(de::Error::custom(format!(
                "site.edge.asset_hosts: `{host}` is not a host name: write it bare, for example cdn.example.com"
            )));
        }
        out.push(host.to_ascii_lowercase());
    }
    Ok(out)
}

/// `rate_limit: { post: /api/login, json: {…}, requests: 30, expect: { status: [429] } }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawRateLimit")]
pub struct RateLimitSpec {
    pub method: String,
    /// A path on `base_url`; never a full URL, so the attempts go to the configured host only.
    pub path: String,
    /// How many of post/put/get were given; [`RateLimitSpec::problem`] wants one.
    pub route_count: usize,
    pub headers: BTreeMap<String, String>,
    pub body: Option<RateLimitBody>,
    pub requests: usize,
    /// Statuses that mean "throttled" (default 429).
    pub throttled_status: Vec<u16>,
    pub within: Duration,
}

/// The body of each attempt.
#[derive(Debug, Clone)]
pub enum RateLimitBody {
    Json(serde_json::Value),
    Form(BTreeMap<String, String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateLimit {
    post: Option<RoutePath>,
    put: Option<RoutePath>,
    get: Option<RoutePath>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    json: Option<serde_json::Value>,
    form: Option<BTreeMap<String, ScalarText>>,
    #[serde(default, deserialize_with = "attempts")]
    requests: Option<usize>,
    #[serde(default)]
    expect: RawRateLimitExpect,
    #[serde(default, deserialize_with = "within")]
    within: Option<Duration>,
}

/// A path on base_url, checked where it is written.
struct RoutePath(String);

impl<'de> Deserialize<'de> for RoutePath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let path = String::deserialize(d)?;
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(de::Error::custom(format!(
                "rate_limit: `{path}` is not a path: give the login route on base_url, for example /api/login (the attempts never go to another host)"
            )));
        }
        Ok(RoutePath(path))
    }
}

fn attempts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let n = usize::deserialize(d)?;
    if (2..=RATE_LIMIT_MAX_REQUESTS).contains(&n) {
        Ok(Some(n))
    } else {
        Err(de::Error::custom(format!(
            "rate_limit.requests must be 2 to {RATE_LIMIT_MAX_REQUESTS} (got {n}): it is a bounded probe, not a load test"
        )))
    }
}

fn within<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let t = TimeSpan::deserialize(d)?;
    if t.0.is_zero() || t.0 > RATE_LIMIT_MAX_WITHIN {
        return Err(de::Error::custom(format!(
            "rate_limit.within must be more than 0 and at most {} (got {t})",
            TimeSpan(RATE_LIMIT_MAX_WITHIN)
        )));
    }
    Ok(Some(t.0))
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateLimitExpect {
    #[serde(default, deserialize_with = "statuses")]
    status: Option<Statuses>,
}

fn statuses<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Statuses>, D::Error> {
    let s = Statuses::deserialize(d)?;
    let list = match &s {
        Statuses::One(one) => std::slice::from_ref(one),
        Statuses::Many(many) => many.as_slice(),
    };
    if let Some(bad) = list.iter().find(|s| !(100..=599).contains(*s)) {
        return Err(de::Error::custom(format!(
            "rate_limit.expect.status: invalid status `{bad}`"
        )));
    }
    Ok(Some(s))
}

/// `status: 429` or `status: [429, 403]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Statuses {
    One(u16),
    Many(Vec<u16>),
}

impl TryFrom<RawRateLimit> for RateLimitSpec {
    type Error = String;

    fn try_from(raw: RawRateLimit) -> Result<Self, String> {
        let routes: Vec<(&str, String)> = [("POST", raw.post), ("PUT", raw.put), ("GET", raw.get)]
            .into_iter()
            .filter_map(|(m, p)| p.map(|p| (m, p.0)))
            .collect();
        let route_count = routes.len();
        let (method, path) = routes.into_iter().next().unwrap_or(("POST", String::new()));
        if raw.json.is_some() && raw.form.is_some() {
            return Err("rate_limit has two bodies: keep `json` or `form`".into());
        }
        let body = match (raw.json, raw.form) {
            (Some(j), _) => Some(RateLimitBody::Json(j)),
            (_, Some(f)) => Some(RateLimitBody::Form(
                f.into_iter().map(|(k, v)| (k, v.0)).collect(),
            )),
            _ => None,
        };
        let throttled_status = raw
            .expect
            .status
            .map(|s| match s {
                Statuses::One(one) => vec![one],
                Statuses::Many(many) => many,
            })
            .unwrap_or_else(|| vec![429]);
        Ok(RateLimitSpec {
            method: method.to_string(),
            path,
            route_count,
            headers: raw.headers,
            body,
            requests: raw.requests.unwrap_or(RATE_LIMIT_DEFAULT_REQUESTS),
            throttled_status,
            within: raw.within.unwrap_or(RATE_LIMIT_DEFAULT_WITHIN),
        })
    }
}

impl RateLimitSpec {
    /// What serde cannot check where it stands: one route, and no `${NAME}` anywhere.
    pub fn problem(&self) -> Option<String> {
        if self.route_count != 1 {
            return Some("rate_limit names one route: `post: /api/login` (or put, get)".into());
        }
        let written = format!("{:?} {:?}", self.headers, self.body);
        written.contains("${").then(|| {
            "rate_limit sends its values as written and expands no `${NAME}`: give a probe address and a wrong password, never a real credential"
                .to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_defaults_and_bounds() {
        let e: EdgeSpec = launchgate_core::yaml::parse("{}").unwrap();
        assert!(!e.require_cdn);
        assert_eq!(e.max_assets, DEFAULT_MAX_ASSETS);
        let e: EdgeSpec = launchgate_core::yaml::parse(
            "{ require: cdn, max_assets: 5, compress_min: 2 KiB, asset_hosts: [CDN.example.com] }",
        )
        .unwrap();
        assert!(e.require_cdn);
        assert_eq!(e.compress_min, ByteSize(2048));
        assert_eq!(e.asset_hosts, ["cdn.example.com"]);
        let err = launchgate_core::yaml::parse::<EdgeSpec>("{ max_assets: 5000 }").unwrap_err();
        assert!(err.to_string().contains("max_assets must be 1 to 1000"), "{err}");
        let err = launchgate_core::yaml::parse::<EdgeSpec>("{ require: waf }").unwrap_err();
        assert!(err.to_string().contains("`waf` is not known"), "{err}");
        let err =
            launchgate_core::yaml::parse::<EdgeSpec>("{ asset_hosts: [\"https://cdn.x\"] }").unwrap_err();
        assert!(err.to_string().contains("is not a host name"), "{err}");
    }

    #[test]
    fn rate_limit_is_bounded_and_stays_on_the_base_host() {
        let r: RateLimitSpec = launchgate_core::yaml::parse(
            "{ post: /api/login, json: { password: wrong }, expect: { status: [429, 403] } }",
        )
        .unwrap();
        assert_eq!((r.method.as_str(), r.requests), ("POST", 30));
        assert_eq!(r.throttled_status, [429, 403]);
        for (yaml, words) in [
            ("{ post: /x, requests: 101 }", "requests must be 2 to 100"),
            ("{ post: \"https://other.example/login\" }", "is not a path"),
            ("{ post: //other.example/login }", "is not a path"),
            ("{ post: /x, within: 10m }", "within must be"),
            ("{ post: /x, expect: { status: 700 } }", "invalid status `700`"),
        ] {
            let err = launchgate_core::yaml::parse::<RateLimitSpec>(yaml).unwrap_err();
            assert!(err.to_string().contains(words), "{yaml}: {err}");
        }
        for (yaml, words) in [
            ("{ post: /x, get: /y }", "names one route"),
            ("{ requests: 5 }", "names one route"),
            ("{ post: /x, json: { p: \"${PASSWORD}\" } }", "expands no"),
        ] {
            let spec = launchgate_core::yaml::parse::<RateLimitSpec>(yaml).unwrap();
            assert!(spec.problem().unwrap().contains(words), "{yaml}");
        }
    }
}
