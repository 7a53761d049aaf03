//! The `budget:` section of launchgate.yml.

use std::collections::BTreeMap;
use std::path::PathBuf;

use launchgate_core::Severity;
use serde::Deserialize;

/// `budget:` in launchgate.yml. Paths are relative to the repository root.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// Lighthouse results: files, folders of `lhr-*.json`, or `.lighthouseci/`.
    #[serde(default)]
    pub lighthouse: Vec<PathBuf>,
    /// The build output folder to measure (dist/, build/, .next/static).
    #[serde(default)]
    pub build: Option<PathBuf>,
    #[serde(default)]
    pub esbuild_metafile: Option<PathBuf>,
    #[serde(default)]
    pub webpack_stats: Option<PathBuf>,
    #[serde(default)]
    pub vite_manifest: Option<PathBuf>,
    /// Configs of other tools to enforce as they are.
    #[serde(default)]
    pub lighthouserc: Option<PathBuf>,
    #[serde(default)]
    pub budget_json: Option<PathBuf>,
    #[serde(default)]
    pub size_limit: Option<PathBuf>,
    #[serde(default)]
    pub bundlewatch: Option<PathBuf>,
    /// The JSON report of a base-branch run to compare against.
    #[serde(default)]
    pub baseline: Option<PathBuf>,
    /// `false` applies only the inputs named here and by flags, none found in the project.
    #[serde(default)]
    pub discover: Option<bool>,
    /// Compressed sizes to compute for the build folder (default `[gzip, brotli]`);
    /// brotli-11 is slow on large folders, so `[gzip]` is the fast choice.
    #[serde(default)]
    pub compressions: Vec<crate::build_files::Compression>,
    /// How several runs of one URL become one value for these budgets (default median).
    #[serde(default)]
    pub aggregation: Option<String>,
    /// The severity of a broken budget here (default error).
    #[serde(default)]
    pub level: Option<Severity>,
    /// Minimum category scores, 0–1. Default: `performance: 0.85`.
    #[serde(default)]
    pub categories: Option<BTreeMap<String, f64>>,
    /// Metric maximums: milliseconds, CLS unitless, total-byte-weight a size.
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricLimit>,
    /// Resource size and count maximums per type (script, stylesheet, image, font,
    /// document, media, other, third-party, total); transfer sizes.
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceLimit>,
    /// Overrides for URLs matching a regular expression; every matching entry applies.
    #[serde(default)]
    pub pages: Vec<PageBudget>,
    /// Size limits for built files by glob, relative to `build` or to the repository
    /// root (`assets/*.js` and `dist/assets/*.js` both work with `build: dist`).
    #[serde(default)]
    pub bundles: Vec<BundleBudget>,
    #[serde(default)]
    pub regression: Option<RegressionConfig>,
}

/// A metric maximum: a number (milliseconds, or unitless for CLS) or a string with a unit
/// (`"2.5 s"`, `"2500 ms"`, `"1.5 MB"` for total-byte-weight).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MetricLimit {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceLimit {
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub count: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageBudget {
    /// A regular expression matched against the final URL.
    pub url: String,
    #[serde(default)]
    pub categories: BTreeMap<String, f64>,
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricLimit>,
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceLimit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleBudget {
    /// A glob, or a list with `!` exclusions, relative to the build folder.
    pub path: PathList,
    /// `"170 kB"` (1000 B), `"170 KiB"` (1024 B).
    pub max: String,
    /// `gzip` (default), `brotli` or `none`.
    #[serde(default)]
    pub compression: Option<String>,
    /// `true` (default): one row per matched file; `false`: the files' sum.
    #[serde(default)]
    pub each: Option<bool>,
    #[serde(default)]
    pub level: Option<Severity>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PathList {
    One(String),
    Many(Vec<String>),
}

impl PathList {
    pub fn patterns(&self) -> Vec<String> {
        match self {
            PathList::One(p) => vec![p.clone()],
            PathList::Many(v) => v.clone(),
        }
    }
}

/// How much growth against the baseline is allowed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegressionConfig {
    /// Relative growth allowed for sizes, counts and timings (default `"5%"`).
    #[serde(default)]
    pub max_increase: Option<String>,
    /// Absolute growth allowed for sizes (default `"1 kB"`). A change must pass both
    /// thresholds to count, so 10 B on a 100 B file is not a regression.
    #[serde(default)]
    pub max_increase_bytes: Option<String>,
    /// Score drop allowed, 0–1 (default 0.05).
    #[serde(default)]
    pub max_score_drop: Option<f64>,
    /// `error` (default) or `warning`.
    #[serde(default)]
    pub level: Option<Severity>,
}
