//! The command line: `launchgate-secrets scan|logs|rules|baseline`, also embedded in the
//! umbrella as `launchgate secrets …`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use launchgate_core::output::{OutputArgs, emit};
use launchgate_core::{Error, ExitStatus, Finding, Location, Report, Severity, Table};

use crate::baseline::Baseline;
use crate::config::LoadedConfig;
use crate::history::HistoryArgs;
use crate::scan::{BaselineChoice, ScanOptions, Target, scan, scan_logs};
use launchgate_detect::rule_check::check_rules;
use launchgate_detect::rules::RuleSet;

/// Find credentials in files, staged changes and logs before they leak.
#[derive(Debug, Parser)]
#[command(name = "launchgate-secrets", version, about, long_about = None)]
pub struct Command {
    /// The configuration file (default: launchgate.yml in the current folder, if any).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: SecretsCommand,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Scan files and folders (default `.`), standard input (`-`), or the staged change.
    Scan(ScanArgs),
    /// Check logs for credentials, personal data and known secret values.
    Logs(LogsArgs),
    /// Check or list the detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Manage the baseline of accepted findings (fingerprints only).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Merge JSON reports of shards (`scan --history --shard K/N`) into one, without duplicates.
    Merge {
        /// JSON reports written with `--format json --output FILE`.
        #[arg(value_name = "REPORT", required = true)]
        reports: Vec<PathBuf>,
    },
}

/// What to scan and what to leave out.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Files or folders to scan; `-` reads standard input. With --staged, limits the
    /// staged change to these paths.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan what `git commit` would record: the added lines of the staged change.
    #[arg(long)]
    pub staged: bool,

    /// Also scan files that .gitignore, .ignore and git's excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Only scan files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Do not scan files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip files larger than this (bytes, or with a K, M or G suffix). Default 10M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    #[command(flatten)]
    pub history: HistoryArgs,

    /// In GitHub Actions: scan exactly this event's commits, read from GITHUB_EVENT_NAME and
    /// GITHUB_EVENT_PATH (a pull request's base..head, a push's before..after, a new branch's
    /// commits not on the default branch, the whole history on schedule and manual runs).
    #[arg(long, conflicts_with_all = ["staged", "history", "range"])]
    pub ci: bool,

    #[command(flatten)]
    pub baseline: BaselineArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BaselineArgs {
    /// The baseline file (default: secrets.baseline, else .launchgate/secrets-baseline.json).
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub baseline: Option<PathBuf>,

    /// Report baselined findings too.
    #[arg(long)]
    pub no_baseline: bool,
}

impl BaselineArgs {
    fn choice(&self) -> BaselineChoice {
        match (&self.baseline, self.no_baseline) {
            (_, true) => BaselineChoice::Ignore,
            (Some(p), false) => BaselineChoice::File(p.clone()),
            (None, false) => BaselineChoice::Configured,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Log files to check; `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Environment variables whose values must not appear in the logs, also base64- or
    /// URL-encoded or inside a Basic-auth header (comma-separated).
    #[arg(long, value_name = "NAME,…", value_delimiter = ',')]
    pub known_values_from_env: Vec<String>,

    #[command(flatten)]
    pub baseline: BaselineArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate every rule: its regex compiles, every example yields its secret, no negative
    /// example yields anything.
    Check {
        /// Check these rule files instead of the built-in and configured rules.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print every rule.
    List,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a baseline holding every current finding.
    Create(BaselineTarget),
    /// Add the current findings to the baseline.
    Update(BaselineTarget),
    /// Drop fingerprints that no current finding has.
    Prune(BaselineTarget),
}

#[derive(Debug, Clone, Args)]
pub struct BaselineTarget {
    #[command(flatten)]
    pub target: TargetArgs,

    /// The baseline file (default: secrets.baseline, else .launchgate/secrets-baseline.json).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// A size of at least one byte: bytes, or a whole number with K, M or G (binary units).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, factor) = match t.char_indices().last() {
        Some((i, c)) if c.eq_ignore_ascii_case(&'k') => (&t[..i], 1u64 << 10),
        Some((i, c)) if c.eq_ignore_ascii_case(&'m') => (&t[..i], 1 << 20),
        Some((i, c)) if c.eq_ignore_ascii_case(&'g') => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let digits = digits.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{s}` is not a size: write bytes, or a whole number with K, M or G, such as 10M"
        ));
    }
    match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(factor)) {
        Some(0) => Err(format!(
            "`{s}` would skip every file: give a size of at least one byte, such as 10M"
        )),
        Some(n) => Ok(n),
        None => Err(format!(
            "`{s}` is larger than this system can count ({} bytes at most)",
            u64::MAX
        )),
    }
}

/// Runs a parsed command and renders its report.
impl launchgate_core::command::GateCommand for Command {
    fn execute(self) -> Result<ExitStatus, Error> {
        let targets = self.output.targets()?;
        let report = report_for(&self)?;
        Ok(emit(&[report], &targets, self.output.fail_on))
    }
}

fn report_for(cmd: &Command) -> Result<Report, Error> {
    let cwd =
        std::env::current_dir().map_err(|e| Error::input(format!("cannot read the current folder: {e}")))?;
    let config = LoadedConfig::discover(cmd.config.as_deref(), &cwd)?;
    match &cmd.command {
        SecretsCommand::Scan(args) => {
            let mut report = scan_report(&config, &cwd, args)?;
            // A team's gitleaks files do not apply here: the report says so first.
            let notes = crate::foreign_configs::gitleaks_notes(&cwd, &config.base_dir);
            report.notes.splice(0..0, notes);
            Ok(report)
        }
        SecretsCommand::Merge { reports } => crate::history::merge_reports(reports),
        SecretsCommand::Logs(args) => Ok(scan_logs(
            &config,
            &args.files,
            &args.known_values_from_env,
            &args.baseline.choice(),
        )?
        .report),
        SecretsCommand::Rules(RulesCommand::Check { files }) => rules_check(&config, files),
        SecretsCommand::Rules(RulesCommand::List) => rules_list(&config),
        SecretsCommand::Baseline(command) => baseline(&config, command, &cwd),
    }
}

/// `scan` in each of its modes.
fn scan_report(config: &LoadedConfig, cwd: &std::path::Path, args: &ScanArgs) -> Result<Report, Error> {
    if args.ci {
        return ci_scan(config, cwd, args);
    }
    if args.history.is_requested() {
        let report = args
            .history
            .run(config, cwd, args.baseline.choice(), args.target.max_file_size)?;
        return report.ok_or_else(|| Error::input("no history or range was asked for"));
    }
    let mut options = scan_options(&args.target, cwd)?;
    options.baseline = args.baseline.choice();
    Ok(scan(config, &options)?.report)
}

/// `scan --ci`: the commits of this GitHub event, decided from the event itself.
fn ci_scan(config: &LoadedConfig, repo: &std::path::Path, args: &ScanArgs) -> Result<Report, Error> {
    use crate::ci_event::{ScanPlan, plan_from_env, rev_list_args};
    let plan = plan_from_env(None)?;
    let history = match &plan {
        ScanPlan::Nothing { .. } => {
            let mut report = Report::new("secrets");
            report.notes.push(format!("--ci: {}", plan.describe()));
            return Ok(report);
        }
        ScanPlan::History => {
            rev_list_args(repo, &plan)?;
            HistoryArgs {
                history: true,
                ..HistoryArgs::default()
            }
        }
        ScanPlan::Range { .. } | ScanPlan::NewBranch { .. } => {
            let range = match rev_list_args(repo, &plan)?.as_slice() {
                [range] => range.clone(),
                [head, not, reference] if not == "--not" => format!("{reference}..{head}"),
                other => {
                    return Err(Error::input(format!(
                        "cannot turn the event's commits ({}) into a range",
                        other.join(" ")
                    ))
                    .with_help("scan with --range BASE..HEAD instead"));
                }
            };
            HistoryArgs {
                range: Some(range),
                ..HistoryArgs::default()
            }
        }
    };
    let mut report = history
        .run(config, repo, args.baseline.choice(), args.target.max_file_size)?
        .ok_or_else(|| Error::input("--ci found nothing to scan"))?;
    report.notes.insert(0, format!("--ci: {}", plan.describe()));
    Ok(report)
}

fn scan_options(args: &TargetArgs, cwd: &std::path::Path) -> Result<ScanOptions, Error> {
    let target = if args.staged {
        if args.paths.iter().any(|p| p.as_os_str() == "-") {
            return Err(Error::input("--staged cannot read standard input (`-`)")
                .with_help("use `scan --staged` or `scan -`, not both"));
        }
        Target::Staged {
            dir: cwd.to_path_buf(),
            pathspecs: args.paths.clone(),
        }
    } else if args.paths.len() == 1 && args.paths[0].as_os_str() == "-" {
        Target::Stdin
    } else if args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::input("`-` (standard input) cannot be mixed with paths")
            .with_help("scan standard input on its own: `launchgate-secrets scan -`"));
    } else if args.paths.is_empty() {
        Target::Paths(vec![PathBuf::from(".")])
    } else {
        Target::Paths(args.paths.clone())
    };
    Ok(ScanOptions {
        target,
        no_ignore: args.no_ignore,
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        max_file_size: args.max_file_size,
        baseline: BaselineChoice::Configured,
    })
}

fn rules_check(config: &LoadedConfig, files: &[PathBuf]) -> Result<Report, Error> {
    let set = if files.is_empty() {
        let mut set = RuleSet::embedded_with_log_rules();
        for extra in &config.secrets.extra_rules {
            set.add_file(&config.base_dir.join(extra))?;
        }
        set
    } else {
        let mut set = RuleSet::default();
        for file in files {
            set.add_file(file)?;
        }
        set
    };
    let mut report = Report::new("secrets");
    for problem in check_rules(&set) {
        let message = match &problem.rule_id {
            Some(id) if !problem.message.contains(&format!("`{id}`")) => format!("{id}: {}", problem.message),
            _ => problem.message.clone(),
        };
        let location = match problem.line {
            Some(line) if line > 0 => Location::at(&problem.file, line, 1),
            _ => Location::file(&problem.file),
        };
        report.push(
            Finding::new("secrets.rule-invalid", Severity::Error, message)
                .at(location)
                .help("fix the rule so that `launchgate-secrets rules check` passes; every example must yield its secret and no negative example may match"),
        );
    }
    report.sort();
    report.inputs = set.files.clone();
    report.notes.push(format!(
        "checked {} rule(s) in {} file(s); {} problem(s)",
        set.rules.len(),
        set.files.len(),
        report.findings.len()
    ));
    Ok(report)
}

fn rules_list(config: &LoadedConfig) -> Result<Report, Error> {
    let mut set = config.rule_set(false)?;
    set.rules.sort_by(|a, b| a.spec.id.cmp(&b.spec.id));
    let mut report = Report::new("secrets");
    report.tables.push(Table {
        title: "Rules".to_string(),
        columns: ["id", "name", "confidence", "severity", "keywords"]
            .map(String::from)
            .to_vec(),
        rows: set
            .rules
            .iter()
            .map(|r| {
                vec![
                    r.spec.id.clone(),
                    r.spec.name.clone(),
                    r.spec.confidence.as_str().to_string(),
                    r.spec.severity.as_str().to_string(),
                    short_keywords(&r.spec.keywords),
                ]
            })
            .collect(),
    });
    report.notes.push(format!("{} rule(s)", set.rules.len()));
    Ok(report)
}

/// At most three keywords, so the table stays readable.
fn short_keywords(keywords: &[String]) -> String {
    let mut shown = keywords.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
    if keywords.len() > 3 {
        shown.push_str(&format!(" (+{})", keywords.len() - 3));
    }
    shown
}

fn baseline(
    config: &LoadedConfig,
    command: &BaselineCommand,
    cwd: &std::path::Path,
) -> Result<Report, Error> {
    let (target, path) = match command {
        BaselineCommand::Create(t) | BaselineCommand::Update(t) | BaselineCommand::Prune(t) => {
            (t, &t.baseline)
        }
    };
    let path = path.clone().unwrap_or_else(|| config.baseline_path());
    let existing = Baseline::load(&path)?;
    let mut options = scan_options(&target.target, cwd)?;
    // A version 1 baseline is applied during the scan, so its entries that still match are
    // known by their new fingerprints and carried over when the file is rewritten.
    options.baseline = match &existing {
        Some(b) if !b.sha256_fingerprints.is_empty() => BaselineChoice::File(path.clone()),
        _ => BaselineChoice::Ignore,
    };
    let result = scan(config, &options)?;
    let old_entries = existing.as_ref().map_or(0, |b| b.sha256_fingerprints.len());
    let current: Vec<String> = result
        .report
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .chain(result.sha256_matched.iter().cloned())
        .collect();
    let (baseline, verb) = match command {
        BaselineCommand::Create(_) => {
            if existing.is_some() {
                return Err(
                    Error::input(format!("{} already exists", path.display())).with_help(
                        "use `baseline update` to add findings or `baseline prune` to drop stale ones",
                    ),
                );
            }
            (
                Baseline {
                    path: path.clone(),
                    fingerprints: current.into_iter().collect(),
                    ..Baseline::default()
                },
                "created",
            )
        }
        BaselineCommand::Update(_) => {
            let mut b = existing.unwrap_or_else(|| Baseline {
                path: path.clone(),
                ..Baseline::default()
            });
            b.fingerprints.extend(current);
            (b, "updated")
        }
        BaselineCommand::Prune(_) => {
            let mut b = existing.ok_or_else(|| {
                Error::input(format!("{} does not exist", path.display()))
                    .with_help("create it with `launchgate-secrets baseline create`")
            })?;
            b.fingerprints.retain(|f| result.fingerprints.contains(f));
            b.fingerprints.extend(result.sha256_matched.iter().cloned());
            (b, "pruned")
        }
    };
    baseline.save()?;
    let mut report = Report::new("secrets");
    report.inputs = result.report.inputs;
    if old_entries > 0 {
        report.notes.push(format!(
            "rewrote a version 1 baseline: {} of its {old_entries} SHA-256 entries matched a current secret and were converted; the rest were dropped",
            result.sha256_matched.len(),
        ));
    }
    report.notes.push(format!(
        "baseline {} {verb}: {} fingerprint(s)",
        path.display(),
        baseline.fingerprints.len()
    ));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10M"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert!(parse_size("lots").unwrap_err().contains("lots"));
        // An overflow used to wrap to a tiny size that skipped every file.
        assert!(parse_size("17179869184G").unwrap_err().contains("larger than"));
        assert!(
            parse_size("18446744073709551616")
                .unwrap_err()
                .contains("larger than")
        );
        for skips_everything in ["0", "0K", "00M"] {
            assert!(parse_size(skips_everything).unwrap_err().contains("every file"));
        }
        for nonsense in ["10MB", "-1", "1.5M", "M", "", "10 K B", "+5"] {
            assert!(parse_size(nonsense).is_err(), "{nonsense}");
        }
    }
}
