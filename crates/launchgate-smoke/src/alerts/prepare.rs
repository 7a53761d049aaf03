//! Turning `smoke.alerts` into [`Alerts`]: variables read (and the credential-bearing ones
//! registered as secrets), URLs and addresses checked, errors pointing at the spec.

use std::collections::BTreeSet;
use std::path::PathBuf;

use launchgate_core::Error;
use lettre::message::Mailbox;
use reqwest::{Method, Url};

use super::{Alerts, EmailTarget, Target};
use crate::run::SpecSource;
use crate::spec::{AlertsSpec, PagerDutySeverity, SmtpTls, WebhookBody, is_one_reference};
use crate::vars::{Redactor, Sources, expand_from, placeholder_references, read_values, references};

const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// What alert preparation needs beyond the spec.
#[derive(Debug, Clone, Copy)]
pub struct AlertContext<'a> {
    pub sources: &'a Sources,
    pub redactor: &'a Redactor,
    /// `--ca-cert` files, trusted for SMTP as for HTTP.
    pub ca_certs: &'a [PathBuf],
    /// The suite's base URL as reports show it (for the default deduplication key).
    pub base_url: &'a str,
    pub source: Option<SpecSource<'a>>,
}

impl Alerts {
    /// Resolves and checks every configured provider.
    pub fn prepare(spec: &AlertsSpec, cx: AlertContext<'_>) -> Result<Alerts, Error> {
        let locate = |needle: &str, message: String| match cx.source {
            Some(s) => s.error_at(needle, message, "here"),
            None => Error::input(message),
        };
        if spec.is_empty() {
            return Err(locate(
                "alerts",
                "smoke.alerts names no provider: nothing would be sent".into(),
            )
            .with_help("add slack, discord, teams, pagerduty, email or webhook, or remove `alerts:`"));
        }
        let (secret, plain) = names(spec);
        let all: BTreeSet<String> = secret.union(&plain).cloned().collect();
        let (values, missing) = read_values(&all, &secret, cx.sources, cx.redactor);
        if let Some(name) = missing.first() {
            return Err(locate(
                &format!("${{{name}}}"),
                format!(
                    "smoke.alerts: environment variable{} {} not set",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", ")
                ),
            )
            .with_help("export it before running (in GitHub Actions, from a secret under `env:`), or pass --variable NAME=VALUE"));
        }
        let expand =
            |raw: &str| expand_from(raw, &values).map_err(|why| locate(raw, format!("smoke.alerts: {why}")));
        // The URL may carry a token: the message never quotes it.
        let url = |raw: &str, field: &str| -> Result<Url, Error> {
            Url::parse(&expand(raw)?)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| {
                    locate(raw, format!("smoke.alerts.{field} is not an http(s) URL"))
                        .with_help("give the full URL the provider shows, for example from a variable: \"${WEBHOOK_URL}\"")
                })
        };
        let mut alerts = Alerts::default();
        for (name, hook) in [
            ("slack", &spec.slack),
            ("discord", &spec.discord),
            ("teams", &spec.teams),
        ] {
            let Some(hook) = hook else { continue };
            let u = url(&hook.webhook_url, &format!("{name}.webhook_url"))?;
            alerts.targets.push(match name {
                "slack" => Target::Slack(u),
                "discord" => Target::Discord(u),
                _ => Target::Teams(u),
            });
        }
        if let Some(pd) = &spec.pagerduty {
            let routing_key = expand(&pd.routing_key)?;
            if routing_key.trim().is_empty() {
                return Err(locate(
                    &pd.routing_key,
                    "smoke.alerts.pagerduty.routing_key is empty".into(),
                ));
            }
            let events_url = match &pd.events_url {
                Some(raw) => url(raw, "pagerduty.events_url")?,
                None => Url::parse(PAGERDUTY_EVENTS_URL).map_err(|e| Error::input(e.to_string()))?,
            };
            let dedup_key = match &pd.dedup_key {
                Some(raw) => expand(raw)?,
                None => format!("launchgate-smoke {}", cx.base_url),
            };
            alerts.targets.push(Target::PagerDuty {
                events_url,
                routing_key,
                dedup_key,
                severity: pd.severity.unwrap_or(PagerDutySeverity::Critical),
            });
        }
        if let Some(email) = &spec.email {
            let host = expand(&email.host)?;
            if email.tls == SmtpTls::None && !is_loopback(&host) {
                return Err(locate(
                    "tls",
                    format!("smoke.alerts.email: `tls: none` sends mail in clear to {host}"),
                )
                .with_help("use `tls: starttls` (port 587) or `tls: implicit` (port 465); `none` is for a relay on this machine only"));
            }
            let mailbox = |raw: &str| -> Result<Mailbox, Error> {
                let text = expand(raw)?;
                text.parse::<Mailbox>().map_err(|e| {
                    locate(
                        raw,
                        format!("smoke.alerts.email: `{text}` is not an email address ({e})"),
                    )
                })
            };
            if let Some(p) = &email.password
                && !is_one_reference(p)
            {
                // The message never quotes it; the snippet masks it.
                return Err(locate(
                    p,
                    "smoke.alerts.email.password must be a variable such as \"${SMTP_PASSWORD}\"".into(),
                )
                .with_help("a password written in the file is committed with it: set it in the environment (from a CI secret)"));
            }
            let credentials = match (&email.username, &email.password) {
                (Some(u), Some(p)) => Some((expand(u)?, expand(p)?)),
                _ => None,
            };
            alerts.targets.push(Target::Email(Box::new(EmailTarget {
                port: email.port.unwrap_or(email.tls.default_port()),
                tls: email.tls,
                from: mailbox(&email.from)?,
                to: email.to.iter().map(|t| mailbox(t)).collect::<Result<_, _>>()?,
                credentials,
                ca_certs: cx.ca_certs.to_vec(),
                host,
            })));
        }
        if let Some(hook) = &spec.webhook {
            let method = Method::from_bytes(hook.method.as_bytes())
                .map_err(|_| locate(&hook.method, format!("`{}` is not an HTTP method", hook.method)))?;
            alerts.targets.push(Target::Webhook {
                url: url(&hook.url, "webhook.url")?,
                method,
                headers: hook.headers.clone(),
                body: hook.body.clone(),
                values: values.clone(),
            });
        }
        Ok(alerts)
    }
}

/// The variables the providers name: those that carry credentials (and are secrets), and
/// the rest (hosts, addresses, keys).
fn names(spec: &AlertsSpec) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut secret: Vec<&str> = Vec::new();
    let mut plain: Vec<&str> = Vec::new();
    for hook in [&spec.slack, &spec.discord, &spec.teams].into_iter().flatten() {
        secret.push(&hook.webhook_url);
    }
    if let Some(pd) = &spec.pagerduty {
        secret.push(&pd.routing_key);
        plain.extend(pd.events_url.as_deref());
        plain.extend(pd.dedup_key.as_deref());
    }
    if let Some(e) = &spec.email {
        plain.push(&e.host);
        plain.push(&e.from);
        plain.extend(e.to.iter().map(String::as_str));
        secret.extend(e.username.as_deref());
        secret.extend(e.password.as_deref());
    }
    let mut template_names = BTreeSet::new();
    if let Some(hook) = &spec.webhook {
        secret.push(&hook.url);
        let mut texts: Vec<&str> = hook.headers.values().map(String::as_str).collect();
        match &hook.body {
            WebhookBody::Text(t) => texts.push(t),
            WebhookBody::Json(v) => crate::spec::json_strings(v, &mut texts),
        }
        template_names.extend(
            texts
                .into_iter()
                .flat_map(placeholder_references)
                .filter(|n| !n.starts_with("alert.")),
        );
    }
    let collect = |texts: Vec<&str>| -> BTreeSet<String> { texts.into_iter().flat_map(references).collect() };
    let mut secret = collect(secret);
    secret.extend(template_names);
    let plain: BTreeSet<String> = collect(plain).difference(&secret).cloned().collect();
    (secret, plain)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
