//! Evaluating every budget source over the inputs: Lighthouse pages against lighthouserc,
//! budget.json and launchgate.yml; the build against launchgate.yml's bundle budgets,
//! size-limit and bundlewatch. [`Run`] gathers the evaluated budgets and the measured
//! values that [`crate::evaluate`] turns into the report.

use std::path::{Path, PathBuf};

use launchgate_core::{Error, Finding, Report, Severity};

use crate::baseline::Measurement;
use crate::build_files::{BuildFile, Compression};
use crate::config::BudgetConfig;
use crate::evaluated::EvaluatedBudget;
use crate::size_cache::SizeCache;
use crate::{
    Inputs, budget_json, build_files, bundle_configs, bundler_stats, display, lhci, lhr, own_budgets,
};

/// What one run gathers before the report is written.
#[derive(Debug, Default)]
pub(crate) struct Run {
    pub(crate) report: Report,
    /// Every budget evaluated, from every source.
    pub(crate) outcomes: Vec<EvaluatedBudget>,
    /// Every value measured, for the baseline.
    pub(crate) measurements: Vec<Measurement>,
    /// Table titles by group (a page's form factor, runs and Lighthouse version).
    pub(crate) titles: Vec<(String, String)>,
}

impl Run {
    /// Lighthouse results, judged by lighthouserc, budget.json and launchgate.yml.
    pub(crate) fn pages(&mut self, inputs: &Inputs, config: &BudgetConfig) -> Result<(), Error> {
        let Run {
            report,
            outcomes,
            measurements,
            titles,
        } = self;
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
                    outcomes.extend(own_budgets::evaluate_page(&cfg, page, &group)?);
                }
                measurements.extend(page_measurements(page, &group));
            }
        }
        Ok(())
    }

    /// The build: a folder measured raw and compressed, bundler outputs, and
    /// launchgate.yml's bundle budgets.
    pub(crate) fn build(&mut self, inputs: &Inputs, config: &BudgetConfig) -> Result<(), Error> {
        let Run {
            report,
            outcomes,
            measurements,
            ..
        } = self;
        let mut files: Vec<BuildFile> = Vec::new();
        let mut folder = String::new();
        if let Some(build) = &inputs.build {
            // `measure` takes paths relative to the folder; `scan` lists them with it in front.
            let paths: Vec<PathBuf> = build_files::scan(build)?
                .into_iter()
                .map(|p| p.strip_prefix(build).map(Path::to_path_buf).unwrap_or(p))
                .collect();
            let mut wanted = if inputs.compressions.is_empty() {
                vec![Compression::Gzip, Compression::Brotli]
            } else {
                inputs.compressions.clone()
            };
            wanted.extend(own_budgets::compressions(config)?);
            files = build_files::measure_with(build, &paths, &wanted, &inputs.size_cache)?;
            inputs.size_cache.prune();
            folder = display(build);
            report.inputs.push(folder.clone());
            crate::shipped::scan_into_report(build, &paths, &inputs.env_secrets, report)?;
        }
        let mut entries = Vec::new();
        for (path, read) in [
            (
                &inputs.esbuild_metafile,
                bundler_stats::esbuild as fn(&Path) -> Result<bundler_stats::BuildStats, Error>,
            ),
            (&inputs.webpack_stats, bundler_stats::webpack),
            (&inputs.vite_manifest, bundler_stats::vite),
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
            outcomes.extend(own_budgets::evaluate_bundles(config, &files, &folder)?);
        }
        measurements.extend(file_measurements(&files, &entries));
        Ok(())
    }

    /// size-limit's and bundlewatch's configs, evaluated as those tools do.
    pub(crate) fn other_bundle_configs(&mut self, inputs: &Inputs) -> Result<(), Error> {
        let Run {
            report,
            outcomes,
            measurements,
            ..
        } = self;
        let cache = &inputs.size_cache;
        for (path, read) in [
            (
                &inputs.size_limit,
                bundle_configs::size_limit_with
                    as fn(&Path, &SizeCache) -> Result<bundle_configs::Evaluation, Error>,
            ),
            (&inputs.bundlewatch, bundle_configs::bundlewatch_with),
        ] {
            if let Some(path) = path {
                let eval = read(path, cache)?;
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
        cache.prune();
        Ok(())
    }
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
    for (id, _, _) in own_budgets::METRICS {
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
fn file_measurements(files: &[BuildFile], entries: &[bundler_stats::Entry]) -> Vec<Measurement> {
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
