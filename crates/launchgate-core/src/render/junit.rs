//! JUnit XML: a test suite per gate. Checks become test cases; a gate without checks gets a
//! test case per finding, and one passing case when it found nothing. The document is built
//! and serialised by quick-junit; this module only decides what each case says.

use std::fmt::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::RenderOptions;
use super::escape::{inert_commands, is_unsafe, push_escaped};
use crate::finding::Finding;
use crate::report::{Check, CheckStatus, Report};

pub(super) fn render(reports: &[Report], options: &RenderOptions) -> String {
    let mut document = quick_junit::Report::new("launchgate");
    for report in reports {
        document.add_test_suite(suite(report, options));
    }
    let text = document
        .to_string()
        .unwrap_or_else(|e| panic!("JUnit XML of in-memory reports cannot fail to serialise: {e}"));
    inert_commands(&text).into_owned()
}

fn suite(report: &Report, options: &RenderOptions) -> TestSuite {
    let class = format!("launchgate.{}", report.gate);
    let mut suite = TestSuite::new(text(&class));
    suite.set_time(Duration::from_millis(report.duration_ms));
    let case = |name: &str, status: TestCaseStatus| {
        let mut case = TestCase::new(text(name), status);
        case.set_classname(text(&class));
        case
    };
    if let Some(error) = &report.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(text(error));
        suite.add_test_case(case(&format!("{} gate", report.gate), status));
    }
    for check in &report.checks {
        let mut case = case(&check.name, check_status(check));
        if let Some(ms) = check.duration_ms {
            case.set_time(Duration::from_millis(ms));
        }
        if check.status == CheckStatus::Warned {
            case.set_system_out(text(check.detail.as_deref().unwrap_or("")));
        }
        suite.add_test_case(case);
    }
    // Jenkins' schema counts skipped cases on the suite; quick-junit leaves it to readers.
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Skipped)
        .count();
    suite.extra.insert("skipped".into(), skipped.to_string().into());
    if report.checks.is_empty() {
        for finding in &report.findings {
            let (status, out) = finding_status(finding, options);
            let mut case = case(&finding_name(finding), status);
            if let Some(out) = out {
                case.set_system_out(out);
            }
            suite.add_test_case(case);
        }
        if report.findings.is_empty() && report.error.is_none() {
            suite.add_test_case(case(&format!("{} gate", report.gate), TestCaseStatus::success()));
        }
    }
    suite
}

fn check_status(check: &Check) -> TestCaseStatus {
    let detail = text(check.detail.as_deref().unwrap_or(""));
    match check.status {
        CheckStatus::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(detail);
            status
        }
        CheckStatus::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(detail);
            status
        }
        CheckStatus::Warned | CheckStatus::Passed => TestCaseStatus::success(),
    }
}

/// `rule at place`, or the rule alone when the finding has no place.
fn finding_name(finding: &Finding) -> String {
    let place = finding.place();
    if place.is_empty() {
        finding.rule_id.clone()
    } else {
        format!("{} at {place}", finding.rule_id)
    }
}

/// A failure at or above the failing severity; below it, a passing case whose output says
/// what was found.
fn finding_status(finding: &Finding, options: &RenderOptions) -> (TestCaseStatus, Option<String>) {
    let mut detail = finding.message.clone();
    if let Some(secret) = &finding.secret {
        let _ = write!(detail, "\nsecret: {}", secret.display);
    }
    if let Some(help) = &finding.help {
        let _ = write!(detail, "\nhelp: {help}");
    }
    if finding.severity >= options.fail_on {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(text(&finding.message))
            .set_type(finding.severity.to_string())
            .set_description(text(&detail));
        (status, None)
    } else {
        (
            TestCaseStatus::success(),
            Some(text(&format!("{}: {detail}", finding.severity))),
        )
    }
}

/// User text as JUnit may carry it: line breaks and tabs kept, and every other character
/// that XML 1.0 cannot hold, or that would reorder or colour the text where a CI server shows
/// it, written as a visible escape (quick-junit would drop some silently and keep others).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if is_unsafe(c) || c == '\u{fffe}' || c == '\u{ffff}' => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}
