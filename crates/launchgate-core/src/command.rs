//! The one `main` of the gate binaries: clap parses the command line into the gate's typed
//! command, and the gate's library runs it. Nothing past this point sees clap's matches.

use std::process::ExitCode;

use crate::error::Error;
use crate::exit::ExitStatus;

/// A gate's command line, as its library runs it.
pub trait GateCommand: clap::Parser {
    /// Runs the command and renders its reports; an error is exit 2, printed by [`run`].
    ///
    /// [`run`]: GateCommand::run
    fn execute(self) -> Result<ExitStatus, Error>;

    /// Runs the command, printing any error, and returns the exit status.
    fn run(self) -> ExitStatus {
        ExitStatus::or_printed_error(self.execute())
    }
}

/// The `main` of every gate binary.
pub fn main<C: GateCommand>() -> ExitCode {
    C::parse().run().into()
}
