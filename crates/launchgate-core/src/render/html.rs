//! The launch report as one self-contained HTML page: the verdict, the fix order, then one
//! section per gate, folded (`<details>`) when it passed.
//!
//! The page loads nothing: its style is inline, it has no script, font, image or link to
//! fetch, and it reads the same without JavaScript, offline and on paper. Every text from a
//! report is escaped ([`text`]), so a file name or a response body cannot add markup.

use std::fmt::Write;

use super::escape::{inert_commands, visible};
use super::{counts_in_words, deployment_rows, map_svg};
use crate::deployment::DeploymentMap;
use crate::finding::Finding;
use crate::launch::{FixItem, GateSection, GateStatus, LaunchReport};
use crate::report::{Check, Report, Table};

const STYLE: &str = "\
:root{color-scheme:light;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bad:#b42318;--bad-bg:#fef3f2;\
--ok:#116329;--ok-bg:#edfbf1;--warn:#8a5a00;--warn-bg:#fff8e6}\
*{box-sizing:border-box}\
body{margin:0 auto;max-width:64rem;padding:1.5rem;font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--ink);background:#fff}\
h1{font-size:1.7rem;margin:0 0 .5rem}h2{font-size:1.25rem;margin:2rem 0 .75rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}\
.verdict{font-size:1.15rem;padding:.75rem 1rem;border-radius:6px;border:1px solid}\
.verdict.ready{color:var(--ok);background:var(--ok-bg)}.verdict.not-ready{color:var(--bad);background:var(--bad-bg)}\
ol.fixes{padding-left:1.75rem}ol.fixes>li{margin:0 0 1rem;padding:.5rem .75rem;border-left:4px solid var(--line)}\
li.risk-revenue{border-color:var(--bad)}li.risk-live-secret{border-color:#d4580b}li.risk-test-key{border-color:#d4a20b}\
.impact{margin:0 0 .25rem;font-weight:600}\
.tag{display:inline-block;font-size:.75rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;padding:0 .4rem;border-radius:3px;margin-right:.4rem;background:#eaeef2;color:var(--muted)}\
.tag.revenue{background:var(--bad-bg);color:var(--bad)}.tag.live-secret{background:#fff1e7;color:#9a3c05}.tag.test-key{background:var(--warn-bg);color:var(--warn)}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}\
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}\
details{border:1px solid var(--line);border-radius:6px;margin:0 0 .75rem;padding:.5rem .75rem}\
summary{cursor:pointer;font-weight:600}\
.status{display:inline-block;min-width:6.5rem;font-size:.8rem;text-transform:uppercase;padding:0 .4rem;border-radius:3px;margin-right:.5rem;text-align:center}\
.status.passed{background:var(--ok-bg);color:var(--ok)}.status.failed{background:var(--bad-bg);color:var(--bad)}\
.status.not-checked,.status.warned,.status.skipped{background:var(--warn-bg);color:var(--warn)}\
table{border-collapse:collapse;width:100%;margin:.75rem 0;font-size:.9rem}caption{text-align:left;font-weight:600;padding:.25rem 0}\
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f6f8fa}\
figure{margin:.5rem 0;overflow-x:auto}figcaption{color:var(--muted);font-size:.85rem}\
svg.map{font:12px system-ui,sans-serif;max-width:100%;height:auto}svg.map rect{fill:#f6f8fa;stroke:#8c959f}\
svg.map rect.dns{fill:#eef4ff}svg.map rect.web{fill:var(--ok-bg)}svg.map rect.mail{fill:#f5f0ff}\
svg.map rect.broken{fill:var(--bad-bg);stroke:var(--bad);stroke-dasharray:4 3}\
svg.map line{stroke:#8c959f;stroke-width:1.2}svg.map line.broken{stroke:var(--bad);stroke-dasharray:4 3}\
.error{color:var(--bad)}.warning{color:var(--warn)}.note{color:var(--muted)}\
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}\
@media print{body{max-width:none;padding:0;font-size:11pt}details{break-inside:avoid-page}summary{list-style:none}\
ol.fixes>li{break-inside:avoid}a{color:inherit}}";

pub(super) fn render(reports: &[Report], launch: &LaunchReport) -> String {
    let title = text(&launch.title());
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"launchgate {}\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{title}</h1>\n",
        crate::VERSION
    );
    let (class, label) = if launch.verdict.ready {
        ("ready", "Ready")
    } else {
        ("not-ready", "Not ready")
    };
    let _ = write!(
        out,
        "<p class=\"verdict {class}\" id=\"verdict\"><strong>{label}</strong>: {}</p>\n</header>\n<main>\n",
        text(&launch.verdict.reason)
    );
    fix_order(&mut out, &launch.fix_order);
    if !launch.map.is_empty() {
        deployment_map(&mut out, &launch.map);
    }
    out.push_str("<section id=\"gates\">\n<h2>Gates</h2>\n");
    for (gate, report) in launch.gates.iter().zip(reports) {
        gate_section(&mut out, gate, report);
    }
    if launch.gates.is_empty() {
        out.push_str("<p>No gate was run: configure one in launchgate.yml.</p>\n");
    }
    let _ = write!(
        out,
        "</section>\n</main>\n<footer><p>Written by launchgate {}.</p></footer>\n</body>\n</html>\n",
        crate::VERSION
    );
    inert_commands(&out).into_owned()
}

fn fix_order(out: &mut String, items: &[FixItem]) {
    out.push_str("<section id=\"fix-order\">\n<h2>Fix order</h2>\n");
    if items.is_empty() {
        out.push_str("<p>Nothing to fix.</p>\n</section>\n");
        return;
    }
    out.push_str("<ol class=\"fixes\">\n");
    for item in items {
        let risk = item.risk.as_str();
        let _ = write!(
            out,
            "<li class=\"fix risk-{risk}\" id=\"fix-{}\" data-rule=\"{}\">\n\
             <p class=\"impact\"><span class=\"tag {risk}\">{}</span><span class=\"tag {sev}\">{sev}</span>{}</p>\n\
             <dl>\n<dt>Where</dt><dd><code>{}</code></dd>\n<dt>Fix</dt><dd>{}</dd>\n\
             <dt>Found by</dt><dd>the {} gate: <code>{}</code>, {}",
            item.rank,
            text(&item.rule_id),
            item.risk.label(),
            text(&item.impact),
            text(&item.location),
            text(&item.fix),
            text(&item.gate),
            text(&item.rule_id),
            text(&item.message),
            sev = item.severity,
        );
        if let Some(secret) = &item.secret {
            let _ = write!(out, " (key <code>{}</code>)", text(secret));
        }
        out.push_str("</dd>\n</dl>\n</li>\n");
    }
    out.push_str("</ol>\n</section>\n");
}

fn deployment_map(out: &mut String, maps: &[DeploymentMap]) {
    out.push_str("<section id=\"map\">\n<h2>Where traffic and mail go</h2>\n");
    for map in maps {
        let _ = writeln!(
            out,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            map_svg::render(map),
            text(&map.domain)
        );
        let mut table = Table {
            title: format!("Deployment of {}", map.domain),
            columns: vec!["what".into(), "where".into(), "provider".into()],
            rows: Vec::new(),
        };
        for (what, place, provider) in deployment_rows(map) {
            table.rows.push(vec![what, place, provider]);
        }
        measured_table(out, &table);
    }
    out.push_str("</section>\n");
}

fn gate_section(out: &mut String, gate: &GateSection, report: &Report) {
    let status = gate.status.as_str().replace(' ', "-");
    let _ = write!(
        out,
        "<details class=\"gate\" id=\"gate-{}\"{}>\n<summary><span class=\"status {status}\">{}</span>{}: {}</summary>\n",
        text(&gate.gate),
        if gate.collapsed { "" } else { " open" },
        gate.status.as_str(),
        text(&gate.gate),
        counts_in_words(report)
    );
    if gate.status == GateStatus::NotChecked {
        let _ = writeln!(
            out,
            "<p class=\"error\">Not checked: the gate could not run ({}). Nothing it covers is known to work.</p>",
            text(gate.error.as_deref().unwrap_or("no reason given"))
        );
    }
    if !report.findings.is_empty() {
        findings_table(out, &report.findings);
    }
    if !report.checks.is_empty() {
        checks_table(out, &report.checks);
    }
    for table in &report.tables {
        measured_table(out, table);
    }
    if !report.notes.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for note in &report.notes {
            let _ = writeln!(out, "<li>{}</li>", text(note));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</details>\n");
}

fn findings_table(out: &mut String, findings: &[Finding]) {
    out.push_str(
        "<table class=\"findings\">\n<caption>Findings</caption>\n\
         <thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Message</th></tr></thead>\n<tbody>\n",
    );
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in sorted {
        let place = f.place();
        let mut message = text(&f.message);
        if let Some(secret) = &f.secret {
            let _ = write!(message, " (<code>{}</code>)", text(&secret.display));
        }
        if let Some(help) = &f.help {
            let _ = write!(message, "<br>{}", text(help));
        }
        let _ = writeln!(
            out,
            "<tr><td class=\"{sev}\">{sev}</td><td><code>{}</code></td><td><code>{}</code></td><td>{message}</td></tr>",
            text(&f.rule_id),
            text(&place),
            sev = f.severity,
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn checks_table(out: &mut String, checks: &[Check]) {
    out.push_str(
        "<table class=\"checks\">\n<caption>Checks</caption>\n\
         <thead><tr><th>Check</th><th>Result</th><th>Time</th><th>Detail</th></tr></thead>\n<tbody>\n",
    );
    for c in checks {
        let time = c.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><span class=\"status {status}\">{status}</span></td><td>{time}</td><td>{}</td></tr>",
            text(&c.name),
            text(c.detail.as_deref().unwrap_or("")),
            status = c.status.as_str(),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn measured_table(out: &mut String, table: &Table) {
    let _ = write!(
        out,
        "<table class=\"measured\">\n<caption>{}</caption>\n<thead><tr>",
        text(&table.title)
    );
    for column in &table.columns {
        let _ = write!(out, "<th>{}</th>", text(column));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for value in row {
            let _ = write!(out, "<td>{}</td>", text(value));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Text as HTML character data or an attribute value: markup characters escaped, and
/// control and bidirectional characters written as visible escapes.
pub(super) fn text(raw: &str) -> String {
    let raw = visible(raw);
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            text("<img src=x onerror=\"a\">&amp; 'x'"),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;amp; &#39;x&#39;"
        );
        assert_eq!(text("a\nb\u{202e}"), "a\\nb\\u{202e}");
    }
}
