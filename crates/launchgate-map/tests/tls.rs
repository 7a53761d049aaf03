//! The map reads the certificate a host presents: a CA and a leaf for `shop.test` made at
//! test time, served over TLS on 127.0.0.1 by a server that answers as Cloudflare's edge.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use launchgate_core::config::ConfigFile;
use launchgate_dns::responder::{DnsServer, Zone};
use launchgate_map::{MapOptions, discover_configured};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A CA's PEM and a server config whose leaf for `shop.test` expires in 30 days.
fn pki() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Map Test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["shop.test".to_string()]).unwrap();
    let now = time::OffsetDateTime::now_utc();
    leaf.not_before = now - time::Duration::days(1);
    leaf.not_after = now + time::Duration::days(30) + time::Duration::hours(1);
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let der_key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], der_key)
            .unwrap();
    (ca_cert.pem(), Arc::new(config))
}

/// Serves HTTPS on a free port of 127.0.0.1 until the test process ends.
fn https_server(config: Arc<rustls::ServerConfig>) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let mut request = [0u8; 2048];
                    let _ = tls.read(&mut request).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\nServer: cloudflare\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    port
}

#[test]
fn the_certificate_issuer_and_expiry_and_the_platform_behind_https_are_read() {
    let (ca_pem, config) = pki();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let mut zone = Zone::new();
    zone.a("shop.test", "127.0.0.1");
    let dns = DnsServer::start(zone);
    let config_file = ConfigFile {
        path: PathBuf::from("launchgate.yml"),
        source: format!(
            "dns:\n  domain: shop.test\n  resolver: [{}]\n  timeout: 1s\n  attempts: 1\n",
            dns.url()
        ),
    };
    let options = MapOptions {
        probe_web: true,
        // The registrar has its own test (registrar.rs); no RDAP query leaves the machine.
        lookup_registrar: false,
        https_port: https_server(config),
        http_port: 9,
        web_timeout: Duration::from_secs(3),
        ca_certs: vec![ca_file],
    };
    let maps = discover_configured(&config_file, &options).unwrap();
    let apex = &maps[0].hosts[0];
    let tls = apex.tls.as_ref().expect("the TLS probe ran");
    assert_eq!(tls.error, None);
    assert!(tls.issuer.as_deref().unwrap().contains("Map Test CA"), "{tls:?}");
    assert_eq!(tls.days_left, Some(30), "{tls:?}");
    let http = apex.http.as_ref().unwrap();
    assert!(http.url.starts_with("https://shop.test:"), "{http:?}");
    assert_eq!(http.status, Some(200), "{http:?}");
    assert_eq!(apex.platform.as_deref(), Some("Cloudflare"));
    assert_eq!(apex.platform_evidence.as_deref(), Some("response header server"));
}
