//! JUnit XML: a test suite per gate. Checks become test cases; a gate without checks gets a
//! test case per finding, and one passing case when it found nothing.

use std::fmt::Write;

use super::RenderOptions;
use super::escape::{inert_commands, is_unsafe, push_escaped};
use crate::report::{CheckStatus, Report};

pub(super) fn render(reports: &[Report], options: &RenderOptions) -> String {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures, mut all_errors) = (0, 0, 0);
    for report in reports {
        let mut cases = String::new();
        let (mut tests, mut failures, mut errors) = (0, 0, 0);
        let class = format!("launchgate.{}", report.gate);
        if let Some(error) = &report.error {
            tests += 1;
            errors += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\"><error message=\"{}\"/></testcase>",
                xml(&class),
                xml(&format!("{} gate", report.gate)),
                xml(error)
            );
        }
        for check in &report.checks {
            tests += 1;
            let time = check
                .duration_ms
                .map(|ms| format!(" time=\"{:.3}\"", ms as f64 / 1000.0))
                .unwrap_or_default();
            let detail = check.detail.as_deref().unwrap_or("");
            let body = match check.status {
                CheckStatus::Failed => {
                    failures += 1;
                    format!("<failure message=\"{}\"/>", xml(detail))
                }
                CheckStatus::Skipped => format!("<skipped message=\"{}\"/>", xml(detail)),
                CheckStatus::Warned => format!("<system-out>{}</system-out>", xml(detail)),
                CheckStatus::Passed => String::new(),
            };
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\"{time}>{body}</testcase>",
                xml(&class),
                xml(&check.name)
            );
        }
        if report.checks.is_empty() {
            for f in &report.findings {
                tests += 1;
                let place = f.place();
                let name = if place.is_empty() {
                    f.rule_id.clone()
                } else {
                    format!("{} at {place}", f.rule_id)
                };
                let mut text = f.message.clone();
                if let Some(secret) = &f.secret {
                    let _ = write!(text, "\nsecret: {}", secret.display);
                }
                if let Some(help) = &f.help {
                    let _ = write!(text, "\nhelp: {help}");
                }
                let body = if f.severity >= options.fail_on {
                    failures += 1;
                    format!(
                        "<failure message=\"{}\" type=\"{}\">{}</failure>",
                        xml(&f.message),
                        f.severity,
                        xml(&text)
                    )
                } else {
                    format!("<system-out>{}: {}</system-out>", f.severity, xml(&text))
                };
                let _ = writeln!(
                    cases,
                    "    <testcase classname=\"{}\" name=\"{}\">{body}</testcase>",
                    xml(&class),
                    xml(&name)
                );
            }
            if report.findings.is_empty() && report.error.is_none() {
                tests += 1;
                let _ = writeln!(
                    cases,
                    "    <testcase classname=\"{}\" name=\"{}\"/>",
                    xml(&class),
                    xml(&format!("{} gate", report.gate))
                );
            }
        }
        all_tests += tests;
        all_failures += failures;
        all_errors += errors;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{}\" time=\"{:.3}\">",
            xml(&class),
            report
                .checks
                .iter()
                .filter(|c| c.status == CheckStatus::Skipped)
                .count(),
            report.duration_ms as f64 / 1000.0
        );
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
    }
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"launchgate\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"{all_errors}\">\n{suites}</testsuites>\n"
    );
    inert_commands(&text).into_owned()
}

/// Escapes text for XML attributes and content. Line breaks and tabs become character
/// references; other unsafe characters (which XML 1.0 cannot hold, or which would reorder or
/// colour the text where a CI server shows it) become visible escapes.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_unsafe(c) || c == '\u{fffe}' || c == '\u{ffff}' => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}
