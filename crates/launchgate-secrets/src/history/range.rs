//! `--range BASE..HEAD`: the lines each commit of a pull request or push adds. Every commit
//! counts, not only the final diff: a key added in one commit and removed in the next is
//! still pushed. Merge commits contribute only what they add themselves (a combined diff),
//! so a merged branch is not scanned twice.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use launchgate_core::{Error, Report};
use rayon::prelude::*;

use super::added::{Limits, MAX_RANGE_ADDED_BYTES, Patch, read_log_patch};
use super::base_config::{
    ChangeSuppressions, allow_comment_warning, at_commit, candidate_key, mark_self_suppressed,
};
use super::findings::{Candidate, Dedup, Exposure, build_finding};
use super::git::Repo;
use super::{PathFilter, load_baseline};
use crate::config::LoadedConfig;
use crate::report::{FindingCollector, Origin};
use crate::scan::BaselineChoice;
use launchgate_detect::engine::Engine;

/// What a range scan covers.
#[derive(Debug, Clone, Default)]
pub struct RangeOptions {
    /// `BASE..HEAD`: commits or refs.
    pub range: String,
    pub baseline: BaselineChoice,
    /// Bytes added to one file by one commit beyond which it is skipped; overrides
    /// `secrets.max_file_size`.
    pub max_file_size: Option<u64>,
    /// Bytes of added text kept for the whole range; [`MAX_RANGE_ADDED_BYTES`] when unset.
    pub max_added_bytes: Option<u64>,
}

const FETCH_FULL_HISTORY: &str = "set fetch-depth: 0 on actions/checkout (or run `git fetch --unshallow`) so the base commit is in the clone";

/// Scans the lines the commits `BASE..HEAD` add.
pub fn scan_range(loaded: &LoadedConfig, repo: &Path, opts: &RangeOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let (base_rev, head_rev) = parse_range(&opts.range)?;
    let repo = Repo::open(repo)?;

    let head = repo.commit(head_rev)?.ok_or_else(|| {
        Error::input(format!(
            "--range {}: {head_rev} is not a commit in {}",
            opts.range,
            repo.dir.display()
        ))
        .with_help("check the range; in CI, check out the pushed commit")
    })?;
    let base = match base_rev {
        // A single revision: everything reachable from it (a new branch whose commits no
        // remote has yet, down to a root commit). Only a full clone holds all of that.
        None if repo.shallow => {
            return Err(Error::input(format!(
                "--range {}: a single revision means all of its history, and this clone is shallow",
                opts.range
            ))
            .with_help(FETCH_FULL_HISTORY));
        }
        None => None,
        Some(base_rev) => Some(resolve_base(&repo, opts, base_rev, head_rev, &head)?),
    };
    // A change is judged by the configuration and baseline from before it: its own could
    // approve its own secrets. A single revision (a new branch) is judged by the default
    // branch when the clone knows it.
    let trusted_commit = match &base {
        Some(base) => Some(base.clone()),
        None => repo.commit("refs/remotes/origin/HEAD")?.filter(|c| *c != head),
    };
    let trusted = trusted_commit
        .as_deref()
        .map(|commit| at_commit(&repo, commit, "the base commit", loaded, &opts.baseline))
        .transpose()?;
    let (config, baseline) = match &trusted {
        Some(t) => (&t.loaded, t.baseline.clone()),
        None => (loaded, load_baseline(loaded, &opts.baseline)?),
    };
    // The change's own settings: those of the commit at the head of the range.
    let change = match &trusted {
        Some(t) => {
            let own = at_commit(&repo, &head, "the head commit", loaded, &opts.baseline)?;
            Some(ChangeSuppressions::new(own, &t.loaded, opts.max_file_size)?)
        }
        None => None,
    };
    let engine = Engine::new(config.rule_set(false)?, &config.engine_config())?;
    let filter = PathFilter::new(config)?;
    let max_size = opts.max_file_size.unwrap_or_else(|| config.max_file_size());

    let limits = Limits {
        per_file: max_size,
        total: opts.max_added_bytes.unwrap_or(MAX_RANGE_ADDED_BYTES),
    };
    let keeps = |path: &str| filter.keeps(&engine, path);
    let patch = read_added_lines(&repo, base.as_deref(), &head, limits, &keeps, &opts.range)?;
    let candidates: Vec<(Candidate, Vec<String>)> = patch
        .files
        .par_iter()
        .flat_map_iter(|f| {
            let mut buffer = Vec::new();
            for (_, content) in &f.lines {
                buffer.extend_from_slice(content);
                buffer.push(b'\n');
            }
            let mut found = Vec::new();
            let mut head_matches = None;
            for mut m in engine.scan_bytes(&f.intro.path, &buffer) {
                let allowed = m.inline_allowed;
                let hiding = change.as_ref().map_or_else(Vec::new, |c| {
                    c.hiding(&f.intro.path, &buffer, &m.rule_id, &m.range, &mut head_matches)
                });
                let real = |line: u32| f.lines.get(line as usize - 1).map_or(line, |l| l.0);
                m.line = real(m.line);
                m.end_line = real(m.end_line);
                found.push((Candidate::new(m, allowed, f.intro.clone(), None), hiding));
            }
            found.into_iter()
        })
        .collect();

    let mut dedup = Dedup::default();
    let mut hidden_by_change = HashMap::new();
    for (candidate, hiding) in candidates {
        if !hiding.is_empty() {
            hidden_by_change.insert(candidate_key(&candidate), hiding);
        }
        dedup.add(candidate);
    }
    let mut collector = FindingCollector::new(&engine, baseline.as_ref(), Origin::Source);
    for candidate in dedup.by_key.values() {
        let mut finding = build_finding(&engine, collector.report_mut(), candidate, Exposure::Range);
        if candidate.allowed {
            let warning = allow_comment_warning(&engine, collector.report_mut(), candidate);
            collector.add_finding(finding, &candidate.matched.secret, true);
            collector.report_mut().push(warning);
            continue;
        }
        let mut hiding = hidden_by_change
            .get(&candidate_key(candidate))
            .cloned()
            .unwrap_or_default();
        if let Some(c) = &change {
            hiding.extend(c.baseline_hides(&candidate.fingerprint, baseline.as_ref()));
        }
        if let Some(t) = trusted.as_ref().filter(|_| !hiding.is_empty()) {
            mark_self_suppressed(&mut finding, &hiding, &t.described);
        }
        collector.add_finding(finding, &candidate.matched.secret, false);
    }
    engine.compile_failure()?;
    let (mut report, _) = collector.finish();
    let mut notes = vec![format!(
        "scanned the lines added by {} commit(s) in {}",
        patch.commits, opts.range
    )];
    notes.push(match &trusted {
        Some(t) => format!(
            "configuration and baseline read from {}: a change is judged by the settings from before it",
            t.described
        ),
        None => "configuration and baseline read from the working tree: a single revision has no base, and this clone has no origin/HEAD to judge it by".to_string(),
    });
    let merges = patch.merges;
    if merges > 0 {
        notes.push(format!(
            "{merges} merge commit(s): only the lines they add themselves were scanned; the merged commits were scanned on their own"
        ));
    }
    let skipped_large = patch.skipped_large;
    if skipped_large > 0 {
        notes.push(format!(
            "skipped {skipped_large} file change(s) adding more than {max_size} bytes (secrets.max_file_size)"
        ));
    }
    report.notes.splice(0..0, notes);
    report.inputs = vec![format!("commits {} of {}", opts.range, repo.dir.display())];
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The base commit of `BASE..HEAD`, checked to be in the clone and, in a shallow clone, to
/// share history with the head.
fn resolve_base(
    repo: &Repo,
    opts: &RangeOptions,
    base_rev: &str,
    head_rev: &str,
    head: &str,
) -> Result<String, Error> {
    let base = match repo.commit(base_rev)? {
        Some(base) => base,
        None if repo.shallow => {
            return Err(Error::input(format!(
                "--range {}: the base commit {base_rev} is not in this shallow clone, so the commits of the range cannot be told apart from older history",
                opts.range
            ))
            .with_help(FETCH_FULL_HISTORY));
        }
        None => {
            return Err(Error::input(format!(
                "--range {}: {base_rev} is not a commit in {}",
                opts.range,
                repo.dir.display()
            ))
            .with_help("fetch the base branch first (`git fetch origin BASE`), or check the range"));
        }
    };
    if repo.shallow {
        // With the shared history cut off, `BASE..HEAD` would reach back to the shallow
        // boundary and blame the whole tree on the range.
        let shared = repo.git("the range", ["merge-base", base.as_str(), head]).run()?;
        if !shared.success {
            return Err(Error::input(format!(
                "--range {}: this clone is shallow and holds no common ancestor of {base_rev} and {head_rev}",
                opts.range
            ))
            .with_help(FETCH_FULL_HISTORY));
        }
    }

    Ok(base)
}

/// `BASE..HEAD`, or a single revision (everything reachable from it).
fn parse_range(range: &str) -> Result<(Option<&str>, &str), Error> {
    let bad = || {
        Error::input(format!("--range {range}: expected BASE..HEAD or one revision"))
            .with_help("name two commits or refs, such as `origin/main..HEAD` or `4f2a1c0..9b8e7d6`")
    };
    if range.contains("...") || range.trim().is_empty() {
        return Err(bad());
    }
    let Some((base, head)) = range.split_once("..") else {
        return Ok((None, range));
    };
    if base.is_empty() || head.is_empty() {
        return Err(bad());
    }
    Ok((Some(base), head))
}

/// Reads `git log -p` over the range: the added lines of each file (by path, as `keeps`
/// says) of each commit, within `limits`.
fn read_added_lines(
    repo: &Repo,
    base: Option<&str>,
    head: &str,
    limits: Limits,
    keeps: &dyn Fn(&str) -> bool,
    range: &str,
) -> Result<Patch, Error> {
    let log = repo
        .git(
            "the range",
            [
                "log",
                "--reverse",
                "-p",
                "-U0",
                "--cc",
                "--root",
                "--find-renames",
                "--format=%x01%H%x00%an <%ae>%x00%aI%x00%ct%x00%P",
            ],
        )
        .diff_flags()
        .arg(match base {
            Some(base) => format!("{base}..{head}"),
            None => head.to_string(),
        })
        .arg("--")
        .help(FETCH_FULL_HISTORY);
    log.stream(|input| read_log_patch(input, limits, keeps, range))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_need_two_ends() {
        assert_eq!(parse_range("main..HEAD").unwrap(), (Some("main"), "HEAD"));
        assert_eq!(parse_range("feature").unwrap(), (None, "feature"));
        for bad in ["", "..HEAD", "main..", "main...HEAD"] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }
}
