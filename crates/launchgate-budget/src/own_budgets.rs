//! launchgate.yml's own budgets: category scores, metric and resource maximums per URL,
//! and bundle limits per glob.

use std::collections::BTreeMap;

use launchgate_core::{Error, Severity};
use regex::Regex;

use crate::build_files::{BuildFile, Compression, PathFilter};
use crate::config::{BudgetConfig, MetricLimit, ResourceLimit};
use crate::evaluated::{EvaluatedBudget, Operator, Unit};
use crate::lhci::{Aggregation, aggregate};
use crate::lhr::Page;

/// The category minimums a launch checklist asks for when none are configured.
pub const DEFAULT_CATEGORIES: [(&str, f64); 1] = [("performance", 0.85)];

/// The metrics a budget may name, with their short aliases and units.
pub const METRICS: [(&str, &str, Unit); 7] = [
    ("largest-contentful-paint", "lcp", Unit::Milliseconds),
    ("first-contentful-paint", "fcp", Unit::Milliseconds),
    ("total-blocking-time", "tbt", Unit::Milliseconds),
    ("cumulative-layout-shift", "cls", Unit::Unitless),
    ("speed-index", "si", Unit::Milliseconds),
    ("interactive", "tti", Unit::Milliseconds),
    ("total-byte-weight", "bytes", Unit::Bytes),
];

const SOURCE: &str = "launchgate.yml";

/// The audit ID and unit of a metric name or alias.
pub fn metric(name: &str) -> Result<(&'static str, Unit), Error> {
    METRICS
        .iter()
        .find(|(id, alias, _)| *id == name || *alias == name)
        .map(|(id, _, unit)| (*id, *unit))
        .ok_or_else(|| {
            let names: Vec<&str> = METRICS.iter().map(|m| m.0).collect();
            Error::input(format!("budget.metrics: unknown metric `{name}`")).with_help(format!(
                "use one of {} (or lcp, fcp, tbt, cls, si, tti)",
                names.join(", ")
            ))
        })
}

fn metric_value(name: &str, unit: Unit, limit: &MetricLimit) -> Result<f64, Error> {
    match (limit, unit) {
        (MetricLimit::Number(n), _) => Ok(*n),
        (MetricLimit::Text(t), Unit::Bytes) => launchgate_core::units::parse_size(t)
            .map(|b| b as f64)
            .map_err(|e| Error::input(format!("budget.metrics.{name}: {e}"))),
        (MetricLimit::Text(t), Unit::Milliseconds) => {
            let t = t.trim();
            launchgate_core::units::parse_duration(t)
                .map(|d| d.as_secs_f64() * 1000.0)
                .map_err(|_| {
                    Error::input(format!("budget.metrics.{name}: `{t}` is not a duration"))
                        .with_help("write milliseconds as a number (2500), or `2500 ms`, or `2.5 s`")
                })
        }
        (MetricLimit::Text(t), _) => t
            .trim()
            .parse()
            .map_err(|_| Error::input(format!("budget.metrics.{name}: `{t}` is not a number"))),
    }
}

/// The budgets that apply to one URL: the base ones, then every matching `pages` entry.
struct PageLimits {
    categories: BTreeMap<String, f64>,
    metrics: BTreeMap<String, MetricLimit>,
    resources: BTreeMap<String, ResourceLimit>,
}

fn limits_for(config: &BudgetConfig, url: &str) -> Result<PageLimits, Error> {
    let mut limits = PageLimits {
        categories: config.categories.clone().unwrap_or_else(|| {
            DEFAULT_CATEGORIES
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect()
        }),
        metrics: config.metrics.clone(),
        resources: config.resources.clone(),
    };
    for page in &config.pages {
        let re = Regex::new(&page.url).map_err(|e| {
            Error::input(format!(
                "budget.pages: url `{}` is not a regular expression: {e}",
                page.url
            ))
            .with_help("write a regular expression matched against the final URL, e.g. `/checkout`")
        })?;
        if re.is_match(url) {
            limits.categories.extend(page.categories.clone());
            limits.metrics.extend(page.metrics.clone());
            limits.resources.extend(page.resources.clone());
        }
    }
    Ok(limits)
}

/// Evaluates the Lighthouse budgets of launchgate.yml on one page.
pub fn evaluate_page(config: &BudgetConfig, page: &Page, group: &str) -> Result<Vec<EvaluatedBudget>, Error> {
    let level = config.level.unwrap_or(Severity::Error);
    let method = match &config.aggregation {
        Some(text) => Aggregation::parse(text).ok_or_else(|| {
            Error::input(format!(
                "budget.aggregation: `{text}` is not optimistic, pessimistic, median or median-run"
            ))
        })?,
        None => Aggregation::Median,
    };
    let limits = limits_for(config, &page.match_url)?;
    let category_source =
        if config.categories.is_none() && !config.pages.iter().any(|p| !p.categories.is_empty()) {
            "launchgate default budget"
        } else {
            SOURCE
        };
    let mut out = Vec::new();
    let collect = |raw: Vec<Option<f64>>, operator: Operator| {
        let values: Vec<f64> = raw.iter().flatten().copied().collect();
        let actual = if method == Aggregation::Pessimistic && values.len() < raw.len() {
            None
        } else {
            aggregate(method, operator, &raw, page)
        };
        (actual, values)
    };
    for (category, min) in &limits.categories {
        if !(0.0..=1.0).contains(min) {
            return Err(Error::input(format!(
                "budget.categories.{category}: {min} is not a score between 0 and 1"
            ))
            .with_help("scores are 0–1 as in Lighthouse's JSON: write 0.9 for 90"));
        }
        let raw = page
            .runs
            .iter()
            .map(|r| r.categories.get(category).copied().flatten())
            .collect();
        let (actual, values) = collect(raw, Operator::AtLeast);
        let mut o = EvaluatedBudget::compare(
            group,
            format!("categories:{category}"),
            category_source,
            "budget.category",
            level,
            Operator::AtLeast,
            *min,
            actual,
            Unit::Score,
        )
        .with_values(values);
        if !page.runs.iter().any(|r| r.categories.contains_key(category)) {
            o = o
                .with_message(format!(
                    "{group}: category `{category}` is not in the Lighthouse results"
                ))
                .with_help("run Lighthouse with this category, or remove its budget");
        }
        out.push(o);
    }
    for (name, limit) in &limits.metrics {
        let (id, unit) = metric(name)?;
        let max = metric_value(name, unit, limit)?;
        let raw = page.runs.iter().map(|r| r.numeric(id)).collect();
        let (actual, values) = collect(raw, Operator::AtMost);
        out.push(
            EvaluatedBudget::compare(
                group,
                id,
                SOURCE,
                "budget.metric",
                level,
                Operator::AtMost,
                max,
                actual,
                unit,
            )
            .with_values(values),
        );
    }
    for (kind, limit) in &limits.resources {
        if !crate::budget_json::RESOURCE_TYPES.contains(&kind.as_str()) {
            return Err(
                Error::input(format!("budget.resources: unknown resource type `{kind}`")).with_help(format!(
                    "use one of {}",
                    crate::budget_json::RESOURCE_TYPES.join(", ")
                )),
            );
        }
        if let Some(size) = &limit.size {
            let max = launchgate_core::units::parse_size(size)
                .map_err(|e| Error::input(format!("budget.resources.{kind}.size: {e}")))?;
            let raw = page.runs.iter().map(|r| r.resource(kind).map(|x| x.0)).collect();
            let (actual, values) = collect(raw, Operator::AtMost);
            out.push(
                EvaluatedBudget::compare(
                    group,
                    format!("{kind} size"),
                    SOURCE,
                    "budget.resource",
                    level,
                    Operator::AtMost,
                    max as f64,
                    actual,
                    Unit::Bytes,
                )
                .with_values(values),
            );
        }
        if let Some(count) = limit.count {
            let raw = page.runs.iter().map(|r| r.resource(kind).map(|x| x.1)).collect();
            let (actual, values) = collect(raw, Operator::AtMost);
            out.push(
                EvaluatedBudget::compare(
                    group,
                    format!("{kind} requests"),
                    SOURCE,
                    "budget.resource",
                    level,
                    Operator::AtMost,
                    count as f64,
                    actual,
                    Unit::Count,
                )
                .with_values(values),
            );
        }
    }
    Ok(out)
}

/// The compressions the bundle budgets need.
pub fn compressions(config: &BudgetConfig) -> Result<Vec<Compression>, Error> {
    let mut out = Vec::new();
    for b in &config.bundles {
        out.push(bundle_compression(b.compression.as_deref())?);
    }
    Ok(out)
}

fn bundle_compression(text: Option<&str>) -> Result<Compression, Error> {
    match text {
        None => Ok(Compression::Gzip),
        Some(c) => Compression::parse(c).ok_or_else(|| {
            Error::input(format!(
                "budget.bundles: compression `{c}` is not gzip, brotli or none"
            ))
        }),
    }
}

/// Evaluates the bundle budgets on the files of the build folder. A glob may be written
/// relative to the build folder (`assets/*.js`) or with the folder's own path in front, as
/// size-limit configs are (`dist/assets/*.js`, `web/dist/**/*.js`).
pub fn evaluate_bundles(
    config: &BudgetConfig,
    files: &[BuildFile],
    folder: &str,
) -> Result<Vec<EvaluatedBudget>, Error> {
    let mut out = Vec::new();
    let parts: Vec<String> = std::path::Path::new(folder)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    // `dist`, `app/dist`, `web/app/dist`, …: the folder's trailing path components.
    let prefixes: Vec<String> = (1..=parts.len())
        .map(|k| parts[parts.len() - k..].join("/"))
        .collect();
    for b in &config.bundles {
        let patterns = b.path.patterns();
        let compression = bundle_compression(b.compression.as_deref())?;
        let max = launchgate_core::units::parse_size(&b.max)
            .map_err(|e| Error::input(format!("budget.bundles `{}`: {e}", patterns.join(", "))))?
            as f64;
        let filter = PathFilter::new(&patterns).map_err(|e| Error::input(format!("budget.bundles: {e}")))?;
        let level = b.level.or(config.level).unwrap_or(Severity::Error);
        let matched: Vec<&BuildFile> = files
            .iter()
            .filter(|f| {
                filter.matches(&f.path)
                    || prefixes
                        .iter()
                        .any(|p| filter.matches(&format!("{p}/{}", f.path)))
            })
            .collect();
        let label = patterns.join(", ");
        if matched.is_empty() {
            out.push(
                EvaluatedBudget::compare(
                    "bundles",
                    format!("{label} ({})", compression.as_str()),
                    SOURCE,
                    "budget.no-match",
                    level,
                    Operator::AtMost,
                    max,
                    None,
                    Unit::Bytes,
                )
                .with_message(format!("no file in {folder} matches {label}"))
                .with_help("fix the glob (it is relative to the build folder) or build before checking"),
            );
            continue;
        }
        if b.each.unwrap_or(true) {
            for f in matched {
                let actual = f.size(compression).map(|s| s as f64);
                out.push(EvaluatedBudget::compare(
                    "bundles",
                    format!("{} ({})", f.path, compression.as_str()),
                    SOURCE,
                    "budget.bundle",
                    level,
                    Operator::AtMost,
                    max,
                    actual,
                    Unit::Bytes,
                ));
            }
        } else {
            let total: Option<u64> = matched.iter().map(|f| f.size(compression)).sum();
            out.push(EvaluatedBudget::compare(
                "bundles",
                format!("{label} ({}, {} files)", compression.as_str(), matched.len()),
                SOURCE,
                "budget.bundle",
                level,
                Operator::AtMost,
                max,
                total.map(|t| t as f64),
                Unit::Bytes,
            ));
        }
    }
    Ok(out)
}
