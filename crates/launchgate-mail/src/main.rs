use clap::{CommandFactory, FromArgMatches};
use launchgate_mail::cli::{self, Command};

fn main() -> std::process::ExitCode {
    let matches = Command::command().get_matches();
    let cmd = Command::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli::run(cmd, &matches).into()
}
