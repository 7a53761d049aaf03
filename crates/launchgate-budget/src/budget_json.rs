//! Lighthouse's `budget.json` (LightWallet): resource sizes in KiB of transfer size,
//! resource counts and timings, per robots.txt-style path. Lighthouse applies only the
//! **last** budget whose path matches; sizes are KB of 1024 bytes.

use std::path::Path;

use launchgate_core::{Error, Severity};
use serde::Deserialize;

use crate::evaluated::{EvaluatedBudget, Operator, Unit};
use crate::lhr::{Page, median};

/// The resource types Lighthouse summarises.
pub const RESOURCE_TYPES: [&str; 9] = [
    "total",
    "document",
    "script",
    "stylesheet",
    "image",
    "media",
    "font",
    "other",
    "third-party",
];

/// The metrics a budget.json `timings` entry may name.
pub const TIMING_METRICS: [&str; 8] = [
    "first-contentful-paint",
    "interactive",
    "first-meaningful-paint",
    "max-potential-fid",
    "total-blocking-time",
    "speed-index",
    "largest-contentful-paint",
    "cumulative-layout-shift",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub options: Option<BudgetOptions>,
    #[serde(default, rename = "resourceSizes")]
    pub resource_sizes: Vec<ResourceBudget>,
    #[serde(default, rename = "resourceCounts")]
    pub resource_counts: Vec<ResourceBudget>,
    #[serde(default)]
    pub timings: Vec<TimingBudget>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetOptions {
    #[serde(default, rename = "firstPartyHostnames")]
    pub first_party_hostnames: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceBudget {
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    pub budget: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimingBudget {
    pub metric: String,
    pub budget: f64,
}

/// Reads and validates a budget.json file.
pub fn read(path: &Path) -> Result<Vec<Budget>, Error> {
    let text = crate::read::text(path, crate::read::CONFIG)?;
    parse(&path.display().to_string(), &text)
}

/// Parses and validates budget.json text the way Lighthouse 11 did: unknown keys,
/// unknown resource types or metrics, duplicates and malformed paths are errors.
pub fn parse(name: &str, text: &str) -> Result<Vec<Budget>, Error> {
    let budgets: Vec<Budget> = serde_json::from_str(text).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            crate::lhr::json_error(name, text, &e)
        } else {
            let offset = launchgate_core::error::offset_of(text, e.line().max(1), e.column().max(1));
            crate::snippet::at(format!("{name} is not a valid budget.json: {e}"), name, text, offset, 1, "here")
                .with_help("budget.json is an array of {path, resourceSizes, resourceCounts, timings}; see https://github.com/GoogleChrome/budget.json")
        }
    })?;
    for (i, b) in budgets.iter().enumerate() {
        let bad = |why: String| {
            Error::input(format!("{name}: budget #{} {why}", i + 1))
                .with_help("see https://github.com/GoogleChrome/budget.json for the format")
        };
        if let Some(path) = &b.path {
            validate_path(path).map_err(bad)?;
        }
        for list in [&b.resource_sizes, &b.resource_counts] {
            let mut seen = Vec::new();
            for r in list {
                if !RESOURCE_TYPES.contains(&r.resource_type.as_str()) {
                    return Err(bad(format!(
                        "has an unknown resourceType `{}` (expected one of {})",
                        r.resource_type,
                        RESOURCE_TYPES.join(", ")
                    )));
                }
                if seen.contains(&r.resource_type) {
                    return Err(bad(format!("lists resourceType `{}` twice", r.resource_type)));
                }
                seen.push(r.resource_type.clone());
            }
        }
        for t in &b.timings {
            if !TIMING_METRICS.contains(&t.metric.as_str()) {
                return Err(bad(format!(
                    "has an unknown timing metric `{}` (expected one of {})",
                    t.metric,
                    TIMING_METRICS.join(", ")
                )));
            }
        }
    }
    Ok(budgets)
}

fn validate_path(path: &str) -> Result<(), String> {
    let shown = shown_path(path);
    if !path.starts_with('/') {
        return Err(format!("has path `{shown}`, which must start with `/`"));
    }
    if path.matches('*').count() > 1 {
        return Err(format!("has path `{shown}` with more than one `*`"));
    }
    if path.strip_suffix('$').unwrap_or(path).contains('$') {
        return Err(format!("has path `{shown}` with `$` before its end"));
    }
    Ok(())
}

/// A budget path as messages show it: at most 60 characters, so a crafted one cannot fill
/// the log.
pub(crate) fn shown_path(path: &str) -> String {
    match path.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_string(),
    }
}

/// Whether a robots.txt-style budget path matches a URL's path and query.
pub fn path_matches(pattern: &str, url: &str) -> bool {
    let target = path_and_query(url);
    let (pattern, exact) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    match pattern.split_once('*') {
        None if exact => target == pattern,
        None => target.starts_with(pattern),
        Some((prefix, suffix)) => {
            let Some(rest) = target.strip_prefix(prefix) else {
                return false;
            };
            if exact {
                rest.ends_with(suffix)
            } else {
                rest.contains(suffix)
            }
        }
    }
}

fn path_and_query(url: &str) -> &str {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let without_fragment = after_scheme.split('#').next().unwrap_or("");
    match without_fragment.find('/') {
        Some(i) => &without_fragment[i..],
        None => "/",
    }
}

/// The budget Lighthouse would apply to a URL: the last one whose path matches.
pub fn budget_for<'a>(budgets: &'a [Budget], url: &str) -> Option<&'a Budget> {
    budgets
        .iter()
        .rev()
        .find(|b| b.path.as_deref().is_none_or(|p| path_matches(p, url)))
}

/// Evaluates budget.json on a page with Lighthouse's own semantics (last matching budget;
/// the median over runs, since Lighthouse itself judged one run at a time).
pub fn evaluate(budgets: &[Budget], page: &Page, group: &str, source: &str) -> Vec<EvaluatedBudget> {
    let Some(budget) = budget_for(budgets, &page.match_url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in &budget.timings {
        let values: Vec<f64> = page.runs.iter().filter_map(|r| r.numeric(&t.metric)).collect();
        let unit = if t.metric == "cumulative-layout-shift" {
            Unit::Unitless
        } else {
            Unit::Milliseconds
        };
        out.push(
            EvaluatedBudget::compare(
                group,
                &t.metric,
                source,
                "budget.metric",
                Severity::Error,
                Operator::AtMost,
                t.budget,
                median(&values),
                unit,
            )
            .with_values(values),
        );
    }
    for (list, is_size) in [(&budget.resource_sizes, true), (&budget.resource_counts, false)] {
        for r in list {
            let values: Vec<f64> = page
                .runs
                .iter()
                .filter_map(|run| run.resource(&r.resource_type))
                .map(|(size, count)| if is_size { size } else { count })
                .collect();
            let (check, expected, unit) = if is_size {
                (
                    format!("{} size", r.resource_type),
                    r.budget * 1024.0,
                    Unit::Bytes,
                )
            } else {
                (format!("{} requests", r.resource_type), r.budget, Unit::Count)
            };
            out.push(
                EvaluatedBudget::compare(
                    group,
                    check,
                    source,
                    "budget.resource",
                    Severity::Error,
                    Operator::AtMost,
                    expected,
                    median(&values),
                    unit,
                )
                .with_values(values),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_paths() {
        assert!(path_matches("/*", "http://127.0.0.1:4174/"));
        assert!(!path_matches("/blog", "http://127.0.0.1:4174/"));
        assert!(path_matches("/blog", "https://x.dev/blog/post?a=1"));
        assert!(path_matches("/shop$", "https://x.dev/shop"));
        assert!(!path_matches("/shop$", "https://x.dev/shop/cart"));
        assert!(path_matches("/*.php$", "https://x.dev/a/b.php"));
        assert!(path_matches("/a*b", "https://x.dev/a/xx/b/c"));
    }

    #[test]
    fn last_matching_budget_wins() {
        let b = parse(
            "budget.json",
            r#"[{"path": "/*", "timings": []}, {"path": "/blog", "resourceCounts": [{"resourceType": "total", "budget": 1}]}]"#,
        )
        .unwrap();
        assert_eq!(
            budget_for(&b, "https://x.dev/blog/1").unwrap().path.as_deref(),
            Some("/blog")
        );
        assert_eq!(
            budget_for(&b, "https://x.dev/").unwrap().path.as_deref(),
            Some("/*")
        );
    }

    #[test]
    fn invalid_budgets_are_errors() {
        let e = parse(
            "b.json",
            r#"[{"resourceSizes": [{"resourceType": "scripts", "budget": 1}]}]"#,
        )
        .unwrap_err();
        assert!(
            e.message().contains("unknown resourceType `scripts`"),
            "{}",
            e.message()
        );
        let e = parse("b.json", r#"[{"path": "blog"}]"#).unwrap_err();
        assert!(e.message().contains("must start with `/`"), "{}", e.message());
        let e = parse("b.json", "[{\n  \"timing\": []}]").unwrap_err();
        assert!(e.message().contains("unknown field `timing`"), "{}", e.message());
        assert_eq!(e.position().map(|p| p.0), Some(2));
    }
}
