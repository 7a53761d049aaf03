//! `launchgate`: every gate behind one command, plus `check`, `init` and `completions`.
//!
//! The gates are linked as libraries; nothing here shells out to the gate binaries.

mod check;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use launchgate_core::ExitStatus;

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
    /// Run every gate configured in launchgate.yml and print one combined report.
    Check(check::CheckArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let status = match cli.command {
        Commands::Check(args) => check::run(args, &matches),
        Commands::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "launchgate", &mut std::io::stdout());
            ExitStatus::Passed
        }
    };
    status.into()
}
