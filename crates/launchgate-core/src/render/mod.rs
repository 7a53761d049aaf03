//! The renderers behind `--format`. Each takes the reports of one run and returns text; the
//! caller decides where it goes ([`crate::output`]).
//!
//! No renderer sees a raw secret: findings only hold [`crate::RedactedSecret`]s.

mod escape;
mod github;
mod html;
mod human;
mod json;
mod junit;
mod launch_markdown;
mod map_svg;
mod markdown;
mod sarif;

use std::path::PathBuf;

use crate::exit::ExitStatus;
use crate::finding::Severity;
use crate::launch::{Launch, LaunchReport};
use crate::report::Report;

pub use escape::{inert_commands, is_unsafe, to_json_pretty, visible};
pub use github::{escape_data, escape_property, step_summary};
pub use json::{JSON_SCHEMA_VERSION, ReportFile};
pub use markdown::SUMMARY_LIMIT_BYTES;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Readable text with source positions and hints; colour only on a terminal.
    Human,
    /// The versioned JSON report (schema version 2).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub workflow commands (annotations); also appends a job summary.
    Github,
    /// Markdown, for pull-request comments.
    Markdown,
    /// JUnit XML, for CI test reporters.
    Junit,
    /// The launch report: one self-contained HTML page, readable offline and printable.
    Html,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::Junit,
        Format::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Html => "html",
        }
    }

    /// The format a file name implies, for `--output` given without `--format`.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".sarif") || name.ends_with(".sarif.json") {
            Some(Format::Sarif)
        } else if name.ends_with(".json") {
            Some(Format::Json)
        } else if name.ends_with(".md") || name.ends_with(".markdown") {
            Some(Format::Markdown)
        } else if name.ends_with(".xml") {
            Some(Format::Junit)
        } else if name.ends_with(".html") || name.ends_with(".htm") {
            Some(Format::Html)
        } else if name.ends_with(".txt") {
            Some(Format::Human)
        } else {
            None
        }
    }
}

/// What every renderer needs besides the reports.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Findings at or above this severity fail the gate.
    pub fail_on: Severity,
    /// ANSI colour in human output.
    pub color: bool,
    /// The folder paths are made relative to in GitHub annotations (`GITHUB_WORKSPACE`).
    pub workspace: Option<PathBuf>,
    /// The launch report's settings: with them, Markdown takes the launch report's layout
    /// and JSON gains its `launch` field (as `launchgate check` writes them). HTML is always
    /// the launch report.
    pub launch: Option<Launch>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            fail_on: Severity::Error,
            color: false,
            workspace: None,
            launch: None,
        }
    }
}

/// Renders the reports of one run in one format.
pub fn render(format: Format, reports: &[Report], options: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(reports, options),
        Format::Json => json::render(reports, options),
        Format::Sarif => sarif::render(reports, options),
        Format::Github => github::render(reports, options),
        Format::Markdown => match &options.launch {
            Some(launch) => launch_markdown::render(reports, &launch_report(reports, launch, options)),
            None => markdown::render(reports, options, None),
        },
        Format::Junit => junit::render(reports, options),
        Format::Html => {
            let launch = options.launch.clone().unwrap_or_default();
            html::render(reports, &launch_report(reports, &launch, options))
        }
    }
}

fn launch_report(reports: &[Report], launch: &Launch, options: &RenderOptions) -> LaunchReport {
    LaunchReport::build(reports, launch, options.fail_on)
}

/// The deployment map's rows as a Markdown table, each cell escaped to stay literal text:
/// what `launchgate map --format markdown` and the launch report's Markdown show.
pub fn deployment_table(map: &crate::deployment::DeploymentMap) -> String {
    let mut out = String::from("| what | where | provider |\n| --- | --- | --- |\n");
    for (what, place, provider) in deployment_rows(map) {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            markdown::cell(&what),
            markdown::cell(&place),
            markdown::cell(&provider)
        ));
    }
    out
}

/// The deployment map as rows of (what, where, provider): the table every format shows.
pub fn deployment_rows(map: &crate::deployment::DeploymentMap) -> Vec<(String, String, String)> {
    let known = |p: &Option<String>| p.clone().unwrap_or_else(|| "unknown".to_string());
    let mut rows = Vec::new();
    let servers = if map.dns.name_servers.is_empty() {
        map.dns.problem.clone().unwrap_or_default()
    } else {
        map.dns.name_servers.join(", ")
    };
    rows.push(("DNS".to_string(), servers, known(&map.dns.provider)));
    if let Some(registration) = &map.registration {
        rows.push((
            "registrar".to_string(),
            registration.summary(),
            known(&registration.registrar),
        ));
    }
    for host in &map.hosts {
        let mut place = if host.resolves {
            let mut parts = host
                .cname_chain
                .iter()
                .map(|c| format!("CNAME {c}"))
                .collect::<Vec<_>>();
            parts.push(host.addresses.join(", "));
            parts.join(" → ")
        } else {
            host.problem
                .clone()
                .unwrap_or_else(|| "does not resolve".to_string())
        };
        if let Some(tls) = &host.tls {
            match (&tls.issuer, &tls.error) {
                (Some(issuer), None) => {
                    let expires = tls.expires.as_deref().unwrap_or("?");
                    place.push_str(&format!("; TLS by {issuer}, expires {expires}"));
                }
                (_, Some(error)) => place.push_str(&format!("; TLS: {error}")),
                _ => {}
            }
        }
        let provider = match (&host.platform, &host.platform_evidence) {
            (Some(p), Some(evidence)) => format!("{p} (from {evidence})"),
            (p, _) => known(p),
        };
        rows.push((host.name.clone(), place, provider));
    }
    for mx in &map.mail.mx {
        rows.push((
            format!("mail (MX {})", mx.preference),
            mx.host.clone(),
            known(&mx.provider),
        ));
    }
    for sender in &map.mail.senders {
        rows.push((
            "sender (SPF)".to_string(),
            sender.name.clone(),
            known(&sender.provider),
        ));
    }
    rows.push((
        "DKIM selectors".to_string(),
        map.mail.dkim_selectors.join(", "),
        String::new(),
    ));
    for report in &map.mail.dmarc_reports {
        rows.push((
            "DMARC reports".to_string(),
            report.name.clone(),
            known(&report.provider),
        ));
    }
    rows
}

/// The verdict of one report under `fail_on`.
pub(crate) fn verdict(report: &Report, fail_on: Severity) -> ExitStatus {
    ExitStatus::of(std::slice::from_ref(report), fail_on)
}

/// "2 errors, 1 warning" — the counts in words, omitting zeros.
pub(crate) fn counts_in_words(report: &Report) -> String {
    let c = report.counts();
    let mut parts = Vec::new();
    for (n, word) in [(c.error, "error"), (c.warning, "warning"), (c.note, "note")] {
        if n > 0 {
            parts.push(format!("{n} {word}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        "no findings".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::deployment_rows;
    use crate::deployment::{DeploymentMap, DnsHosting, Mail, Registration};

    #[test]
    fn the_registrar_row_follows_dns_when_it_was_looked_up() {
        let mut map = DeploymentMap {
            domain: "shop.test".into(),
            dns: DnsHosting::default(),
            hosts: Vec::new(),
            mail: Mail::default(),
            registration: None,
        };
        let whats =
            |map: &DeploymentMap| -> Vec<String> { deployment_rows(map).into_iter().map(|r| r.0).collect() };
        assert_eq!(whats(&map), ["DNS", "DKIM selectors"]);
        map.registration = Some(Registration {
            rdap_server: "https://rdap.test/".into(),
            problem: Some("timeout after 5 s".into()),
            ..Registration::default()
        });
        assert_eq!(
            deployment_rows(&map)[1],
            (
                "registrar".to_string(),
                "RDAP https://rdap.test/: registrar not found (timeout after 5 s)".to_string(),
                "unknown".to_string()
            )
        );
    }
}
