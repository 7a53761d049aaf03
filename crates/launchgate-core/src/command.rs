//! The one `main` of the gate binaries: clap parses the command line into the gate's typed
//! command, and the gate's library runs it. Nothing past this point sees clap's matches.

use std::process::ExitCode;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::rule::RuleSet;

/// A gate's command line, as its library runs it.
pub trait GateCommand: clap::Parser {
    /// Runs the command and renders its reports; an error is exit 2, printed by [`run`].
    ///
    /// [`run`]: GateCommand::run
    fn execute(self) -> Result<ExitStatus, Error>;

    /// The gate's rules when the command line asks for their list (`--list-rules`) instead
    /// of a run; `None` otherwise, and for a gate whose rules are listed another way.
    fn listed_rules(&self) -> Option<RuleSet<'static>> {
        None
    }

    /// Runs the command (or prints the rules it asked for), printing any error, and returns
    /// the exit status.
    fn run(self) -> ExitStatus {
        if let Some(rules) = self.listed_rules() {
            let printed = crate::output::write_stdout(rules.list().as_bytes());
            return ExitStatus::or_printed_error(printed.map(|_| ExitStatus::Passed));
        }
        ExitStatus::or_printed_error(self.execute())
    }
}

/// The `main` of every gate binary.
pub fn main<C: GateCommand>() -> ExitCode {
    C::parse().run().into()
}
