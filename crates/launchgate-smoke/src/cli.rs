//! The command line: `launchgate-smoke [options]` runs the suite once; `launchgate-smoke
//! watch` runs it on an interval. The umbrella embeds [`Command`] as `launchgate smoke`.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use launchgate_core::output::{OutputArgs, emit};
use launchgate_core::{Error, ExitStatus, Report, Severity};

use crate::alerts::{AlertContext, AlertEvent, Alerts};
use crate::http::{ClientOptions, parse_resolve};
use crate::limits::{ByteSize, MAX_SPEC_BYTES, parse_byte_size};
use crate::run::{RunOptions, Suite};
use crate::vars::parse_variable;
use crate::watch::{SystemClock, Thresholds, WatchPlan, WatchState, apply_threshold, watch};
use launchgate_core::units::parse_duration;

/// Post-deploy smoke tests and uptime checks: status, redirects, TLS, security headers,
/// login flows and p95 latency.
#[derive(Debug, Parser)]
#[command(name = "launchgate-smoke", version, about)]
pub struct Command {
    #[command(subcommand)]
    pub mode: Option<Mode>,

    /// List the rules this gate reports, and exit.
    #[arg(long)]
    pub list_rules: bool,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum Mode {
    /// Run the suite repeatedly, for a bounded --count or --duration. Exits with the worst
    /// status of all runs.
    Watch(WatchArgs),
}

/// Where the spec comes from and how to connect.
#[derive(Debug, Clone, Args, Default)]
pub struct RunArgs {
    /// launchgate.yml to read the `smoke:` section from (default: ./launchgate.yml).
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "spec")]
    pub config: Option<PathBuf>,

    /// A spec file: a bare smoke spec, or a file with a `smoke:` section; `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE", global = true)]
    pub spec: Option<PathBuf>,

    /// Test this URL instead of the spec's base_url (a preview deploy, say).
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// Connect to ADDR for HOST, as curl does: test a deploy before DNS points at it.
    #[arg(long, value_name = "HOST:PORT:ADDR", global = true)]
    pub resolve: Vec<String>,

    /// Also trust the CA certificates in this PEM file (a private CA).
    #[arg(long, value_name = "FILE", global = true)]
    pub ca_cert: Vec<PathBuf>,

    /// Fail a check whose response body is larger than this (default 10MiB, at most 1GiB);
    /// replaces `defaults.max_body`.
    #[arg(long, value_name = "SIZE", global = true, value_parser = parse_byte_size)]
    pub max_body: Option<ByteSize>,

    /// Set `${NAME}` in the spec (before the environment is asked); repeatable. Values are
    /// redacted from all output, except where only a URL or host uses them.
    #[arg(long = "variable", value_name = "NAME=VALUE", global = true, value_parser = parse_variable)]
    pub variables: Vec<(String, String)>,

    /// Run only the check with this name (or `METHOD /path` for a check without one);
    /// repeatable. Site, latency, burst and rdap are skipped.
    #[arg(long = "check", value_name = "NAME", global = true)]
    pub checks: Vec<String>,

    /// Requests run concurrently across checks (default 8).
    #[arg(long, value_name = "N", global = true)]
    pub jobs: Option<usize>,

    /// Re-run the whole suite until it passes or this much time has passed (e.g. 5m).
    #[arg(long, value_name = "DURATION", global = true, value_parser = parse_duration)]
    pub wait_until_ready: Option<Duration>,

    /// Keep consecutive-failure counts in FILE between separate runs (for scheduled CI).
    #[arg(long, value_name = "FILE", global = true)]
    pub state: Option<PathBuf>,

    /// Fail only after this many consecutive failed runs (default 1).
    #[arg(long, value_name = "N", global = true, default_value_t = 1)]
    pub fail_after: u32,

    /// After an alert, declare recovery only after this many passing runs in a row
    /// (default 1).
    #[arg(long, value_name = "N", global = true, default_value_t = 1)]
    pub success_after: u32,

    /// POST a Slack-compatible JSON message here when the gate starts failing, and on recovery.
    #[arg(long, value_name = "URL", global = true)]
    pub notify: Option<String>,
}

/// `watch`: how long and how often.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Time between runs.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Stop after this many runs.
    #[arg(long, value_name = "N")]
    pub count: Option<u32>,

    /// Stop after this much time.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
}

impl launchgate_core::command::GateCommand for Command {
    fn listed_rules(&self) -> Option<launchgate_core::rule::RuleSet<'static>> {
        self.list_rules.then_some(crate::rules::SET)
    }

    fn execute(self) -> Result<ExitStatus, Error> {
        run_inner(self)
    }
}

fn run_inner(cmd: Command) -> Result<ExitStatus, Error> {
    let targets = cmd.output.targets()?;
    let fail_on = cmd.output.fail_on;
    let args = cmd.run;
    let plan = match &cmd.mode {
        Some(Mode::Watch(w)) => {
            if w.count.is_none() && w.duration.is_none() {
                return Err(Error::input("watch needs --count N or --duration D")
                    .with_help("for example `watch --interval 60s --duration 1h`"));
            }
            if w.interval.is_zero() {
                return Err(Error::input("--interval must be more than zero"));
            }
            WatchPlan {
                interval: w.interval,
                count: w.count,
                duration: w.duration,
            }
        }
        None => WatchPlan {
            interval: Duration::ZERO,
            count: Some(1),
            duration: None,
        },
    };
    if args.fail_after == 0 || args.success_after == 0 {
        return Err(Error::input(
            "--fail-after and --success-after must be at least 1",
        ));
    }
    let notify = match &args.notify {
        Some(raw) => Some(
            reqwest::Url::parse(raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    Error::input("--notify is not an http(s) URL")
                        .with_help("pass the incoming-webhook URL, e.g. from a secret")
                })?,
        ),
        None => None,
    };
    let (spec, file_name, text) = load_spec(&args)?;
    let options = run_options(&args)?;
    let mut spec = spec;
    if let Some(base) = &args.base_url {
        spec.base_url = base.clone();
    }
    let source = crate::run::SpecSource {
        file_name: &file_name,
        text: &text,
    };
    let alerts_spec = spec.alerts.clone();
    let suite = Arc::new(Suite::prepare(spec, &options, Some(source))?);
    let mut alerts = match &alerts_spec {
        Some(a) => Alerts::prepare(
            a,
            AlertContext {
                sources: &options.sources,
                redactor: suite.redactor(),
                ca_certs: &args.ca_cert,
                base_url: &suite.base_url_text(),
                source: Some(source),
            },
        )?,
        None => Alerts::default(),
    };
    if let Some(url) = notify {
        alerts.add_slack(url);
    }
    let runtime = runtime()?;
    let mut state = match &args.state {
        Some(p) => WatchState::load(p)?,
        None => WatchState::default(),
    };
    let base = suite.base_url_text();
    // The exit code is the worst of every run's, so one failed run in a watch is not hidden
    // by a later pass (below --fail-after a failed run is reported as warnings, not failed).
    let mut worst_status = ExitStatus::Passed;
    let last_failures: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let last_failed_checks: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let mut clock = SystemClock::default();
    let mut io_error: Option<Error> = None;
    let fail_after = args.fail_after;
    let thresholds = Thresholds {
        fail_after,
        success_after: args.success_after,
    };
    watch(
        plan,
        &mut clock,
        &mut state,
        thresholds,
        |state| {
            let mut report = runtime.block_on(run_until_ready(&suite, args.wait_until_ready));
            let failed = report.error.is_some() || report.fails(Severity::Error);
            *last_failures.borrow_mut() = report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.message.clone())
                .collect();
            *last_failed_checks.borrow_mut() = report
                .checks
                .iter()
                .filter(|c| c.status == launchgate_core::CheckStatus::Failed)
                .map(|c| c.name.clone())
                .collect();
            apply_threshold(
                &mut report,
                failed,
                state.consecutive_failures.saturating_add(u32::from(failed)),
                fail_after,
            );
            if !failed && state.alerting {
                let passes = state.consecutive_successes.saturating_add(1);
                if passes < thresholds.success_after {
                    report.notes.push(format!(
                        "passing run {passes} of {} in a row after the alert; recovery is declared at {}",
                        thresholds.success_after, thresholds.success_after
                    ));
                }
            }
            worst_status = worst_status.max(emit(&[report], &targets, fail_on));
            failed
        },
        |event, state| {
            let alert = AlertEvent::new(
                event,
                &base,
                state,
                &last_failed_checks.borrow(),
                &last_failures.borrow(),
                suite.redactor(),
            );
            if let Some(alert) = alert {
                for warning in runtime.block_on(alerts.send(&alert, suite.client())) {
                    eprintln!("warning: {}", suite.redactor().redact(&warning));
                }
            }
            if let Some(p) = &args.state
                && let Err(e) = state.save(p)
            {
                io_error = Some(e);
            }
        },
    );
    if let Some(p) = &args.state {
        state.save(p)?;
    }
    if let Some(e) = io_error {
        return Err(e);
    }
    Ok(worst_status)
}

async fn run_until_ready(suite: &Arc<Suite>, wait: Option<Duration>) -> Report {
    let started = std::time::Instant::now();
    loop {
        let report = suite.run().await;
        let passed = report.error.is_none() && !report.fails(Severity::Error);
        let Some(wait) = wait else { return report };
        let left = wait.saturating_sub(started.elapsed());
        if passed || left.is_zero() {
            let mut report = report;
            if !passed {
                report
                    .notes
                    .push(format!("still failing after waiting {}", crate::http::secs(wait)));
            }
            return report;
        }
        tokio::time::sleep(Duration::from_secs(1).min(left)).await;
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))
}

fn run_options(args: &RunArgs) -> Result<RunOptions, Error> {
    let mut client = ClientOptions {
        ca_certs: args.ca_cert.clone(),
        max_body: args.max_body,
        ..ClientOptions::default()
    };
    for entry in &args.resolve {
        let (host, _port, ip) = parse_resolve(entry)?;
        client.resolve.insert(host, ip);
    }
    if args.jobs == Some(0) {
        return Err(Error::input("--jobs must be at least 1"));
    }
    Ok(RunOptions {
        client,
        concurrency: args.jobs,
        sources: crate::vars::Sources {
            variables: args.variables.iter().cloned().collect(),
        },
        only_checks: args.checks.clone(),
    })
}

/// Reads the spec from `--spec` (a file or `-` for standard input), `--config` or
/// ./launchgate.yml; returns it with the file name and text for error positions.
fn load_spec(args: &RunArgs) -> Result<(crate::spec::SmokeSpec, String, String), Error> {
    use launchgate_core::config::from_yaml_str;
    if let Some(path) = &args.spec {
        let file = read_spec_file(path)?;
        let name = file.display_name();
        let has_section = launchgate_core::yaml::parse::<
            std::collections::HashMap<String, serde::de::IgnoredAny>,
        >(&file.source)
        .is_ok_and(|top| top.contains_key("smoke"));
        let spec = if has_section {
            file.section("smoke")?
                .ok_or_else(|| Error::input(format!("{name} has an empty `smoke:` section")))?
        } else {
            from_yaml_str(&name, &file.source)?
        };
        return Ok((spec, name, file.source));
    }
    let found = match &args.config {
        Some(path) => Some(path.clone()),
        None => launchgate_core::config::FILE_NAMES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file()),
    };
    let file = found.map(|p| read_spec_file(&p)).transpose()?.ok_or_else(|| {
        Error::input("no launchgate.yml here and no --spec given")
            .with_help("add a `smoke:` section to launchgate.yml, or pass --spec FILE")
    })?;
    let name = file.display_name();
    let spec = file.section("smoke")?.ok_or_else(|| {
        Error::input(format!("{name} has no `smoke:` section")).with_help("add one with at least `base_url:`")
    })?;
    Ok((spec, name, file.source))
}

/// A spec or configuration file, or standard input for `-`, read whole up to
/// [`MAX_SPEC_BYTES`] and required to be UTF-8.
fn read_spec_file(path: &std::path::Path) -> Result<launchgate_core::config::ConfigFile, Error> {
    let (bytes, path) = if path == std::path::Path::new("-") {
        let bytes = launchgate_core::bounded::read_stdin(MAX_SPEC_BYTES, "a spec", None)?;
        (bytes, PathBuf::from("<stdin>"))
    } else {
        (
            launchgate_core::bounded::read_file(path, MAX_SPEC_BYTES, "a spec")?,
            path.to_path_buf(),
        )
    };
    let source = String::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "{} is not valid UTF-8 (from byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
        .with_help("save the spec as UTF-8")
    })?;
    Ok(launchgate_core::config::ConfigFile { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    /// The umbrella embeds `Command` as a subcommand variant; it must parse there too.
    #[derive(Debug, Parser)]
    struct Umbrella {
        #[command(subcommand)]
        gate: Gate,
    }

    #[derive(Debug, Subcommand)]
    enum Gate {
        Smoke(Command),
    }

    #[test]
    fn embeds_as_a_subcommand_of_the_umbrella() {
        Umbrella::command().debug_assert();
        let argv = [
            "launchgate",
            "smoke",
            "watch",
            "--count",
            "2",
            "--state",
            "s.json",
            "--format",
            "json",
        ];
        let matches = Umbrella::command().try_get_matches_from(argv).unwrap();
        let Gate::Smoke(cmd) = Umbrella::from_arg_matches(&matches).unwrap().gate;
        assert!(matches!(
            cmd.mode,
            Some(Mode::Watch(WatchArgs { count: Some(2), .. }))
        ));
        assert_eq!(cmd.run.state.as_deref(), Some(std::path::Path::new("s.json")));
        let targets = cmd.output.targets().unwrap();
        assert_eq!(targets[0].format, launchgate_core::render::Format::Json);
    }

    #[test]
    fn stands_alone_as_the_binary() {
        Command::command().debug_assert();
        let m = Command::command()
            .try_get_matches_from([
                "launchgate-smoke",
                "--resolve",
                "a:443:127.0.0.1",
                "--fail-after",
                "2",
            ])
            .unwrap();
        let cmd = Command::from_arg_matches(&m).unwrap();
        assert!(cmd.mode.is_none());
        assert_eq!(cmd.run.fail_after, 2);
    }
}
