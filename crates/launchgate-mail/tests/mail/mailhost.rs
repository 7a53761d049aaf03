//! The receiving mail host of the round-trip tests (mailhost.py): aiosmtpd and pymap on
//! 127.0.0.1, with TLS listeners when given a certificate made at test time (rcgen).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

use crate::support::{PROVIDER_IP, python};

/// The seed mailbox's password.
pub const PASSWORD: &str = "seed-app-password-7Hq2";
/// The one OAuth2 access token pymap takes for the seed mailbox (XOAUTH2).
pub const TOKEN: &str = "ya29.seed-access-token-Qm4Tz8";

/// aiosmtpd and pymap, stopped when dropped.
pub struct MailHost {
    child: Child,
    /// Holds the SASL log and the search log.
    dir: tempfile::TempDir,
    pub smtp: u16,
    pub imap: u16,
    pub http: u16,
    /// With a certificate: IMAP over TLS from the first byte, SMTP requiring STARTTLS,
    /// SMTP over TLS from the first byte.
    pub tls: Option<TlsPorts>,
}

pub struct TlsPorts {
    pub imaps: u16,
    pub starttls: u16,
    pub smtps: u16,
}

impl MailHost {
    pub fn start(folder: &str) -> MailHost {
        Self::launch(folder, None, &[])
    }

    /// With TLS listeners presenting `cert`.
    pub fn start_tls(folder: &str, cert: &ServerCert) -> MailHost {
        Self::launch(folder, Some(cert), &[])
    }

    /// pymap speaking Gmail's IMAP extension (X-GM-EXT-1) when `gmail`, and each message
    /// delivered with `category` as its inbox tab (an X-Test-Category header) when given.
    pub fn start_gmail(folder: &str, gmail: bool, category: Option<&str>) -> MailHost {
        let mut extra = Vec::new();
        if gmail {
            extra.push("--gmail");
        }
        if let Some(category) = category {
            extra.extend(["--category", category]);
        }
        Self::launch(folder, None, &extra)
    }

    fn launch(folder: &str, cert: Option<&ServerCert>, extra: &[&str]) -> MailHost {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Process::new(python());
        command
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/mailhost.py"))
            .args(["--user", "seed@inbox.example", "--password", PASSWORD])
            .args(["--token", TOKEN, "--folder", folder])
            .arg("--sasl-log")
            .arg(dir.path().join("sasl.log"))
            .arg("--search-log")
            .arg(dir.path().join("search.log"))
            .args(["--received-ip", PROVIDER_IP])
            .args(extra);
        if let Some(cert) = cert {
            command.arg("--cert").arg(&cert.chain).arg("--key").arg(&cert.key);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the mail host");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports: Vec<u16> = line
            .split_whitespace()
            .skip(1)
            .map(|p| p.parse().unwrap())
            .collect();
        let expected = if cert.is_some() { 6 } else { 3 };
        assert_eq!(ports.len(), expected, "mailhost.py said {line:?}");
        MailHost {
            child,
            dir,
            smtp: ports[0],
            imap: ports[1],
            http: ports[2],
            tls: cert.map(|_| TlsPorts {
                imaps: ports[3],
                starttls: ports[4],
                smtps: ports[5],
            }),
        }
    }
}

impl MailHost {
    /// How clients answered the IMAP server's XOAUTH2 error challenge, one line each.
    pub fn sasl_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sasl.log")).unwrap_or_default()
    }

    /// Each X-GM-RAW query clients asked, one line each: `searched: QUERY`, or
    /// `refused: QUERY` from a server without Gmail's extension.
    pub fn search_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("search.log")).unwrap_or_default()
    }
}

impl Drop for MailHost {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// A certificate authority made now, and a server certificate for 127.0.0.1 it signed,
/// as PEM files.
pub struct ServerCert {
    /// The CA's certificate: what the gate is told to trust.
    pub ca: PathBuf,
    /// The server's certificate.
    pub chain: PathBuf,
    pub key: PathBuf,
}

impl ServerCert {
    /// Files in `dir`; the CA is called `ca_name`.
    pub fn make(dir: &Path, ca_name: &str) -> ServerCert {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, ca_name);
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let write = |name: &str, pem: String| {
            let path = dir.join(name);
            std::fs::write(&path, pem).unwrap();
            path
        };
        ServerCert {
            ca: write("test-ca.pem", ca_cert.pem()),
            chain: write("mailhost.pem", leaf.pem()),
            key: write("mailhost-key.pem", key.serialize_pem()),
        }
    }
}
