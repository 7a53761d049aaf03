//! What a build ships to browsers must carry no secret. Every file of the build folder is
//! scanned by the secrets engine; a source map is read for the sources it embeds, so a
//! finding in one points at the original file and line; a finding in a bundle names the
//! original source its map gives. The values the env schema marks `secret: true` are searched
//! for as is and encoded, which catches a server secret a bundler inlined through a public
//! prefix or a `define` whatever its shape. Source maps published with the build are reported.

use std::path::{Path, PathBuf};

use launchgate_core::{Error, Finding, Location, Report, Severity};
use launchgate_detect::engine::{Engine, Match};
use launchgate_detect::findings::{self, Origin};
use launchgate_detect::known_values::{KnownValues, MIN_KNOWN_VALUE};
use rayon::prelude::*;
use sourcemap::SourceMap;

/// Files larger than this are skipped with a note, as the secrets gate skips them.
pub const MAX_SHIPPED_FILE_SIZE: u64 = launchgate_detect::DEFAULT_MAX_FILE_SIZE;

/// Known-value hits reported per file; more are counted in a note.
const MAX_KNOWN_HITS_PER_FILE: usize = 20;

/// Source maps named one by one in the published-maps finding.
const MAPS_NAMED: usize = 5;

/// The rule of a known secret value found in a shipped file (described in
/// [`crate::report::RULES`], as the source-map rule is).
pub const KNOWN_VALUE_RULE: &str = "budget.shipped-env-secret";
/// The rule of source maps published with the build.
pub const SOURCE_MAP_RULE: &str = "budget.source-map-published";

/// One file of the build, read and scanned.
struct ScannedFile {
    display: String,
    bytes: Vec<u8>,
    matches: Vec<Match>,
    /// For a source map: the matches in each embedded source, with the source's name.
    embedded: Vec<(String, Vec<Match>)>,
    map: Option<SourceMap>,
}

/// Scans the files of a build (paths relative to `root`, as [`crate::bundles::scan`] lists
/// them) and returns the report of what it found, for the budget report to take in.
pub fn scan(root: &Path, files: &[PathBuf], known: Option<&KnownValues>) -> Result<Report, Error> {
    let engine = launchgate_detect::default_engine();
    let mut notes = Vec::new();
    let readable: Vec<&PathBuf> = files
        .iter()
        .filter(|rel| {
            let size = std::fs::metadata(root.join(rel)).map(|m| m.len()).unwrap_or(0);
            if size > MAX_SHIPPED_FILE_SIZE {
                notes.push(format!(
                    "skipped {} for secrets: {size} bytes, over the {MAX_SHIPPED_FILE_SIZE}-byte limit of the secrets gate",
                    display(root, rel)
                ));
                return false;
            }
            true
        })
        .collect();
    let scanned: Vec<ScannedFile> = readable
        .par_iter()
        .map(|rel| read_and_scan(engine, root, rel))
        .collect::<Result<_, _>>()?;

    let mut report = Report::new("budget");
    let mut allowed = 0;
    let mut maps: Vec<&str> = Vec::new();
    for file in &scanned {
        let bundle_map = (!file.matches.is_empty())
            .then(|| map_of(&scanned, file))
            .flatten();
        for m in &file.matches {
            let source = bundle_map.and_then(|map| original_position(map, m));
            add_match(engine, &mut report, &mut allowed, &file.display, m, |finding| {
                annotate(finding, &file.display, source.as_deref());
            });
        }
        for (source, matches) in &file.embedded {
            for m in matches {
                let at = format!("{source}:{}", m.line);
                add_match(engine, &mut report, &mut allowed, source, m, |finding| {
                    annotate(finding, &file.display, Some(&at));
                });
            }
        }
        if file.map.is_some() || file.display.ends_with(".map") {
            maps.push(&file.display);
        }
    }
    report.sort();
    report.suppressed += allowed;
    if allowed > 0 {
        report.notes.push(format!(
            "{allowed} finding(s) suppressed by launchgate:allow comments"
        ));
    }
    report.notes.extend(notes);
    if let Some(known) = known.filter(|k| !k.is_empty()) {
        for file in &scanned {
            known_value_findings(known, file, &mut report);
        }
    }
    if !maps.is_empty() {
        report.push(published_maps_finding(&maps));
    }
    Ok(report)
}

/// Scans the build's files for secrets and the env schema's secret values, and takes what it
/// finds into `report`.
pub(crate) fn scan_into_report(
    build: &Path,
    paths: &[PathBuf],
    env_secrets: &[(String, launchgate_core::Secret)],
    report: &mut Report,
) -> Result<(), Error> {
    let searchable: Vec<_> = env_secrets
        .iter()
        .filter(|(_, v)| v.expose().len() >= MIN_KNOWN_VALUE)
        .cloned()
        .collect();
    let skipped = env_secrets.len() - searchable.len();
    let known = KnownValues::new(searchable)?;
    let found = scan(build, paths, Some(&known))?;
    report.findings.extend(found.findings);
    report.rules.extend(found.rules);
    report.notes.extend(found.notes);
    if skipped > 0 {
        report.notes.push(format!(
            "{skipped} secret value(s) from the env schema are shorter than {} characters and were not searched for in the build",
            MIN_KNOWN_VALUE
        ));
    }
    Ok(())
}

/// A build file as findings name it: relative to the current folder when under it, so a
/// report run from the repository's root points at repository paths.
fn display(root: &Path, rel: &Path) -> String {
    let path = root.join(rel);
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or(path);
    launchgate_core::finding::normalize_path(&shown.to_string_lossy())
}

/// Adds the finding for a match unless an allow comment covers it; `edit` says where the
/// shipped file came from before the finding is sealed.
fn add_match(
    engine: &Engine,
    report: &mut Report,
    allowed: &mut usize,
    path: &str,
    m: &Match,
    edit: impl FnOnce(&mut Finding),
) {
    if m.inline_allowed {
        *allowed += 1;
        return;
    }
    let rule = engine.rule(m.rule_index);
    let mut finding = findings::finding_for(rule, path, m, m.severity, Origin::Build);
    edit(&mut finding);
    let fingerprint = m.secret.fingerprint(&finding.rule_id);
    findings::seal(&mut finding, &m.secret, fingerprint);
    report
        .rules
        .entry(finding.rule_id.clone())
        .or_insert_with(|| findings::rule_info(rule));
    report.push(finding);
}

fn read_and_scan(engine: &Engine, root: &Path, rel: &Path) -> Result<ScannedFile, Error> {
    let path = root.join(rel);
    let display = display(root, rel);
    let bytes = launchgate_core::bounded::read_file(&path, MAX_SHIPPED_FILE_SIZE, "a build file")?;
    let is_map = rel.extension().is_some_and(|e| e == "map");
    let map = is_map.then(|| SourceMap::from_slice(&bytes).ok()).flatten();
    let mut embedded = Vec::new();
    let matches = match &map {
        // A map's own text is JSON with the sources escaped inside it; scanning the sources
        // themselves gives the original file and line instead.
        Some(map) => {
            for (index, source) in map.sources().enumerate() {
                let Some(contents) = map.get_source_contents(index as u32) else {
                    continue;
                };
                let found = engine.scan_bytes(source, contents.as_bytes());
                if !found.is_empty() {
                    embedded.push((source_name(source), found));
                }
            }
            Vec::new()
        }
        None => engine.scan_bytes(&display, &bytes),
    };
    Ok(ScannedFile {
        display,
        bytes,
        matches,
        embedded,
        map,
    })
}

/// A source's name as a map gives it, without the bundler's scheme and leading `./` or `../`
/// (`webpack://app/./src/lib/db.ts` → `src/lib/db.ts`).
fn source_name(source: &str) -> String {
    let mut name = source;
    // `webpack://<namespace>/…`: the namespace is the first segment.
    if let Some((scheme, rest)) = name.split_once("://")
        && !scheme.contains('/')
    {
        name = rest.split_once('/').map_or(rest, |(_, path)| path);
    }
    let mut name = name.trim_start_matches("./");
    while let Some(rest) = name.strip_prefix("../") {
        name = rest;
    }
    launchgate_core::finding::normalize_path(name)
}

/// The source map of a bundle: the file its `sourceMappingURL` comment names, or else
/// `<file>.map`, when the build holds it.
fn map_of<'s>(scanned: &'s [ScannedFile], file: &ScannedFile) -> Option<&'s SourceMap> {
    let named = mapping_url(&file.bytes).and_then(|url| {
        let dir = file.display.rsplit_once('/').map_or("", |(d, _)| d);
        (!url.contains(':')).then(|| {
            if dir.is_empty() {
                url.to_string()
            } else {
                format!("{dir}/{url}")
            }
        })
    });
    let candidates = [named, Some(format!("{}.map", file.display))];
    candidates
        .into_iter()
        .flatten()
        .find_map(|name| scanned.iter().find(|f| f.display == name)?.map.as_ref())
}

/// The `//# sourceMappingURL=` of a file, looked for in its last 512 bytes.
fn mapping_url(bytes: &[u8]) -> Option<&str> {
    let tail = &bytes[bytes.len().saturating_sub(512)..];
    let text = std::str::from_utf8(tail).ok()?;
    let at = text.rfind("sourceMappingURL=")?;
    let url = text[at + "sourceMappingURL=".len()..]
        .split(|c: char| c.is_whitespace() || c == '*')
        .next()?;
    (!url.is_empty()).then_some(url)
}

/// `source:line` of a match in a bundle, from the bundle's map.
fn original_position(map: &SourceMap, m: &Match) -> Option<String> {
    let token = map.lookup_token(m.line.checked_sub(1)?, m.column.checked_sub(1)?)?;
    let source = token.get_source()?;
    Some(format!("{}:{}", source_name(source), token.get_src_line() + 1))
}

/// Says on a finding which shipped file it came from and, when known, the original source
/// and line.
fn annotate(finding: &mut Finding, shipped: &str, source: Option<&str>) {
    let in_map = finding.location.as_ref().is_some_and(|l| l.path != shipped);
    finding.message = match source {
        Some(source) if in_map => format!(
            "{} in {shipped}, which ships the source {source}",
            finding.message
        ),
        Some(source) => format!("{} in the shipped file {shipped}, from {source}", finding.message),
        None => format!("{} in the shipped file {shipped}", finding.message),
    };
    finding.properties.insert("shipped_file".into(), shipped.into());
    if let Some(source) = source {
        finding.properties.insert("source".into(), source.into());
    }
}

fn known_value_findings(known: &KnownValues, file: &ScannedFile, report: &mut Report) {
    let hits = known.find(&file.bytes);
    let reported = &hits[..hits.len().min(MAX_KNOWN_HITS_PER_FILE)];
    // Every hit placed in one pass over the file, as the secrets gate places its matches.
    let spans: Vec<_> = reported
        .iter()
        .map(|h| (h.range.clone(), h.range.clone()))
        .collect();
    let positions = launchgate_detect::position::resolve(&file.bytes, &spans, &mut 0);
    for (hit, at) in reported.iter().zip(positions) {
        let (line, column) = (at.start.line, at.start.column);
        let mut finding = Finding::new(
            KNOWN_VALUE_RULE,
            Severity::Error,
            format!(
                "the value of {}, a secret in the env schema, is in the shipped file {} ({})",
                hit.name, file.display, hit.form
            ),
        )
        .at(Location::at(&file.display, line, column))
        .secret(hit.value.to_redacted_for(KNOWN_VALUE_RULE))
        .help(format!(
            "Rotate {} first: every browser that loaded this file has it. Then find how it reached \
             the client bundle (a public prefix such as NEXT_PUBLIC_ or VITE_, a bundler `define`, \
             an import of server code) and keep it on the server.",
            hit.name
        ))
        .property("variable", hit.name)
        .property("form", hit.form);
        finding.fingerprint = hit.value.fingerprint(KNOWN_VALUE_RULE);
        report.push(finding);
    }
    if hits.len() > MAX_KNOWN_HITS_PER_FILE {
        report.notes.push(format!(
            "{} holds {} more secret values from the env schema than are reported",
            file.display,
            hits.len() - MAX_KNOWN_HITS_PER_FILE
        ));
    }
}

fn published_maps_finding(maps: &[&str]) -> Finding {
    let mut list = maps
        .iter()
        .take(MAPS_NAMED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = maps.len().saturating_sub(MAPS_NAMED);
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    let what = if maps.len() > 1 {
        format!("{} source maps are", maps.len())
    } else {
        "a source map is".to_string()
    };
    Finding::new(
        SOURCE_MAP_RULE,
        Severity::Warning,
        format!("{what} published with the build: {list}"),
    )
    .at(Location::file(maps[0]))
    .help(
        "Source maps give every visitor your original source and its comments. Upload them to \
         your error tracker and delete them from the deployed folder, or build with hidden source \
         maps (`devtool: 'hidden-source-map'`, Vite `build.sourcemap: 'hidden'`).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_lose_the_bundlers_scheme_and_relative_prefixes() {
        assert_eq!(source_name("webpack://shop/./src/lib/db.ts"), "src/lib/db.ts");
        assert_eq!(source_name("../../src/app.tsx"), "src/app.tsx");
        assert_eq!(source_name("./src/x.js"), "src/x.js");
        assert_eq!(source_name("src/y.js"), "src/y.js");
    }

    #[test]
    fn the_mapping_url_is_read_from_the_files_end() {
        assert_eq!(
            mapping_url(b"a();\n//# sourceMappingURL=a.js.map\n"),
            Some("a.js.map")
        );
        assert_eq!(
            mapping_url(b"b{}\n/*# sourceMappingURL=b.css.map */"),
            Some("b.css.map")
        );
        assert_eq!(mapping_url(b"c();\n"), None);
        let far = format!("//# sourceMappingURL=early.map\n{}", "x".repeat(600));
        assert_eq!(mapping_url(far.as_bytes()), None);
    }
}
