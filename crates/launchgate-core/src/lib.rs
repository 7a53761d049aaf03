//! What every launchgate gate stands on.
//!
//! A gate turns its inputs into a [`Report`] of [`Finding`]s and [`Check`]s, about rules it
//! declares as [`Rule`]s, from settings whose durations and sizes are read as
//! [`TimeSpan`]s and [`ByteSize`]s. This crate owns that model,
//! the redaction of secrets ([`Secret`]), the one `launchgate.yml` file and its error
//! messages ([`config`]), the renderers behind `--format` ([`render`]), the atomic file
//! writes ([`atomic`]), the bounded reads of what users name ([`bounded`]), and the exit
//! codes every binary shares ([`ExitStatus`]).
//!
//! A gate's `main.rs` is [`command::main`]: clap parses the arguments into the gate's typed
//! command (with [`output::OutputArgs`] for the output flags), the gate's library runs it and
//! hands the reports to [`output::emit`], which renders them and decides the exit code. The
//! gates themselves are named once, by [`Gate`].

pub mod atomic;
pub mod bounded;
pub mod check;
pub mod command;
pub mod config;
pub mod deployment;
pub mod encoding;
pub mod error;
pub mod exit;
pub mod finding;
pub mod gate;
pub mod git;
pub mod launch;
pub mod output;
pub mod render;
pub mod report;
pub mod rule;
pub mod secret;
pub mod snippet;
pub mod units;
pub mod yaml;
pub mod yaml_nodes;

pub use check::{Check, CheckRun, CheckStatus};
pub use error::Error;
pub use exit::ExitStatus;
pub use finding::{Finding, Location, Severity};
pub use gate::Gate;
pub use report::{Report, RuleInfo, Table};
pub use rule::{Rule, RuleSet};
pub use secret::{RedactedSecret, Secret};
pub use units::{ByteSize, TimeSpan};

/// The version of the launchgate tools, as every renderer prints it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
