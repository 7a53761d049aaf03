//! The launchgate budget gate: fails a pull request when pages got heavier or slower than
//! the team allowed, from the reports their tools already write.
//!
//! Inputs: Lighthouse results (one file, many, or `.lighthouseci/`), a build folder,
//! an esbuild metafile, a webpack stats.json, a Vite manifest. Budgets: the `budget:`
//! section of launchgate.yml ([`config::BudgetConfig`]), and, read as-is, LHCI's
//! lighthouserc ([`lhci`]), Lighthouse's budget.json ([`budget_json`]), size-limit and
//! bundlewatch configs ([`bundle_configs`]). With a baseline (the JSON report of a
//! base-branch run) it also fails on regressions ([`baseline`]).
//!
//! [`evaluate`] does the work; [`cli`] is the command line; [`check_configured`] is what
//! `launchgate check` runs.

mod baseline;
pub mod budget_json;
pub mod build_files;
pub mod bundle_configs;
pub mod bundler_stats;
pub mod cli;
mod config;
mod discover;
pub mod evaluated;
mod evaluation;
mod js_config;
pub mod lhci;
pub mod lhr;
mod own_budgets;
mod process;
mod read;
mod rebundle;
mod report;
mod shared_sizes;
mod shipped;
pub mod size_cache;
mod snippet;
mod units;
mod url;

use std::path::{Path, PathBuf};
use std::time::Instant;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Report};

use crate::build_files::Compression;
use crate::config::BudgetConfig;
use crate::evaluation::Run;

/// Everything one run of the gate reads. Paths are used as given.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub lighthouse: Vec<PathBuf>,
    pub build: Option<PathBuf>,
    pub esbuild_metafile: Option<PathBuf>,
    pub webpack_stats: Option<PathBuf>,
    pub vite_manifest: Option<PathBuf>,
    pub lighthouserc: Option<PathBuf>,
    pub budget_json: Option<PathBuf>,
    pub size_limit: Option<PathBuf>,
    pub bundlewatch: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    /// The compressed sizes to compute for a build folder besides raw; empty means gzip
    /// and brotli. Bundle budgets add the ones they need.
    pub compressions: Vec<Compression>,
    /// The launchgate.yml `budget:` section, if any.
    pub config: Option<BudgetConfig>,
    /// The inputs found in the project rather than named ([`discover::fill`]).
    pub discovered: Vec<PathBuf>,
    /// Look for nothing unnamed (`--no-discover`, `budget.discover: false`).
    pub no_discover: bool,
    /// Values that must not appear in a shipped file: the env schema's `secret: true`
    /// variables ([`Inputs::add_env_secrets`]).
    pub env_secrets: Vec<(String, launchgate_core::Secret)>,
    /// Where compressed sizes are remembered between runs ([`size_cache`]); off by default
    /// here, [`size_cache::SizeCache::from_env`] on the command line and in `launchgate check`.
    pub size_cache: size_cache::SizeCache,
}

impl Inputs {
    /// Takes the inputs a `budget:` section names, resolved against `root`, without
    /// replacing those already set.
    pub fn merge_config(&mut self, config: BudgetConfig, root: &Path) {
        let at = |p: &Option<PathBuf>| p.as_ref().map(|p| root.join(p));
        if self.lighthouse.is_empty() {
            self.lighthouse = config.lighthouse.iter().map(|p| root.join(p)).collect();
        }
        self.build = self.build.take().or_else(|| at(&config.build));
        self.esbuild_metafile = self
            .esbuild_metafile
            .take()
            .or_else(|| at(&config.esbuild_metafile));
        self.webpack_stats = self.webpack_stats.take().or_else(|| at(&config.webpack_stats));
        self.vite_manifest = self.vite_manifest.take().or_else(|| at(&config.vite_manifest));
        self.lighthouserc = self.lighthouserc.take().or_else(|| at(&config.lighthouserc));
        self.budget_json = self.budget_json.take().or_else(|| at(&config.budget_json));
        self.size_limit = self.size_limit.take().or_else(|| at(&config.size_limit));
        self.bundlewatch = self.bundlewatch.take().or_else(|| at(&config.bundlewatch));
        self.baseline = self
            .baseline
            .take()
            .or_else(|| at(&config.baseline).filter(|p| p.is_file()));
        self.no_discover |= config.discover == Some(false);
        self.config = Some(config);
    }

    /// Fills in what is not named from the usual places under `dir`, as the tools
    /// themselves look: see [`discover::fill`].
    pub fn discover(&mut self, dir: &Path) -> Result<(), Error> {
        discover::fill(self, dir)
    }

    /// Takes the values of the variables the env schema marks `secret: true`, read as `env
    /// check` reads them, so a shipped file holding one fails. A schema that cannot be read
    /// is an error here too.
    pub fn add_env_secrets(
        &mut self,
        config: &ConfigFile,
        root: &Path,
        process_env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Result<(), Error> {
        self.env_secrets = launchgate_env::secret_values(config, root, process_env)?;
        Ok(())
    }

    /// No Lighthouse result, build or bundle config is named.
    pub fn names_nothing(&self) -> bool {
        self.lighthouse.is_empty()
            && self.build.is_none()
            && self.esbuild_metafile.is_none()
            && self.webpack_stats.is_none()
            && self.vite_manifest.is_none()
            && self.size_limit.is_none()
            && self.bundlewatch.is_none()
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Runs the gate on `inputs` and returns its report (bad input is an `Error`, exit 2).
///
/// The flow: read the inputs (Lighthouse results, the build), evaluate every budget that
/// applies to them (launchgate.yml's, lighthouserc's, budget.json's, size-limit's and
/// bundlewatch's), then write the report: tables, checks, findings and regressions.
pub fn evaluate(inputs: &Inputs) -> Result<Report, Error> {
    let started = Instant::now();
    if inputs.names_nothing() {
        return Err(Error::input("nothing to check: no Lighthouse results, build folder, bundle stats or size config was given or found")
            .with_help("pass --lighthouse .lighthouseci/ or --build dist/, or name them under `budget:` in launchgate.yml"));
    }
    let config = inputs.config.clone().unwrap_or_default();
    let mut run = Run {
        report: Report::new("budget"),
        ..Run::default()
    };
    if !inputs.discovered.is_empty() {
        let names: Vec<String> = inputs.discovered.iter().map(|p| display(p)).collect();
        run.report.notes.push(format!(
            "found in the project and applied: {} (name an input to use another file, or pass --no-discover)",
            names.join(", ")
        ));
    }
    run.pages(inputs, &config)?;
    run.build(inputs, &config)?;
    run.other_bundle_configs(inputs)?;
    let Run {
        mut report,
        outcomes,
        measurements,
        titles,
    } = run;
    if outcomes.is_empty() && inputs.baseline.is_none() && report.findings.is_empty() {
        report
            .notes
            .push("no budget applies to these inputs: only sizes were measured".into());
    }
    report::add_outcomes(&mut report, &outcomes, &titles);
    if let Some(path) = &inputs.baseline {
        let before = baseline::read(path)?;
        let thresholds = baseline::Thresholds::from_config(config.regression.as_ref())?;
        let changes = baseline::compare(&before, &measurements, &thresholds);
        baseline::apply(&mut report, &changes, &thresholds, &display(path));
        report.inputs.push(display(path));
    }
    report.tables.push(baseline::to_table(&measurements));
    report::checks_for_other_findings(&mut report);
    report::RULE_SET.describe(&mut report);
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// What `launchgate check` runs: the `budget:` section of launchgate.yml, with inputs
/// resolved against `root` and the usual files auto-detected there; compared with
/// `budget.baseline` when that file exists. Nothing to check is an error.
pub fn check_configured(config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    let section: Option<BudgetConfig> = config.section("budget")?;
    let mut inputs = Inputs::default();
    if let Some(section) = section {
        inputs.merge_config(section, root);
    }
    inputs.discover(root)?;
    inputs.add_env_secrets(config, root, std::env::vars_os())?;
    inputs.size_cache = size_cache::SizeCache::from_env();
    if inputs.names_nothing() {
        return Err(Error::input(format!("the budget gate found nothing to check in {}", root.display())).with_help(
            "name the inputs in launchgate.yml, e.g. `budget: { lighthouse: [.lighthouseci/], build: dist/ }`, or remove the budget gate from the run",
        ));
    }
    evaluate(&inputs)
}
