//! The SMTP probe: each MX host's addresses answer on the SMTP port, offer STARTTLS, and
//! complete a TLS handshake with a certificate that is current, trusted and names the MX
//! host. Opt-in (`dns.smtp.probe: true`), because many CI networks block port 25; a host
//! that cannot be reached is a warning that says so.

pub mod session;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use launchgate_core::{Error, Severity};
use rustls::CertificateError;
use serde_json::json;
use tokio::task::JoinSet;

use crate::advice::RecordFindings;
use crate::config::SmtpConfig;
use crate::resolve::Dns;
use launchgate_core::Report;
use session::{Failure, Probe, Secured};

/// The most addresses probed for one domain, over all its MX hosts.
pub const MAX_PROBES: usize = 16;
/// The largest CA file read.
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

type ProbeResult = Result<Secured, Failure>;

/// The probe's settings, with the trust already loaded, and what this run has learnt.
#[derive(Debug, Clone)]
pub struct Settings {
    pub port: u16,
    pub ehlo: String,
    pub timeout: Duration,
    pub tls: Arc<rustls::ClientConfig>,
    /// Each MX host and address asked once per run, however many domains share it, so a
    /// blocked port costs one timeout per address, not one per domain.
    probed: Arc<Mutex<HashMap<(String, SocketAddr), ProbeResult>>>,
}

impl Settings {
    fn probed(&self, host: &str, addr: SocketAddr) -> Option<ProbeResult> {
        let probed = self
            .probed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        probed.get(&(host.to_string(), addr)).cloned()
    }

    fn remember(&self, host: &str, addr: SocketAddr, result: &ProbeResult) {
        let mut probed = self
            .probed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        probed.insert((host.to_string(), addr), result.clone());
    }

    /// The settings of an enabled probe, `None` when it is off. A CA file that cannot be
    /// read or holds no certificate is an input error naming it.
    pub fn load(config: &SmtpConfig) -> Result<Option<Settings>, Error> {
        if !config.probe {
            return Ok(None);
        }
        let mut pems = Vec::new();
        if let Some(path) = &config.ca {
            let shown = path.display();
            let bad = |why: String| {
                Error::input(format!("dns.smtp.ca `{shown}`: {why}"))
                    .with_help("name a PEM file of CA certificates (`-----BEGIN CERTIFICATE-----`), or remove `ca` to trust the Mozilla roots")
            };
            let size = std::fs::metadata(path)
                .map_err(|e| bad(format!("cannot read it: {e}")))?
                .len();
            if size > MAX_CA_FILE_BYTES {
                return Err(bad(format!(
                    "the file has {size} bytes; a CA file may have at most {MAX_CA_FILE_BYTES}"
                )));
            }
            let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
            if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                return Err(bad("it holds no PEM certificate".into()));
            }
            pems.push(pem);
        }
        let tls = crate::trust::client_config(&pems).map_err(|why| {
            Error::input(format!("dns.smtp.ca: {why}"))
                .with_help("name a PEM file of CA certificates, or remove `ca` to trust the Mozilla roots")
        })?;
        Ok(Some(Settings {
            port: config.port,
            ehlo: config.ehlo.clone(),
            timeout: config.wait_timeout(),
            tls: Arc::new(tls),
            probed: Arc::default(),
        }))
    }
}

/// Probes every address of `hosts` (the domain's MX hosts) concurrently.
pub async fn check(dns: &Dns, domain: &str, hosts: &[String], settings: &Settings) -> Report {
    let mut out = Report::default();
    let mut targets = Vec::new();
    for host in hosts {
        for ip in dns.addresses(host).await {
            targets.push((host.clone(), ip));
        }
    }
    if targets.len() > MAX_PROBES {
        out.notes.push(format!(
            "{domain}: the MX hosts have {} addresses; the SMTP probe asked the first {MAX_PROBES}",
            targets.len()
        ));
        targets.truncate(MAX_PROBES);
    }
    let mut results: Vec<(usize, ProbeResult)> = Vec::new();
    let mut probes = JoinSet::new();
    for (index, (host, ip)) in targets.iter().enumerate() {
        let addr = SocketAddr::new(*ip, settings.port);
        if let Some(known) = settings.probed(host, addr) {
            results.push((index, known));
            continue;
        }
        let probe = Probe {
            host: host.clone(),
            ehlo: settings.ehlo.clone(),
            timeout: settings.timeout,
            tls: settings.tls.clone(),
        };
        probes.spawn(async move { (index, session::starttls(addr, &probe).await) });
    }
    while let Some(done) = probes.join_next().await {
        if let Ok((index, result)) = done {
            let (host, ip) = &targets[index];
            settings.remember(host, SocketAddr::new(*ip, settings.port), &result);
            results.push((index, result));
        }
    }
    // In the order of the MX records, whichever probe finished first.
    results.sort_by_key(|(index, _)| *index);
    let mut secured = Vec::new();
    for (index, result) in results {
        let (host, ip) = &targets[index];
        match result {
            Ok(s) => secured.push(format!("{host} ({ip}): {}", s.protocol)),
            Err(failure) => report(&mut out, domain, host, *ip, settings.port, failure),
        }
    }
    let detail = match (targets.is_empty(), secured.is_empty()) {
        (true, _) => "no MX host with an address to probe".to_string(),
        (false, true) => format!("no MX address completed STARTTLS on port {}", settings.port),
        (false, false) => secured.join(", "),
    };
    out.check_since("SMTP STARTTLS", 0, Some(detail));
    out
}

/// The finding for one address's failure.
fn report(out: &mut Report, domain: &str, host: &str, ip: IpAddr, port: u16, failure: Failure) {
    let subject = format!("{host}:{port} SMTP");
    let at = format!("MX host {host} ({ip}, port {port})");
    let fix_tls = format!(
        "install a certificate for {host} from a public CA (with its intermediate certificates) in the mail server, or point the MX record at your mail provider's host"
    );
    let (rule, severity, message, help) = match failure {
        Failure::Unreachable(why) => (
            "smtp.unreachable",
            Severity::Warning,
            format!(
                "cannot connect to {at}: {why}. Many CI networks and cloud providers block outgoing port 25, so this is a warning: it tells nothing about the server unless this machine can reach that port"
            ),
            "run the probe from a machine that can reach the port, or set `dns.smtp.probe: false` where it cannot".to_string(),
        ),
        Failure::NoStartTls(extensions) => (
            "smtp.no-starttls",
            Severity::Error,
            format!(
                "{at} does not offer STARTTLS (its EHLO reply lists {}): mail to {domain} travels unencrypted",
                match extensions.is_empty() {
                    true => "no extensions".to_string(),
                    false => extensions.join(", "),
                }
            ),
            format!("turn on STARTTLS in the mail server, with a certificate for {host}"),
        ),
        Failure::Tls(rustls::Error::InvalidCertificate(cert)) => {
            let (rule, what) = match cert {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    ("smtp.certificate-expired", "has expired")
                }
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                    ("smtp.certificate-name-mismatch", "does not name the MX host")
                }
                _ => ("smtp.certificate-untrusted", "is not trusted"),
            };
            (
                rule,
                Severity::Error,
                format!("the certificate of {at} {what} ({cert}); senders that verify it (under an MTA-STS policy in enforce mode) do not deliver"),
                fix_tls,
            )
        }
        Failure::Tls(other) => (
            "smtp.tls-handshake-failed",
            Severity::Error,
            format!("the TLS handshake with {at} failed after STARTTLS: {other}"),
            fix_tls,
        ),
        Failure::TlsIo(why) => (
            "smtp.tls-handshake-failed",
            Severity::Error,
            format!("the TLS handshake with {at} failed after STARTTLS: {why}"),
            fix_tls,
        ),
        Failure::TimedOut(step) => bad_reply(&at, format!("{} did not come within the timeout", step.describe())),
        Failure::Closed(step) => bad_reply(&at, format!("the server closed the connection before {}", step.describe())),
        Failure::Refused { step, reply } => bad_reply(&at, format!("{} was `{reply}`", step.describe())),
        Failure::Malformed { step, why } => bad_reply(&at, format!("{}: {why}", step.describe())),
    };
    let finding = out.add(rule, severity, &subject, message, help);
    finding.properties.insert("mx".into(), json!(host));
    finding.properties.insert("address".into(), json!(ip.to_string()));
}

fn bad_reply(at: &str, what: String) -> (&'static str, Severity, String, String) {
    (
        "smtp.bad-reply",
        Severity::Warning,
        format!(
            "{at} ended the SMTP conversation before TLS: {what}. A server may turn away unknown clients (a CI runner's address) while accepting mail from others"
        ),
        "check the mail server's logs for this connection, or probe from another network".to_string(),
    )
}
