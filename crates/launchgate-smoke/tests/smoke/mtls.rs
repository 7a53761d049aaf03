//! `client_cert`: a request presents a client certificate to a server on 127.0.0.1 that
//! requires one (mutual TLS), with certificates made at test time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::app::{Site, checks, findings, json_report, run};
use crate::server::{Handler, Response, Server};

/// A client CA, and a client certificate it issued, written as PEM files in `dir`.
struct ClientPki {
    ca_pem: String,
    cert: PathBuf,
    key: PathBuf,
}

fn client_pki(dir: &Path, name: &str) -> ClientPki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("{name} client CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, format!("{name} deploy bot"));
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let (cert_path, key_path) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}-key.pem")),
    );
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    ClientPki {
        ca_pem: ca_cert.pem(),
        cert: cert_path,
        key: key_path,
    }
}

/// A server for example.test (with the site's certificates) that serves only clients
/// holding a certificate from the CA in `client_ca_pem`.
fn mtls_server(site: &Site, client_ca_pem: &str) -> Server {
    let handler: Handler = Arc::new(|_req| Response::new(200, "internal dashboard"));
    Server::start(
        handler,
        Some(site.pki.server_config_requiring_client_cert(client_ca_pem)),
    )
}

#[test]
fn a_request_with_the_client_certificate_gets_in_and_others_do_not() {
    let site = Site::start();
    let good = client_pki(site.dir.path(), "good");
    let other = client_pki(site.dir.path(), "other");
    let server = mtls_server(&site, &good.ca_pem);
    let yaml = format!(
        r#"
base_url: https://example.test:{port}
checks:
  - {{ name: with cert, get: /, client_cert: {{ cert: "{c}", key: "{k}" }}, expect: {{ body_contains: dashboard }} }}
  - {{ name: without cert, get: / }}
  - {{ name: wrong cert, get: /, client_cert: {{ cert: "{oc}", key: "{ok}" }} }}
  - name: in a step
    steps:
      - {{ get: /, client_cert: {{ cert: "{c}", key: "{k}" }} }}
"#,
        port = server.port(),
        c = good.cert.display(),
        k = good.key.display(),
        oc = other.cert.display(),
        ok = other.key.display(),
    );
    // The site's CA signed the server certificate: --ca-cert trusts it.
    let mut cmd = site.cmd(&yaml);
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    let c = checks(&report);
    let status = |name: &str| c.iter().find(|x| x.0 == name).map(|x| x.1.clone()).unwrap();
    assert_eq!(status("with cert"), "passed", "{c:?}");
    assert_eq!(status("in a step"), "passed", "{c:?}");
    assert_eq!(status("without cert"), "failed", "{c:?}");
    assert_eq!(status("wrong cert"), "failed", "{c:?}");
    let f = findings(&report);
    assert_eq!(f.len(), 2, "{f:?}");
    let messages: Vec<&str> = f.iter().map(|x| x.2.as_str()).collect();
    // In TLS 1.3 the server refuses a missing certificate after the client's side of the
    // handshake is done, so the client may be sending its request when the alert arrives:
    // then the connection is reported closed instead. Either way the check fails.
    assert!(
        messages.contains(&"without cert: TLS error: the server refused the handshake (CertificateRequired)")
            || messages
                .iter()
                .any(|m| m.starts_with("without cert: error sending request") && m.contains("canceled")),
        "{f:?}"
    );
    assert!(
        messages.contains(&"wrong cert: TLS error: the server refused the handshake (UnknownCA)"),
        "{f:?}"
    );
}

#[test]
fn unusable_client_certificate_files_are_errors_at_their_line() {
    let site = Site::start();
    let good = client_pki(site.dir.path(), "good");
    let other = client_pki(site.dir.path(), "other");
    let bad = |cert: &Path, key: &Path| {
        let yaml = format!(
            "base_url: https://example.test\nchecks:\n  - {{ get: /, client_cert: {{ cert: \"{}\",\n      key: \"{}\" }} }}\n",
            cert.display(),
            key.display()
        );
        let (code, stdout, stderr) = run(&mut site.cmd(&yaml));
        assert_eq!(code, 2, "{stdout}{stderr}");
        stderr
    };
    let err = bad(&good.cert, &other.key);
    assert!(err.contains("is not the private key of"), "{err}");
    assert!(err.contains("smoke.yml:4:"), "{err}");
    let key_text = std::fs::read_to_string(&other.key).unwrap();
    let key_body = key_text.lines().nth(1).unwrap();
    assert!(!err.contains(key_body), "the key leaked: {err}");

    let err = bad(&good.key, &good.key);
    assert!(err.contains("no `-----BEGIN CERTIFICATE-----` block"), "{err}");
    assert!(err.contains("smoke.yml:3:"), "{err}");

    let err = bad(&good.cert, &site.dir.path().join("missing.pem"));
    assert!(err.contains("missing.pem"), "{err}");
    assert!(err.contains("smoke.yml:4:"), "{err}");

    let err = bad(&good.cert, &good.cert);
    assert!(err.contains("no PEM private key in it"), "{err}");
}
