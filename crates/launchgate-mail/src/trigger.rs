//! The HTTP request that makes the product send a message ("POST /api/password-reset for
//! the seed address"). `${VARIABLE}` strings in the URL, the JSON body and the headers are
//! read from the environment and never printed.

use std::time::Duration;

use launchgate_core::{Error, Finding, Severity};

use crate::config::Trigger;
use crate::inbox::resolve;

/// How long the product may take to answer the trigger.
pub const TRIGGER_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends the request. A product that does not answer 2xx is a `mail.trigger-failed`
/// finding; a URL or variable that cannot be used is an input error (exit 2).
pub async fn fire(trigger: &Trigger, message: &str) -> Result<Option<Finding>, Error> {
    let what = format!("mail.messages `{message}` trigger");
    let (method, url) = match (&trigger.post, &trigger.get) {
        (Some(url), None) => (reqwest::Method::POST, url),
        (None, Some(url)) => (reqwest::Method::GET, url),
        _ => return Err(Error::input(format!("{what} needs exactly one of post and get"))),
    };
    // As links are shown: a URL written in the file may carry a key in its query or userinfo.
    let shown = crate::links::shown(url);
    let url = resolve(url, &what)?;
    // An address that cannot be requested is the configuration's mistake, not the product's.
    let url = reqwest::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            Error::input(format!("{what}: `{shown}` is not an http or https URL")).with_help(
                "write the endpoint's full address, e.g. `post: \"https://app.example.com/api/password-reset\"`",
            )
        })?;
    let tls = launchgate_dns::trust::client_config(&[]).map_err(Error::input)?;
    let client = reqwest::Client::builder()
        .timeout(TRIGGER_TIMEOUT)
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| Error::input(format!("cannot start the HTTP client: {e}")))?;
    let mut request = client.request(method.clone(), url);
    for (name, value) in &trigger.headers {
        request = request.header(name, resolve(value, &what)?);
    }
    if let Some(json) = &trigger.json {
        request = request.json(&resolve_json(json, &what)?);
    }
    let failed = |why: String| {
        Finding::new("mail.trigger-failed", Severity::Error, format!("{method} {shown} {why}"))
            .subject(message.to_string())
            .help("the product did not accept the request that sends this message; check the endpoint with the smoke gate")
    };
    match request.send().await {
        Ok(response) if response.status().is_success() => Ok(None),
        Ok(response) => Ok(Some(failed(format!("answered {}", response.status())))),
        // The URL was checked above: what is left to fail here is a header, the file's mistake.
        Err(e) if e.is_builder() => Err(Error::input(format!(
            "{what}: a header name or value cannot be sent over HTTP"
        ))
        .with_help("check the trigger's headers: a value read from the environment may hold a line break")),
        Err(e) if e.is_timeout() => Ok(Some(failed(format!(
            "did not answer within {} s",
            TRIGGER_TIMEOUT.as_secs()
        )))),
        // Without the URL: it may hold a resolved variable.
        Err(e) => Ok(Some(failed(format!("failed: {}", e.without_url())))),
    }
}

/// The JSON body with every `${VARIABLE}` string read from the environment.
fn resolve_json(value: &serde_json::Value, what: &str) -> Result<serde_json::Value, Error> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(resolve(s, what)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_json(v, what))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), resolve_json(v, what)?)))
                .collect::<Result<_, Error>>()?,
        ),
        other => other.clone(),
    })
}
