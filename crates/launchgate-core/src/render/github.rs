//! GitHub Actions workflow commands: one annotation per finding, escaped as the runner
//! expects, with paths relative to `GITHUB_WORKSPACE` and `/` separators.

use std::fmt::Write;
use std::path::Path;

use super::escape::{is_unsafe, push_escaped};
use super::{RenderOptions, SUMMARY_LIMIT_BYTES, counts_in_words, markdown, verdict};
use crate::finding::{Finding, Severity};
use crate::report::Report;

/// Escapes a message as the runner unescapes it: `%`, CR and LF. Other unsafe characters
/// (a terminal escape, a bidi override) are written as visible escapes, since the runner
/// would pass them through to the log and the annotation.
pub fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a property value (file, title): as data, plus `:` and `,`, which would end the
/// property.
pub fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if is_unsafe(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn render(reports: &[Report], options: &RenderOptions) -> String {
    let mut out = String::new();
    for report in reports {
        for finding in &report.findings {
            annotation(&mut out, finding, options);
        }
        if let Some(error) = &report.error {
            let _ = writeln!(
                out,
                "::error title={}::{}",
                escape_property(&format!("launchgate {}", report.gate)),
                escape_data(&format!("the gate could not run: {error}"))
            );
        }
        // A line of plain text among the commands: it must not read as one either.
        let _ = writeln!(
            out,
            "launchgate {}: {}: {}",
            super::escape::inert_commands(&super::escape::visible(&report.gate)),
            verdict(report, options.fail_on).as_str(),
            counts_in_words(report)
        );
    }
    out
}

fn annotation(out: &mut String, f: &Finding, options: &RenderOptions) {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(loc) = &f.location {
        props.push(format!(
            "file={}",
            escape_property(&workspace_relative(&loc.path, options.workspace.as_deref()))
        ));
        if let Some(line) = loc.line {
            props.push(format!("line={line}"));
        }
        if let Some(end) = loc.end_line {
            props.push(format!("endLine={end}"));
        }
        if let Some(col) = loc.column {
            props.push(format!("col={col}"));
        }
        if let Some(end) = loc.end_column {
            props.push(format!("endColumn={end}"));
        }
    }
    props.push(format!("title={}", escape_property(&f.rule_id)));
    let mut message = f.message.clone();
    if let Some(subject) = &f.subject {
        let _ = write!(message, " ({subject})");
    }
    if let Some(secret) = &f.secret {
        let _ = write!(message, "\nsecret: {}", secret.display);
    }
    if let Some(help) = &f.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    let _ = writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message));
}

/// A path relative to the workspace, with `/` separators, as annotations need.
fn workspace_relative(path: &str, workspace: Option<&Path>) -> String {
    let normalized = path.replace('\\', "/");
    if let Some(ws) = workspace {
        let ws = ws.to_string_lossy().replace('\\', "/");
        let ws = ws.trim_end_matches('/');
        if let Some(rest) = normalized.strip_prefix(ws).and_then(|r| r.strip_prefix('/')) {
            return rest.to_string();
        }
    }
    normalized.strip_prefix("./").unwrap_or(&normalized).to_string()
}

/// The job summary: Markdown capped under GitHub's 1 MiB limit.
pub fn step_summary(reports: &[Report], options: &RenderOptions) -> String {
    markdown::render(reports, options, Some(SUMMARY_LIMIT_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("a\x1b[2J\u{202e}b"), "a\\x1b[2J\\u{202e}b");
    }

    #[test]
    fn paths_become_workspace_relative() {
        let ws = Path::new("/home/runner/work/app/app");
        assert_eq!(
            workspace_relative("/home/runner/work/app/app/src/a.ts", Some(ws)),
            "src/a.ts"
        );
        assert_eq!(workspace_relative("src\\win\\b.ts", Some(ws)), "src/win/b.ts");
        assert_eq!(workspace_relative("./c.ts", None), "c.ts");
    }
}
