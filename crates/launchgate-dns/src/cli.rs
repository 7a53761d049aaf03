//! `launchgate-dns` / `launchgate dns`: the command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use launchgate_core::config::ConfigFile;
use launchgate_core::output::{OutputArgs, emit};
use launchgate_core::{Error, ExitStatus, TimeSpan};

use crate::config::{self, CaaConfig, DnsConfig, EmailConfig};
use crate::{CheckOptions, check, rules};

/// Check a domain's DNS before launch: expected records, dangling CNAMEs, SPF, DKIM, DMARC,
/// MTA-STS, TLS-RPT and CAA.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "launchgate-dns",
    version,
    after_help = "Reads the `dns:` section of launchgate.yml. Exit codes: 0 passed, 1 findings at or above --fail-on, 2 usage, configuration or DNS error."
)]
pub struct Command {
    /// Configuration file [default: launchgate.yml or launchgate.yaml in the current directory].
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Check this domain instead of dns.domain; repeatable, for several domains in one
    /// report. Without a configuration file, checks their email authentication with
    /// default expectations.
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,

    /// Ask this name server instead of the configured resolver; repeatable.
    /// Forms: udp://127.0.0.1:5353, tcp://[::1]:53, 9.9.9.9.
    #[arg(long = "nameserver", value_name = "ADDR")]
    pub nameservers: Vec<String>,

    /// How long to wait for one DNS answer, as in `2s` or `500ms` [default: dns.timeout or 3s].
    #[arg(long, value_name = "DURATION", conflicts_with = "timeout_ms")]
    pub timeout: Option<TimeSpan>,

    /// The older spelling of --timeout, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout_ms: Option<u64>,

    /// How many times to send a query before calling it a timeout [default: dns.attempts or 2].
    #[arg(long, value_name = "N")]
    pub attempts: Option<usize>,

    /// Probe each MX host's SMTP port for STARTTLS and its certificate (dns.smtp.probe).
    /// Many CI networks block outgoing port 25: an unreachable host is a warning.
    #[arg(long)]
    pub smtp_probe: bool,

    /// The SMTP port to probe [default: dns.smtp.port or 25].
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub smtp_port: Option<u16>,

    /// Trust the CA certificates in this PEM file instead of the Mozilla roots (dns.smtp.ca).
    #[arg(long, value_name = "FILE")]
    pub smtp_ca: Option<PathBuf>,

    /// How long each step of the SMTP probe may take, as in `5s` [default: dns.smtp.timeout or 5s].
    #[arg(long, value_name = "DURATION", conflicts_with = "smtp_timeout_ms")]
    pub smtp_timeout: Option<TimeSpan>,

    /// The older spelling of --smtp-timeout, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub smtp_timeout_ms: Option<u64>,

    /// List the rules this gate reports, and exit.
    #[arg(long)]
    pub list_rules: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl launchgate_core::command::GateCommand for Command {
    fn listed_rules(&self) -> Option<launchgate_core::rule::RuleSet<'static>> {
        self.list_rules.then_some(rules::SET)
    }

    fn execute(self) -> Result<ExitStatus, Error> {
        execute(self)
    }
}

fn execute(cmd: Command) -> Result<ExitStatus, Error> {
    let targets = cmd.output.targets()?;
    config::check_timeout(cmd.timeout, cmd.timeout_ms)
        .and_then(|()| cmd.attempts.map_or(Ok(()), config::check_attempts))
        .map_err(|why| {
            Error::input(format!("--{}", why.replacen('_', "-", 1)))
                .with_help("for example `--timeout 2s --attempts 2`")
        })?;
    config::check_timeout(cmd.smtp_timeout, cmd.smtp_timeout_ms).map_err(|why| {
        Error::input(format!("--smtp-{}", why.replacen('_', "-", 1)))
            .with_help("for example `--smtp-timeout 5s`")
    })?;
    let cwd = std::env::current_dir()
        .map_err(|e| Error::input(format!("cannot read the current directory: {e}")))?;
    let file = ConfigFile::discover(cmd.config.as_deref(), &cwd)?;
    let section = match &file {
        Some(f) => config::load(f)?,
        None => None,
    };
    let mut dns = match section {
        Some(dns) => dns,
        None if !cmd.domains.is_empty() => DnsConfig {
            email: Some(EmailConfig::default()),
            caa: Some(CaaConfig::default()),
            ..DnsConfig::default()
        },
        None => {
            let message = match &file {
                Some(f) => format!("{} has no dns: section", f.display_name()),
                None => "no launchgate.yml here and no --domain given".to_string(),
            };
            return Err(Error::input(message).with_help(
                "add a `dns:` section with `domain: example.com` to launchgate.yml, or run `launchgate-dns --domain example.com`",
            ));
        }
    };
    if !cmd.domains.is_empty() {
        dns.domain = cmd.domains.clone().into();
    }
    dns.smtp.probe |= cmd.smtp_probe;
    if let Some(port) = cmd.smtp_port {
        dns.smtp.port = port;
    }
    if let Some(ca) = &cmd.smtp_ca {
        dns.smtp.ca = Some(ca.clone());
    }
    if cmd.smtp_timeout.is_some() || cmd.smtp_timeout_ms.is_some() {
        dns.smtp.timeout = cmd.smtp_timeout;
        dns.smtp.timeout_ms = cmd.smtp_timeout_ms;
    }
    let site_hosts = file.as_ref().map(config::site_hosts).unwrap_or_default();
    let options = CheckOptions {
        site_hosts,
        nameservers: cmd.nameservers.clone(),
        timeout: cmd
            .timeout
            .map(|t| t.0)
            .or(cmd.timeout_ms.map(Duration::from_millis)),
        attempts: cmd.attempts,
        ..CheckOptions::default()
    };
    let report = check(&dns, &options)?;
    Ok(emit(&[report], &targets, cmd.output.fail_on))
}
