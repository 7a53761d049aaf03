//! Fetching the MTA-STS policy file over HTTPS as senders do: no redirects, a bounded
//! time for the whole fetch and a bounded size for the body.

use std::net::SocketAddr;
use std::time::Duration;

/// RFC 8461 §3.3: the policy file must be small.
const MAX_POLICY_BYTES: usize = 64 * 1024;

/// How the policy file is fetched. The defaults fetch from the public internet with the
/// system's trusted roots; `resolve` and `root_certificates_pem` point the fetch at a
/// server of your own (a staging host, or a test server on 127.0.0.1).
#[derive(Debug, Clone, Default)]
pub struct HttpsSettings {
    /// Host name to address overrides, like curl's `--resolve`.
    pub resolve: Vec<(String, SocketAddr)>,
    /// PEM certificates trusted instead of the system roots, when not empty.
    pub root_certificates_pem: Vec<Vec<u8>>,
    /// Timeout for the whole fetch; zero means 10 seconds.
    pub timeout: Duration,
}

/// Fetches the policy: its content type and text. The timeout bounds the whole fetch,
/// body included, so a host that sends one byte a second cannot hold the gate.
pub(super) async fn fetch(
    url: &str,
    host: &str,
    addrs: &[SocketAddr],
    https: &HttpsSettings,
) -> Result<(String, String), String> {
    let timeout = if https.timeout.is_zero() {
        Duration::from_secs(10)
    } else {
        https.timeout
    };
    let timed_out = || {
        format!(
            "no complete answer within {} ms (the limit covers the headers and the body)",
            timeout.as_millis()
        )
    };
    match tokio::time::timeout(timeout, fetch_within(url, host, addrs, https, timeout)).await {
        Err(_) => Err(timed_out()),
        Ok(Err(FetchError::TimedOut)) => Err(timed_out()),
        Ok(Err(FetchError::Other(why))) => Err(why),
        Ok(Ok(found)) => Ok(found),
    }
}

enum FetchError {
    TimedOut,
    Other(String),
}

impl From<String> for FetchError {
    fn from(why: String) -> Self {
        FetchError::Other(why)
    }
}

async fn fetch_within(
    url: &str,
    host: &str,
    addrs: &[SocketAddr],
    https: &HttpsSettings,
    timeout: Duration,
) -> Result<(String, String), FetchError> {
    // RFC 8461 §3.3: the policy fetch must not follow redirects.
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .no_proxy();
    builder = builder.resolve_to_addrs(host, addrs);
    builder = builder.tls_backend_preconfigured(crate::trust::client_config(&https.root_certificates_pem)?);
    let client = builder
        .build()
        .map_err(|e| format!("cannot start the HTTPS client: {e}"))?;
    let response = client.get(url).send().await.map_err(|e| match e.is_timeout() {
        true => FetchError::TimedOut,
        false => FetchError::Other(describe_http_error(&e, host)),
    })?;
    let status = response.status();
    if status.is_redirection() {
        return Err(FetchError::Other(format!(
            "it answers {status} (a redirect); senders do not follow redirects"
        )));
    }
    if !status.is_success() {
        return Err(FetchError::Other(format!("it answers {status}")));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)")
        .to_string();
    let bytes = read_policy_body(response).await?;
    Ok((content_type, String::from_utf8_lossy(&bytes).into_owned()))
}

/// The body, chunk by chunk, up to [`MAX_POLICY_BYTES`]; past it the response is dropped
/// (closing the connection), so a policy host that never stops sending costs 64 KiB.
async fn read_policy_body(mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    let too_large = || {
        format!(
            "the policy is larger than {} KiB, the limit senders apply (RFC 8461 §3.3); reading stopped there",
            MAX_POLICY_BYTES / 1024
        )
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_POLICY_BYTES as u64)
    {
        return Err(FetchError::Other(too_large()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| match e.is_timeout() {
        true => FetchError::TimedOut,
        false => FetchError::Other(format!("reading the body failed: {e}")),
    })? {
        if body.len() + chunk.len() > MAX_POLICY_BYTES {
            return Err(FetchError::Other(too_large()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn describe_http_error(error: &reqwest::Error, host: &str) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if error.is_timeout() {
        format!("the request timed out ({text})")
    } else if error.is_connect() {
        format!("cannot connect to {host} ({text})")
    } else {
        text
    }
}
