//! Integration tests: messages signed now by dkimpy, keys and SPF/DMARC records served by
//! a DNS responder on 127.0.0.1, the gate run in-process and as a binary.

mod bad_input;
mod cli;
mod config;
mod mailhost;
mod oauth;
mod roundtrip;
mod support;
mod tabs;
mod tls;
mod verify;

use launchgate_core::{Finding, Report};

/// The rule ids of the report's findings, sorted.
pub fn ids(report: &Report) -> Vec<&str> {
    let mut ids: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    ids.sort();
    ids
}

/// The one finding of `rule`.
pub fn finding<'a>(report: &'a Report, rule: &str) -> &'a Finding {
    let found: Vec<&Finding> = report.findings.iter().filter(|f| f.rule_id == rule).collect();
    assert_eq!(found.len(), 1, "one {rule} finding in {:#?}", report.findings);
    found[0]
}
