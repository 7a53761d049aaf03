//! The real parts of the tests: dkimpy (from PyPI) signs, openssl makes keys, the DNS
//! gate's responder serves them on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use launchgate_dns::responder::{DnsServer, Zone};
use launchgate_mail::VerifyOptions;

/// What the tests install from PyPI (`.ci/run` installs the same): the DKIM signer, the
/// SMTP server and the IMAP server of the round trip.
pub const PYPI: &[&str] = &[
    "dkimpy==1.1.8",
    "authres==1.2.0",
    "aiosmtpd==1.4.6",
    "pymap==0.36.7",
];

/// The sending address of the loopback world's provider, listed in its SPF records.
pub const PROVIDER_IP: &str = "192.0.2.10";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The Python of a venv holding dkimpy, installed on first use (as `.ci/run` does).
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = target_dir().join("ci-tools/mail-venv");
        let python = venv.join("bin/python");
        let ready = Command::new(&python)
            .args(["-c", "import dkim, authres, aiosmtpd, pymap"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ready {
            run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
            run(Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(PYPI));
        }
        python
    })
}

fn run(command: &mut Command) -> Vec<u8> {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// An RSA key pair made now: the private key file and the `p=` value of its DNS record.
pub struct Key {
    pub pem: PathBuf,
    pub public: String,
}

pub fn rsa_key(dir: &Path, name: &str, bits: u32) -> Key {
    let pem = dir.join(format!("{name}.pem"));
    run(Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&pem)
        .arg(bits.to_string()));
    let public = run(Command::new("openssl")
        .args(["rsa", "-pubout", "-in"])
        .arg(&pem)
        .stderr(Stdio::null()));
    let public = String::from_utf8(public)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    Key { pem, public }
}

/// `message` signed by dkimpy with `key` as `d=domain; s=selector`.
pub fn sign(message: &str, key: &Key, domain: &str, selector: &str, length: bool) -> String {
    let mut command = Command::new(python());
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/sign.py"))
        .arg(&key.pem)
        .args([domain, selector]);
    if length {
        command.arg("--length");
    }
    filter(command, message)
}

/// `message` with an ARC set added by dkimpy, as the forwarder `domain` adds it after
/// checking the message as `authserv_id`.
pub fn arc_seal(message: &str, key: &Key, domain: &str, selector: &str, authserv_id: &str) -> String {
    let mut command = Command::new(python());
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/arc_seal.py"))
        .arg(&key.pem)
        .args([domain, selector, authserv_id]);
    filter(command, message)
}

/// Runs `command` with `message` on its standard input; its output.
fn filter(mut command: Command, message: &str) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python from the dkimpy venv");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "dkimpy: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A password-reset message from `from`, with a text and an HTML part, CRLF line ends.
pub fn reset_message(from: &str, link: &str) -> String {
    let domain = from.rsplit_once('@').unwrap().1;
    [
        &format!("From: Membership <{from}>"),
        "To: seed@inbox.example",
        "Subject: Reset your password",
        "Date: Thu, 03 Dec 2026 10:00:00 +0000",
        &format!("Message-ID: <reset-1@{domain}>"),
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative; boundary=\"b1\"",
        "",
        "--b1",
        "Content-Type: text/plain; charset=utf-8",
        "",
        &format!("Reset your password: {link}"),
        "--b1",
        "Content-Type: text/html; charset=utf-8",
        "",
        &format!("<p><a href=\"{link}\">Reset your password</a></p>"),
        "--b1--",
        "",
    ]
    .join("\r\n")
}

/// What the receiving server adds on top of a signed message: the envelope sender and
/// the `Received` header naming the address it came from.
pub fn received(signed: &str, return_path: &str, ip: &str) -> String {
    format!(
        "Return-Path: <{return_path}>\r\nReceived: from out.provider.example (out.provider.example [{ip}])\r\n\tby mx.inbox.example with ESMTPS id 4f1a; Thu, 03 Dec 2026 10:00:02 +0000\r\n{signed}"
    )
}

/// The loopback world: the product's domain and the mail provider's.
pub struct World {
    pub dir: tempfile::TempDir,
    pub own: Key,
    pub provider: Key,
    pub weak: Key,
    pub dns: DnsServer,
}

impl World {
    pub fn start(extra: impl FnOnce(&mut Zone)) -> World {
        let dir = tempfile::tempdir().unwrap();
        let own = rsa_key(dir.path(), "own", 2048);
        let provider = rsa_key(dir.path(), "provider", 2048);
        let weak = rsa_key(dir.path(), "weak", 1024);
        let mut zone = Zone::new();
        zone.txt("membership.example", &format!("v=spf1 ip4:{PROVIDER_IP} ~all"))
            .txt("_dmarc.membership.example", "v=DMARC1; p=quarantine")
            .txt(
                "s1._domainkey.membership.example",
                &format!("v=DKIM1; k=rsa; p={}", own.public),
            )
            .txt(
                "old._domainkey.membership.example",
                &format!("v=DKIM1; k=rsa; p={}", weak.public),
            )
            .txt(
                "bounces.provider.example",
                &format!("v=spf1 ip4:{PROVIDER_IP} -all"),
            )
            .txt("_dmarc.provider.example", "v=DMARC1; p=none")
            .txt(
                "pm._domainkey.provider.example",
                &format!("v=DKIM1; k=rsa; p={}", provider.public),
            );
        extra(&mut zone);
        let dns = DnsServer::start(zone);
        World {
            dir,
            own,
            provider,
            weak,
            dns,
        }
    }

    /// Writes `text` as a saved message.
    pub fn save(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn options(&self) -> VerifyOptions {
        VerifyOptions {
            sending_domain: Some("membership.example".into()),
            nameservers: vec![self.dns.url()],
            timeout: Duration::from_millis(500),
            attempts: 1,
            deadline: Duration::from_secs(10),
            ..VerifyOptions::default()
        }
    }

    /// A password-reset message from no-reply@membership.example linking to `link`, signed
    /// by `key` as `d=domain; s=selector`, then received from `ip` with `return_path`.
    pub fn delivered(&self, link: &str, signer: (&Key, &str, &str), return_path: &str, ip: &str) -> String {
        let message = reset_message("no-reply@membership.example", link);
        let (key, domain, selector) = signer;
        received(&sign(&message, key, domain, selector, false), return_path, ip)
    }

    /// The aligned, passing message: signed as membership.example, sent from the listed address.
    pub fn aligned(&self) -> String {
        let message = reset_message(
            "no-reply@membership.example",
            "https://app.membership.example/reset?token=k7Q2xV9pL4mN8rT1",
        );
        received(
            &sign(&message, &self.own, "membership.example", "s1", false),
            "bounce@membership.example",
            PROVIDER_IP,
        )
    }
}

/// The 1-based line of the first line of `text` starting with `prefix`.
pub fn line_of(text: &str, prefix: &str) -> u32 {
    text.lines().position(|l| l.starts_with(prefix)).expect(prefix) as u32 + 1
}
