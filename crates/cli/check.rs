//! `launchgate check`: every configured gate, run in parallel, one combined report; its
//! HTML, Markdown and JSON carry the launch report shaped by the `report:` section.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use launchgate_core::config::ConfigFile;
use launchgate_core::launch::{Launch, LaunchSettings};
use launchgate_core::output::{OutputArgs, OutputTarget, emit_with};
use launchgate_core::render::Format;
use launchgate_core::{Error, ExitStatus, Gate, Report};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The configuration file (default: launchgate.yml or launchgate.yaml in --root).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,

    /// The repository root the gates look at.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    /// Run only these gates (comma-separated), of those configured.
    #[arg(long, value_delimiter = ',', value_name = "GATE", value_enum)]
    only: Vec<Gate>,

    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: CheckArgs) -> ExitStatus {
    ExitStatus::or_printed_error(run_inner(&args))
}

fn run_inner(args: &CheckArgs) -> Result<ExitStatus, Error> {
    let targets = args.output.targets()?;
    let config = required_config(args.config.as_deref(), &args.root)?;
    let settings = LaunchSettings::from_config(&config)?;
    let reports = run_configured(&config, &args.root, &args.only)?;
    let launch = launch_of(&config, settings, &targets);
    Ok(emit_with(&reports, &targets, args.output.fail_on, Some(&launch)))
}

/// The launch report's inputs: the settings, and the deployment maps when a format that
/// shows them (HTML, Markdown, JSON) is asked for. A map that cannot be drawn is said on
/// standard error and left out; the dns gate reports what is wrong.
pub fn launch_of(config: &ConfigFile, settings: LaunchSettings, targets: &[OutputTarget]) -> Launch {
    let shows_map = targets
        .iter()
        .any(|t| matches!(t.format, Format::Html | Format::Markdown | Format::Json));
    let maps = if shows_map {
        launchgate_map::for_launch_report(config, settings.map).unwrap_or_else(|e| {
            e.eprint();
            Vec::new()
        })
    } else {
        Vec::new()
    };
    Launch { settings, maps }
}

/// The file named with `--config`, or launchgate.yml in `root`; its absence is an error
/// saying how to write one.
pub fn required_config(explicit: Option<&Path>, root: &Path) -> Result<ConfigFile, Error> {
    ConfigFile::discover(explicit, root)?.ok_or_else(|| {
        Error::input(format!("no launchgate.yml in {}", root.display()))
            .with_help("run `launchgate init` to write a starter file, or name one with --config")
    })
}

/// Runs every gate configured in `config` (or only those named in `only`), in parallel,
/// and returns one report per gate in the file's order. A gate that cannot run yields a
/// report with its error; a configuration without gates is an error.
pub fn run_configured(config: &ConfigFile, root: &Path, only: &[Gate]) -> Result<Vec<Report>, Error> {
    let mut gates: Vec<Gate> = config
        .sections()?
        .iter()
        .filter_map(|name| Gate::from_name(name))
        .collect();
    if !only.is_empty() {
        gates.retain(|g| only.contains(g));
    }
    if gates.is_empty() {
        return Err(
            Error::input(format!("{} configures no gate", config.display_name()))
                .with_help("add a section such as `secrets: {}` (see `launchgate init`)"),
        );
    }
    Ok(std::thread::scope(|scope| {
        let handles: Vec<_> = gates
            .iter()
            .map(|&gate| scope.spawn(move || run_gate(gate, config, root)))
            .collect();
        handles
            .into_iter()
            .zip(&gates)
            .map(|(h, gate)| {
                h.join()
                    .unwrap_or_else(|_| Report::failed_to_run(gate.name(), "the gate stopped unexpectedly"))
            })
            .collect()
    }))
}

/// Runs one gate from its section; a gate that cannot run becomes a report with an error,
/// so the combined run exits 2 and still shows what the other gates found.
fn run_gate(gate: Gate, config: &ConfigFile, root: &Path) -> Report {
    let start = Instant::now();
    let result = gate_report(gate, config, root);
    match result {
        Ok(mut report) => {
            if report.duration_ms == 0 {
                report.duration_ms = start.elapsed().as_millis() as u64;
            }
            report
        }
        Err(e) => {
            e.eprint();
            Report::failed_to_run(gate.name(), e.one_line())
        }
    }
}

/// The gate behind a section of launchgate.yml, run through its library.
fn gate_report(gate: Gate, config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    match gate {
        Gate::Secrets => launchgate_secrets::check_configured(config, root),
        Gate::Env => launchgate_env::check_configured(config, root),
        Gate::Budget => launchgate_budget::check_configured(config, root),
        Gate::Smoke => launchgate_smoke::check_configured(config, root),
        Gate::Dns => launchgate_dns::check_configured(config, root),
        Gate::Mail => launchgate_mail::check_configured(config, root),
    }
}
