//! SPF and DMARC evaluation against the test responder on 127.0.0.1.
//!
//! `cold` builds a fresh resolver each iteration, so every lookup is a real UDP round trip
//! to the responder; `cached` reuses one resolver, measuring evaluation over cached answers.
//! Run: `cargo bench -p launchgate-dns --bench email_auth`.

#[path = "../tests/dns/server.rs"]
#[allow(dead_code)]
mod server;
#[path = "../tests/dns/zones.rs"]
#[allow(dead_code)]
mod zones;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use launchgate_dns::config::{DmarcConfig, DnsConfig, EmailConfig, SpfConfig};
use launchgate_dns::resolve::{Dns, ResolverSettings};
use launchgate_dns::{CheckOptions, ResolverSpec, dmarc, spf};

fn settings(url: &str) -> ResolverSettings {
    ResolverSettings {
        spec: ResolverSpec::Servers(vec![url.to_string()]),
        timeout: Duration::from_secs(2),
        attempts: 1,
    }
}

fn bench(c: &mut Criterion) {
    let server = server::DnsServer::start(zones::world());
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let spf_config = SpfConfig::default();
    let dmarc_config = DmarcConfig::default();

    // 12 lookups through four levels of includes: 17 queries in all.
    c.bench_function("spf/nested-12-lookups/cold", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let dns = Dns::new(&settings(&url)).unwrap();
                spf::check(&dns, "lookups.test", &spf_config).await
            })
        })
    });
    let cached = runtime.block_on(async { Dns::new(&settings(&url)).unwrap() });
    c.bench_function("spf/nested-12-lookups/cached", |b| {
        b.iter(|| runtime.block_on(spf::check(&cached, "lookups.test", &spf_config)))
    });
    // p=none, pct, bad alignment and an external rua with its authorisation lookup.
    c.bench_function("dmarc/broken/cold", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let dns = Dns::new(&settings(&url)).unwrap();
                dmarc::check(&dns, "broken.test", &dmarc_config).await
            })
        })
    });
    // The whole gate on good.test: records, SPF, DMARC, DKIM probe, TLS-RPT, CAA.
    let config = DnsConfig {
        domain: "good.test".into(),
        email: Some(EmailConfig {
            mta_sts: launchgate_dns::config::Requirement::Off,
            ..EmailConfig::default()
        }),
        caa: Some(Default::default()),
        ..DnsConfig::default()
    };
    let options = CheckOptions {
        nameservers: vec![url.clone()],
        ..CheckOptions::default()
    };
    c.bench_function("gate/good-domain/cold", |b| {
        b.iter(|| {
            runtime
                .block_on(launchgate_dns::check_async(&config, &options))
                .unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
