//! Lighthouse results (LHR JSON, Lighthouse 10 to 13): reading them from files, folders and
//! `.lighthouseci/`, and grouping the runs of one URL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use serde_json::Value;

use crate::read;

/// The Lighthouse major versions whose audit IDs this gate knows.
pub const KNOWN_MAJORS: std::ops::RangeInclusive<u64> = 10..=13;

/// One Lighthouse run of one URL.
#[derive(Debug, Clone)]
pub struct LighthouseRun {
    /// The file it was read from.
    pub source: PathBuf,
    /// `finalUrl`, which LHCI groups and matches on (falls back to `mainDocumentUrl`,
    /// `finalDisplayedUrl`, `requestedUrl`), with its credentials redacted: what reports show.
    pub url: String,
    /// The same URL as Lighthouse recorded it, credentials included: only matched against
    /// the URL patterns of budgets, never printed.
    pub match_url: String,
    pub lighthouse_version: String,
    /// `configSettings.formFactor`: `mobile` or `desktop`.
    pub form_factor: String,
    /// The fatal error Lighthouse recorded, as `(code, message)`.
    pub runtime_error: Option<(String, String)>,
    /// Category scores (0–1); `None` when Lighthouse could not score the category.
    pub categories: BTreeMap<String, Option<f64>>,
    pub audits: serde_json::Map<String, Value>,
}

impl LighthouseRun {
    /// Parses one LHR; `name` is how errors refer to it.
    pub fn parse(name: &str, source: &Path, text: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| json_error(name, text, &e))?;
        let object = value
            .as_object()
            .ok_or_else(|| not_an_lhr(name, "it is not a JSON object"))?;
        let version = object
            .get("lighthouseVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| not_an_lhr(name, "it has no `lighthouseVersion`"))?
            .to_string();
        let audits = match object.get("audits") {
            Some(Value::Object(map)) => map.clone(),
            _ => return Err(not_an_lhr(name, "it has no `audits` object")),
        };
        let match_url = ["finalUrl", "mainDocumentUrl", "finalDisplayedUrl", "requestedUrl"]
            .iter()
            .find_map(|k| object.get(*k).and_then(Value::as_str))
            .ok_or_else(|| not_an_lhr(name, "it names no URL (`finalUrl`)"))?
            .to_string();
        let categories = object
            .get("categories")
            .and_then(Value::as_object)
            .map(|cats| {
                cats.iter()
                    .map(|(id, c)| (id.clone(), c.get("score").and_then(Value::as_f64)))
                    .collect()
            })
            .unwrap_or_default();
        let form_factor = value
            .pointer("/configSettings/formFactor")
            .and_then(Value::as_str)
            .unwrap_or("mobile")
            .to_string();
        let runtime_error = object.get("runtimeError").and_then(|e| {
            let code = e.get("code").and_then(Value::as_str)?;
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            Some((code.to_string(), crate::url::redact_in(message)))
        });
        Ok(LighthouseRun {
            source: source.to_path_buf(),
            url: crate::url::redact(&match_url),
            match_url,
            lighthouse_version: version,
            form_factor,
            runtime_error,
            categories,
            audits,
        })
    }

    /// Reads one LHR file; `.json.gz` files are decompressed.
    pub fn read(path: &Path) -> Result<Self, Error> {
        LighthouseRun::parse(&path.display().to_string(), path, &read_text(path)?)
    }

    /// The Lighthouse major version, if the version string has one.
    pub fn major(&self) -> Option<u64> {
        self.lighthouse_version.split('.').next()?.parse().ok()
    }

    pub fn audit(&self, id: &str) -> Option<&Value> {
        self.audits.get(id)
    }

    /// An audit's `numericValue`.
    pub fn numeric(&self, id: &str) -> Option<f64> {
        self.audit(id)?.get("numericValue")?.as_f64()
    }

    /// `(bytes, requests)` of one resource type from `resource-summary`; older results
    /// carry `size` where newer ones carry `transferSize`, and LHCI reads `size` first.
    pub fn resource(&self, resource_type: &str) -> Option<(f64, f64)> {
        let items = self
            .audit("resource-summary")?
            .pointer("/details/items")?
            .as_array()?;
        let item = items
            .iter()
            .find(|i| i.get("resourceType").and_then(Value::as_str) == Some(resource_type))?;
        let size = item
            .get("size")
            .or_else(|| item.get("transferSize"))
            .and_then(Value::as_f64)?;
        let count = item.get("requestCount").and_then(Value::as_f64)?;
        Some((size, count))
    }
}

fn not_an_lhr(name: &str, why: &str) -> Error {
    Error::input(format!("{name} is not a Lighthouse result: {why}")).with_help(
        "pass the JSON that `lighthouse --output=json` or `lhci collect` writes (Lighthouse 10 to 13)",
    )
}

/// A JSON syntax error naming the file, with line and column, and saying when the file
/// simply stops (a truncated upload or artifact).
pub fn json_error(name: &str, text: &str, e: &serde_json::Error) -> Error {
    let what = if e.is_eof() {
        "it ends early (truncated?)".to_string()
    } else {
        e.to_string()
    };
    let offset = launchgate_core::error::offset_of(text, e.line().max(1), e.column().max(1));
    crate::snippet::at(
        format!("{name} is not valid JSON: {what}"),
        name,
        text,
        offset,
        1,
        "here",
    )
    .with_help(if e.is_eof() {
        "regenerate the file; a file cut short by a failed upload or a full disk cannot be read"
    } else {
        "fix the JSON at that line and column"
    })
}

/// Reads every LHR named: files (`.json`, `.json.gz`), folders holding `lhr-<n>.json`
/// (a `.lighthouseci/` folder, or one containing it), a folder with LHCI's
/// filesystem-upload `manifest.json`, or else a folder of Lighthouse JSON files. Runs
/// come back in file-name order.
pub fn load(paths: &[PathBuf]) -> Result<Vec<LighthouseRun>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(files_in_folder(path)?);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(Error::input(format!("Lighthouse result {} does not exist", path.display()))
                .with_help("check the path; it is relative to the current directory (or the repository root for `launchgate check`)"));
        }
    }
    if files.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::input(format!(
            "{} holds no Lighthouse results, so nothing would be measured",
            if names.is_empty() {
                "the Lighthouse input".to_string()
            } else {
                names.join(", ")
            }
        ))
        .with_help("pass Lighthouse JSON files or the .lighthouseci/ folder `lhci collect` writes"));
    }
    read_all(&files, RESULTS)
}

/// How many Lighthouse results one run reads at most, and how many bytes of them in all
/// (each is kept parsed in memory): LHCI's usual 3 to 5 runs of a few URLs are far below.
const RESULTS: Totals = Totals {
    files: 1000,
    bytes: 1024 << 20,
};

#[derive(Debug, Clone, Copy)]
struct Totals {
    files: usize,
    bytes: usize,
}

/// The text of one LHR file; `.json.gz` files are inflated, both within the cap.
fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = read::bytes(path, read::LIGHTHOUSE_RESULT)?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        read::gunzip(path, &bytes, read::LIGHTHOUSE_RESULT)?
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|_| {
        Error::input(format!("{} is not UTF-8 text", path.display()))
            .with_help("pass a Lighthouse JSON report (lighthouse --output=json)")
    })
}

/// Reads and parses `files`, stopping with an error past `totals`.
fn read_all(files: &[PathBuf], totals: Totals) -> Result<Vec<LighthouseRun>, Error> {
    if files.len() > totals.files {
        return Err(Error::input(format!(
            "{} Lighthouse results were given, more than the {} launchgate reads in one run",
            files.len(),
            totals.files
        ))
        .with_help("pass the folder of one `lhci collect` run, not an archive of many"));
    }
    let mut read_so_far = 0;
    let mut runs = Vec::with_capacity(files.len());
    for file in files {
        let text = read_text(file)?;
        read_so_far += text.len();
        if read_so_far > totals.bytes {
            return Err(Error::input(format!(
                "the Lighthouse results hold more than {} MiB in all (reached at {}), the most launchgate reads in one run",
                totals.bytes >> 20,
                file.display()
            ))
            .with_help("pass the folder of one `lhci collect` run; real results are under 20 MB each"));
        }
        runs.push(LighthouseRun::parse(&file.display().to_string(), file, &text)?);
    }
    Ok(runs)
}

fn files_in_folder(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let nested = dir.join(".lighthouseci");
    if nested.is_dir() {
        return files_in_folder(&nested);
    }
    let mut lhrs: Vec<PathBuf> = read_dir(dir)?
        .into_iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(is_lhci_name))
        .collect();
    lhrs.sort();
    if !lhrs.is_empty() {
        return Ok(lhrs);
    }
    let manifest = dir.join("manifest.json");
    if manifest.is_file() {
        return from_manifest(&manifest);
    }
    // A plain folder of reports (`lighthouse --output-path=reports/home.json`): every JSON file.
    let mut any: Vec<PathBuf> = read_dir(dir)?
        .into_iter()
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json") || name.ends_with(".json.gz")
        })
        .collect();
    any.sort();
    if !any.is_empty() {
        return Ok(any);
    }
    Err(Error::input(format!("{} holds no Lighthouse results", dir.display())).with_help(
        "expected Lighthouse JSON files, lhr-<number>.json files (what `lhci collect` writes) or a manifest.json from `lhci upload --target=filesystem`",
    ))
}

/// LHCI reads only `lhr-<digits>.json`; the gzipped form is accepted too.
fn is_lhci_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("lhr-") else {
        return false;
    };
    let digits = rest
        .strip_suffix(".json")
        .or_else(|| rest.strip_suffix(".json.gz"))
        .unwrap_or("");
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The reports a filesystem-upload manifest lists; its paths are absolute on the machine
/// that wrote it, so each is looked up by file name next to the manifest.
fn from_manifest(manifest: &Path) -> Result<Vec<PathBuf>, Error> {
    let text = read::text(manifest, read::CONFIG)?;
    let name = manifest.display().to_string();
    let value: Value = serde_json::from_str(&text).map_err(|e| json_error(&name, &text, &e))?;
    let entries = value.as_array().ok_or_else(|| {
        Error::input(format!("{name} is not an LHCI manifest: expected a JSON array"))
            .with_help("pass the manifest.json that `lhci upload --target=filesystem` writes")
    })?;
    if entries.is_empty() {
        return Err(Error::input(format!(
            "{name} lists no Lighthouse reports, so nothing would be measured"
        ))
        .with_help("run `lhci collect` before `lhci upload --target=filesystem`, or pass the folder holding the lhr-<number>.json files"));
    }
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    for entry in entries {
        let json_path = entry.get("jsonPath").and_then(Value::as_str).unwrap_or("");
        let file_name = json_path.rsplit(['/', '\\']).next().unwrap_or("");
        let local = dir.join(file_name);
        if file_name.is_empty() || !local.is_file() {
            return Err(Error::input(format!(
                "{name} lists {json_path}, which is not in {}",
                dir.display()
            ))
            .with_help("keep the .report.json files next to manifest.json when storing the artifact"));
        }
        files.push(local);
    }
    Ok(files)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, &e))?;
    Ok(entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
}

/// The runs of one URL on one form factor, aggregated together.
#[derive(Debug, Clone)]
pub struct Page {
    /// The redacted URL, as reports show it; runs whose URLs differ only in redacted parts
    /// are one page.
    pub url: String,
    /// The first run's URL as recorded, for URL patterns only: never printed.
    pub match_url: String,
    pub form_factor: String,
    pub runs: Vec<LighthouseRun>,
}

impl Page {
    /// How tables and findings name the page: the URL, plus the form factor when the same
    /// URL was measured on both.
    pub fn label(&self, qualify: bool) -> String {
        if qualify {
            format!("{} ({})", self.url, self.form_factor)
        } else {
            self.url.clone()
        }
    }

    /// The run LHCI calls representative: the one closest to the median first
    /// contentful paint and time to interactive.
    pub fn representative_run(&self) -> usize {
        let fcp: Vec<f64> = self
            .runs
            .iter()
            .map(|r| r.numeric("first-contentful-paint").unwrap_or(0.0))
            .collect();
        let tti: Vec<f64> = self
            .runs
            .iter()
            .map(|r| r.numeric("interactive").unwrap_or(0.0))
            .collect();
        let (mf, mt) = (median(&fcp).unwrap_or(0.0), median(&tti).unwrap_or(0.0));
        let distance = |i: usize| {
            let rel = |v: f64, m: f64| if m == 0.0 { 0.0 } else { ((v - m) / m).abs() };
            rel(fcp[i], mf) + rel(tti[i], mt)
        };
        (0..self.runs.len())
            .min_by(|a, b| distance(*a).total_cmp(&distance(*b)))
            .unwrap_or(0)
    }
}

/// The median; the mean of the two middle values for an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// Groups runs by URL and form factor, keeping the order in which URLs first appear.
pub fn group(runs: Vec<LighthouseRun>) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    for run in runs {
        match pages
            .iter_mut()
            .find(|p| p.url == run.url && p.form_factor == run.form_factor)
        {
            Some(page) => page.runs.push(run),
            None => pages.push(Page {
                url: run.url.clone(),
                match_url: run.match_url.clone(),
                form_factor: run.form_factor.clone(),
                runs: vec![run],
            }),
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_past_the_totals_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let lhr = r#"{"lighthouseVersion": "12.8.2", "finalUrl": "http://a.dev/", "audits": {}}"#;
        let files: Vec<PathBuf> = (0..3)
            .map(|i| {
                let path = dir.path().join(format!("lhr-{i}.json"));
                std::fs::write(&path, lhr).unwrap();
                path
            })
            .collect();
        let roomy = Totals {
            files: 3,
            bytes: 3 * lhr.len(),
        };
        assert_eq!(read_all(&files, roomy).unwrap().len(), 3);
        let e = read_all(&files, Totals { files: 2, ..roomy }).unwrap_err();
        assert!(
            e.message()
                .contains("3 Lighthouse results were given, more than the 2"),
            "{}",
            e.message()
        );
        let e = read_all(
            &files,
            Totals {
                bytes: 2 * lhr.len() + 1,
                ..roomy
            },
        )
        .unwrap_err();
        assert!(
            e.message().contains("(reached at ") && e.message().contains("lhr-2.json"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn lhci_names() {
        assert!(is_lhci_name("lhr-1795334798388.json"));
        assert!(is_lhci_name("lhr-1.json.gz"));
        assert!(!is_lhci_name("lhr-abc.json"));
        assert!(!is_lhci_name("manifest.json"));
    }

    #[test]
    fn median_of_even_count_is_the_mean_of_the_middle() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 3.0, 10.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn other_json_is_not_an_lhr() {
        let e = LighthouseRun::parse("stats.json", Path::new("stats.json"), r#"{"assets": []}"#).unwrap_err();
        assert!(
            e.message().contains("stats.json is not a Lighthouse result"),
            "{}",
            e.message()
        );
        let e = LighthouseRun::parse("cut.json", Path::new("cut.json"), r#"{"lighthouseVersion": "12."#)
            .unwrap_err();
        assert!(e.message().contains("truncated"), "{}", e.message());
    }
}
