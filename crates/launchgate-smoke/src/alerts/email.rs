//! Alerts by email through an SMTP relay, with STARTTLS (required, never skipped), TLS from
//! the first byte, or no encryption for a relay on this machine.

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::{AlertEvent, SEND_TIMEOUT};
use crate::spec::SmtpTls;

/// A resolved `smoke.alerts.email`.
#[derive(Clone)]
pub struct EmailTarget {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub credentials: Option<(String, String)>,
    /// Extra CA certificates to trust (`--ca-cert`).
    pub ca_certs: Vec<PathBuf>,
}

// The password stays out of debug output.
impl std::fmt::Debug for EmailTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("to", &self.to.len())
            .finish_non_exhaustive()
    }
}

impl EmailTarget {
    /// Sends the event as a plain-text message. Blocking: call it off the async runtime.
    pub fn send(&self, event: &AlertEvent) -> Result<(), String> {
        let mut message = Message::builder().from(self.from.clone()).subject(event.title());
        for to in &self.to {
            message = message.to(to.clone());
        }
        let body = if event.firing {
            event.message()
        } else {
            format!("{}\n\nAll checks pass again.", event.title())
        };
        let message = message
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build the message: {e}"))?;
        let transport = self.transport()?;
        transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| format!("{}:{}: {e}", self.host, self.port))
    }

    fn transport(&self) -> Result<SmtpTransport, String> {
        let tls = match self.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(self.tls_parameters()?),
            SmtpTls::Implicit => Tls::Wrapper(self.tls_parameters()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(SEND_TIMEOUT));
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }

    fn tls_parameters(&self) -> Result<TlsParameters, String> {
        let mut params = TlsParameters::builder(self.host.clone());
        for path in &self.ca_certs {
            let pem = launchgate_core::bounded::read_file(
                path,
                crate::limits::MAX_CA_FILE_BYTES,
                "a CA certificate file",
            )
            .map_err(|e| e.message().to_string())?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|_| format!("--ca-cert {}: no PEM certificate in it", path.display()))?;
            params = params.add_root_certificate(cert);
        }
        params
            .build_rustls()
            .map_err(|e| format!("cannot set up TLS for {}: {e}", self.host))
    }
}
