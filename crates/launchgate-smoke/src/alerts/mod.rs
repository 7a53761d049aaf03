//! Sending uptime alerts and recoveries to the providers under `smoke.alerts` (and to
//! `--notify`). Every text taken from a run is redacted before any payload is built; the
//! provider's own credentials (webhook URLs, routing keys, SMTP passwords) are secrets
//! too, so errors name only the provider and host.

mod email;
mod event;
mod payload;
mod prepare;

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, Url};

use crate::cookies::CookieJar;
use crate::http::{HttpClient, Prepared, PreparedBody};
use crate::spec::{PagerDutySeverity, WebhookBody};

pub use email::EmailTarget;
pub use event::AlertEvent;
pub use prepare::AlertContext;

/// How long one alert may take to deliver, per provider.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// The providers to send to, with their settings resolved and checked.
#[derive(Debug, Default)]
pub struct Alerts {
    targets: Vec<Target>,
}

#[derive(Debug)]
enum Target {
    Slack(Url),
    Discord(Url),
    Teams(Url),
    PagerDuty {
        events_url: Url,
        routing_key: String,
        dedup_key: String,
        severity: PagerDutySeverity,
    },
    Email(Box<EmailTarget>),
    Webhook {
        url: Url,
        method: Method,
        headers: BTreeMap<String, String>,
        body: WebhookBody,
        values: BTreeMap<String, String>,
    },
}

impl Target {
    fn provider(&self) -> &'static str {
        match self {
            Target::Slack(_) => "slack",
            Target::Discord(_) => "discord",
            Target::Teams(_) => "teams",
            Target::PagerDuty { .. } => "pagerduty",
            Target::Email(_) => "email",
            Target::Webhook { .. } => "webhook",
        }
    }
}

impl Alerts {
    /// `--notify URL`: a Slack-compatible webhook, added to the configured providers.
    pub fn add_slack(&mut self, url: Url) {
        self.targets.push(Target::Slack(url));
    }

    /// Sends the event to every provider; returns a warning per provider that failed.
    pub async fn send(&self, event: &AlertEvent, client: &HttpClient) -> Vec<String> {
        let mut warnings = Vec::new();
        for target in &self.targets {
            if let Err(why) = send_one(target, event, client).await {
                warnings.push(format!(
                    "could not send the {} to {}: {why}",
                    event.kind(),
                    target.provider()
                ));
            }
        }
        warnings
    }
}

async fn send_one(target: &Target, event: &AlertEvent, client: &HttpClient) -> Result<(), String> {
    let json = |url: &Url, body: serde_json::Value| (Method::POST, url.clone(), Vec::new(), body.to_string());
    let (method, url, headers, body) = match target {
        Target::Slack(url) => json(url, payload::slack(event)),
        Target::Discord(url) => json(url, payload::discord(event)),
        Target::Teams(url) => json(url, payload::teams(event)),
        Target::PagerDuty {
            events_url,
            routing_key,
            dedup_key,
            severity,
        } => json(
            events_url,
            payload::pagerduty(event, routing_key, dedup_key, *severity),
        ),
        Target::Email(email) => {
            let email = email.as_ref().clone();
            let event = event.clone();
            return tokio::task::spawn_blocking(move || email.send(&event))
                .await
                .map_err(|_| "the SMTP session stopped unexpectedly".to_string())?;
        }
        Target::Webhook {
            url,
            method,
            headers,
            body,
            values,
        } => {
            let fill = |text: &str| payload::fill_template(text, event, values);
            let headers = headers
                .iter()
                .map(|(k, v)| Ok((k.clone(), fill(v)?)))
                .collect::<Result<Vec<_>, String>>()?;
            let body = match body {
                WebhookBody::Text(t) => fill(t)?,
                WebhookBody::Json(v) => payload::fill_json(v, event, values)?.to_string(),
            };
            (method.clone(), url.clone(), headers, body)
        }
    };
    post(client, method, &url, headers, body).await
}

/// Sends one request; a webhook URL carries its token, so errors name only the host.
async fn post(
    client: &HttpClient,
    method: Method,
    url: &Url,
    mut headers: Vec<(String, String)>,
    body: String,
) -> Result<(), String> {
    let host = url.host_str().unwrap_or("the webhook").to_string();
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("content-type".into(), "application/json".into()));
    }
    let request = Prepared {
        method,
        url: url.clone(),
        headers,
        body: Some(PreparedBody::Raw(body)),
        identity: None,
    };
    let mut jar = CookieJar::default();
    match client.send(&request, &mut jar, false, Some(SEND_TIMEOUT)).await {
        Ok(r) if r.status < 300 => Ok(()),
        Ok(r) => Err(format!("{host} answered {}", r.status)),
        Err(crate::http::Failure::Other(_)) => Err(format!("the request to {host} failed")),
        Err(e) => Err(e.to_string()),
    }
}
