//! The membership app's launch, checked by every gate: starts the app's web server and its
//! DNS zone on 127.0.0.1, runs `launchgate check` on examples/membership-app through the
//! library, prints the combined report, stops the servers and exits with the report's code.
//!
//! ```console
//! $ cargo run --release --example membership-app
//! $ cargo run --release --example membership-app -- --format markdown -o report.md
//! $ cargo run --release --example membership-app -- --format html --output report.html
//! ```

mod demo;
mod http_server;
mod mail;
mod zone;

use std::process::ExitCode;

use clap::Parser;
use launchgate_core::ExitStatus;
use launchgate_core::output::{OutputArgs, emit_with};

/// Runs every launchgate gate on the membership-app example.
#[derive(Debug, Parser)]
#[command(name = "membership-app")]
struct Cli {
    #[command(flatten)]
    output: OutputArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match run(&cli) {
        Ok(status) => status,
        Err(e) => {
            e.eprint();
            ExitStatus::Error
        }
    };
    status.into()
}

fn run(cli: &Cli) -> Result<ExitStatus, launchgate_core::Error> {
    let targets = cli.output.targets()?;
    let servers = demo::start_servers()?;
    eprintln!(
        "membership-app: web server on http://{}, DNS for {} on udp://{}",
        servers.http.addr,
        zone::DOMAIN,
        servers.dns.addr
    );
    let reports = demo::run_gates(&demo::example_root());
    let launch = demo::launch(&demo::example_root(), &targets)?;
    drop(servers);
    Ok(emit_with(&reports?, &targets, cli.output.fail_on, Some(&launch)))
}
