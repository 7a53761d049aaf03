//! Human-readable text: one block per finding with its position and hint, then checks,
//! tables, notes and a one-line verdict per gate.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::escape::{inert_commands, visible};
use super::{RenderOptions, counts_in_words, verdict};
use crate::exit::ExitStatus;
use crate::finding::{Finding, Severity};
use crate::report::{CheckStatus, Report, Table};

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let color = match s {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Note => AnsiColor::Cyan,
        };
        self.paint(Style::new().bold().fg_color(Some(color.into())), s.as_str())
    }
}

pub(super) fn render(reports: &[Report], options: &RenderOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for finding in &report.findings {
            finding_block(&mut out, finding, &paint);
        }
        if !report.checks.is_empty() {
            checks_block(&mut out, report, &paint);
        }
        for table in &report.tables {
            table_block(&mut out, table);
        }
        for note in &report.notes {
            let _ = writeln!(
                out,
                "{}: {}",
                paint.paint(Style::new().dimmed(), "note"),
                visible(note)
            );
        }
        if let Some(error) = &report.error {
            let _ = writeln!(
                out,
                "{}: {} could not run: {}",
                paint.severity(Severity::Error),
                visible(&report.gate),
                visible(error)
            );
        }
        verdict_line(&mut out, report, options, &paint);
    }
    inert_commands(&out).into_owned()
}

fn finding_block(out: &mut String, f: &Finding, paint: &Paint) {
    let rule = paint.paint(Style::new().bold(), &format!("[{}]", visible(&f.rule_id)));
    let _ = writeln!(
        out,
        "{}{rule}: {}",
        paint.severity(f.severity),
        visible(&f.message)
    );
    let arrow = paint.paint(Style::new().fg_color(Some(AnsiColor::Blue.into())), "-->");
    if let Some(loc) = &f.location {
        let _ = writeln!(out, "  {arrow} {}", visible(&loc.display()));
        if let Some(commit) = &loc.commit {
            let short: String = commit.chars().take(12).collect();
            let mut line = format!("   = commit: {}", visible(&short));
            if let Some(author) = &loc.author {
                let _ = write!(line, " by {}", visible(author));
            }
            if let Some(date) = &loc.date {
                let _ = write!(line, " on {}", visible(date));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    if let Some(subject) = &f.subject {
        let _ = writeln!(out, "  {arrow} {}", visible(subject));
    }
    if let Some(secret) = &f.secret {
        let short: String = secret.fingerprint.chars().take(12).collect();
        let _ = writeln!(
            out,
            "   = secret: {} (fingerprint {short}…)",
            visible(&secret.display)
        );
    }
    if let Some(help) = &f.help {
        let label = paint.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            "help",
        );
        let _ = writeln!(out, "   = {label}: {}", visible(help));
    }
    out.push('\n');
}

fn checks_block(out: &mut String, report: &Report, paint: &Paint) {
    let names: Vec<_> = report.checks.iter().map(|c| visible(&c.name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (check, name) in report.checks.iter().zip(&names) {
        let (mark, color) = match check.status {
            CheckStatus::Passed => ("ok  ", AnsiColor::Green),
            CheckStatus::Warned => ("warn", AnsiColor::Yellow),
            CheckStatus::Failed => ("FAIL", AnsiColor::Red),
            CheckStatus::Skipped => ("skip", AnsiColor::White),
        };
        let mark = paint.paint(Style::new().bold().fg_color(Some(color.into())), mark);
        let mut line = format!("  {mark} {name:<width$}");
        if let Some(ms) = check.duration_ms {
            let _ = write!(line, "  {ms:>6} ms");
        }
        if let Some(detail) = &check.detail {
            let _ = write!(line, "  {}", visible(detail));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
}

/// A plain aligned table; numbers read well right-aligned, so every cell but the first is.
fn table_block(out: &mut String, table: &Table) {
    let _ = writeln!(out, "{}", visible(&table.title));
    let escape =
        |cells: &[String]| -> Vec<String> { cells.iter().map(|c| visible(c).into_owned()).collect() };
    let columns = escape(&table.columns);
    let rows: Vec<Vec<String>> = table.rows.iter().map(|r| escape(r)).collect();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (i, w) in widths.iter().enumerate() {
            let cell = cells.get(i).map(String::as_str).unwrap_or("");
            if i == 0 {
                let _ = write!(s, " {cell:<w$}");
            } else {
                let _ = write!(s, "  {cell:>w$}");
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&columns));
    for row in &rows {
        let _ = writeln!(out, "{}", line(row));
    }
    out.push('\n');
}

fn verdict_line(out: &mut String, report: &Report, options: &RenderOptions, paint: &Paint) {
    let status = verdict(report, options.fail_on);
    let word = match status {
        ExitStatus::Passed => paint.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            "passed",
        ),
        ExitStatus::Failed => paint.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            "FAILED",
        ),
        ExitStatus::Error => paint.paint(Style::new().bold().fg_color(Some(AnsiColor::Red.into())), "ERROR"),
    };
    let mut line = format!(
        "launchgate {}: {word}: {}",
        visible(&report.gate),
        counts_in_words(report)
    );
    if report.suppressed > 0 {
        let _ = write!(line, ", {} suppressed", report.suppressed);
    }
    if !report.checks.is_empty() {
        let passed = report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Passed)
            .count();
        let _ = write!(line, "; {passed}/{} checks passed", report.checks.len());
    }
    let _ = write!(line, " ({} ms)", report.duration_ms);
    let _ = writeln!(out, "{line}");
}
