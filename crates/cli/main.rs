//! `launchgate`: every gate behind one command, plus `check`, `init`, `hook` and
//! `completions`. This file only parses arguments and dispatches.

use launchgate::{check, handover, hook, init, map};

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use launchgate_core::ExitStatus;
use launchgate_core::command::GateCommand;

/// CI gates for launching a web product: exposed secrets, environment variables, budgets,
/// smoke tests and DNS.
///
/// Exit codes: 0 passed, 1 a gate failed, 2 usage, configuration or input error.
#[derive(Debug, Parser)]
#[command(name = "launchgate", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Find exposed keys in files, staged changes, commit ranges, history and logs.
    Secrets(launchgate_secrets::cli::Command),
    /// Validate environment variables per environment and lint .env files.
    Env(launchgate_env::cli::Command),
    /// Enforce bundle-size and Lighthouse budgets, and regressions against a baseline.
    Budget(launchgate_budget::cli::Command),
    /// Smoke-test a deployed site: status, redirects, TLS, headers, flows, latency.
    Smoke(launchgate_smoke::cli::Command),
    /// Check DNS records and email authentication (SPF, DKIM, DMARC, MTA-STS, CAA).
    Dns(launchgate_dns::cli::Command),
    /// Authenticate received mail (DKIM, SPF, DMARC, ARC) and check its content.
    Mail(launchgate_mail::cli::Command),
    /// Run every gate configured in launchgate.yml and print one combined report.
    Check(check::CheckArgs),
    /// Write a commented starter launchgate.yml for this repository.
    Init(init::InitArgs),
    /// Install git hooks that scan for secrets before commits and pushes.
    Hook(hook::HookArgs),
    /// Map where the domain's DNS, web traffic and mail go, discovered from DNS, HTTP and TLS.
    Map(map::MapArgs),
    /// Write or update HANDOVER.md: accounts, secret rotation, smoke suite, first hour.
    Handover(handover::HandoverArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Commands::Secrets(cmd) => cmd.run(),
        Commands::Env(cmd) => cmd.run(),
        Commands::Budget(cmd) => cmd.run(),
        Commands::Smoke(cmd) => cmd.run(),
        Commands::Dns(cmd) => cmd.run(),
        Commands::Mail(cmd) => cmd.run(),
        Commands::Check(args) => check::run(args),
        Commands::Init(args) => init::run(args),
        Commands::Hook(args) => hook::run(args),
        Commands::Map(args) => map::run(args),
        Commands::Handover(args) => handover::run(args),
        Commands::Completions { shell } => {
            // Generated whole first: the generator panics on a closed standard output.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "launchgate", &mut script);
            ExitStatus::or_printed_error(
                launchgate_core::output::write_stdout(&script).map(|_| ExitStatus::Passed),
            )
        }
    };
    status.into()
}
