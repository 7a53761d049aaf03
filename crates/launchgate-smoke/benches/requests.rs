//! 2,000 requests against a local HTTPS server, three ways: a bare reqwest client (the
//! floor), the gate's check path (request, cookie jar, expectations, redaction), and the
//! `launchgate-smoke` binary on a spec of 2,000 checks. The difference per request is the
//! gate's own overhead. hurl is run on the same server when it is installed.
//!
//! Run: `cargo bench -p launchgate-smoke --bench requests`

#[allow(dead_code)]
#[path = "../tests/smoke/server.rs"]
mod server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use launchgate_smoke::run::{RunOptions, Suite};
use launchgate_smoke::spec::SmokeSpec;
use server::{Handler, Pki, Response, Server};

const REQUESTS: usize = 2_000;

fn main() {
    let pki = Pki::new();
    let handler: Handler = Arc::new(|_req| {
        Response::new(200, "<html><body>Join the club</body></html>").header("Content-Type", "text/html")
    });
    let server = Server::start(handler, Some(pki.server_config()));
    let port = server.port();
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).expect("write ca");
    let url = format!("https://example.test:{port}/");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // The floor: a bare reqwest client, same TLS provider and roots, sequential.
    // Both loops run as spawned tasks, as the binary's checks do, so wake-ups stay on the
    // runtime's worker threads.
    let (bare_ca, bare_url) = (ca.clone(), url.clone());
    let bare = rt
        .block_on(rt.spawn(async move {
            let (ca, url) = (bare_ca, bare_url);
            let roots = launchgate_smoke::tls::root_store(std::slice::from_ref(&ca)).expect("roots");
            let config = rustls::ClientConfig::builder_with_provider(launchgate_smoke::tls::provider())
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            let client = reqwest::Client::builder()
                .tls_backend_preconfigured(config)
                .resolve("example.test", "127.0.0.1:0".parse().expect("addr"))
                .build()
                .expect("client");
            for _ in 0..20 {
                client
                    .get(&url)
                    .send()
                    .await
                    .expect("warm-up")
                    .bytes()
                    .await
                    .expect("body");
            }
            let start = Instant::now();
            for _ in 0..REQUESTS {
                let r = client.get(&url).send().await.expect("request");
                assert_eq!(r.status(), 200);
                r.bytes().await.expect("body");
            }
            start.elapsed()
        }))
        .expect("bare loop");

    // The gate's check path, in process: one check, run 2,000 times.
    let spec_yaml = format!(
        "base_url: https://example.test:{port}\nchecks:\n  - {{ name: home, get: /, expect: {{ status: 200, body_contains: Join, content_type: text/html }} }}\n"
    );
    let gate_ca = ca.clone();
    let gate = rt
        .block_on(rt.spawn(async move {
            let ca = gate_ca;
            let spec: SmokeSpec =
                launchgate_core::config::from_yaml_str("bench.yml", &spec_yaml).expect("spec");
            let mut options = RunOptions::default();
            options.client.ca_certs = vec![ca.clone()];
            options
                .client
                .resolve
                .insert("example.test".into(), "127.0.0.1".parse().expect("ip"));
            let check = spec.checks[0].clone();
            let suite = Suite::prepare(spec, &options, None).expect("suite");
            for _ in 0..20 {
                suite.run_check(&check).await;
            }
            let start = Instant::now();
            for _ in 0..REQUESTS {
                let o = suite.run_check(&check).await;
                assert_eq!(o.status(), launchgate_core::CheckStatus::Passed);
            }
            start.elapsed()
        }))
        .expect("gate loop");

    // The binary, end to end: 2,000 checks in one spec, one at a time and 8 at a time.
    let mut many = format!("base_url: https://example.test:{port}\nchecks:\n");
    for i in 0..REQUESTS {
        many.push_str(&format!(
            "  - {{ name: home {i}, get: /, expect: {{ status: 200, body_contains: Join }} }}\n"
        ));
    }
    let spec_path = dir.path().join("many.yml");
    std::fs::write(&spec_path, many).expect("write spec");
    let binary = env!("CARGO_BIN_EXE_launchgate-smoke");
    let run_binary = |jobs: &str| {
        let start = Instant::now();
        let out = std::process::Command::new(binary)
            .arg("--spec")
            .arg(&spec_path)
            .arg("--ca-cert")
            .arg(&ca)
            .args([
                "--resolve",
                "example.test:443:127.0.0.1",
                "--jobs",
                jobs,
                "--format",
                "json",
            ])
            .output()
            .expect("run binary");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        start.elapsed()
    };
    let binary_seq = run_binary("1");
    let binary_par = run_binary("8");

    let per = |d: Duration| d.as_secs_f64() * 1e6 / REQUESTS as f64;
    println!("{REQUESTS} sequential HTTPS requests to 127.0.0.1 (keep-alive):");
    println!(
        "  bare reqwest client           {:>8.1} ms total  {:>7.1} µs/request",
        bare.as_secs_f64() * 1e3,
        per(bare)
    );
    println!(
        "  gate check path (in process)  {:>8.1} ms total  {:>7.1} µs/request",
        gate.as_secs_f64() * 1e3,
        per(gate)
    );
    println!(
        "  gate overhead per request     {:>26.1} µs",
        per(gate) - per(bare)
    );
    println!(
        "  launchgate-smoke binary, --jobs 1 {:>6.1} ms total  {:>7.1} µs/request (incl. start-up, spec parse, report)",
        binary_seq.as_secs_f64() * 1e3,
        per(binary_seq)
    );
    println!(
        "  launchgate-smoke binary, --jobs 8 {:>6.1} ms total  {:>7.1} µs/request",
        binary_par.as_secs_f64() * 1e3,
        per(binary_par)
    );

    match std::process::Command::new("hurl").arg("--version").output() {
        Ok(o) if o.status.success() => {
            let mut file = String::new();
            for _ in 0..REQUESTS {
                file.push_str(&format!(
                    "GET https://example.test:{port}/\nHTTP 200\n[Asserts]\nbody contains \"Join\"\n\n"
                ));
            }
            let hurl_file = dir.path().join("bench.hurl");
            std::fs::write(&hurl_file, file).expect("write hurl file");
            let start = Instant::now();
            let out = std::process::Command::new("hurl")
                .arg("--test")
                .arg("--cacert")
                .arg(&ca)
                .args(["--resolve", &format!("example.test:{port}:127.0.0.1")])
                .arg(&hurl_file)
                .output()
                .expect("run hurl");
            let took = start.elapsed();
            println!(
                "  hurl --test                   {:>8.1} ms total  {:>7.1} µs/request (exit {:?})",
                took.as_secs_f64() * 1e3,
                per(took),
                out.status.code()
            );
        }
        _ => println!("  hurl: not installed here, not compared"),
    }
}
