//! `launchgate map`: where the domain's DNS, web traffic and mail go, and who the domain
//! is registered with, discovered.

use std::path::PathBuf;

use clap::Args;

use launchgate_core::{Error, ExitStatus};
use launchgate_map::MapOptions;
use launchgate_map::render::{MapFormat, render};

#[derive(Debug, Args)]
pub struct MapArgs {
    /// The configuration file (default: launchgate.yml or launchgate.yaml in --root).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,

    /// The repository root.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    /// How to print the map.
    #[arg(long, value_enum, default_value = "human")]
    format: MapFormat,

    /// Write the map to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Ask DNS only: no HTTPS or HTTP request to the hosts, no RDAP query for the
    /// registrar.
    #[arg(long)]
    dns_only: bool,
}

pub fn run(args: MapArgs) -> ExitStatus {
    ExitStatus::or_printed_error(run_inner(&args))
}

fn run_inner(args: &MapArgs) -> Result<ExitStatus, Error> {
    let config = crate::check::required_config(args.config.as_deref(), &args.root)?;
    let options = MapOptions {
        probe_web: !args.dns_only,
        lookup_registrar: !args.dns_only,
        ..MapOptions::default()
    };
    let maps = launchgate_map::discover_configured(&config, &options)?;
    let text = render(&maps, args.format);
    match &args.output {
        Some(path) => launchgate_core::atomic::write_atomic(path, text.as_bytes())?,
        None => {
            launchgate_core::output::write_stdout(text.as_bytes())?;
        }
    }
    Ok(ExitStatus::Passed)
}
