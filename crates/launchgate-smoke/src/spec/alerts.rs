//! `smoke.alerts`: where uptime alerts and recoveries go. Each provider is optional and
//! sent to independently; shape errors carry the line and column of the value.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The providers, at most one of each.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsSpec {
    #[serde(default)]
    pub slack: Option<ChatWebhook>,
    #[serde(default)]
    pub discord: Option<ChatWebhook>,
    #[serde(default)]
    pub teams: Option<ChatWebhook>,
    #[serde(default)]
    pub pagerduty: Option<PagerDutySpec>,
    #[serde(default)]
    pub email: Option<EmailSpec>,
    #[serde(default)]
    pub webhook: Option<WebhookSpec>,
}

impl AlertsSpec {
    pub fn is_empty(&self) -> bool {
        self.slack.is_none()
            && self.discord.is_none()
            && self.teams.is_none()
            && self.pagerduty.is_none()
            && self.email.is_none()
            && self.webhook.is_none()
    }
}

/// A chat service's incoming-webhook URL (it carries its token: keep it in a variable).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatWebhook {
    pub webhook_url: String,
}

/// PagerDuty Events API v2: a trigger on alert and a resolve on recovery, tied together by
/// one deduplication key so the recovery closes the incident the alert opened.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySpec {
    /// The integration's routing key (32 characters).
    pub routing_key: String,
    /// Default `launchgate-smoke:` and the base URL, the same across runs.
    #[serde(default)]
    pub dedup_key: Option<String>,
    #[serde(default)]
    pub severity: Option<PagerDutySeverity>,
    /// The Events API endpoint (default `https://events.pagerduty.com/v2/enqueue`).
    #[serde(default)]
    pub events_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PagerDutySeverity {
    Critical,
    Error,
    Warning,
    Info,
}

impl PagerDutySeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            PagerDutySeverity::Critical => "critical",
            PagerDutySeverity::Error => "error",
            PagerDutySeverity::Warning => "warning",
            PagerDutySeverity::Info => "info",
        }
    }
}

/// Email through an SMTP relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawEmail")]
pub struct EmailSpec {
    pub host: String,
    pub port: Option<u16>,
    pub tls: SmtpTls,
    pub from: String,
    pub to: Vec<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption: only for a relay on this machine.
    None,
}

impl SmtpTls {
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::Starttls => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::None => 25,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    host: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    tls: Option<SmtpTls>,
    from: String,
    to: crate::spec::OneOrMany,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

impl TryFrom<RawEmail> for EmailSpec {
    type Error = String;

    fn try_from(raw: RawEmail) -> Result<Self, String> {
        let to = raw.to.0;
        if to.is_empty() {
            return Err("smoke.alerts.email.to names no recipient: give one address or a list".into());
        }
        if raw.username.is_some() != raw.password.is_some() {
            return Err("smoke.alerts.email: `username` and `password` go together".into());
        }
        Ok(EmailSpec {
            host: raw.host,
            port: raw.port,
            tls: raw.tls.unwrap_or(SmtpTls::Starttls),
            from: raw.from,
            to,
            username: raw.username,
            password: raw.password,
        })
    }
}

/// Whether a text is exactly one `${NAME}`.
pub fn is_one_reference(text: &str) -> bool {
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Any HTTP endpoint, with a body made from a template. `${alert.check}`,
/// `${alert.status}`, `${alert.message}` and `${alert.url}` are filled in per alert;
/// other `${NAME}`s come from the environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawWebhook")]
pub struct WebhookSpec {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
    pub body: WebhookBody,
}

/// `json:` is a structure whose strings are filled in (and escaped as JSON); `body:` is text.
#[derive(Debug, Clone)]
pub enum WebhookBody {
    Json(serde_json::Value),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    json: Option<serde_json::Value>,
    #[serde(default)]
    body: Option<String>,
}

/// The fields a webhook template may name as `${alert.FIELD}`.
pub const ALERT_FIELDS: [&str; 6] = ["check", "status", "message", "url", "title", "failures"];

impl TryFrom<RawWebhook> for WebhookSpec {
    type Error = String;

    fn try_from(raw: RawWebhook) -> Result<Self, String> {
        let body = match (raw.json, raw.body) {
            (Some(j), None) => WebhookBody::Json(j),
            (None, Some(b)) => WebhookBody::Text(b),
            (None, None) => {
                return Err("smoke.alerts.webhook needs a `json:` or `body:` template".into());
            }
            (Some(_), Some(_)) => {
                return Err("smoke.alerts.webhook has both `json:` and `body:`: keep one".into());
            }
        };
        let method = raw.method.unwrap_or_else(|| "POST".into()).to_ascii_uppercase();
        if !matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
            return Err(format!(
                "smoke.alerts.webhook.method `{method}` cannot carry a body: use POST, PUT or PATCH"
            ));
        }
        let mut texts: Vec<&str> = Vec::new();
        if let WebhookBody::Text(t) = &body {
            texts.push(t);
        }
        if let WebhookBody::Json(v) = &body {
            crate::spec::json_strings(v, &mut texts);
        }
        texts.extend(raw.headers.values().map(String::as_str));
        for text in texts {
            for name in crate::vars::placeholder_references(text) {
                if let Some(field) = name.strip_prefix("alert.")
                    && !ALERT_FIELDS.contains(&field)
                {
                    return Err(format!(
                        "`${{{name}}}` is not an alert field: use one of {}",
                        ALERT_FIELDS.map(|f| format!("${{alert.{f}}}")).join(", ")
                    ));
                } else if name.contains('.') && !name.starts_with("alert.") {
                    return Err(format!(
                        "`${{{name}}}` is neither an alert field (`${{alert.message}}`, …) nor a variable name"
                    ));
                }
            }
        }
        Ok(WebhookSpec {
            url: raw.url,
            method,
            headers: raw.headers,
            body,
        })
    }
}
