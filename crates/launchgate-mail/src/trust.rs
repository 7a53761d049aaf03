//! Which certificates the round trip's IMAP and SMTP connections trust: the Mozilla roots
//! (the same on every machine), or the certificates of `mail.ca` instead, for servers with
//! a company or test CA. The same choice as the DNS gate's `dns.smtp.ca`.

use std::path::{Path, PathBuf};

use launchgate_core::Error;
use lettre::transport::smtp::client::{Certificate, CertificateStore, TlsParameters};

/// The largest CA file read.
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

const HELP: &str = "name a PEM file of CA certificates (`-----BEGIN CERTIFICATE-----`), or remove `ca` to trust the Mozilla roots";

/// The trusted certificates: empty for the Mozilla roots.
#[derive(Debug, Default, Clone)]
pub struct Trust {
    pem: Vec<u8>,
    file: Option<PathBuf>,
}

impl Trust {
    /// The Mozilla roots without `file`; else its certificates, checked now so that a bad
    /// file is an input error naming it before anything is sent.
    pub fn load(file: Option<&Path>) -> Result<Trust, Error> {
        let Some(file) = file else {
            return Ok(Trust::default());
        };
        let mut trust = Trust {
            pem: Vec::new(),
            file: Some(file.to_path_buf()),
        };
        trust.pem = launchgate_core::bounded::read_file(file, MAX_CA_FILE_BYTES, "a CA file")
            .map_err(|e| trust.bad(e.message().to_string()))?;
        if !trust.pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(trust.bad("it holds no PEM certificate".into()));
        }
        trust.rustls()?;
        Ok(trust)
    }

    /// An input error about the CA file.
    fn bad(&self, why: String) -> Error {
        let shown = self
            .file
            .as_deref()
            .map_or_else(String::new, |f| format!(" `{}`", f.display()));
        Error::input(format!("mail.ca{shown}: {why}")).with_help(HELP)
    }

    /// A rustls client configuration trusting these certificates (IMAP).
    pub fn rustls(&self) -> Result<rustls::ClientConfig, Error> {
        let pems: &[Vec<u8>] = if self.pem.is_empty() {
            &[]
        } else {
            std::slice::from_ref(&self.pem)
        };
        launchgate_dns::trust::client_config(pems).map_err(|why| self.bad(why))
    }

    /// lettre's TLS parameters for `host`, trusting these certificates (SMTP).
    pub fn smtp(&self, host: &str) -> Result<TlsParameters, Error> {
        let mut builder = TlsParameters::builder(host.to_string());
        if !self.pem.is_empty() {
            let cert = Certificate::from_pem(&self.pem).map_err(|e| self.bad(e.to_string()))?;
            builder = builder
                .certificate_store(CertificateStore::None)
                .add_root_certificate(cert);
        } else {
            builder = builder.certificate_store(CertificateStore::WebpkiRoots);
        }
        builder
            .build_rustls()
            .map_err(|e| self.bad(format!("cannot set up TLS for {host}: {e}")))
    }
}
