//! TLS: the trust roots, a verifier that records every certificate it is shown (so a
//! certificate that fails verification can still be described), and a handshake probe
//! that reports the negotiated version and the certificate's dates and names.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use launchgate_core::Error;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::spec::TlsVersion;

/// The crypto provider every TLS config uses; set explicitly so the build does not depend
/// on which providers other crates enable.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Mozilla's roots plus the certificates of `--ca-cert` files.
pub fn root_store(ca_certs: &[std::path::PathBuf]) -> Result<RootCertStore, Error> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for path in ca_certs {
        let certs = read_pem_certs(path)?;
        for cert in certs {
            roots.add(cert).map_err(|e| {
                Error::input(format!(
                    "--ca-cert {}: not a usable CA certificate: {e}",
                    path.display()
                ))
                .with_help("give a PEM file holding the CA certificate that signed the server's certificate")
            })?;
        }
    }
    Ok(roots)
}

fn read_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let bytes =
        launchgate_core::bounded::read_file(path, crate::limits::MAX_CA_FILE_BYTES, "a CA certificate file")?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            Error::input(format!("--ca-cert {}: cannot read PEM: {e:?}", path.display()))
                .with_help("the file must hold one or more `-----BEGIN CERTIFICATE-----` blocks")
        })?;
    if certs.is_empty() {
        return Err(
            Error::input(format!("--ca-cert {} holds no certificate", path.display()))
                .with_help("the file must hold one or more `-----BEGIN CERTIFICATE-----` blocks"),
        );
    }
    Ok(certs)
}

/// The last certificate each host presented, verified or not.
#[derive(Debug, Default)]
pub struct CertLog {
    seen: Mutex<HashMap<String, Vec<u8>>>,
}

impl CertLog {
    pub fn get(&self, host: &str) -> Option<Vec<u8>> {
        self.seen.lock().ok()?.get(host).cloned()
    }
}

/// Verifies like a browser (web PKI) and records the leaf certificate first.
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    log: Arc<CertLog>,
}

impl RecordingVerifier {
    pub fn new(roots: RootCertStore, log: Arc<CertLog>) -> Result<Self, Error> {
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| Error::input(format!("cannot build the certificate verifier: {e}")))?;
        Ok(RecordingVerifier { inner, log })
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.log.seen.lock() {
            seen.insert(server_name.to_str().into_owned(), end_entity.to_vec());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A client config that verifies with `verifier` and speaks HTTP/1.1.
pub fn client_config(
    verifier: Arc<RecordingVerifier>,
    identity: Option<&crate::client_cert::ClientIdentity>,
) -> Result<ClientConfig, Error> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::input(format!("cannot configure TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        None => builder.with_no_client_auth(),
        Some(id) => builder
            .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
            .map_err(|e| Error::input(format!("cannot use the client certificate: {e}")))?,
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// What a certificate says, read with x509-parser.
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    /// Seconds since the epoch.
    pub not_after: i64,
    pub not_before: i64,
}

impl CertFacts {
    pub fn parse(der: &[u8]) -> Option<CertFacts> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let dns_names = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|san| {
                san.value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                        x509_parser::extensions::GeneralName::IPAddress(ip) => ip_text(ip),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(CertFacts {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            dns_names,
            not_after: cert.validity().not_after.timestamp(),
            not_before: cert.validity().not_before.timestamp(),
        })
    }

    /// Whole days until expiry at `now` (negative once expired).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    pub fn covers(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.dns_names.iter().any(|n| {
            let n = n.to_ascii_lowercase();
            match n.strip_prefix("*.") {
                Some(parent) => host
                    .split_once('.')
                    .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
                None => n == host,
            }
        })
    }

    pub fn names(&self) -> String {
        if self.dns_names.is_empty() {
            self.subject.clone()
        } else {
            self.dns_names.join(", ")
        }
    }

    pub fn not_after_text(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.not_after)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| self.not_after.to_string())
    }
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            Some(std::net::Ipv6Addr::from(a).to_string())
        }
        _ => None,
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Describes a rustls error in words, using the certificate the host presented.
pub fn describe_tls_error(err: &rustls::Error, host: &str, cert: Option<&CertFacts>, now: i64) -> String {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(c) => match (c, cert) {
            (C::Expired | C::ExpiredContext { .. }, Some(f)) => {
                let days = (now - f.not_after).div_euclid(86_400);
                format!(
                    "certificate expired {} (not after {})",
                    ago(days),
                    f.not_after_text()
                )
            }
            (C::NotValidYet | C::NotValidYetContext { .. }, _) => "certificate is not valid yet".into(),
            (C::NotValidForName | C::NotValidForNameContext { .. }, Some(f)) => {
                format!("certificate is for {}, not {host}", f.names())
            }
            (C::UnknownIssuer, Some(f)) => format!(
                "certificate issued by an unknown authority ({}); pass --ca-cert for a private CA",
                f.issuer
            ),
            (C::UnknownIssuer, None) => "certificate issued by an unknown authority".into(),
            (C::Revoked, _) => "certificate revoked".into(),
            (C::BadSignature, _) => "certificate has a bad signature".into(),
            (other, _) => format!("invalid certificate: {other:?}"),
        },
        rustls::Error::AlertReceived(a) => format!("the server refused the handshake ({a:?})"),
        rustls::Error::PeerIncompatible(p) => format!("no protocol in common with the server ({p:?})"),
        other => other.to_string(),
    }
}

fn ago(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "1 day ago".into(),
        d => format!("{d} days ago"),
    }
}

/// The result of one TLS handshake with a host.
#[derive(Debug, Clone)]
pub struct Probe {
    pub version: Option<TlsVersion>,
    pub cert: Option<CertFacts>,
    /// Why the handshake or verification failed, in words.
    pub error: Option<String>,
}

/// Connects to `addr`, shakes hands as `host`, and reports what it saw.
pub async fn probe(
    host: &str,
    addr: SocketAddr,
    verifier: Arc<RecordingVerifier>,
    log: &CertLog,
    timeout: Duration,
) -> Probe {
    let config = match client_config(verifier, None) {
        Ok(c) => c,
        Err(e) => {
            return Probe {
                version: None,
                cert: None,
                error: Some(e.message().to_string()),
            };
        }
    };
    let name = match ServerName::try_from(host.to_string()) {
        Ok(n) => n,
        Err(_) => {
            return Probe {
                version: None,
                cert: None,
                error: Some(format!("`{host}` is not a valid host name")),
            };
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| connect_words(&e, addr))?;
        connector.connect(name, tcp).await.map_err(|e| {
            match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                Some(r) => describe_tls_error(
                    r,
                    host,
                    log.get(host).and_then(|d| CertFacts::parse(&d)).as_ref(),
                    unix_now(),
                ),
                None => format!("TLS handshake failed: {e}"),
            }
        })
    };
    let result = tokio::time::timeout(timeout, attempt).await;
    let cert = log.get(host).and_then(|d| CertFacts::parse(&d));
    match result {
        Err(_) => Probe {
            version: None,
            cert,
            error: Some(format!(
                "timeout after {} during the TLS handshake",
                crate::http::secs(timeout)
            )),
        },
        Ok(Err(e)) => Probe {
            version: None,
            cert,
            error: Some(e),
        },
        Ok(Ok(stream)) => {
            let version = match stream.get_ref().1.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => Some(TlsVersion::V1_3),
                Some(rustls::ProtocolVersion::TLSv1_2) => Some(TlsVersion::V1_2),
                _ => None,
            };
            Probe {
                version,
                cert,
                error: None,
            }
        }
    }
}

pub fn connect_words(e: &std::io::Error, addr: SocketAddr) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => format!("connection refused by {addr}"),
        std::io::ErrorKind::TimedOut => format!("connection to {addr} timed out"),
        _ => format!("cannot connect to {addr}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(names: &[&str]) -> CertFacts {
        CertFacts {
            subject: "CN=x".into(),
            issuer: "CN=ca".into(),
            dns_names: names.iter().map(|s| s.to_string()).collect(),
            not_after: 10 * 86_400,
            not_before: 0,
        }
    }

    #[test]
    fn wildcard_covers_one_label() {
        let f = facts(&["*.example.com", "example.com"]);
        assert!(f.covers("www.example.com"));
        assert!(f.covers("example.com"));
        assert!(!f.covers("a.b.example.com"));
        assert!(!f.covers("other.example"));
    }

    #[test]
    fn days_left_rounds_down_and_goes_negative() {
        let f = facts(&[]);
        assert_eq!(f.days_left(0), 10);
        assert_eq!(f.days_left(86_400 * 10 + 1), -1);
        assert_eq!(f.days_left(86_400 * 13), -3);
    }
}
