//! `launchgate-mail` / `launchgate mail`: the command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use launchgate_core::config::ConfigFile;
use launchgate_core::output::{OutputArgs, emit};
use launchgate_core::{ByteSize, Error, ExitStatus, TimeSpan};
use launchgate_smoke::watch::WatchState;

use crate::{Kind, config, rules, verify_each};

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
    /// Make each configured message arrive (its HTTP trigger, or a test message through
    /// mail.smtp), wait for it in its seed inbox (IMAP, bounded by its `within`), report the
    /// time to inbox and the folder, then verify it.
    Roundtrip(RoundtripArgs),
}

#[derive(Debug, Clone, Args)]
pub struct RoundtripArgs {
    /// Configuration file [default: launchgate.yml or launchgate.yaml in the current directory].
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Keep consecutive-failure counts in FILE between scheduled runs (as the smoke watch).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Fail only after this many consecutive failed runs; earlier failures are warnings.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub fail_after: u32,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Saved messages, with the receiving server's Received and Authentication-Results
    /// headers [default: the `saved:` messages of the mail: section].
    #[arg(value_name = "MESSAGE.eml")]
    pub messages: Vec<PathBuf>,

    /// Configuration file [default: launchgate.yml or launchgate.yaml in the current directory].
    /// Its mail: section gives the defaults of the options below.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ask this name server instead of the system resolver; repeatable.
    /// Forms: udp://127.0.0.1:5353, tcp://[::1]:53, 9.9.9.9.
    #[arg(long = "nameserver", value_name = "ADDR")]
    pub nameservers: Vec<String>,

    /// The domain every From address must be at.
    #[arg(long, value_name = "DOMAIN")]
    pub sending_domain: Option<String>,

    /// Transactional or bulk; bulk mail must offer one-click unsubscribe
    /// [default: each configured message's kind, else transactional].
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,

    /// How long to wait for one DNS answer, as in `2s` or `500ms` [default: mail.timeout or 3s].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<TimeSpan>,

    /// How long authenticating one message may take in all [default: mail.deadline or 30s].
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<TimeSpan>,

    /// Report messages larger than this, as in `102 kB` [default: mail.max_size or 102000].
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<ByteSize>,

    /// A link host allowed besides the sending domain (a click-tracking domain); repeatable.
    #[arg(long = "link-domain", value_name = "DOMAIN")]
    pub link_domains: Vec<String>,
}

impl launchgate_core::command::GateCommand for Command {
    fn listed_rules(&self) -> Option<launchgate_core::rule::RuleSet<'static>> {
        self.list_rules.then_some(rules::SET)
    }

    fn execute(self) -> Result<ExitStatus, Error> {
        execute(self)
    }
}

fn execute(cmd: Command) -> Result<ExitStatus, Error> {
    let targets = cmd.output.targets()?;
    let args = match cmd.action {
        Some(Action::Verify(args)) => args,
        Some(Action::Roundtrip(args)) => {
            let cwd = std::env::current_dir()
                .map_err(|e| Error::input(format!("cannot read the current directory: {e}")))?;
            let file = ConfigFile::discover(args.config.as_deref(), &cwd)?;
            let section = file
                .as_ref()
                .map(config::load)
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    Error::input("the round trip needs a mail: section with inboxes and messages")
                        .with_help("see `launchgate init` for a commented mail: section")
                })?;
            if args.state.is_none() && args.fail_after > 1 {
                return Err(Error::input("--fail-after counts runs kept in a --state file")
                    .with_help("add `--state mail-state.json`, cached between scheduled runs"));
            }
            // Read before any mail is sent: a damaged file stops the run, not its end.
            let state = match &args.state {
                Some(path) => Some((path, WatchState::load_for(path, "launchgate-mail")?)),
                None => None,
            };
            let mut report = crate::roundtrip::roundtrip(&section)?;
            if let Some((path, state)) = state {
                record_run(&mut report, path, state, args.fail_after)?;
            }
            return Ok(emit(&[report], &targets, cmd.output.fail_on));
        }
        None => {
            return Err(
                Error::input("say what to do: `verify MESSAGE.eml…` or `roundtrip`")
                    .with_help("for example `launchgate mail verify reset.eml --sending-domain example.com`"),
            );
        }
    };
    if [args.timeout, args.deadline]
        .iter()
        .flatten()
        .any(|t| t.0.is_zero())
    {
        return Err(Error::input("--timeout and --deadline must be longer than zero")
            .with_help("for example `--timeout 2s --deadline 20s`"));
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Error::input(format!("cannot read the current directory: {e}")))?;
    let file = ConfigFile::discover(args.config.as_deref(), &cwd)?;
    let section = match &file {
        Some(f) => config::load(f)?,
        None => None,
    };
    let section = section.unwrap_or_default();
    let mut options = section.verify_options();
    if let Some(domain) = args.sending_domain {
        options.sending_domain = Some(domain.trim_end_matches('.').to_ascii_lowercase());
    }
    if !args.nameservers.is_empty() {
        options.nameservers = args.nameservers;
    }
    options.timeout = args.timeout.map_or(options.timeout, |t| t.0);
    options.deadline = args.deadline.map_or(options.deadline, |t| t.0);
    options.size_limit = args.max_size.map_or(options.size_limit, |s| s.bytes());
    options.link_domains.extend(args.link_domains);
    let messages: Vec<(PathBuf, Kind)> = if args.messages.is_empty() {
        section
            .messages
            .iter()
            .filter_map(|m| m.saved.clone().map(|p| (p, args.kind.unwrap_or(m.kind))))
            .collect()
    } else {
        let kind = args.kind.unwrap_or_default();
        args.messages.into_iter().map(|p| (p, kind)).collect()
    };
    if messages.is_empty() {
        return Err(Error::input("no message to verify").with_help(
            "name saved messages (`launchgate mail verify reset.eml`), or give mail.messages a `saved:` copy in launchgate.yml",
        ));
    }
    let report = verify_each(&messages, &options)?;
    Ok(emit(&[report], &targets, cmd.output.fail_on))
}

/// Counts this run in the state file; below `fail_after` failed runs in a row, its errors
/// are reported as warnings.
fn record_run(
    report: &mut launchgate_core::Report,
    path: &std::path::Path,
    mut state: WatchState,
    fail_after: u32,
) -> Result<(), Error> {
    use launchgate_smoke::watch::{Thresholds, apply_threshold};
    let failed = report.fails(launchgate_core::Severity::Error);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    state.record(
        failed,
        Thresholds {
            fail_after,
            success_after: 1,
        },
        now,
    );
    apply_threshold(report, failed, state.consecutive_failures, fail_after);
    state.save(path)
}
