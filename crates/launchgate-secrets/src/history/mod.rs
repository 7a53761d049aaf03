//! Git history and commit ranges: every blob reachable from the chosen refs scanned once,
//! with the commit that introduced each finding, and the lines a pull request or push adds.
//!
//! Blobs are decoded in-process, pack by pack with every core (`gix-pack`), then loose
//! objects, and so are the trees and commits provenance reads. Which commits count, and in
//! what order, comes from `git` itself (`rev-list` for provenance, `log -p` for ranges),
//! which sees refs, shallow boundaries and `safe.directory` exactly as the clone's owner
//! does.

// Public for the fuzz target and property tests of the patch reader.
pub mod added;
mod base_config;
mod blobs;
mod delta_hits;
mod findings;
mod git;
mod lfs_pointer;
mod merge;
mod object_graph;
mod pack_walk;
pub mod progress;
mod provenance;
mod range;
mod shard;
#[cfg(test)]
mod test_git;

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use launchgate_core::{Error, Report};

pub use added::MAX_RANGE_ADDED_BYTES;
pub use blobs::Selection;
pub use findings::Exposure;
pub use merge::merge_reports;
pub use progress::ProgressMode;
pub use range::{RangeOptions, scan_range};
pub use shard::Shard;

use crate::baseline::Baseline;
use crate::config::LoadedConfig;
use crate::report::{FindingCollector, Origin};
use crate::scan::BaselineChoice;
use findings::{Candidate, Dedup, build_finding, exposure_table};
use git::Repo;
use launchgate_detect::engine::Engine;

/// The history options of `launchgate-secrets scan`.
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
pub struct HistoryArgs {
    /// Scan every blob in the git history (all refs unless --branch), each blob once.
    #[arg(long, conflicts_with = "range")]
    pub history: bool,
    /// With --history: every ref (the default).
    #[arg(long, requires = "history", conflicts_with = "branch")]
    pub all: bool,
    /// With --history: only the history of these branches.
    #[arg(long, value_name = "NAME", num_args = 1.., requires = "history")]
    pub branch: Vec<String>,
    /// With --history: only commits since DATE (anything `git log --since` accepts).
    #[arg(long, value_name = "DATE", requires = "history")]
    pub since: Option<String>,
    /// Scan the lines the commits BASE..HEAD add (a pull request or a push).
    #[arg(long, value_name = "BASE..HEAD")]
    pub range: Option<String>,
    /// With --history: scan a deterministic share K of N of the blobs (by object id).
    #[arg(long, value_name = "K/N", requires = "history")]
    pub shard: Option<Shard>,
    /// With --history: show progress on standard error (`auto`: only on a terminal, never
    /// when CI is set; `always` writes a line every few seconds without a terminal).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
}

impl HistoryArgs {
    /// Whether a history or range scan was asked for.
    pub fn is_requested(&self) -> bool {
        self.history || self.range.is_some()
    }

    /// Runs the scan these arguments ask for, or `None` when they ask for none.
    pub fn run(
        &self,
        loaded: &LoadedConfig,
        repo: &Path,
        baseline: BaselineChoice,
        max_file_size: Option<u64>,
    ) -> Result<Option<Report>, Error> {
        if let Some(range) = &self.range {
            let opts = RangeOptions {
                range: range.clone(),
                baseline,
                max_file_size,
                max_added_bytes: None,
            };
            return scan_range(loaded, repo, &opts).map(Some);
        }
        if !self.history {
            return Ok(None);
        }
        let opts = HistoryOptions {
            refs: if self.branch.is_empty() {
                Refs::All
            } else {
                Refs::Branches(self.branch.clone())
            },
            since: self.since.clone(),
            shard: self.shard,
            baseline,
            max_file_size,
            progress: self.progress,
        };
        scan_history(loaded, repo, &opts).map(Some)
    }
}

/// Which refs a history scan starts from.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Refs {
    /// Every ref: branches, tags, remotes, stashes.
    #[default]
    All,
    Branches(Vec<String>),
}

/// What a history scan covers.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    pub refs: Refs,
    pub since: Option<String>,
    pub shard: Option<Shard>,
    pub baseline: BaselineChoice,
    /// Bytes; overrides `secrets.max_file_size`.
    pub max_file_size: Option<u64>,
    pub progress: ProgressMode,
}

pub(crate) fn load_baseline(
    config: &LoadedConfig,
    choice: &BaselineChoice,
) -> Result<Option<Baseline>, Error> {
    match choice {
        BaselineChoice::Ignore => Ok(None),
        BaselineChoice::Configured => Baseline::load(&config.baseline_path()),
        BaselineChoice::File(path) => Baseline::load(path)?.map(Some).ok_or_else(|| {
            Error::input(format!("the baseline {} does not exist", path.display()))
                .with_help("create it with `launchgate-secrets baseline create`")
        }),
    }
}

/// Globs from `secrets.include`/`secrets.exclude`, applied to the path a blob was introduced at.
pub(crate) struct PathFilter {
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl PathFilter {
    pub fn new(config: &LoadedConfig) -> Result<PathFilter, Error> {
        Ok(PathFilter {
            include: launchgate_detect::globs::glob_set(&config.secrets.include, "secrets.include")?,
            exclude: launchgate_detect::globs::glob_set(&config.secrets.exclude, "secrets.exclude")?,
        })
    }

    pub fn keeps(&self, engine: &Engine, path: &str) -> bool {
        !engine.path_allowed(path)
            && self.include.as_ref().is_none_or(|g| g.is_match(path))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }
}

/// Scans the history of the repository holding `repo`.
pub fn scan_history(loaded: &LoadedConfig, repo: &Path, opts: &HistoryOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let engine = Engine::new(loaded.rule_set(false)?, &loaded.engine_config())?;
    let baseline = load_baseline(loaded, &opts.baseline)?;
    let filter = PathFilter::new(loaded)?;
    let repo = Repo::open(repo)?;
    let max_size = opts.max_file_size.unwrap_or_else(|| loaded.max_file_size());

    let refs: Vec<String> = match &opts.refs {
        Refs::All => vec!["--all".to_string()],
        Refs::Branches(names) => {
            for name in names {
                if repo.commit(name)?.is_none() {
                    return Err(Error::input(format!(
                        "--branch {name}: no such branch or commit in {}",
                        repo.dir.display()
                    ))
                    .with_help("list branches with `git branch -a`; in CI, fetch them first (fetch-depth: 0 on actions/checkout)"));
                }
            }
            names.clone()
        }
    };
    let selection = match (&opts.refs, &opts.since) {
        (Refs::All, None) => Selection::AllObjects,
        (_, since) => {
            let mut args = refs.clone();
            if let Some(since) = since {
                args.push(format!("--since={since}"));
            }
            Selection::Reachable(args)
        }
    };

    let order = provenance::start_order(&repo, &refs);
    let mut collector = FindingCollector::new(&engine, baseline.as_ref(), Origin::Source);
    let mut notes = Vec::new();
    let counters = std::sync::Arc::new(progress::Counters::default());
    let shown = progress::Progress::start(opts.progress, std::sync::Arc::clone(&counters));
    let blobs = blobs::scan_blobs(&repo, &engine, &selection, opts.shard, max_size, &counters)?;
    let wanted: HashSet<String> = blobs.hits.iter().map(|h| h.id.clone()).collect();
    counters.begin_provenance(wanted.len());
    let introduced = order.first_introductions(&repo, &wanted)?;
    let head = provenance::head_tree(&repo)?;

    warm_fingerprints(&blobs.hits, &counters, |hit| {
        head.blobs.contains(&hit.id)
            || introduced
                .get(&hit.id)
                .is_some_and(|intro| filter.keeps(&engine, &intro.path))
    });
    // An error above stops the display when it is dropped.
    if let Some(shown) = shown {
        shown.finish();
    }
    // A secret still in HEAD may sit in a newer version of the file than the one that
    // introduced it: compare secrets, not blobs.
    let in_head: HashSet<String> = blobs
        .hits
        .iter()
        .filter(|h| head.blobs.contains(&h.id))
        .flat_map(|h| h.matches.iter())
        .map(|(m, _)| crate::baseline::fingerprint(&m.rule_id, m.secret.expose()))
        .collect();
    let mut dedup = Dedup::default();
    let mut unreachable = 0;
    let mut filtered = 0;
    for hit in &blobs.hits {
        let Some(intro) = introduced.get(&hit.id) else {
            unreachable += 1;
            continue;
        };
        if !filter.keeps(&engine, &intro.path) {
            filtered += 1;
            continue;
        }
        for (m, allowed) in &hit.matches {
            dedup.add(Candidate::new(
                m.clone(),
                *allowed,
                intro.clone(),
                Some(hit.id.clone()),
            ));
        }
    }
    for candidate in dedup.by_key.values() {
        let exposure = if in_head.contains(&candidate.fingerprint) {
            Exposure::Head
        } else {
            Exposure::History
        };
        let finding = build_finding(&engine, collector.report_mut(), candidate, exposure);
        collector.add_finding(finding, &candidate.matched.secret, candidate.allowed);
    }

    let what = match &opts.refs {
        Refs::All => "all refs".to_string(),
        Refs::Branches(b) => format!("branch(es) {}", b.join(", ")),
    };
    if repo.head.is_none() && blobs.scanned == 0 {
        notes.push("the repository has no commits: nothing to scan".to_string());
    }
    notes.push(format!(
        "scanned {} unique blob(s), {:.1} MB, reachable from {what}{}",
        blobs.scanned,
        blobs.bytes as f64 / 1e6,
        opts.since
            .as_deref()
            .map(|s| format!(" since {s}"))
            .unwrap_or_default()
    ));
    if let Some(shard) = opts.shard {
        // The merge reads the shard and the refs back: every shard of one split, all taken
        // from the same state of the repository.
        let refs = repo.refs_digest()?;
        notes.push(format!(
            "shard {shard} (refs {refs}): {} blob(s) left to the other shards; merge the shard reports with `launchgate-secrets merge`",
            blobs.other_shards
        ));
    }
    if repo.shallow {
        notes.push(
            "this clone is shallow, so the history is incomplete: commits before the shallow boundary were not scanned; clone with full history (fetch-depth: 0 on actions/checkout) for a complete scan"
                .to_string(),
        );
    }
    if repo.partial {
        notes.push(
            "this is a partial clone (--filter), so only the blobs it downloaded were scanned; clone without --filter (actions/checkout without its filter input) for a complete scan"
                .to_string(),
        );
    }
    if blobs.skipped_large > 0 {
        notes.push(format!(
            "skipped {} blob(s) larger than {max_size} bytes (secrets.max_file_size)",
            blobs.skipped_large
        ));
    }
    if blobs.binary > 0 {
        notes.push(format!(
            "scanned {} binary blob(s) through their printable runs",
            blobs.binary
        ));
    }
    if blobs.lfs_pointers > 0 {
        notes.push(format!(
            "{} Git LFS pointer file(s): the files they point to live on the LFS server and were not scanned",
            blobs.lfs_pointers
        ));
    }
    if head.submodules > 0 {
        notes.push(format!(
            "{} submodule(s) in HEAD were not entered; scan their repositories separately",
            head.submodules
        ));
    }
    if unreachable > 0 {
        notes.push(format!(
            "{unreachable} blob(s) with findings are not reachable from {what} and were not reported"
        ));
    }
    if filtered > 0 {
        notes.push(format!(
            "{filtered} blob(s) with findings were excluded by secrets.allow.paths or include/exclude globs"
        ));
    }
    engine.compile_failure()?;
    let (mut report, _) = collector.finish();
    if let Some(table) = exposure_table(&report) {
        report.tables.push(table);
    }
    report.notes.splice(0..0, notes);
    report.inputs = vec![format!("git history of {} ({what})", repo.dir.display())];
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Computes, on every core, the slow fingerprint of each distinct secret in the blobs the
/// report reads; the process keeps them for `scan_history`, which asks for them one at a
/// time. Computed there, on one core with nothing else left to run, they took a tenth of a
/// real repository's scan.
fn warm_fingerprints(
    hits: &[blobs::BlobHit],
    progress: &progress::Counters,
    reported: impl Fn(&blobs::BlobHit) -> bool,
) {
    use rayon::iter::{IntoParallelIterator, ParallelIterator};
    let distinct: HashSet<(&str, &str)> = hits
        .iter()
        .filter(|hit| reported(hit))
        .flat_map(|hit| hit.matches.iter())
        .map(|(m, _)| (m.rule_id.as_str(), m.secret.expose()))
        .collect();
    progress.begin_fingerprints(distinct.len());
    distinct.into_par_iter().for_each(|(rule_id, secret)| {
        drop(crate::baseline::fingerprint(rule_id, secret));
        progress.fingerprinted_one();
    });
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        history: HistoryArgs,
    }

    #[test]
    fn history_flags_parse_and_conflict() {
        let cli = Cli::try_parse_from([
            "x",
            "--history",
            "--branch",
            "main",
            "dev",
            "--since",
            "2024-01-01",
            "--shard",
            "2/3",
        ])
        .unwrap();
        assert_eq!(cli.history.branch, vec!["main", "dev"]);
        assert_eq!(cli.history.shard, Some(Shard { index: 2, count: 3 }));
        assert!(cli.history.is_requested());
        let cli = Cli::try_parse_from(["x", "--range", "origin/main..HEAD"]).unwrap();
        assert_eq!(cli.history.range.as_deref(), Some("origin/main..HEAD"));
        for bad in [
            &["x", "--range", "a..b", "--history"][..],
            &["x", "--branch", "main"],
            &["x", "--history", "--all", "--branch", "main"],
            &["x", "--history", "--shard", "4/3"],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
        }
        assert!(!Cli::try_parse_from(["x"]).unwrap().history.is_requested());
    }
}
