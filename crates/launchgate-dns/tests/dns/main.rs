//! Integration tests: a DNS responder (and, for MTA-STS, an HTTPS server) on 127.0.0.1,
//! serving good and broken domains; the gate checked in-process and as a binary.

mod cli;
mod dkim;
mod dmarc;
mod dnssec;
mod domains;
mod email_tls;
mod https;
mod loopback;
mod mail;
mod records;
mod server;
mod smtp;
mod smtp_server;
mod spf;
mod zones;

use std::path::PathBuf;
use std::time::Duration;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Finding, Report, Severity};
use launchgate_dns::{CheckOptions, check};

use server::DnsServer;

/// The world's responder.
pub fn world_server() -> DnsServer {
    DnsServer::start(zones::world())
}

/// Options pointing at `server`, with short timeouts so failure cases stay fast.
pub fn options(server: &DnsServer) -> CheckOptions {
    CheckOptions {
        nameservers: vec![server.url()],
        timeout: Some(Duration::from_millis(1000)),
        attempts: Some(1),
        ..CheckOptions::default()
    }
}

/// Runs the gate on a launchgate.yml text against `server`.
pub fn run_yaml(server: &DnsServer, yaml: &str) -> Report {
    run_with(yaml, options(server))
}

pub fn run_with(yaml: &str, options: CheckOptions) -> Report {
    let file = ConfigFile {
        path: PathBuf::from("launchgate.yml"),
        source: yaml.to_string(),
    };
    let config = launchgate_dns::config::load(&file)
        .unwrap()
        .expect("a dns: section");
    check(&config, &options).unwrap()
}

/// The rule ids of the findings at `severity` or above, sorted.
pub fn rules_at(report: &Report, severity: Severity) -> Vec<String> {
    let mut ids: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity >= severity)
        .map(|f| f.rule_id.clone())
        .collect();
    ids.sort();
    ids
}

/// The one finding with `rule_id`; fails the test when there is none or several.
pub fn only<'a>(report: &'a Report, rule_id: &str) -> &'a Finding {
    let found: Vec<&Finding> = report.findings.iter().filter(|f| f.rule_id == rule_id).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {rule_id}, got {found:#?}\nall: {:#?}",
        report.findings
    );
    found[0]
}
