//! Lighthouse CI's `ci.assert` from lighthouserc.json / .yml, read as-is: levels,
//! `minScore` / `maxNumericValue` / `maxLength`, `aggregationMethod`, `assertMatrix`,
//! `budgetsFile`. The assertion engine is in [`assert`].

mod assert;
pub mod presets;

pub use assert::{AssertionResult, aggregate, assert_page, outcomes};

use std::path::{Path, PathBuf};

use launchgate_core::yaml_nodes::YamlNodes;
use launchgate_core::{Error, Severity};
use regex::Regex;
use serde_json::{Map, Value};

use crate::budget_json;

/// The names LHCI (0.15) looks for in the current folder, in its order.
pub const FILE_NAMES: [&str; 10] = [
    ".lighthouserc.cjs",
    "lighthouserc.cjs",
    ".lighthouserc.js",
    "lighthouserc.js",
    ".lighthouserc.json",
    "lighthouserc.json",
    ".lighthouserc.yml",
    "lighthouserc.yml",
    ".lighthouserc.yaml",
    "lighthouserc.yaml",
];

/// How the values of several runs become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// The best run: max for `minScore`, min for the `max*` options (LHCI's default).
    Optimistic,
    /// The worst run; any run without a value fails.
    Pessimistic,
    /// The median (the mean of the two middle values for an even count).
    Median,
    /// The value of the representative run.
    MedianRun,
}

impl Aggregation {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "optimistic" => Aggregation::Optimistic,
            "pessimistic" => Aggregation::Pessimistic,
            "median" => Aggregation::Median,
            "median-run" => Aggregation::MedianRun,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Optimistic => "optimistic",
            Aggregation::Pessimistic => "pessimistic",
            Aggregation::Median => "median",
            Aggregation::MedianRun => "median-run",
        }
    }
}

/// One assertion: a key such as `categories:performance` and what it requires.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub key: String,
    pub level: Severity,
    pub min_score: Option<f64>,
    pub max_numeric_value: Option<f64>,
    pub max_length: Option<f64>,
    pub aggregation: Option<Aggregation>,
}

/// A list of assertions and the URLs it applies to (all URLs without a pattern).
#[derive(Debug, Clone)]
pub struct AssertionSet {
    pub url_pattern: Option<Regex>,
    pub assertions: Vec<Assertion>,
    pub aggregation: Option<Aggregation>,
}

/// The `ci.assert` section of a lighthouserc file.
#[derive(Debug, Clone)]
pub struct LhciConfig {
    /// The file name findings cite.
    pub source: String,
    pub sets: Vec<AssertionSet>,
}

/// Finds a lighthouserc file in `dir`, in LHCI's order.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Reads a lighthouserc file; a JavaScript one is evaluated with Node, as LHCI does.
pub fn read(path: &Path) -> Result<LhciConfig, Error> {
    let name = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let text = crate::read::text(path, crate::read::CONFIG)?;
    let value: Value = if crate::js_config::is_javascript(path) {
        // Errors still point into the source: a key is found there as `key:`.
        crate::js_config::evaluate(path, "LHCI")?
    } else if matches!(ext, "yml" | "yaml") {
        launchgate_core::config::from_yaml_str(&name, &text)?
    } else {
        serde_json::from_str(&text).map_err(|e| crate::lhr::json_error(&name, &text, &e))?
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&name, &text, &value, dir)
}

struct Ctx<'a> {
    name: &'a str,
    text: &'a str,
    javascript: bool,
}

impl Ctx<'_> {
    /// An error pointing at `key` (or a value holding it) as the parser read the file. A
    /// JavaScript file has no parser here: there the key is looked for as `key:` or `"key"`.
    fn at(&self, key: &str, message: String, help: impl Into<String>) -> Error {
        // Read again only for an error: a valid file is parsed once.
        let nodes = YamlNodes::of(if self.javascript { "" } else { self.text }, "");
        let range = nodes.find(key).or_else(|| {
            if !self.javascript {
                return None;
            }
            let bare = self.text.find(&format!("{key}:"));
            let quoted = [format!("\"{key}\""), format!("'{key}'")]
                .iter()
                .filter_map(|written| self.text.find(written.as_str()).map(|at| at + 1))
                .min();
            let offset = [bare, quoted].into_iter().flatten().min()?;
            Some((offset, key.len()))
        });
        let error = match range {
            Some((offset, len)) => crate::snippet::at(message, self.name, self.text, offset, len, "here"),
            None => Error::input(message),
        };
        error.with_help(help)
    }

    fn unknown_key(&self, key: &str, place: &str, valid: &[&str]) -> Error {
        let hint = match launchgate_core::config::closest(key, valid) {
            Some(best) => format!(
                "did you mean `{best}`? Valid keys in {place}: {}",
                valid.join(", ")
            ),
            None => format!("remove `{key}`; valid keys in {place}: {}", valid.join(", ")),
        };
        self.at(
            key,
            format!("{}: unknown key `{key}` in {place}", self.name),
            hint,
        )
    }
}

const CI_KEYS: [&str; 5] = ["collect", "assert", "upload", "server", "wizard"];
const ASSERT_KEYS: [&str; 7] = [
    "assertions",
    "assertMatrix",
    "preset",
    "budgetsFile",
    "aggregationMethod",
    "includePassedAssertions",
    "lhr",
];
const MATRIX_KEYS: [&str; 4] = ["matchingUrlPattern", "assertions", "preset", "aggregationMethod"];
const OPTION_KEYS: [&str; 4] = ["minScore", "maxNumericValue", "maxLength", "aggregationMethod"];

/// Interprets a parsed lighthouserc; `dir` resolves `budgetsFile`.
pub fn parse(name: &str, text: &str, value: &Value, dir: &Path) -> Result<LhciConfig, Error> {
    let javascript = crate::js_config::is_javascript(Path::new(name));
    let ctx = Ctx {
        name,
        text,
        javascript,
    };
    let root = value.as_object().ok_or_else(|| {
        Error::input(format!(
            "{name} is not a lighthouserc: expected an object with a `ci` key"
        ))
    })?;
    for key in root.keys() {
        if key != "ci" {
            return Err(ctx.unknown_key(key, "the top level", &["ci"]));
        }
    }
    let ci = object(&ctx, root.get("ci"), "ci")?;
    for key in ci.keys() {
        if !CI_KEYS.contains(&key.as_str()) {
            return Err(ctx.unknown_key(key, "`ci`", &CI_KEYS));
        }
    }
    let assert = match ci.get("assert") {
        Some(v) => object(&ctx, Some(v), "ci.assert")?,
        None => {
            return Err(Error::input(format!(
                "{name} has no `ci.assert` section, so it asserts nothing"
            ))
            .with_help("add `ci.assert.assertions`, or leave the file out of the budget inputs"));
        }
    };
    for key in assert.keys() {
        if !ASSERT_KEYS.contains(&key.as_str()) {
            return Err(ctx.unknown_key(key, "`ci.assert`", &ASSERT_KEYS));
        }
    }
    let top_aggregation = aggregation(&ctx, assert.get("aggregationMethod"))?;
    let mut sets = Vec::new();
    if let Some(matrix) = assert.get("assertMatrix") {
        if ["assertions", "preset", "budgetsFile", "aggregationMethod"]
            .iter()
            .any(|k| assert.contains_key(*k))
        {
            return Err(ctx.at(
                "assertMatrix",
                format!("{name}: `assertMatrix` cannot be combined with `assertions`, `preset`, `budgetsFile` or `aggregationMethod` (LHCI refuses it too)"),
                "move those into the matrix entries",
            ));
        }
        let entries = matrix.as_array().ok_or_else(|| {
            ctx.at(
                "assertMatrix",
                format!("{name}: `assertMatrix` must be an array"),
                "write a list of {matchingUrlPattern, assertions}",
            )
        })?;
        for entry in entries {
            let entry = object(&ctx, Some(entry), "an assertMatrix entry")?;
            for key in entry.keys() {
                if !MATRIX_KEYS.contains(&key.as_str()) {
                    return Err(ctx.unknown_key(key, "an assertMatrix entry", &MATRIX_KEYS));
                }
            }
            let pattern = match entry.get("matchingUrlPattern") {
                Some(Value::String(p)) => Some(Regex::new(p).map_err(|e| {
                    ctx.at(
                        p,
                        format!("{name}: matchingUrlPattern `{p}` is not a regular expression: {e}"),
                        "write a regular expression matched against the final URL",
                    )
                })?),
                Some(_) => {
                    return Err(ctx.at(
                        "matchingUrlPattern",
                        format!("{name}: matchingUrlPattern must be a string"),
                        "write a regular expression",
                    ));
                }
                None => None,
            };
            sets.push(AssertionSet {
                url_pattern: pattern,
                assertions: assertions(&ctx, with_preset(&ctx, entry)?.as_ref())?,
                aggregation: aggregation(&ctx, entry.get("aggregationMethod"))?,
            });
        }
    } else if let Some(file) = assert.get("budgetsFile") {
        if assert.contains_key("assertions") || assert.contains_key("preset") {
            return Err(ctx.at(
                "budgetsFile",
                format!("{name}: `budgetsFile` cannot be combined with `assertions` or `preset` (LHCI refuses it too)"),
                "keep one of them",
            ));
        }
        let file = file.as_str().ok_or_else(|| {
            ctx.at(
                "budgetsFile",
                format!("{name}: `budgetsFile` must be a path"),
                "write the path of a budget.json",
            )
        })?;
        let file = dir.join(file);
        let budgets = budget_json::read(&file)?;
        sets = from_budgets(&file, &budgets)?;
    } else {
        sets.push(AssertionSet {
            url_pattern: None,
            assertions: assertions(&ctx, with_preset(&ctx, assert)?.as_ref())?,
            aggregation: top_aggregation,
        });
    }
    Ok(LhciConfig {
        source: Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(name)
            .to_string(),
        sets,
    })
}

/// The `assertions` of `section` (`ci.assert` or an `assertMatrix` entry), merged over its
/// `preset` when it names one, as LHCI does.
fn with_preset(ctx: &Ctx<'_>, section: &Map<String, Value>) -> Result<Option<Value>, Error> {
    let own = section.get("assertions");
    let Some(preset) = section.get("preset") else {
        return Ok(own.cloned());
    };
    let known = preset.as_str().and_then(presets::assertions).ok_or_else(|| {
        ctx.at(
            "preset",
            format!("{}: preset {preset} is not an LHCI preset", ctx.name),
            format!("use one of {}", presets::NAMES.join(", ")),
        )
    })?;
    if let Some(own) = own {
        object(ctx, Some(own), "assertions")?;
    }
    Ok(Some(presets::with_overrides(known, own)))
}

fn object<'v>(ctx: &Ctx<'_>, value: Option<&'v Value>, place: &str) -> Result<&'v Map<String, Value>, Error> {
    value.and_then(Value::as_object).ok_or_else(|| {
        Error::input(format!("{}: `{place}` must be an object", ctx.name)).with_help(
            "see https://github.com/GoogleChrome/lighthouse-ci/blob/main/docs/configuration.md#assert",
        )
    })
}

fn aggregation(ctx: &Ctx<'_>, value: Option<&Value>) -> Result<Option<Aggregation>, Error> {
    match value {
        None => Ok(None),
        Some(v) => v.as_str().and_then(Aggregation::parse).map(Some).ok_or_else(|| {
            ctx.at(
                "aggregationMethod",
                format!(
                    "{}: aggregationMethod {v} is not one of optimistic, pessimistic, median, median-run",
                    ctx.name
                ),
                "use optimistic (the default), pessimistic, median or median-run",
            )
        }),
    }
}

fn level(text: &str) -> Option<Option<Severity>> {
    match text {
        "off" => Some(None),
        "warn" => Some(Some(Severity::Warning)),
        "error" => Some(Some(Severity::Error)),
        _ => None,
    }
}

fn assertions(ctx: &Ctx<'_>, value: Option<&Value>) -> Result<Vec<Assertion>, Error> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let map = object(ctx, Some(value), "assertions")?;
    let mut out = Vec::new();
    for (key, v) in map {
        let bad = |why: &str| {
            ctx.at(key, format!("{}: assertion `{key}` {why}", ctx.name), "write \"error\", \"warn\", \"off\" or [level, {minScore | maxNumericValue | maxLength, aggregationMethod}]")
        };
        let (level_text, options) = match v {
            Value::String(s) => (s.as_str(), None),
            Value::Array(items) if !items.is_empty() && items.len() <= 2 => {
                let l = items[0]
                    .as_str()
                    .ok_or_else(|| bad("has a level that is not a string"))?;
                (l, items.get(1))
            }
            _ => return Err(bad("is neither a level nor [level, options]")),
        };
        let Some(level) =
            level(level_text).ok_or_else(|| bad(&format!("has an unknown level `{level_text}`")))?
        else {
            continue;
        };
        if key.starts_with("user-timings") || key == "performance-budget" || key == "timing-budget" {
            return Err(bad(
                "uses an assertion kind launchgate does not evaluate yet (user-timings, performance-budget)",
            ));
        }
        let mut assertion = Assertion {
            key: key.clone(),
            level,
            min_score: None,
            max_numeric_value: None,
            max_length: None,
            aggregation: None,
        };
        if let Some(options) = options {
            let options = options
                .as_object()
                .ok_or_else(|| bad("has options that are not an object"))?;
            for (k, v) in options {
                let number = || v.as_f64().ok_or_else(|| bad(&format!("has a non-numeric `{k}`")));
                match k.as_str() {
                    "minScore" => assertion.min_score = Some(number()?),
                    "maxNumericValue" => assertion.max_numeric_value = Some(number()?),
                    "maxLength" => assertion.max_length = Some(number()?),
                    "aggregationMethod" => assertion.aggregation = aggregation(ctx, Some(v))?,
                    _ => return Err(ctx.unknown_key(k, &format!("the options of `{key}`"), &OPTION_KEYS)),
                }
            }
        }
        if assertion.min_score.is_none()
            && assertion.max_numeric_value.is_none()
            && assertion.max_length.is_none()
        {
            // LHCI's code (not its docs, which say 1) applies 0.9 to a bare level.
            assertion.min_score = Some(0.9);
        }
        out.push(assertion);
    }
    Ok(out)
}

/// LHCI's conversion of budget.json (read from `file`) into assertions: every matching
/// entry applies, paths become unanchored regular expressions, sizes are KiB.
pub fn from_budgets(file: &Path, budgets: &[budget_json::Budget]) -> Result<Vec<AssertionSet>, Error> {
    budgets
        .iter()
        .map(|b| {
            let url_pattern = b.path.as_ref().map(|p| {
                let (body, anchored) = match p.strip_suffix('$') {
                    Some(body) => (body, "$"),
                    None => (p.as_str(), ""),
                };
                let escaped: Vec<String> = body.split('*').map(regex::escape).collect();
                // Escaped text always compiles, but a long path of many `*` can pass the
                // regex size limit.
                Regex::new(&format!("https?://[^/]+{}{anchored}", escaped.join(".*"))).map_err(|e| {
                    Error::input(format!(
                        "{}: the budget path `{}` cannot be matched: {e}",
                        file.display(),
                        budget_json::shown_path(p)
                    ))
                    .with_help("write a shorter path with fewer `*` wildcards")
                })
            });
            let url_pattern = url_pattern.transpose()?;
            let mut assertions = Vec::new();
            let make = |key: String, max: f64| Assertion {
                key,
                level: Severity::Error,
                min_score: None,
                max_numeric_value: Some(max),
                max_length: None,
                aggregation: None,
            };
            for t in &b.timings {
                assertions.push(make(t.metric.clone(), t.budget));
            }
            for r in &b.resource_counts {
                assertions.push(make(
                    format!("resource-summary:{}:count", r.resource_type),
                    r.budget,
                ));
            }
            for r in &b.resource_sizes {
                assertions.push(make(
                    format!("resource-summary:{}:size", r.resource_type),
                    r.budget * 1024.0,
                ));
            }
            Ok(AssertionSet {
                url_pattern,
                assertions,
                aggregation: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(name: &str, text: &str, value: Value) -> Error {
        parse(name, text, &value, Path::new(".")).expect_err("the lighthouserc is refused")
    }

    /// The assertion's key, as the parser read it, not the same quoted word earlier.
    #[test]
    fn errors_point_at_the_key_the_parser_read() {
        let text = "{\n  \"ci\": {\n    \"collect\": { \"settings\": { \"skipAudits\": [\"interactive\"] } },\n    \"assert\": {\n      \"assertions\": {\n        \"interactive\": \"loud\"\n      }\n    }\n  }\n}\n";
        let value: Value = serde_json::from_str(text).unwrap();
        let e = error_of("lighthouserc.json", text, value);
        assert!(e.message().contains("assertion `interactive`"), "{}", e.message());
        assert_eq!(e.position(), Some((6, 9)), "{}", e.render(false));
    }

    /// A JavaScript file is not parsed here: its key is found as written, `key:` or quoted.
    #[test]
    fn a_javascript_file_points_at_the_key_as_written() {
        let text = "module.exports = {\n  ci: {\n    assert: {\n      assertions: {\n        'interactive': 'loud',\n      },\n    },\n  },\n};\n";
        let value = serde_json::json!({ "ci": { "assert": { "assertions": { "interactive": "loud" } } } });
        let e = error_of("lighthouserc.js", text, value);
        assert_eq!(e.position(), Some((5, 10)), "{}", e.render(false));
    }
}
