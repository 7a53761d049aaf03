//! The launch report as Markdown, for a pull-request comment or a job summary: the verdict,
//! the fix order, then one folded section per gate (open when it failed or could not run).

use std::fmt::Write;

use super::escape::inert_commands;
use super::markdown::{cell, code, gate_body};
use super::{counts_in_words, deployment_table};
use crate::launch::{GateStatus, LaunchReport};
use crate::report::Report;

pub(super) fn render(reports: &[Report], launch: &LaunchReport) -> String {
    let mut out = format!("# {}\n\n", cell(&launch.title()));
    let icon = if launch.verdict.ready { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "**{icon} {}**: {}\n",
        capitalised(&launch.verdict.label),
        cell(&launch.verdict.reason)
    );
    out.push_str("## Fix order\n\n");
    if launch.fix_order.is_empty() {
        out.push_str("Nothing to fix.\n\n");
    }
    for item in &launch.fix_order {
        let _ = writeln!(
            out,
            "{}. **{}** ({}) {}<br>",
            item.rank,
            item.risk.label(),
            item.severity,
            cell(&item.impact)
        );
        let mut found = format!("{} in {}", code(&item.rule_id), cell(&item.gate));
        if let Some(secret) = &item.secret {
            let _ = write!(found, ", key {}", code(secret));
        }
        let _ = writeln!(
            out,
            "   Where: {}<br>\n   Fix: {}<br>\n   Found by: {found}",
            code(&item.location),
            cell(&item.fix)
        );
    }
    for map in &launch.map {
        let _ = writeln!(out, "\n## Where traffic and mail go: {}\n", cell(&map.domain));
        out.push_str(&deployment_table(map));
    }
    out.push_str("\n## Gates\n\n");
    let mut omitted = 0;
    for (gate, report) in launch.gates.iter().zip(reports) {
        let icon = match gate.status {
            GateStatus::Passed => "✅",
            GateStatus::Failed => "❌",
            GateStatus::NotChecked => "⚠️",
        };
        let _ = writeln!(
            out,
            "<details{}><summary>{icon} {}: {}, {}</summary>\n",
            if gate.collapsed { "" } else { " open" },
            cell(&gate.gate),
            gate.status.as_str(),
            counts_in_words(report)
        );
        gate_body(&mut out, report, None, &mut omitted);
        out.push_str("</details>\n\n");
    }
    inert_commands(&out).into_owned()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
