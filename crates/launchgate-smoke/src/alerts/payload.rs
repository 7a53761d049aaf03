//! The request bodies each provider expects, built from a redacted [`AlertEvent`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::AlertEvent;
use crate::spec::PagerDutySeverity;

/// Discord's limit on an embed description, in characters.
const DISCORD_DESCRIPTION_CHARS: usize = 4096;
/// PagerDuty's limit on a summary, in characters.
const PAGERDUTY_SUMMARY_CHARS: usize = 1024;

const RED: u32 = 0xE0_1E_5A;
const GREEN: u32 = 0x2E_B6_7D;

/// Slack incoming webhooks (and the many services that accept their `{"text": …}` body).
pub fn slack(event: &AlertEvent) -> Value {
    let icon = if event.firing {
        ":red_circle:"
    } else {
        ":large_green_circle:"
    };
    json!({ "text": format!("{icon} {}", event.message()) })
}

/// A Discord webhook message with one embed, red on alert and green on recovery.
pub fn discord(event: &AlertEvent) -> Value {
    json!({
        "username": "launchgate",
        "embeds": [{
            "title": event.title(),
            "description": cut(&description(event), DISCORD_DESCRIPTION_CHARS),
            "color": if event.firing { RED } else { GREEN },
        }],
    })
}

/// A Microsoft Teams Workflows webhook message: an Adaptive Card.
pub fn teams(event: &AlertEvent) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock",
        "text": event.title(),
        "weight": "Bolder",
        "size": "Medium",
        "color": if event.firing { "Attention" } else { "Good" },
        "wrap": true,
    })];
    if !event.failures.is_empty() {
        body.push(json!({ "type": "TextBlock", "text": event.failure_lines(), "wrap": true }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            },
        }],
    })
}

/// A PagerDuty Events API v2 event: `trigger` on alert, `resolve` on recovery, with the
/// same deduplication key so the recovery closes the alert's incident.
pub fn pagerduty(
    event: &AlertEvent,
    routing_key: &str,
    dedup_key: &str,
    severity: PagerDutySeverity,
) -> Value {
    if !event.firing {
        return json!({
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": dedup_key,
        });
    }
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": cut(&event.title(), PAGERDUTY_SUMMARY_CHARS),
            "source": event.url,
            "severity": severity.as_str(),
            "component": "launchgate-smoke",
            "custom_details": {
                "failed_checks": event.checks,
                "failures": event.failures,
                "more_failures": event.more_failures,
                "consecutive_failed_runs": event.consecutive_failures,
            },
        },
    })
}

fn description(event: &AlertEvent) -> String {
    if event.firing {
        event.failure_lines()
    } else {
        "All checks pass again.".into()
    }
}

/// The value of `${alert.FIELD}`.
fn field(event: &AlertEvent, name: &str) -> Option<String> {
    Some(match name {
        "check" => event.checks.join(", "),
        "status" => event.status().into(),
        "message" => event.message(),
        "title" => event.title(),
        "url" => event.url.clone(),
        "failures" => event.failure_lines(),
        _ => return None,
    })
}

/// Fills `${alert.FIELD}` from the event and `${NAME}` from the resolved variables, in
/// one pass: text that an alert brings in is never expanded again.
pub fn fill_template(
    text: &str,
    event: &AlertEvent,
    values: &BTreeMap<String, String>,
) -> Result<String, String> {
    crate::vars::expand_placeholders(text, |name| match name.strip_prefix("alert.") {
        Some(f) => field(event, f),
        None => values.get(name).cloned(),
    })
}

/// [`fill_template`] on every string of a JSON template (keys stay as written).
pub fn fill_json(
    template: &Value,
    event: &AlertEvent,
    values: &BTreeMap<String, String>,
) -> Result<Value, String> {
    Ok(match template {
        Value::String(s) => Value::String(fill_template(s, event, values)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| fill_json(v, event, values))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| Ok((k.clone(), fill_json(v, event, values)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// At most `max` characters, the last one `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firing() -> AlertEvent {
        AlertEvent {
            firing: true,
            url: "https://example.com/".into(),
            checks: vec!["health".into(), "login".into()],
            failures: vec!["health: got 500".into(), "login: \"quoted\"\nline".into()],
            more_failures: 0,
            consecutive_failures: 2,
        }
    }

    #[test]
    fn a_filled_template_is_not_expanded_twice() {
        let mut event = firing();
        event.failures = vec!["body: ${SECRET_TOKEN} ${alert.url}".into()];
        let values = BTreeMap::from([("SECRET_TOKEN".to_string(), "s3cr3t-value".to_string())]);
        let out = fill_template("${alert.failures} | ${alert.check}", &event, &values).unwrap();
        assert_eq!(out, "• body: ${SECRET_TOKEN} ${alert.url} | health, login");
    }

    #[test]
    fn json_templates_escape_what_they_bring_in() {
        let template: Value = serde_json::from_str(r#"{"msg": "${alert.message}", "n": 1}"#).unwrap();
        let filled = fill_json(&template, &firing(), &BTreeMap::new()).unwrap();
        let text = filled.to_string();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert!(back["msg"].as_str().unwrap().contains("login: \"quoted\"\nline"));
        assert_eq!(back["n"], 1);
    }

    #[test]
    fn pagerduty_resolves_with_the_trigger_key() {
        let trigger = pagerduty(&firing(), "R0UTING", "k1", PagerDutySeverity::Critical);
        let mut recovered = firing();
        recovered.firing = false;
        let resolve = pagerduty(&recovered, "R0UTING", "k1", PagerDutySeverity::Critical);
        assert_eq!(trigger["event_action"], "trigger");
        assert_eq!(resolve["event_action"], "resolve");
        assert_eq!(trigger["dedup_key"], resolve["dedup_key"]);
        assert_eq!(trigger["payload"]["custom_details"]["failed_checks"][1], "login");
    }

    #[test]
    fn long_texts_are_cut_to_the_provider_limit() {
        let mut event = firing();
        event.failures = vec!["x".repeat(10_000)];
        let d = discord(&event);
        assert_eq!(
            d["embeds"][0]["description"].as_str().unwrap().chars().count(),
            DISCORD_DESCRIPTION_CHARS
        );
    }
}
