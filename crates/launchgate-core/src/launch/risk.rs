//! Business risk: which failing finding to fix first.
//!
//! Findings fall into four classes, fixed in this order:
//!
//! 1. `revenue`: a failure on a route listed in `report.revenue_paths` (signup, login,
//!    checkout, a payment webhook), or production running on a test key, so no real payment
//!    or message goes through;
//! 2. `live-secret`: an exposed credential that is not a test key;
//! 3. `test-key`: an exposed test key (it reaches test data only);
//! 4. `other`: everything else.
//!
//! Within a class, errors come before warnings, then the gates' order, then each gate's own
//! order. `report.risk` moves a rule (or a family, `smoke.headers.*`) to another class.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::impact;
use super::{FixItem, LaunchSettings};
use crate::finding::{Finding, Severity};
use crate::report::Report;

/// A risk class, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskClass {
    Revenue,
    LiveSecret,
    TestKey,
    Other,
}

impl RiskClass {
    /// The name used in every format and in `report.risk`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::Revenue => "revenue",
            RiskClass::LiveSecret => "live-secret",
            RiskClass::TestKey => "test-key",
            RiskClass::Other => "other",
        }
    }

    /// The class in words, for headings.
    pub fn label(self) -> &'static str {
        match self {
            RiskClass::Revenue => "revenue path",
            RiskClass::LiveSecret => "live secret exposed",
            RiskClass::TestKey => "test key exposed",
            RiskClass::Other => "other",
        }
    }
}

impl fmt::Display for RiskClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A route in `report.revenue_paths`: `/checkout` matches `/checkout` and what is under it
/// (`/checkout/session`), not `/checkouts`; a trailing `*` matches any continuation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RevenuePath(String);

impl RevenuePath {
    pub fn new(route: &str) -> Result<RevenuePath, String> {
        if !route.starts_with('/') || route.chars().any(char::is_whitespace) {
            return Err(format!(
                "`{route}` is not a route: a revenue path starts with `/` and has no spaces, such as /checkout or /api/billing/*"
            ));
        }
        Ok(RevenuePath(route.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the request path `path` (no query) is on this route.
    pub fn matches(&self, path: &str) -> bool {
        if let Some(prefix) = self.0.strip_suffix('*') {
            return path.starts_with(prefix);
        }
        let route = self.0.trim_end_matches('/');
        if route.is_empty() {
            return path == "/";
        }
        path == route || path.strip_prefix(route).is_some_and(|rest| rest.starts_with('/'))
    }
}

impl<'de> Deserialize<'de> for RevenuePath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let route = String::deserialize(deserializer)?;
        RevenuePath::new(&route).map_err(serde::de::Error::custom)
    }
}

/// Rules whose class does not follow from the finding's route or secret.
const DEFAULT_CLASSES: &[(&str, RiskClass)] = &[
    // Production on a test key: checkout or mail looks fine and takes no real payment.
    ("env.test-key-in-production", RiskClass::Revenue),
    // The product's own email (confirmation, password reset) that does not arrive, or lands
    // in spam, or fails DMARC (what sends it to spam): a revenue path.
    ("mail.not-delivered", RiskClass::Revenue),
    ("mail.trigger-failed", RiskClass::Revenue),
    ("mail.junk", RiskClass::Revenue),
    ("mail.dmarc-fail", RiskClass::Revenue),
];

/// Findings about a credential exposed where others can read it, besides the secrets gate's.
const EXPOSURE_RULES: &[&str] = &[
    "env.committed-secret",
    "env.public-secret-*",
    "budget.shipped-env-secret",
];

/// Every finding at or above `fail_on`, ranked, with what breaks and the fix.
pub fn rank(reports: &[Report], settings: &LaunchSettings, fail_on: Severity) -> Vec<FixItem> {
    let mut ranked = Vec::new();
    for (gate_index, report) in reports.iter().enumerate() {
        for (index, finding) in report.findings.iter().enumerate() {
            if finding.severity < fail_on {
                continue;
            }
            let route = route_of(finding, settings);
            let class = classify(report, finding, route.is_some(), settings);
            let key = (class, Reverse(finding.severity), gate_index, index);
            let context = impact::Context {
                report,
                finding,
                class,
                route,
                product: settings.product.as_deref(),
            };
            ranked.push((key, context.fix_item()));
        }
    }
    ranked.sort_by_key(|(key, _)| *key);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut item))| {
            item.rank = i + 1;
            item
        })
        .collect()
}

/// The class of one finding: `report.risk` first, then its route, then what it exposes.
pub fn classify(
    report: &Report,
    finding: &Finding,
    on_revenue_path: bool,
    settings: &LaunchSettings,
) -> RiskClass {
    if let Some(class) = configured(&settings.risk, &finding.rule_id) {
        return class;
    }
    if on_revenue_path {
        return RiskClass::Revenue;
    }
    if let Some((_, class)) = DEFAULT_CLASSES.iter().find(|(id, _)| *id == finding.rule_id) {
        return *class;
    }
    if is_exposure(report, finding) {
        if is_test_key(finding) {
            RiskClass::TestKey
        } else {
            RiskClass::LiveSecret
        }
    } else {
        RiskClass::Other
    }
}

/// The class `report.risk` gives `rule_id`: its exact id, else the longest family
/// (`smoke.headers.*`) that holds it.
fn configured(risk: &BTreeMap<String, RiskClass>, rule_id: &str) -> Option<RiskClass> {
    if let Some(class) = risk.get(rule_id) {
        return Some(*class);
    }
    risk.iter()
        .filter_map(|(pattern, class)| {
            let family = pattern.strip_suffix('*')?;
            rule_id.starts_with(family).then_some((family.len(), *class))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, class)| class)
}

fn family_matches(pattern: &str, rule_id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(family) => rule_id.starts_with(family),
        None => pattern == rule_id,
    }
}

/// A credential others can read: anything the secrets engine found (in the secrets gate, or
/// in shipped files by the budget gate), and the env and budget rules about exposed values.
fn is_exposure(report: &Report, finding: &Finding) -> bool {
    report.gate == "secrets"
        || finding.properties.contains_key("shipped_file")
        || EXPOSURE_RULES.iter().any(|p| family_matches(p, &finding.rule_id))
}

/// A test key by its rule (`stripe.test-secret-key`) or by what the gate recognised
/// ("holds a Stripe test secret key").
fn is_test_key(finding: &Finding) -> bool {
    let name = finding.rule_id.split_once('.').map_or("", |(_, name)| name);
    if name.split('-').any(|word| word == "test") {
        return true;
    }
    let message = finding.message.to_ascii_lowercase();
    message.contains(" test secret key")
        || message.contains(" test key")
        || message.contains(" secret test key")
}

/// The revenue path the finding is on, if any: the request path of its subject URL (or of
/// a subject that is a bare route).
fn route_of<'a>(finding: &Finding, settings: &'a LaunchSettings) -> Option<&'a RevenuePath> {
    let path = request_path(finding.subject.as_deref()?)?;
    settings.revenue_paths.iter().find(|r| r.matches(path))
}

/// `/api/members` from `http://host:8080/api/members?x=1` or from `/api/members`.
pub fn request_path(subject: &str) -> Option<&str> {
    let rest = match subject.split_once("://") {
        Some((_, after_scheme)) => &after_scheme[after_scheme.find('/')?..],
        None if subject.starts_with('/') => subject,
        None => return None,
    };
    let end = rest.find(['?', '#', ' ']).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(r: &str) -> RevenuePath {
        RevenuePath::new(r).unwrap()
    }

    #[test]
    fn revenue_paths_match_their_route_and_what_is_under_it() {
        assert!(route("/checkout").matches("/checkout"));
        assert!(route("/checkout").matches("/checkout/session"));
        assert!(route("/checkout/").matches("/checkout"));
        assert!(!route("/checkout").matches("/checkouts"));
        assert!(route("/api/billing*").matches("/api/billing-webhook"));
        assert!(route("/").matches("/") && !route("/").matches("/pricing"));
        assert!(
            RevenuePath::new("checkout")
                .unwrap_err()
                .contains("starts with `/`")
        );
    }

    #[test]
    fn request_paths_come_from_urls_and_routes() {
        assert_eq!(
            request_path("http://127.0.0.1:47080/api/members?x=1"),
            Some("/api/members")
        );
        assert_eq!(request_path("https://example.com"), None);
        assert_eq!(request_path("/login"), Some("/login"));
        assert_eq!(request_path("RESEND_API_KEY (production)"), None);
    }

    #[test]
    fn configured_classes_prefer_the_exact_rule_then_the_longest_family() {
        let risk: BTreeMap<String, RiskClass> = [
            ("smoke.*".to_string(), RiskClass::Other),
            ("smoke.headers.*".to_string(), RiskClass::Revenue),
            ("smoke.headers.hsts".to_string(), RiskClass::TestKey),
        ]
        .into();
        assert_eq!(configured(&risk, "smoke.headers.hsts"), Some(RiskClass::TestKey));
        assert_eq!(
            configured(&risk, "smoke.headers.nosniff"),
            Some(RiskClass::Revenue)
        );
        assert_eq!(configured(&risk, "smoke.check"), Some(RiskClass::Other));
        assert_eq!(configured(&risk, "dns.record-mismatch"), None);
    }

    #[test]
    fn revenue_before_live_secrets_before_test_keys_before_the_rest() {
        let mut secrets = Report::new("secrets");
        secrets.push(Finding::new(
            "stripe.test-secret-key",
            Severity::Error,
            "Stripe test secret key found",
        ));
        secrets.push(Finding::new(
            "resend.api-key",
            Severity::Warning,
            "Resend API key found",
        ));
        let mut env = Report::new("env");
        env.push(
            Finding::new(
                "env.committed-secret",
                Severity::Error,
                "STRIPE_SECRET_KEY in .env holds a Stripe test secret key in plaintext",
            )
            .property("variable", "STRIPE_SECRET_KEY"),
        );
        env.push(Finding::new(
            "env.duplicate-key",
            Severity::Error,
            "`LOG_LEVEL` is already set",
        ));
        let mut smoke = Report::new("smoke");
        smoke.push(Finding::new("smoke.headers.hsts", Severity::Error, "no HSTS").subject("http://x/"));
        smoke.push(
            Finding::new(
                "smoke.check",
                Severity::Error,
                "members API: expected status 200, got 500",
            )
            .subject("http://x/api/members"),
        );
        let settings = LaunchSettings {
            revenue_paths: vec![route("/api/members")],
            ..LaunchSettings::default()
        };
        let order = rank(&[secrets, env, smoke], &settings, Severity::Warning);
        let ids: Vec<(&str, RiskClass)> = order.iter().map(|i| (i.rule_id.as_str(), i.risk)).collect();
        assert_eq!(
            ids,
            [
                ("smoke.check", RiskClass::Revenue),
                ("resend.api-key", RiskClass::LiveSecret),
                ("stripe.test-secret-key", RiskClass::TestKey),
                ("env.committed-secret", RiskClass::TestKey),
                ("env.duplicate-key", RiskClass::Other),
                ("smoke.headers.hsts", RiskClass::Other),
            ]
        );
        assert_eq!(
            order.iter().map(|i| i.rank).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        // At the default threshold a warning is not in the fix order.
        let settings = LaunchSettings::default();
        let order = rank(
            &[Report::new("smoke"), {
                let mut r = Report::new("secrets");
                r.push(Finding::new(
                    "resend.api-key",
                    Severity::Warning,
                    "Resend API key found",
                ));
                r
            }],
            &settings,
            Severity::Error,
        );
        assert!(order.is_empty());
    }
}
