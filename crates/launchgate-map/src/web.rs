//! What answers on each host: the TLS certificate's issuer and expiry, and the platform or
//! CDN the HTTP response headers name. Uses the smoke gate's TLS probe and HTTP client.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use launchgate_core::Error;
use launchgate_smoke::cookies::CookieJar;
use launchgate_smoke::http::{ClientOptions, HttpClient, Prepared};
use launchgate_smoke::tls::{self, CertLog, RecordingVerifier};

use crate::{HostNode, HttpFacts, MapOptions, TlsFacts, providers};

/// Probes every host that resolves; a host that does not is left as DNS found it.
pub async fn probe_hosts(hosts: &mut [HostNode], options: &MapOptions) -> Result<(), Error> {
    let log = Arc::new(CertLog::default());
    let verifier = Arc::new(RecordingVerifier::new(
        tls::root_store(&options.ca_certs)?,
        Arc::clone(&log),
    )?);
    for node in hosts.iter_mut().filter(|n| n.resolves) {
        let Some(ip) = node.addresses.first().and_then(|a| a.parse::<IpAddr>().ok()) else {
            continue;
        };
        let probe = tls::probe(
            &node.name,
            SocketAddr::new(ip, options.https_port),
            Arc::clone(&verifier),
            &log,
            options.web_timeout,
        )
        .await;
        let now = tls::unix_now();
        let secure = probe.error.is_none();
        node.tls = Some(TlsFacts {
            issuer: probe.cert.as_ref().map(|c| c.issuer.clone()),
            expires: probe.cert.as_ref().map(|c| c.not_after_text()),
            days_left: probe.cert.as_ref().map(|c| c.days_left(now)),
            error: probe.error,
        });
        let url = if secure {
            format!("https://{}:{}/", node.name, options.https_port)
        } else {
            format!("http://{}:{}/", node.name, options.http_port)
        };
        let (http, headers) = get(&node.name, ip, &url, options).await?;
        if let Some((platform, header)) = providers::from_headers(&headers) {
            node.platform = Some(platform.to_string());
            node.platform_evidence = Some(format!("response header {header}"));
        }
        node.http = Some(http);
    }
    Ok(())
}

/// `GET url` at `ip`, without following redirects: the facts and the response headers.
async fn get(
    host: &str,
    ip: IpAddr,
    url: &str,
    options: &MapOptions,
) -> Result<(HttpFacts, Vec<(String, String)>), Error> {
    let client = HttpClient::new(&ClientOptions {
        resolve: [(host.to_ascii_lowercase(), ip)].into(),
        timeout: Some(options.web_timeout),
        ca_certs: options.ca_certs.clone(),
        ..ClientOptions::default()
    })?;
    let parsed = url::Url::parse(url).map_err(|e| Error::input(format!("`{url}` is not a URL: {e}")))?;
    let mut facts = HttpFacts {
        url: url.to_string(),
        status: None,
        server: None,
        error: None,
    };
    let mut headers = Vec::new();
    match client
        .send(&Prepared::get(parsed), &mut CookieJar::default(), false, None)
        .await
    {
        Ok(exchange) => {
            facts.status = Some(exchange.status);
            facts.server = exchange.header("server");
            headers = exchange
                .headers
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
                })
                .collect();
        }
        Err(failure) => facts.error = Some(failure.to_string()),
    }
    Ok((facts, headers))
}
