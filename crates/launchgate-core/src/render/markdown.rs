//! Markdown for pull-request comments and the GitHub job summary: a verdict per gate, then
//! findings with errors first, then checks and tables.

use std::fmt::Write;

use super::{RenderOptions, counts_in_words, verdict};
use crate::exit::ExitStatus;
use crate::report::{CheckStatus, Report, Table};

/// GitHub refuses a step summary over 1 MiB; stay under it with room for the closing line.
pub const SUMMARY_LIMIT_BYTES: usize = 1024 * 1024 - 4096;

/// Renders Markdown; with `limit`, stops adding finding rows before the text passes it and
/// says how many were left out.
pub(crate) fn render(reports: &[Report], options: &RenderOptions, limit: Option<usize>) -> String {
    let mut out = String::from("## launchgate\n\n");
    let mut omitted = 0usize;
    for report in reports {
        let status = verdict(report, options.fail_on);
        let icon = match status {
            ExitStatus::Passed => "✅",
            ExitStatus::Failed => "❌",
            ExitStatus::Error => "⚠️",
        };
        let _ = write!(
            out,
            "### {icon} {} — {}: {}",
            report.gate,
            status.as_str(),
            counts_in_words(report)
        );
        if report.suppressed > 0 {
            let _ = write!(out, ", {} suppressed", report.suppressed);
        }
        out.push_str("\n\n");
        if let Some(error) = &report.error {
            let _ = writeln!(out, "The gate could not run: {}\n", cell(error));
        }
        if !report.findings.is_empty() {
            out.push_str("| Severity | Rule | Where | Message |\n| --- | --- | --- | --- |\n");
            let mut sorted: Vec<_> = report.findings.iter().collect();
            sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
            for (i, f) in sorted.iter().enumerate() {
                let place = f
                    .location
                    .as_ref()
                    .map(|l| l.display())
                    .or_else(|| f.subject.clone())
                    .unwrap_or_default();
                let mut message = f.message.clone();
                if let Some(secret) = &f.secret {
                    let _ = write!(message, " (`{}`)", secret.display);
                }
                if let Some(help) = &f.help {
                    let _ = write!(message, "<br>{help}");
                }
                let row = format!(
                    "| {} | `{}` | {} | {} |\n",
                    f.severity,
                    f.rule_id,
                    if place.is_empty() {
                        String::new()
                    } else {
                        format!("`{}`", cell(&place))
                    },
                    cell(&message)
                );
                if limit.is_some_and(|max| out.len() + row.len() > max) {
                    omitted += sorted.len() - i;
                    break;
                }
                out.push_str(&row);
            }
            out.push('\n');
        }
        if !report.checks.is_empty() {
            out.push_str("| Check | Result | Time | Detail |\n| --- | --- | ---: | --- |\n");
            let mut checks: Vec<_> = report.checks.iter().collect();
            checks.sort_by_key(|c| c.status != CheckStatus::Failed);
            for c in checks {
                let time = c.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default();
                let detail = c.detail.as_deref().map(cell).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} | {} | {time} | {detail} |",
                    cell(&c.name),
                    c.status.as_str()
                );
            }
            out.push('\n');
        }
        for table in &report.tables {
            table_md(&mut out, table);
        }
        for note in &report.notes {
            let _ = writeln!(out, "> {}", cell(note));
        }
        if !report.notes.is_empty() {
            out.push('\n');
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "**{omitted} more finding{} not shown** (the summary is capped at 1 MiB); see the SARIF or JSON report.",
            if omitted == 1 { "" } else { "s" }
        );
    }
    out
}

fn table_md(out: &mut String, table: &Table) {
    let _ = writeln!(out, "**{}**\n", cell(&table.title));
    let header: Vec<String> = table.columns.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let align: Vec<&str> = (0..table.columns.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    let _ = writeln!(out, "| {} |", align.join(" | "));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// Makes text safe inside a table cell: no pipes, no line breaks, no stray HTML.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("&lt;br&gt;", "<br>")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
        .replace('\r', "")
}
