//! Which certificates a TLS connection of the gate trusts: the Mozilla roots
//! (webpki-roots, the same on every machine), or PEM certificates the user names instead.

/// TLS with ring and, unless replaced, the Mozilla roots (the same trust on every machine).
pub fn client_config(pems: &[Vec<u8>]) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore::empty();
    if pems.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for pem in pems {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("a trusted certificate is not valid PEM: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("a trusted certificate cannot be used: {e}"))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
