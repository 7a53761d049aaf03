//! launchgate's secrets gate: finds credentials before they reach a repository, a build or
//! a log.
//!
//! The detection itself (rules, engine, filters, redaction) is the `launchgate-detect` crate;
//! this one decides what to feed it and what to report: [`scan::scan`] for files, folders,
//! stdin and the staged change, [`history`] for commits and ranges, [`scan::scan_logs`] for
//! logs, [`baseline`] for accepted findings, and [`cli`] for the command line.
//!
//! ```
//! let engine = launchgate_secrets::default_engine();
//! let matches = engine.scan_bytes("app.env", b"NOTHING_TO_SEE=here\n");
//! assert!(matches.is_empty());
//! ```

mod baseline;
mod ci_event;
pub mod cli;
pub mod config;
mod env_examples;
mod files;
mod fixture_paths;
mod foreign_configs;
pub mod history;
mod logs;
mod report;
pub mod scan;
mod staged;
mod walk;

use std::path::Path;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Report};

pub use launchgate_detect::{Engine, EngineConfig, Match, RuleSet, default_engine};

/// What `launchgate check` runs for the `secrets:` section: a scan of `root` with the
/// configured allowlists, rules and baseline.
pub fn check_configured(config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    let loaded = config::LoadedConfig::from_file(config)?;
    let options = scan::ScanOptions::new(scan::Target::Paths(vec![root.to_path_buf()]));
    let mut report = scan::scan(&loaded, &options)?.report;
    report
        .notes
        .splice(0..0, foreign_configs::gitleaks_notes(root, &loaded.base_dir));
    // Paths relative to the root, as a repository's own files are named.
    let prefix = format!("{}/", files::display_path(root).trim_end_matches('/'));
    for finding in &mut report.findings {
        if let Some(location) = &mut finding.location
            && let Some(relative) = location.path.strip_prefix(&prefix)
        {
            location.path = relative.to_string();
        }
    }
    Ok(report)
}
