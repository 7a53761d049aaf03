//! `launchgate-secrets merge`: one report from the reports of several shards, each secret
//! once, at its earliest introduction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use launchgate_core::bounded::{MAX_REPORT_FILE_SIZE, read_file_text};
use launchgate_core::render::ReportFile;
use launchgate_core::{Error, Finding, Report};

use super::findings::{Exposure, mark_still_in_head};
use super::shard::Shard;

/// Merges JSON reports (`--format json`) of the secrets gate.
pub fn merge_reports(paths: &[PathBuf]) -> Result<Report, Error> {
    if paths.is_empty() {
        return Err(Error::input("merge needs at least one report")
            .with_help("pass the JSON reports of the shards: `launchgate-secrets merge shard-*.json`"));
    }
    let mut merged = Report::new("secrets");
    let mut notes = BTreeSet::new();
    let mut inputs = BTreeSet::new();
    let mut by_key: BTreeMap<(String, String), Finding> = Default::default();
    // Secrets some shard saw in HEAD, with the help it gave: whichever shard holds a secret's
    // first version, the merged finding says it is still in HEAD.
    let mut in_head: BTreeMap<String, Option<String>> = BTreeMap::new();
    for path in paths {
        let text = read_file_text(path, MAX_REPORT_FILE_SIZE, "a shard report")?;
        let file = ReportFile::parse(&path.display().to_string(), &text)?;
        if file.reports.is_empty() {
            return Err(Error::input(format!(
                "{} holds no report, so it cannot stand for a shard",
                path.display()
            ))
            .with_help(
                "pass the JSON reports of `launchgate-secrets scan --history --shard K/N --format json`",
            ));
        }
        for report in file.reports {
            if report.gate != "secrets" {
                return Err(Error::input(format!(
                    "{} holds a report of the {} gate, not of the secrets gate",
                    path.display(),
                    report.gate
                ))
                .with_help("merge only reports of `launchgate-secrets scan`"));
            }
            if let Some(error) = report.error {
                return Err(Error::input(format!(
                    "{} is the report of a scan that failed: {error}",
                    path.display()
                ))
                .with_help("rerun that shard, then merge again"));
            }
            for finding in report.findings {
                if is_still_in_head(&finding) {
                    in_head
                        .entry(finding.fingerprint.clone())
                        .or_insert_with(|| finding.help.clone());
                }
                let path_key = finding
                    .location
                    .as_ref()
                    .map(|l| l.path.clone())
                    .unwrap_or_default();
                let key = (finding.fingerprint.clone(), path_key);
                match by_key.get(&key) {
                    Some(kept) if order(kept) <= order(&finding) => {}
                    _ => {
                        by_key.insert(key, finding);
                    }
                }
            }
            merged.rules.extend(report.rules);
            notes.extend(report.notes);
            inputs.extend(report.inputs);
            merged.suppressed += report.suppressed;
            merged.duration_ms = merged.duration_ms.max(report.duration_ms);
        }
    }
    check_every_shard(&notes)?;
    for mut finding in by_key.into_values() {
        if exposure_of(&finding) == Some(Exposure::History.as_str())
            && let Some(help) = in_head.get(&finding.fingerprint)
        {
            let name = merged
                .rules
                .get(&finding.rule_id)
                .map_or_else(|| finding.rule_id.clone(), |r| r.name.clone());
            mark_still_in_head(&mut finding, &name, help.as_deref());
        }
        merged.push(finding);
    }
    merged.sort();
    if let Some(table) = super::findings::exposure_table(&merged) {
        merged.tables.push(table);
    }
    merged.notes = vec![format!("merged {} report(s)", paths.len())];
    merged.notes.extend(notes);
    merged.inputs = inputs.into_iter().collect();
    Ok(merged)
}

/// A merge of shards must hold every shard of one split, all scanned at one commit: a
/// missing shard's blobs were never scanned, and shards of different commits or splits
/// overlap and leave gaps, so their findings would be missing from a report that passes.
fn check_every_shard(notes: &BTreeSet<String>) -> Result<(), Error> {
    // `shard K/N (refs <digest>): …`
    let mut shards: BTreeSet<(Shard, &str)> = BTreeSet::new();
    for note in notes.iter().filter(|n| n.starts_with("shard ")) {
        let parsed = note
            .strip_prefix("shard ")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(head, _)| head.split_once(" (refs "))
            .and_then(|(shard, refs)| Some((shard.parse().ok()?, refs.strip_suffix(')')?)));
        let Some(shard) = parsed else {
            return Err(Error::input(format!(
                "a shard report says `{note}`, which this version cannot check"
            ))
            .with_help("rerun every shard with the launchgate version that merges them, then merge again"));
        };
        shards.insert(shard);
    }
    let Some((first, _)) = shards.first() else {
        return Ok(());
    };
    let states: BTreeSet<&str> = shards.iter().map(|(_, refs)| *refs).collect();
    if states.len() > 1 {
        let states: Vec<&str> = states.into_iter().collect();
        return Err(Error::input(format!(
            "the shards scanned different states of the repository (refs {}): a push landed between the shard jobs, so their blobs overlap and leave gaps",
            states.join(", ")
        ))
        .with_help("rerun every shard on one state of the repository (check out the same ref, fetched once), then merge again"));
    }
    let counts: BTreeSet<u32> = shards.iter().map(|(s, _)| s.count).collect();
    if counts.len() > 1 {
        let splits: Vec<String> = counts.iter().map(|n| format!("/{n}")).collect();
        return Err(Error::input(format!(
            "the reports come from different splits of the history ({}); their shards overlap and leave gaps",
            splits.join(", ")
        ))
        .with_help("merge the reports of one run of `scan --history --shard K/N`, every K from 1 to N"));
    }
    let missing: Vec<String> = (1..=first.count)
        .filter(|k| !shards.iter().any(|(s, _)| s.index == *k))
        .map(|k| format!("{k}/{}", first.count))
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(format!(
            "shard(s) {} are missing: their blobs were not scanned, so the merged report would miss their findings",
            missing.join(", ")
        ))
        .with_help("pass the report of every shard; a shard job that failed to upload its report must be rerun"));
    }
    Ok(())
}

fn exposure_of(f: &Finding) -> Option<&str> {
    f.properties.get("exposure").and_then(|v| v.as_str())
}

fn is_still_in_head(f: &Finding) -> bool {
    exposure_of(f) == Some(Exposure::Head.as_str())
}

fn order(f: &Finding) -> (i64, String, u32, u32) {
    let time = f
        .properties
        .get("commit_time")
        .and_then(|v| v.as_i64())
        .unwrap_or(i64::MAX);
    let loc = f.location.as_ref();
    (
        time,
        loc.and_then(|l| l.commit.clone()).unwrap_or_default(),
        loc.and_then(|l| l.line).unwrap_or(0),
        loc.and_then(|l| l.column).unwrap_or(0),
    )
}
