//! Markdown for pull-request comments and the GitHub job summary: a verdict per gate, then
//! findings with errors first, then checks and tables.

use std::fmt::Write;

use super::escape::{inert_commands, is_unsafe, push_escaped, visible};
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
            cell(&report.gate),
            status.as_str(),
            counts_in_words(report)
        );
        if report.suppressed > 0 {
            let _ = write!(out, ", {} suppressed", report.suppressed);
        }
        out.push_str("\n\n");
        gate_body(&mut out, report, limit, &mut omitted);
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "**{omitted} more finding{} not shown** (the summary is capped at 1 MiB); see the SARIF or JSON report.",
            if omitted == 1 { "" } else { "s" }
        );
    }
    inert_commands(&out).into_owned()
}

/// One gate's error, findings (errors first), checks, tables and notes. With `limit`, stops
/// adding finding rows before `out` passes it and adds the rows left out to `omitted`.
pub(super) fn gate_body(out: &mut String, report: &Report, limit: Option<usize>, omitted: &mut usize) {
    if let Some(error) = &report.error {
        let _ = writeln!(out, "The gate could not run: {}\n", cell(error));
    }
    if !report.findings.is_empty() {
        out.push_str("| Severity | Rule | Where | Message |\n| --- | --- | --- | --- |\n");
        let mut sorted: Vec<_> = report.findings.iter().collect();
        sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for (i, f) in sorted.iter().enumerate() {
            let place = f.place();
            let mut message = cell(&f.message);
            if let Some(secret) = &f.secret {
                let _ = write!(message, " ({})", code(&secret.display));
            }
            if let Some(help) = &f.help {
                let _ = write!(message, "<br>{}", cell(help));
            }
            let row = format!(
                "| {} | {} | {} | {message} |\n",
                f.severity,
                code(&f.rule_id),
                if place.is_empty() {
                    String::new()
                } else {
                    code(&place)
                },
            );
            // Counted as it will be written, so the cap holds for any text.
            let row = inert_commands(&row).into_owned();
            if limit.is_some_and(|max| out.len() + row.len() > max) {
                *omitted += sorted.len() - i;
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
        table_md(out, table);
    }
    for note in &report.notes {
        let _ = writeln!(out, "> {}", cell(note));
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
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

/// Makes text safe inside a table cell or a quote: it stays literal text. A `|` and the
/// backslash that could escape its escape are backslash-escaped, so the row keeps its
/// columns; a `]` before `(`, `[` or `:` is escaped, so no link or image appears that the
/// text did not hold; HTML and entities are escaped (no tags, no `&#x202e;` bringing back an
/// override); a line break becomes `<br>`; other unsafe characters become visible escapes.
/// Emphasis and backticks are left to mean what they mean.
pub(super) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let text = text.replace("\r\n", "\n");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("<br>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' => {
                out.push('\\');
                out.push(c);
            }
            ']' if matches!(chars.peek(), Some('(' | '[' | ':')) => out.push_str("\\]"),
            c if is_unsafe(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A code span holding `text` literally: fenced with more backticks than any run inside it,
/// unsafe characters visible. Text with a `|` is written as a plain cell instead: inside a
/// code span a backslash before the `|` would be literal yet still end the column.
pub(super) fn code(text: &str) -> String {
    if text.contains('|') {
        return cell(text);
    }
    let inner = visible(text);
    let mut longest = 0;
    let mut run = 0;
    for c in inner.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if inner.starts_with('`') || inner.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{inner}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_text() {
        assert_eq!(cell("a|b\n<img src=x>"), "a\\|b<br>&lt;img src=x&gt;");
        assert_eq!(cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(
            cell("![x](javascript:y) &#x202e;"),
            "![x\\](javascript:y) &amp;#x202e;"
        );
        assert_eq!(
            cell("[r]: http://x [a][r] index-[hash].js"),
            "[r\\]: http://x [a\\][r] index-[hash].js"
        );
        assert_eq!(cell("\u{202e}\x1b"), "\\u{202e}\\x1b");
    }

    #[test]
    fn code_spans_cannot_be_closed_by_their_text() {
        assert_eq!(code("src/a.ts"), "`src/a.ts`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a\\|b"), "a\\\\\\|b");
    }
}
