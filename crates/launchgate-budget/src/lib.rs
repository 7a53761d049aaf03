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

pub mod baseline;
pub mod budget_json;
pub mod bundle_configs;
pub mod bundles;
pub mod cli;
pub mod config;
pub mod discover;
pub mod evaluated;
pub mod js_config;
pub mod lhci;
pub mod lhr;
pub mod native;
pub mod process;
pub mod read;
pub mod rebundle;
pub mod report;
pub mod snippet;
pub mod stats;
pub mod units;
pub mod url;

use std::path::{Path, PathBuf};
use std::time::Instant;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Finding, Report, Severity};

use crate::baseline::Measurement;
use crate::bundles::{BuildFile, Compression};
use crate::config::BudgetConfig;
use crate::evaluated::EvaluatedBudget;

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
pub fn evaluate(inputs: &Inputs) -> Result<Report, Error> {
    let started = Instant::now();
    if inputs.names_nothing() {
        return Err(Error::input("nothing to check: no Lighthouse results, build folder, bundle stats or size config was given or found")
            .with_help("pass --lighthouse .lighthouseci/ or --build dist/, or name them under `budget:` in launchgate.yml"));
    }
    let config = inputs.config.clone().unwrap_or_default();
    let mut report = Report::new("budget");
    let mut outcomes: Vec<EvaluatedBudget> = Vec::new();
    let mut measurements: Vec<Measurement> = Vec::new();
    let mut titles: Vec<(String, String)> = Vec::new();
    if !inputs.discovered.is_empty() {
        let names: Vec<String> = inputs.discovered.iter().map(|p| display(p)).collect();
        report.notes.push(format!(
            "found in the project and applied: {} (name an input to use another file, or pass --no-discover)",
            names.join(", ")
        ));
    }

    // Lighthouse results.
    let lhci_config = inputs.lighthouserc.as_deref().map(lhci::read).transpose()?;
    let budgets = inputs.budget_json.as_deref().map(budget_json::read).transpose()?;
    let own_lighthouse = inputs.config.as_ref().is_some_and(|c| {
        c.categories.is_some() || !c.metrics.is_empty() || !c.resources.is_empty() || !c.pages.is_empty()
    }) || (lhci_config.is_none() && budgets.is_none());
    if !inputs.lighthouse.is_empty() {
        let runs = lhr::load(&inputs.lighthouse)?;
        report.inputs.extend(inputs.lighthouse.iter().map(|p| display(p)));
        report.inputs.extend(
            [&inputs.lighthouserc, &inputs.budget_json]
                .into_iter()
                .flatten()
                .map(|p| display(p)),
        );
        let mut warned_versions = Vec::new();
        let mut valid = Vec::new();
        for run in runs {
            if run.major().is_none_or(|m| !lhr::KNOWN_MAJORS.contains(&m))
                && !warned_versions.contains(&run.lighthouse_version)
            {
                warned_versions.push(run.lighthouse_version.clone());
                report.push(
                    Finding::new("budget.lighthouse-version", Severity::Warning, format!("{} comes from Lighthouse {}, which this gate does not know (it knows 10 to 13): audit IDs may differ", display(&run.source), run.lighthouse_version))
                        .subject(run.url.clone())
                        .help("check that the audits you assert still exist in this version"),
                );
            }
            if let Some((code, message)) = &run.runtime_error {
                report.push(
                    Finding::new("budget.runtime-error", Severity::Error, format!("Lighthouse could not measure {}: {code}", run.url))
                        .subject(run.url.clone())
                        .property("file", display(&run.source))
                        .property("lighthouse_message", message.clone())
                        .help("the page failed to load under Lighthouse (check the URL and the server); this run has no scores and is not aggregated"),
                );
                continue;
            }
            valid.push(run);
        }
        let pages = lhr::group(valid);
        for page in &pages {
            let both = pages.iter().filter(|p| p.url == page.url).count() > 1;
            let group = page.label(both);
            let versions: Vec<&str> = page.runs.iter().map(|r| r.lighthouse_version.as_str()).collect();
            titles.push((
                group.clone(),
                format!(
                    "{group} — {}, {} run{}, Lighthouse {}",
                    page.form_factor,
                    page.runs.len(),
                    if page.runs.len() == 1 { "" } else { "s" },
                    versions[0]
                ),
            ));
            if let Some(cfg) = &lhci_config {
                let results = lhci::assert_page(cfg, page);
                outcomes.extend(lhci::outcomes(cfg, &results, &group));
            }
            if let (Some(b), Some(path)) = (&budgets, &inputs.budget_json) {
                let source = path.file_name().and_then(|n| n.to_str()).unwrap_or("budget.json");
                outcomes.extend(budget_json::evaluate(b, page, &group, source));
            }
            if own_lighthouse {
                let mut cfg = config.clone();
                if cfg.categories.is_none() && page.form_factor != "mobile" {
                    cfg.categories = Some(Default::default());
                }
                outcomes.extend(native::evaluate_page(&cfg, page, &group)?);
            }
            measurements.extend(page_measurements(page, &group));
        }
    }

    // Build output.
    let mut files: Vec<BuildFile> = Vec::new();
    let mut folder = String::new();
    if let Some(build) = &inputs.build {
        // `measure` takes paths relative to the folder; `scan` lists them with it in front.
        let paths: Vec<PathBuf> = bundles::scan(build)?
            .into_iter()
            .map(|p| p.strip_prefix(build).map(Path::to_path_buf).unwrap_or(p))
            .collect();
        let mut wanted = if inputs.compressions.is_empty() {
            vec![Compression::Gzip, Compression::Brotli]
        } else {
            inputs.compressions.clone()
        };
        wanted.extend(native::compressions(&config)?);
        files = bundles::measure(build, &paths, &wanted)?;
        folder = display(build);
        report.inputs.push(folder.clone());
    }
    let mut entries = Vec::new();
    for (path, read) in [
        (
            &inputs.esbuild_metafile,
            stats::esbuild as fn(&Path) -> Result<stats::BuildStats, Error>,
        ),
        (&inputs.webpack_stats, stats::webpack),
        (&inputs.vite_manifest, stats::vite),
    ] {
        if let Some(path) = path {
            let s = read(path)?;
            report.inputs.push(display(path));
            for f in s.files {
                if !files.iter().any(|g| g.path == f.path) {
                    files.push(f);
                }
            }
            entries.extend(s.entries);
            if folder.is_empty() {
                folder = display(path);
            }
        }
    }
    if !config.bundles.is_empty() {
        if files.is_empty() {
            return Err(Error::input("budget.bundles needs a build to measure, and none was given")
                .with_help("pass --build dist/ (or set `budget.build`), or an esbuild metafile / webpack stats / Vite manifest"));
        }
        outcomes.extend(native::evaluate_bundles(&config, &files, &folder)?);
    }
    measurements.extend(file_measurements(&files, &entries));

    // Other tools' bundle configs.
    for (path, read) in [
        (
            &inputs.size_limit,
            bundle_configs::size_limit as fn(&Path) -> Result<bundle_configs::Evaluation, Error>,
        ),
        (&inputs.bundlewatch, bundle_configs::bundlewatch),
    ] {
        if let Some(path) = path {
            let eval = read(path)?;
            report.inputs.push(display(path));
            outcomes.extend(eval.outcomes);
            for f in eval.findings {
                report.push(f);
            }
            for m in eval.measured {
                measurements.push(Measurement::new(
                    "check",
                    m.subject,
                    m.compression.as_str(),
                    m.bytes as f64,
                ));
            }
        }
    }
    if outcomes.is_empty() && inputs.baseline.is_none() && report.findings.is_empty() {
        report
            .notes
            .push("no budget applies to these inputs: only sizes were measured".into());
    }
    report::add_outcomes(&mut report, &outcomes, &titles);

    // Regressions.
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

fn page_measurements(page: &lhr::Page, group: &str) -> Vec<Measurement> {
    let mut out = Vec::new();
    let med = |values: Vec<f64>| lhr::median(&values);
    let mut categories: Vec<&String> = page.runs.iter().flat_map(|r| r.categories.keys()).collect();
    categories.sort();
    categories.dedup();
    for c in categories {
        if let Some(v) = med(page
            .runs
            .iter()
            .filter_map(|r| r.categories.get(c).copied().flatten())
            .collect())
        {
            out.push(Measurement::new("page", group, format!("categories:{c}"), v));
        }
    }
    for (id, _, _) in native::METRICS {
        if let Some(v) = med(page.runs.iter().filter_map(|r| r.numeric(id)).collect()) {
            out.push(Measurement::new("page", group, id, v));
        }
    }
    for kind in budget_json::RESOURCE_TYPES {
        let values: Vec<(f64, f64)> = page.runs.iter().filter_map(|r| r.resource(kind)).collect();
        if let Some(size) = med(values.iter().map(|v| v.0).collect()) {
            out.push(Measurement::new("page", group, format!("{kind} size"), size));
        }
        if let Some(count) = med(values.iter().map(|v| v.1).collect()) {
            out.push(Measurement::new("page", group, format!("{kind} requests"), count));
        }
    }
    out
}

/// File sizes under their hash-normalised names (files sharing a name are summed), and
/// each entry's total.
fn file_measurements(files: &[BuildFile], entries: &[stats::Entry]) -> Vec<Measurement> {
    let mut out: Vec<Measurement> = Vec::new();
    let mut add = |kind: &str, subject: &str, metric: &str, value: u64| match out
        .iter_mut()
        .find(|m| m.kind == kind && m.subject == subject && m.metric == metric)
    {
        Some(m) => m.value += value as f64,
        None => out.push(Measurement::new(kind, subject, metric, value as f64)),
    };
    for f in files {
        for c in [Compression::None, Compression::Gzip, Compression::Brotli] {
            if let Some(size) = f.size(c) {
                add("file", &f.name, c.as_str(), size);
            }
        }
    }
    for e in entries {
        let members: Vec<&BuildFile> = files.iter().filter(|f| e.files.contains(&f.path)).collect();
        for c in [Compression::None, Compression::Gzip, Compression::Brotli] {
            let total: Option<u64> = members.iter().map(|f| f.size(c)).sum();
            if let Some(total) = total.filter(|_| !members.is_empty()) {
                add("entry", &e.name, c.as_str(), total);
            }
        }
    }
    out
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
    if inputs.names_nothing() {
        return Err(Error::input(format!("the budget gate found nothing to check in {}", root.display())).with_help(
            "name the inputs in launchgate.yml, e.g. `budget: { lighthouse: [.lighthouseci/], build: dist/ }`, or remove the budget gate from the run",
        ));
    }
    evaluate(&inputs)
}
