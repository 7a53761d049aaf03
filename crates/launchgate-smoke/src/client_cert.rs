//! Client certificates for servers that require mutual TLS: a PEM certificate chain and
//! its private key, read (bounded) and checked before the run.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::limits::MAX_CA_FILE_BYTES;
use launchgate_core::bounded::read_file;

/// Which file of a `client_cert` an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Cert,
    Key,
}

/// A certificate chain and the private key of its first certificate.
pub struct ClientIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Clone for ClientIdentity {
    fn clone(&self) -> Self {
        ClientIdentity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

// The key stays out of debug output.
impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// Reads `cert` (one or more `CERTIFICATE` blocks, the client's first) and `key` (a
    /// PKCS#8, PKCS#1 or SEC1 private key), each at most [`MAX_CA_FILE_BYTES`], and checks
    /// that the key belongs to the certificate.
    pub fn load(cert: &Path, key: &Path) -> Result<ClientIdentity, (Part, String)> {
        let cert_error = |m: String| (Part::Cert, m);
        let key_error = |m: String| (Part::Key, m);
        let cert_pem = read_file(cert, MAX_CA_FILE_BYTES, "a client certificate")
            .map_err(|e| cert_error(e.message().to_string()))?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|_| cert_error(format!("{}: not a PEM certificate file", cert.display())))?;
        if chain.is_empty() {
            return Err(cert_error(format!(
                "{}: no `-----BEGIN CERTIFICATE-----` block in it",
                cert.display()
            )));
        }
        let key_pem = read_file(key, MAX_CA_FILE_BYTES, "a client key")
            .map_err(|e| key_error(e.message().to_string()))?;
        // The parser's error could quote the key; name only the file.
        let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
            key_error(format!(
                "{}: no PEM private key in it (`-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)",
                key.display()
            ))
        })?;
        let identity = ClientIdentity { chain, key: key_der };
        let signing = crate::tls::provider()
            .key_provider
            .load_private_key(identity.key.clone_key())
            .map_err(|_| key_error(format!("{}: the key type is not supported", key.display())))?;
        rustls::sign::CertifiedKey::new(identity.chain.clone(), signing)
            .keys_match()
            .map_err(|_| {
                key_error(format!(
                    "{} is not the private key of {}",
                    key.display(),
                    cert.display()
                ))
            })?;
        Ok(identity)
    }
}
