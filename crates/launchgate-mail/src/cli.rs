//! `launchgate-mail` / `launchgate mail`: the command line.

use std::path::PathBuf;

use clap::{ArgMatches, Args, Parser, Subcommand};
use launchgate_core::output::{OutputArgs, emit};
use launchgate_core::{ByteSize, Error, ExitStatus, TimeSpan};

use crate::{Kind, VerifyOptions, rules, verify};

/// Prove that mail arrives authenticated: DKIM, SPF, DMARC and ARC of real messages, and
/// what mailbox providers require of their content.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "launchgate-mail",
    version,
    after_help = "Exit codes: 0 passed, 1 findings at or above --fail-on, 2 usage or input error (a message that cannot be read, a bad name server)."
)]
pub struct Command {
    #[command(subcommand)]
    pub action: Option<Action>,

    /// List the rules this gate reports, and exit.
    #[arg(long)]
    pub list_rules: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Action {
    /// Authenticate saved messages (.eml, as the receiving mailbox stored them) and check
    /// their content.
    Verify(VerifyArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Saved messages, with the receiving server's Received and Authentication-Results headers.
    #[arg(value_name = "MESSAGE.eml", required = true)]
    pub messages: Vec<PathBuf>,

    /// Ask this name server instead of the system resolver; repeatable.
    /// Forms: udp://127.0.0.1:5353, tcp://[::1]:53, 9.9.9.9.
    #[arg(long = "nameserver", value_name = "ADDR")]
    pub nameservers: Vec<String>,

    /// The domain every From address must be at.
    #[arg(long, value_name = "DOMAIN")]
    pub sending_domain: Option<String>,

    /// Transactional or bulk; bulk mail must offer one-click unsubscribe.
    #[arg(long, value_enum, default_value = "transactional")]
    pub kind: Kind,

    /// How long to wait for one DNS answer, as in `2s` or `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "3s")]
    pub timeout: TimeSpan,

    /// How long authenticating one message may take in all.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub deadline: TimeSpan,

    /// Report messages larger than this, as in `102 kB`.
    #[arg(long, value_name = "SIZE", default_value = "102000")]
    pub max_size: ByteSize,

    /// A link host allowed besides the sending domain (a click-tracking domain); repeatable.
    #[arg(long = "link-domain", value_name = "DOMAIN")]
    pub link_domains: Vec<String>,
}

/// Runs the command; errors are printed and give exit code 2.
pub fn run(cmd: Command, matches: &ArgMatches) -> ExitStatus {
    ExitStatus::or_printed_error(execute(cmd, matches))
}

fn execute(cmd: Command, matches: &ArgMatches) -> Result<ExitStatus, Error> {
    if cmd.list_rules {
        launchgate_core::output::write_stdout(rules::SET.list().as_bytes())?;
        return Ok(ExitStatus::Passed);
    }
    let targets = cmd.output.targets(matches)?;
    let Some(Action::Verify(args)) = cmd.action else {
        return Err(Error::input("say what to do: `verify MESSAGE.eml…`")
            .with_help("for example `launchgate mail verify reset.eml --sending-domain example.com`"));
    };
    if args.timeout.0.is_zero() || args.deadline.0.is_zero() {
        return Err(Error::input("--timeout and --deadline must be longer than zero")
            .with_help("for example `--timeout 2s --deadline 20s`"));
    }
    let options = VerifyOptions {
        sending_domain: args
            .sending_domain
            .map(|d| d.trim_end_matches('.').to_ascii_lowercase()),
        kind: args.kind,
        nameservers: args.nameservers,
        timeout: args.timeout.0,
        deadline: args.deadline.0,
        size_limit: args.max_size.bytes(),
        link_domains: args.link_domains,
        ..VerifyOptions::default()
    };
    let report = verify(&args.messages, &options)?;
    Ok(emit(&[report], &targets, cmd.output.fail_on))
}
