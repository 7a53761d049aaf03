//! Lighthouse verdicts: LHCI assertions, budget.json, aggregation, runtime errors.

use launchgate_budget::lhci::{self, Aggregation, AssertionResult};
use launchgate_budget::{budget_json, lhr};
use launchgate_core::Severity;
use serde_json::Value;

use crate::{bin, fixture};

fn pages(paths: &[&str]) -> Vec<lhr::Page> {
    let paths: Vec<_> = paths.iter().map(|p| fixture(p)).collect();
    lhr::group(lhr::load(&paths).unwrap())
}

/// (url, auditId, auditProperty, name, level, expected, actual, passed) as LHCI writes them.
type Verdict = (String, String, String, String, String, String, String, bool);

fn round(v: f64) -> String {
    format!("{:.4}", v)
}

fn recorded(rel: &str) -> Vec<Verdict> {
    let text = std::fs::read_to_string(fixture(rel)).unwrap();
    let items: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut out: Vec<Verdict> = items
        .iter()
        .map(|r| {
            (
                r["url"].as_str().unwrap().to_string(),
                r["auditId"].as_str().unwrap().to_string(),
                r["auditProperty"].as_str().unwrap_or("").to_string(),
                r["name"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                round(r["expected"].as_f64().unwrap()),
                // LHCI writes NaN (no value) as null.
                round(r["actual"].as_f64().unwrap_or(f64::NAN)),
                r["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    out
}

fn ours(results: &[AssertionResult], failed_only: bool) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = results
        .iter()
        .filter(|r| !(failed_only && r.passed))
        .map(|r| {
            (
                r.url.clone(),
                r.audit_id.clone(),
                r.audit_property.clone().unwrap_or_default(),
                r.name.clone(),
                if r.level == Severity::Error {
                    "error"
                } else {
                    "warn"
                }
                .to_string(),
                round(r.expected),
                round(r.actual.unwrap_or(f64::NAN)),
                r.passed,
            )
        })
        .collect();
    out.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    out
}

fn assert_all(config: &str, pages: &[lhr::Page]) -> Vec<AssertionResult> {
    let cfg = lhci::read(&fixture(config)).unwrap();
    pages.iter().flat_map(|p| lhci::assert_page(&cfg, p)).collect()
}

#[test]
fn lhci_assert_on_three_runs_matches_recorded_failures() {
    let results = assert_all("lhci/lighthouserc.json", &pages(&["lhci/.lighthouseci"]));
    assert_eq!(
        ours(&results, true),
        recorded("lhci/.lighthouseci/assertion-results.json")
    );
}

#[test]
fn lhci_assert_matches_every_recorded_result_passed_ones_included() {
    let results = assert_all("lhci/lighthouserc.json", &pages(&["lhci/.lighthouseci"]));
    assert_eq!(
        ours(&results, false),
        recorded("lhci/assertion-results.config-include-passed.json")
    );
}

/// Every result of the real `lhci assert --preset=… --includePassedAssertions` (LHCI 0.15.1)
/// on the three runs of each URL, passed ones included.
#[test]
fn lhci_presets_match_every_recorded_result() {
    let dir = tempfile::tempdir().unwrap();
    let pages = pages(&["lhci/.lighthouseci"]);
    for preset in ["all", "recommended", "no-pwa"] {
        let rc = dir.path().join(format!("{preset}.json"));
        std::fs::write(
            &rc,
            format!(r#"{{"ci": {{"assert": {{"preset": "lighthouse:{preset}"}}}}}}"#),
        )
        .unwrap();
        let cfg = lhci::read(&rc).unwrap();
        let results: Vec<_> = pages.iter().flat_map(|p| lhci::assert_page(&cfg, p)).collect();
        let recorded = recorded(&format!("lhci/presets/assertion-results.{preset}.json"));
        assert_eq!(recorded.len(), results.len(), "{preset}");
        assert_eq!(ours(&results, false), recorded, "{preset}");
    }
}

#[test]
fn lhci_assert_on_single_lhrs_matches_recorded_failures() {
    for name in ["lhr-good", "lhr-bad"] {
        let results = assert_all(
            "lhci/lighthouserc.json",
            &pages(&[&format!("lighthouse/{name}.json")]),
        );
        assert_eq!(
            ours(&results, true),
            recorded(&format!("lhci/assert-single-lhr/assertion-results.{name}.json")),
            "{name}"
        );
    }
}

#[test]
fn aggregation_methods_on_the_three_bad_runs() {
    let bad = pages(&["lhci/.lighthouseci"])
        .into_iter()
        .find(|p| p.url.contains("4174"))
        .unwrap();
    assert_eq!(bad.runs.len(), 3);
    let lcp: Vec<Option<f64>> = bad
        .runs
        .iter()
        .map(|r| r.numeric("largest-contentful-paint"))
        .collect();
    let max = launchgate_budget::evaluated::Operator::AtMost;
    let agg = |m| lhci::aggregate(m, max, &lcp, &bad).unwrap();
    assert_eq!(round(agg(Aggregation::Optimistic)), "16502.4948");
    assert_eq!(round(agg(Aggregation::Pessimistic)), "16654.5619");
    assert_eq!(round(agg(Aggregation::Median)), "16507.4145");
    // The representative run LHCI marked in its manifest is the first bad run (08_07_10).
    assert_eq!(bad.representative_run(), 0);
    assert_eq!(round(agg(Aggregation::MedianRun)), "16502.4948");
    let perf: Vec<Option<f64>> = bad.runs.iter().map(|r| r.categories["performance"]).collect();
    let min = launchgate_budget::evaluated::Operator::AtLeast;
    assert_eq!(
        lhci::aggregate(Aggregation::Optimistic, min, &perf, &bad),
        Some(0.51)
    );
    assert_eq!(
        lhci::aggregate(Aggregation::Pessimistic, min, &perf, &bad),
        Some(0.49)
    );
}

#[test]
fn budgets_file_gives_lhci_budgetsfile_verdicts() {
    let file = fixture("lighthouse/budget.json");
    let budgets = budget_json::read(&file).unwrap();
    let cfg = lhci::LhciConfig {
        source: "budget.json".into(),
        sets: lhci::from_budgets(&file, &budgets).unwrap(),
    };
    let mut failed: Vec<(String, String)> = Vec::new();
    for page in pages(&["lhci/.lighthouseci"]) {
        for r in lhci::assert_page(&cfg, &page).into_iter().filter(|r| !r.passed) {
            failed.push((
                page.url.clone(),
                format!(
                    "{}{}",
                    r.audit_id,
                    r.audit_property.map(|p| format!(".{p}")).unwrap_or_default()
                ),
            ));
        }
    }
    failed.sort();
    let bad = "http://127.0.0.1:4174/".to_string();
    let expected: Vec<(String, String)> = [
        "first-contentful-paint",
        "interactive",
        "largest-contentful-paint",
        "resource-summary.image.size",
        "resource-summary.script.size",
        "resource-summary.total.count",
        "resource-summary.total.size",
        "total-blocking-time",
    ]
    .iter()
    .map(|k| (bad.clone(), k.to_string()))
    .collect();
    assert_eq!(failed, expected);
}

#[test]
fn budget_json_matches_lighthouse_11_budget_audits() {
    let budgets = budget_json::read(&fixture("lighthouse/budget.json")).unwrap();
    for name in ["lhr-bad-budget-lh11", "lhr-good-budget-lh11"] {
        let page = &pages(&[&format!("lighthouse/{name}.json")])[0];
        let run = &page.runs[0];
        // What Lighthouse 11 itself flagged, read from its informative audits.
        let mut flagged = Vec::new();
        for item in run.audit("performance-budget").unwrap()["details"]["items"]
            .as_array()
            .unwrap()
        {
            let t = item["resourceType"].as_str().unwrap();
            if item.get("sizeOverBudget").is_some() {
                flagged.push(format!("{t} size"));
            }
            if item.get("countOverBudget").is_some() {
                flagged.push(format!("{t} requests"));
            }
        }
        for item in run.audit("timing-budget").unwrap()["details"]["items"]
            .as_array()
            .unwrap()
        {
            if item.get("overBudget").is_some() {
                flagged.push(item["metric"].as_str().unwrap().to_string());
            }
        }
        let mut ours: Vec<String> = budget_json::evaluate(&budgets, page, "p", "budget.json")
            .into_iter()
            .filter(|o| !o.passed)
            .map(|o| o.check)
            .collect();
        flagged.sort();
        ours.sort();
        assert_eq!(ours, flagged, "{name}");
    }
}

#[test]
fn lhci_cli_exit_code_and_levels() {
    let out = bin()
        .args(["--lighthouse"])
        .arg(fixture("lhci/.lighthouseci"))
        .arg("--lighthouserc")
        .arg(fixture("lhci/lighthouserc.json"))
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["summary"]["error"], 7);
    assert_eq!(doc["summary"]["warning"], 6);
    let missing = doc["reports"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "budget.audit-missing")
        .unwrap();
    assert_eq!(missing["severity"], "warning");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("`not-a-real-audit` did not run")
    );
}

#[test]
fn runtime_error_is_a_failure_of_its_own() {
    bin()
        .arg("--lighthouse").arg(fixture("lighthouse/lhr-runtime-error.json"))
        .arg("--lighthouse").arg(fixture("lighthouse/lhr-good.json"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "Lighthouse could not measure http://127.0.0.1:4173/does-not-exist.html: ERRORED_DOCUMENT_REQUEST",
        ));
}

#[test]
fn runtime_error_is_a_failing_junit_case() {
    bin()
        .arg("--lighthouse").arg(fixture("lighthouse/lhr-runtime-error.json"))
        .args(["--format", "junit"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "name=\"http://127.0.0.1:4173/does-not-exist.html › budget.runtime-error\" classname=\"launchgate.budget\">\n            <failure message=\"Lighthouse could not measure",
        ));
}

#[test]
fn default_budget_is_performance_085_on_mobile() {
    bin()
        .arg("--lighthouse")
        .arg(fixture("lighthouse/lhr-good.json"))
        .assert()
        .code(0);
    bin()
        .arg("--lighthouse")
        .arg(fixture("lighthouse/lhr-bad.json"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "categories:performance is below budget: 51 (budget ≥ 85",
        ));
}

#[test]
fn own_budgets_with_page_overrides_and_warn_level() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("launchgate.yml"),
        "budget:\n  level: warning\n  categories: { performance: 0.9 }\n  metrics: { lcp: 2.5 s, cls: 0.1 }\n  resources:\n    script: { size: 100 kB, count: 1 }\n  pages:\n    - url: ':4174/'\n      resources: { image: { size: 3 MB } }\n",
    )
    .unwrap();
    let out = bin()
        .current_dir(dir.path())
        .arg("--lighthouse")
        .arg(fixture("lighthouse/lhr-bad.json"))
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let findings = doc["reports"][0]["findings"].as_array().unwrap();
    let checks: Vec<&str> = findings
        .iter()
        .map(|f| f["properties"]["check"].as_str().unwrap_or(""))
        .collect();
    assert!(checks.contains(&"categories:performance"), "{checks:?}");
    assert!(checks.contains(&"largest-contentful-paint"), "{checks:?}");
    assert!(checks.contains(&"script size"), "{checks:?}");
    assert!(
        !checks.contains(&"image size"),
        "image is within its 3 MB override: {checks:?}"
    );
    assert!(findings.iter().all(|f| f["severity"] == "warning"));
}

/// Writes a copy of a fixture LHR with some top-level fields changed.
fn variant(dir: &std::path::Path, name: &str, from: &str, edit: impl Fn(&mut Value)) -> std::path::PathBuf {
    let mut lhr: Value = serde_json::from_str(&std::fs::read_to_string(fixture(from)).unwrap()).unwrap();
    edit(&mut lhr);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&lhr).unwrap()).unwrap();
    path
}

#[test]
fn mobile_and_desktop_runs_are_not_aggregated_together() {
    let dir = tempfile::tempdir().unwrap();
    let desktop = variant(dir.path(), "desktop.json", "lighthouse/lhr-good.json", |l| {
        l["configSettings"]["formFactor"] = "desktop".into();
    });
    let runs = lhr::load(&[fixture("lighthouse/lhr-good.json"), desktop]).unwrap();
    let pages = lhr::group(runs);
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].label(true), "http://127.0.0.1:4173/ (mobile)");
    assert_eq!(pages[1].label(true), "http://127.0.0.1:4173/ (desktop)");
}

#[test]
fn unknown_lighthouse_major_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let old = variant(dir.path(), "old.json", "lighthouse/lhr-good.json", |l| {
        l["lighthouseVersion"] = "9.6.8".into();
    });
    bin()
        .arg("--lighthouse")
        .arg(&old)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "comes from Lighthouse 9.6.8, which this gate does not know",
        ));
}

#[test]
fn lhci_filesystem_upload_folder_is_read_through_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("lighthouse/lhr-bad.json"),
        dir.path().join("127_0_0_1--x.report.json"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("manifest.json"),
        r#"[{"url": "http://127.0.0.1:4174/", "isRepresentativeRun": true, "jsonPath": "/elsewhere/.lighthouseci/127_0_0_1--x.report.json"}]"#,
    )
    .unwrap();
    let pages = lhr::group(lhr::load(&[dir.path().to_path_buf()]).unwrap());
    assert_eq!(
        (pages.len(), pages[0].url.as_str()),
        (1, "http://127.0.0.1:4174/")
    );
}

#[test]
fn representative_runs_match_lhci_manifest() {
    let all = pages(&["lhci/.lighthouseci"]);
    let good = all.iter().find(|p| p.url.contains("4173")).unwrap();
    // LHCI's manifest marks the third good run (08_06_57) as representative.
    assert_eq!(good.representative_run(), 2);
}

#[test]
fn credentials_in_urls_never_reach_any_output() {
    const URL: &str = "https://ci:Hunter2Hunter2@staging.example/cart?token=sk_live_51Hxyzxyzxyzxyz&sid=opaque0pa9ue&utm_source=ci#access_token=fragm3ntSecr3t";
    let secrets = [
        "Hunter2Hunter2",
        "sk_live_51Hxyzxyzxyzxyz",
        "opaque0pa9ue",
        "fragm3ntSecr3t",
    ];
    let dir = tempfile::tempdir().unwrap();
    let lhr = variant(dir.path(), "lhr.json", "lighthouse/lhr-bad.json", |l| {
        l["finalUrl"] = URL.into();
    });
    let failed = variant(
        dir.path(),
        "lhr-error.json",
        "lighthouse/lhr-runtime-error.json",
        |l| {
            l["finalUrl"] = URL.into();
            l["runtimeError"]["message"] =
                format!("Lighthouse was unable to load {URL} (Status code: 404)").into();
        },
    );
    // A pattern on the part that is redacted still matches: patterns see the recorded URL.
    let rc = dir.path().join("lighthouserc.json");
    std::fs::write(
        &rc,
        r#"{"ci": {"assert": {"assertMatrix": [{"matchingUrlPattern": "sid=opaque", "assertions": {"categories:performance": ["error", {"minScore": 0.99}]}}]}}}"#,
    )
    .unwrap();
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        let out = bin()
            .arg("--lighthouse")
            .arg(&lhr)
            .arg("--lighthouse")
            .arg(&failed)
            .arg("--lighthouserc")
            .arg(&rc)
            .args(["--format", format])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.replace("&amp;", "&")
                .contains("staging.example/cart?token=…&sid=…&utm_source=ci#…"),
            "{format}: {text}"
        );
        assert!(text.contains("categories:performance"), "{format}: {text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{format} shows {secret}: {text}");
        }
    }
}

#[test]
fn lighthouserc_yaml_gives_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("lhci/lighthouserc.json")).unwrap()).unwrap();
    let text = std::fs::read_to_string(fixture("lhci/lighthouserc.yml")).unwrap();
    // The YAML fixture is the JSON fixture written as block YAML: the same values.
    let as_yaml: Value = launchgate_core::yaml::parse(&text).unwrap();
    assert_eq!(as_yaml, json);
    let yml = dir.path().join(".lighthouserc.yml");
    std::fs::write(&yml, text).unwrap();
    let cfg = lhci::read(&yml).unwrap();
    let results: Vec<AssertionResult> = pages(&["lhci/.lighthouseci"])
        .iter()
        .flat_map(|p| lhci::assert_page(&cfg, p))
        .collect();
    assert_eq!(
        ours(&results, true),
        recorded("lhci/.lighthouseci/assertion-results.json")
    );
}

#[test]
fn plain_folder_of_reports_is_read_and_a_stray_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("lighthouse/lhr-good.json"), dir.path().join("home.json")).unwrap();
    let pages = lhr::group(lhr::load(&[dir.path().to_path_buf()]).unwrap());
    assert_eq!(pages[0].url, "http://127.0.0.1:4173/");
    std::fs::write(dir.path().join("notes.json"), "{}").unwrap();
    let err = lhr::load(&[dir.path().to_path_buf()]).unwrap_err();
    assert!(
        err.message().contains("notes.json is not a Lighthouse result"),
        "{}",
        err.message()
    );
}

/// A budget path is turned into a regular expression as LHCI does; a crafted long one
/// passes the regex size limit, which is an error naming the file, not a panic.
#[test]
fn a_budget_path_too_large_to_match_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("budget.json");
    let path = format!("/{}*", "a".repeat(1024 * 1024));
    std::fs::write(
        &file,
        format!(r#"[{{"path": "{path}", "timings": [{{"metric": "interactive", "budget": 5000}}]}}]"#),
    )
    .unwrap();
    let budgets = budget_json::read(&file).unwrap();
    let err = lhci::from_budgets(&file, &budgets).unwrap_err();
    let message: String = err.message().chars().take(300).collect();
    assert!(
        message.starts_with(&format!("{}: the budget path `/aaa", file.display())),
        "{message}"
    );
    assert!(message.contains("…` cannot be matched"), "{message}");
    assert!(err.message().len() < 1000, "the path is cut in the message");
}

/// Budget paths are checked without slicing inside a character, and shown cut.
#[test]
fn budget_paths_ending_in_any_character_are_checked_and_shown_cut() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("budget.json");
    std::fs::write(&file, r#"[{"path": "/caf\u00e9", "timings": []}]"#).unwrap();
    assert!(budget_json::read(&file).is_ok());
    let long = format!("/{}$x$", "\u{e9}".repeat(500));
    std::fs::write(&file, format!(r#"[{{"path": "{long}", "timings": []}}]"#)).unwrap();
    let err = budget_json::read(&file).unwrap_err();
    assert!(
        err.message().contains("with `$` before its end"),
        "{}",
        err.message()
    );
    assert!(err.message().len() < 400, "{}", err.message());
}
