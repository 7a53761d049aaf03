//! The command line: `launchgate-budget [INPUTS] [--baseline FILE]` and
//! `launchgate-budget snapshot FILE`, also embedded as `launchgate budget`.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use launchgate_core::config::ConfigFile;
use launchgate_core::output::OutputArgs;
use launchgate_core::render::ReportFile;
use launchgate_core::{Error, ExitStatus, atomic::write_atomic};

use crate::Inputs;
use crate::config::BudgetConfig;

/// Fail a pull request when pages got heavier or slower than allowed: Lighthouse, LHCI,
/// size-limit and bundlewatch budgets from the reports your tools already write, and
/// regressions against the base branch.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Command {
    #[command(subcommand)]
    pub action: Option<Action>,

    /// List the rules this gate reports, and exit.
    #[arg(long)]
    pub list_rules: bool,

    #[command(flatten)]
    pub inputs: InputArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Measure and write the baseline file (the JSON report) for later `--baseline` runs.
    Snapshot {
        /// Where to write the baseline, e.g. budget-baseline.json.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// What to read. Everything is auto-detected from launchgate.yml and its folder (the
/// current folder when there is none) when not given.
#[derive(Debug, Clone, Default, Args)]
pub struct InputArgs {
    /// Lighthouse results: LHR files (.json, .json.gz) or folders (.lighthouseci/). Repeatable.
    #[arg(long, value_name = "PATH", global = true)]
    pub lighthouse: Vec<PathBuf>,
    /// A build folder to measure raw, gzip and brotli (dist/, build/, .next/static).
    #[arg(long, value_name = "DIR", global = true)]
    pub build: Option<PathBuf>,
    /// An esbuild metafile (--metafile).
    #[arg(long, value_name = "FILE", global = true)]
    pub esbuild_metafile: Option<PathBuf>,
    /// A webpack stats.json (webpack --json).
    #[arg(long, value_name = "FILE", global = true)]
    pub webpack_stats: Option<PathBuf>,
    /// A Vite/Rollup manifest (dist/.vite/manifest.json).
    #[arg(long, value_name = "FILE", global = true)]
    pub vite_manifest: Option<PathBuf>,
    /// An LHCI config whose `ci.assert` to enforce (lighthouserc.json / .yml / .js).
    #[arg(long, value_name = "FILE", global = true)]
    pub lighthouserc: Option<PathBuf>,
    /// A Lighthouse budget.json to enforce (sizes in KiB, last matching path wins).
    #[arg(long, value_name = "FILE", global = true)]
    pub budget_json: Option<PathBuf>,
    /// A size-limit config to enforce: .size-limit.json, package.json (its "size-limit"), .size-limit.js.
    #[arg(long, value_name = "FILE", global = true)]
    pub size_limit: Option<PathBuf>,
    /// A bundlewatch config (bundlewatch.config.json, or package.json) to enforce.
    #[arg(long, value_name = "FILE", global = true)]
    pub bundlewatch: Option<PathBuf>,
    /// The JSON report of a base-branch run: fail on regressions against it.
    #[arg(long, value_name = "FILE", global = true)]
    pub baseline: Option<PathBuf>,
    /// Compressed sizes to compute for --build besides raw (default: gzip,brotli).
    #[arg(long, value_name = "LIST", value_delimiter = ',', global = true)]
    pub compressions: Vec<crate::build_files::Compression>,
    /// Apply only the inputs named by flags and launchgate.yml, none found in the project.
    #[arg(long, global = true)]
    pub no_discover: bool,
    /// launchgate.yml to read the `budget:` section from (default: ./launchgate.yml).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Compress every file again instead of reusing the sizes of unchanged files remembered
    /// in the cache folder ($LAUNCHGATE_SIZE_CACHE, else ~/.cache/launchgate/sizes).
    #[arg(long, global = true)]
    pub no_size_cache: bool,
}

impl InputArgs {
    /// The inputs: flags first, then launchgate.yml's `budget:` section, then what lies
    /// in the usual places of the current folder.
    pub fn resolve(&self, cwd: &Path) -> Result<Inputs, Error> {
        let mut inputs = Inputs {
            lighthouse: self.lighthouse.clone(),
            build: self.build.clone(),
            esbuild_metafile: self.esbuild_metafile.clone(),
            webpack_stats: self.webpack_stats.clone(),
            vite_manifest: self.vite_manifest.clone(),
            lighthouserc: self.lighthouserc.clone(),
            budget_json: self.budget_json.clone(),
            size_limit: self.size_limit.clone(),
            bundlewatch: self.bundlewatch.clone(),
            baseline: self.baseline.clone(),
            compressions: self.compressions.clone(),
            config: None,
            discovered: Vec::new(),
            no_discover: self.no_discover,
            env_secrets: Vec::new(),
            size_cache: if self.no_size_cache {
                crate::size_cache::SizeCache::off()
            } else {
                crate::size_cache::SizeCache::from_env()
            },
        };
        if let Some(baseline) = inputs.baseline.as_ref().filter(|b| !b.is_file()) {
            return Err(Error::input(format!("baseline {} does not exist", baseline.display()))
                .with_help("write it on the base branch with `launchgate-budget snapshot FILE` and restore it from the CI cache or artifact"));
        }
        // Inputs not given are found next to the config file, as `launchgate check` does.
        let mut discover_in = cwd.to_path_buf();
        if let Some(file) = ConfigFile::discover(self.config.as_deref(), cwd)? {
            let root = file
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| cwd.to_path_buf());
            let root = if root.as_os_str().is_empty() {
                cwd.to_path_buf()
            } else {
                root
            };
            if let Some(section) = file.section::<BudgetConfig>("budget")? {
                inputs.merge_config(section, &root);
            }
            inputs.add_env_secrets(&file, &root, std::env::vars_os())?;
            discover_in = root;
        }
        // Found files are named relative to the current folder when they lie in it.
        if discover_in == cwd {
            discover_in = PathBuf::new();
        }
        inputs.discover(&discover_in)?;
        Ok(inputs)
    }
}

impl launchgate_core::command::GateCommand for Command {
    fn listed_rules(&self) -> Option<launchgate_core::rule::RuleSet<'static>> {
        self.list_rules.then_some(crate::report::RULE_SET)
    }

    fn execute(self) -> Result<ExitStatus, Error> {
        execute(self)
    }
}

fn execute(cmd: Command) -> Result<ExitStatus, Error> {
    let targets = cmd.output.targets()?;
    let cwd =
        std::env::current_dir().map_err(|e| Error::input(format!("cannot read the current folder: {e}")))?;
    let inputs = cmd.inputs.resolve(&cwd)?;
    let report = crate::evaluate(&inputs)?;
    match cmd.action {
        Some(Action::Snapshot { file }) => {
            let document = ReportFile::new(std::slice::from_ref(&report), cmd.output.fail_on);
            let mut text = serde_json::to_string_pretty(&document)
                .map_err(|e| Error::input(format!("cannot serialise the baseline: {e}")))?;
            text.push('\n');
            write_atomic(&file, text.as_bytes())?;
            let count = report
                .tables
                .iter()
                .find(|t| t.title == crate::baseline::TABLE_TITLE)
                .map(|t| t.rows.len())
                .unwrap_or(0);
            eprintln!("wrote baseline {} ({count} measured values)", file.display());
            Ok(ExitStatus::Passed)
        }
        None => Ok(launchgate_core::output::emit(
            &[report],
            &targets,
            cmd.output.fail_on,
        )),
    }
}
