//! The JSON report, schema version 2 (version 1 published a SHA-256 of each secret).
//!
//! ```text
//! { "version": 2, "tool": { "name": "launchgate", "version": "…" },
//!   "status": "passed" | "failed" | "error", "fail_on": "error",
//!   "summary": { "error": n, "warning": n, "note": n, "suppressed": n },
//!   "reports": [ Report… ],
//!   "launch": { "verdict": …, "fix_order": […], "gates": […] } }
//! ```
//! `launch` (the launch report, [`crate::launch::LaunchReport`]) is written by
//! `launchgate check`.
//! Fields are only ever added within a version; a removal or change of meaning bumps it.

use serde::{Deserialize, Serialize};

use super::RenderOptions;
use crate::exit::ExitStatus;
use crate::finding::Severity;
use crate::launch::LaunchReport;
use crate::report::{Counts, Report};

/// The schema version written in `version`.
pub const JSON_SCHEMA_VERSION: u32 = 2;

/// The whole JSON document, also read back for baselines and report merging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFile {
    pub version: u32,
    pub tool: Tool,
    pub status: String,
    pub fail_on: Severity,
    pub summary: Summary,
    pub reports: Vec<Report>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch: Option<LaunchReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
    pub suppressed: usize,
}

impl ReportFile {
    pub fn new(reports: &[Report], fail_on: Severity) -> Self {
        let mut counts = Counts::default();
        let mut suppressed = 0;
        for r in reports {
            let c = r.counts();
            counts.error += c.error;
            counts.warning += c.warning;
            counts.note += c.note;
            suppressed += r.suppressed;
        }
        ReportFile {
            version: JSON_SCHEMA_VERSION,
            tool: Tool {
                name: "launchgate".into(),
                version: crate::VERSION.into(),
            },
            status: ExitStatus::of(reports, fail_on).as_str().into(),
            fail_on,
            summary: Summary {
                error: counts.error,
                warning: counts.warning,
                note: counts.note,
                suppressed,
            },
            reports: reports.to_vec(),
            launch: None,
        }
    }

    /// Reads a JSON report written by any launchgate binary; errors name the file.
    pub fn parse(file_name: &str, text: &str) -> Result<Self, crate::Error> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            crate::Error::input(format!(
                "{file_name} is not JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ))
            .with_help("pass a report written with --format json")
        })?;
        let version = value.get("version").and_then(|v| v.as_u64());
        if version != Some(u64::from(JSON_SCHEMA_VERSION)) {
            return Err(crate::Error::input(format!(
                "{file_name} is not a launchgate JSON report of schema version {JSON_SCHEMA_VERSION} (found version {})",
                version.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
            ))
            .with_help("write the report again with this version's --format json"));
        }
        serde_json::from_value(value).map_err(|e| {
            crate::Error::input(format!("{file_name} is not a valid launchgate report: {e}"))
                .with_help("pass a report written with --format json")
        })
    }
}

pub(super) fn render(reports: &[Report], options: &RenderOptions) -> String {
    let mut file = ReportFile::new(reports, options.fail_on);
    file.launch = options
        .launch
        .as_ref()
        .map(|launch| LaunchReport::build(reports, launch, options.fail_on));
    let mut text = super::escape::to_json_pretty(&file);
    text.push('\n');
    text
}
