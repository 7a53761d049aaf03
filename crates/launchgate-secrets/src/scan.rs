//! One scan from configuration to report: files and folders, stdin, the staged change, or
//! logs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use launchgate_core::{Error, Report};
use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::config::LoadedConfig;
use crate::files::{self, WalkOptions, is_binary, scan_with_allow};
use crate::logs::scan_log;
use crate::report::{FindingCollector, Origin};
use crate::staged::read_staged;
use launchgate_detect::engine::Engine;
use launchgate_detect::known_values::KnownValues;

/// What to scan.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Files and folders (walked with `.gitignore` respected).
    Paths(Vec<PathBuf>),
    /// Standard input.
    Stdin,
    /// The staged change of the repository holding a folder, limited to pathspecs.
    Staged { dir: PathBuf, pathspecs: Vec<PathBuf> },
}

/// Whether to apply a baseline.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BaselineChoice {
    /// The configured one (`secrets.baseline`, else `.launchgate/secrets-baseline.json`).
    #[default]
    Configured,
    /// A file named on the command line.
    File(PathBuf),
    /// None: report everything.
    Ignore,
}

/// Everything a scan needs besides the configuration.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub target: Target,
    pub no_ignore: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    pub baseline: BaselineChoice,
}

impl ScanOptions {
    pub fn new(target: Target) -> Self {
        ScanOptions {
            target,
            no_ignore: false,
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_size: None,
            baseline: BaselineChoice::Configured,
        }
    }
}

/// A finished scan: the report and every fingerprint met (for baseline maintenance).
#[derive(Debug)]
pub struct ScanResult {
    pub report: Report,
    pub fingerprints: BTreeSet<String>,
    /// Fingerprints of secrets that a version 1 baseline entry matched.
    pub sha256_matched: BTreeSet<String>,
}

fn load_baseline(config: &LoadedConfig, choice: &BaselineChoice) -> Result<Option<Baseline>, Error> {
    match choice {
        BaselineChoice::Ignore => Ok(None),
        BaselineChoice::Configured => Baseline::load(&config.baseline_path()),
        BaselineChoice::File(path) => Baseline::load(path)?.map(Some).ok_or_else(|| {
            Error::input(format!("the baseline {} does not exist", path.display()))
                .with_help("create it with `launchgate-secrets baseline create`")
        }),
    }
}

/// Runs a scan of files, stdin or the staged change.
pub fn scan(config: &LoadedConfig, options: &ScanOptions) -> Result<ScanResult, Error> {
    let started = Instant::now();
    let rules = config.rule_set(false)?;
    let engine = Engine::new(rules, &config.engine_config())?;
    let baseline = load_baseline(config, &options.baseline)?;
    let mut collector = FindingCollector::new(&engine, baseline.as_ref(), Origin::Source);
    let mut include = config.secrets.include.clone();
    include.extend(options.include.iter().cloned());
    let mut exclude = config.secrets.exclude.clone();
    exclude.extend(options.exclude.iter().cloned());
    let max_file_size = options.max_file_size.unwrap_or_else(|| config.max_file_size());
    let mut notes = Vec::new();
    let mut inputs = Vec::new();

    match &options.target {
        Target::Paths(paths) => {
            let walk = WalkOptions {
                paths: paths.clone(),
                no_ignore: options.no_ignore,
                include,
                exclude,
                max_file_size,
            };
            let outcome = files::scan_paths(&engine, &walk)?;
            for file in &outcome.files {
                for (m, allowed) in &file.matches {
                    collector.add(&file.path, m, *allowed);
                }
            }
            notes = outcome.notes(max_file_size);
            inputs = paths.iter().map(|p| files::display_path(p)).collect();
        }
        Target::Stdin => {
            // Standard input is one file to the scan: the same size limit applies, but an
            // input past it fails instead of passing unscanned.
            let bytes = launchgate_core::bounded::read_stdin(
                max_file_size,
                "the text to scan",
                Some("--max-file-size or secrets.max_file_size"),
            )?;
            for (m, allowed) in scan_with_allow(&engine, "<stdin>", &bytes) {
                collector.add("<stdin>", &m, allowed);
            }
            notes.push(format!("scanned {} bytes from standard input", bytes.len()));
            inputs.push("<stdin>".to_string());
        }
        Target::Staged { dir, pathspecs } => {
            let change = read_staged(dir, pathspecs)?;
            let include = launchgate_detect::globs::glob_set(&include, "the include globs")?;
            let exclude = launchgate_detect::globs::glob_set(&exclude, "the exclude globs")?;
            let mut binary = 0;
            let mut skipped = 0;
            let wanted: Vec<_> = change
                .files
                .iter()
                .filter(|f| {
                    let keep = include.as_ref().is_none_or(|g| g.is_match(&f.path))
                        && !exclude.as_ref().is_some_and(|g| g.is_match(&f.path))
                        && (f.contents.len() as u64) <= max_file_size;
                    skipped += usize::from(!keep);
                    keep
                })
                .filter(|f| {
                    // git shows no lines for a binary file: all of its secrets count.
                    let is_binary = is_binary(&f.contents);
                    binary += usize::from(is_binary);
                    is_binary || !f.added_lines.is_empty()
                })
                .collect();
            let results: Vec<_> = wanted
                .par_iter()
                .map(|f| {
                    let matches: Vec<_> = scan_with_allow(&engine, &f.path, &f.contents)
                        .into_iter()
                        .filter(|(m, _)| m.in_binary || f.adds_any(m.line, m.end_line))
                        .collect();
                    (f.path.as_str(), matches)
                })
                .collect();
            for (path, matches) in results {
                for (m, allowed) in matches {
                    collector.add(path, &m, allowed);
                }
            }
            notes.push(format!(
                "scanned the added lines of {} staged file(s)",
                wanted.len()
            ));
            if binary > 0 {
                notes.push(format!(
                    "scanned {binary} staged binary file(s) whole, through their printable runs"
                ));
            }
            if skipped > 0 {
                notes.push(format!(
                    "skipped {skipped} staged file(s) by include/exclude globs or --max-file-size"
                ));
            }
            if change.skipped_submodules > 0 {
                notes.push(format!(
                    "skipped {} submodule change(s)",
                    change.skipped_submodules
                ));
            }
            if change.skipped_links > 0 {
                notes.push(format!(
                    "skipped {} staged symbolic link(s): git records the name of their target, and links are never followed",
                    change.skipped_links
                ));
            }
            if !change.unmerged.is_empty() {
                notes.push(format!(
                    "{} file(s) still have merge conflicts and were not scanned: {}",
                    change.unmerged.len(),
                    change.unmerged.join(", ")
                ));
            }
            inputs.push("staged changes".to_string());
        }
    }
    engine.compile_failure()?;
    let finished = collector.finish_all();
    let mut report = finished.report;
    report.notes.splice(0..0, notes);
    report.inputs = inputs;
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(ScanResult {
        report,
        fingerprints: finished.seen_fingerprints,
        sha256_matched: finished.sha256_matched,
    })
}

/// Runs the log check over files (`-` is standard input).
pub fn scan_logs(
    config: &LoadedConfig,
    paths: &[PathBuf],
    known_from_env: &[String],
    baseline: &BaselineChoice,
) -> Result<ScanResult, Error> {
    let started = Instant::now();
    let rules = config.rule_set(true)?;
    let engine = Engine::new(rules, &config.engine_config())?;
    let baseline = load_baseline(config, baseline)?;
    let known = KnownValues::from_env(known_from_env)?;
    let mut collector = FindingCollector::new(&engine, baseline.as_ref(), Origin::Log);
    let mut total = 0;
    for path in paths {
        let display = files::display_path(path);
        total += if path == Path::new("-") {
            scan_log(
                &engine,
                &known,
                "<stdin>",
                &mut std::io::stdin().lock(),
                &mut collector,
            )?
        } else {
            let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
            scan_log(&engine, &known, &display, &mut file, &mut collector)?
        };
    }
    engine.compile_failure()?;
    let finished = collector.finish_all();
    let mut report = finished.report;
    let mut notes = vec![format!("scanned {} log file(s), {total} bytes", paths.len())];
    notes.extend(known.notes.iter().cloned());
    report.notes.splice(0..0, notes);
    report.inputs = paths.iter().map(|p| files::display_path(p)).collect();
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(ScanResult {
        report,
        fingerprints: finished.seen_fingerprints,
        sha256_matched: finished.sha256_matched,
    })
}
