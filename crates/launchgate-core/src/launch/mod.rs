//! The launch report: one document a founder reads before sending paid traffic.
//!
//! [`LaunchReport::build`] turns the reports of one run into a verdict (ready or not), the
//! fix order (every failing finding ranked by business risk, [`risk`]) with what breaks for
//! users in one sentence ([`impact`]), and one section per gate. The HTML and Markdown
//! renderers and the JSON report's `launch` field all read this one model, so the three
//! formats cannot disagree.
//!
//! What counts as a revenue path comes from the `report:` section of launchgate.yml
//! ([`LaunchSettings`]).

pub mod impact;
pub mod risk;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::ConfigFile;
use crate::deployment::DeploymentMap;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::finding::Severity;
use crate::report::{Counts, Report};

pub use risk::{RevenuePath, RiskClass};

/// The `report:` section of launchgate.yml.
///
/// ```yaml
/// report:
///   product: Makers Circle
///   revenue_paths: [/signup, /login, /checkout, /api/members]
///   risk: { "env.missing-required": revenue }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchSettings {
    /// The product's name, for the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Routes where the product earns its money; a failure on one is fixed first.
    #[serde(default)]
    pub revenue_paths: Vec<RevenuePath>,
    /// Risk classes by rule id (`smoke.headers.*` names a family), overriding the defaults.
    #[serde(default)]
    pub risk: BTreeMap<String, RiskClass>,
    /// Whether the report carries the deployment map: `full` (DNS, HTTP and TLS), `dns`
    /// (DNS only) or `off`.
    #[serde(default)]
    pub map: MapMode,
}

/// How much of the deployment map the launch report discovers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MapMode {
    #[default]
    Full,
    Dns,
    Off,
}

/// What the launch report is built from besides the gates' reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Launch {
    pub settings: LaunchSettings,
    /// The deployment maps of the configured domains, drawn in the report.
    pub maps: Vec<DeploymentMap>,
}

impl LaunchSettings {
    /// The `report:` section of `config`, or the defaults when it has none.
    pub fn from_config(config: &ConfigFile) -> Result<LaunchSettings, Error> {
        Ok(config.section::<LaunchSettings>("report")?.unwrap_or_default())
    }
}

/// The launch report of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub verdict: Verdict,
    /// Every finding at or above `fail_on`, most urgent first.
    pub fix_order: Vec<FixItem>,
    pub gates: Vec<GateSection>,
    /// Where DNS, web traffic and mail go, when discovered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub map: Vec<DeploymentMap>,
}

/// Ready or not, and why, in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub ready: bool,
    /// "ready" or "not ready".
    pub label: String,
    pub reason: String,
}

/// One entry of the fix order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixItem {
    /// 1-based place in the fix order.
    pub rank: usize,
    pub risk: RiskClass,
    pub gate: String,
    pub rule_id: String,
    pub severity: Severity,
    /// What breaks for users, in one sentence.
    pub impact: String,
    /// `path:line:column`, or the URL, DNS name or variable the finding is about.
    pub location: String,
    /// What to do about it.
    pub fix: String,
    /// The gate's own message.
    pub message: String,
    /// The redacted form of the secret involved (`…Ga0Y`), never the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// How one gate came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateStatus {
    Passed,
    Failed,
    /// The gate could not run: nothing it would check is known to be fine.
    NotChecked,
}

impl GateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::Passed => "passed",
            GateStatus::Failed => "failed",
            GateStatus::NotChecked => "not checked",
        }
    }
}

/// One gate's section: its status and counts; the renderers show its report's checks,
/// findings and tables under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateSection {
    pub gate: String,
    pub status: GateStatus,
    pub counts: Counts,
    /// Why the gate could not run, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Shown folded: the gate passed.
    pub collapsed: bool,
}

impl LaunchReport {
    /// The launch report of `reports`, judged at `fail_on`.
    pub fn build(reports: &[Report], launch: &Launch, fail_on: Severity) -> LaunchReport {
        let settings = &launch.settings;
        let gates: Vec<GateSection> = reports.iter().map(|r| section(r, fail_on)).collect();
        let fix_order = risk::rank(reports, settings, fail_on);
        LaunchReport {
            product: settings.product.clone(),
            verdict: verdict(&gates, fix_order.len()),
            fix_order,
            gates,
            map: launch.maps.clone(),
        }
    }

    /// The document's title: "Launch report: Makers Circle".
    pub fn title(&self) -> String {
        match &self.product {
            Some(product) => format!("Launch report: {product}"),
            None => "Launch report".to_string(),
        }
    }
}

fn section(report: &Report, fail_on: Severity) -> GateSection {
    let status = match ExitStatus::of(std::slice::from_ref(report), fail_on) {
        ExitStatus::Passed => GateStatus::Passed,
        ExitStatus::Failed => GateStatus::Failed,
        ExitStatus::Error => GateStatus::NotChecked,
    };
    GateSection {
        gate: report.gate.clone(),
        status,
        counts: report.counts(),
        error: report.error.clone(),
        collapsed: status == GateStatus::Passed,
    }
}

fn verdict(gates: &[GateSection], to_fix: usize) -> Verdict {
    let failed = gates.iter().filter(|g| g.status == GateStatus::Failed).count();
    let unchecked: Vec<&str> = gates
        .iter()
        .filter(|g| g.status == GateStatus::NotChecked)
        .map(|g| g.gate.as_str())
        .collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut reasons = Vec::new();
    if gates.is_empty() {
        reasons.push("no gate was run, so nothing is known to work".to_string());
    }
    if failed > 0 {
        reasons.push(format!(
            "{} of {} failed, with {} to fix",
            plural(failed, "gate"),
            gates.len(),
            plural(to_fix, "finding")
        ));
    }
    if !unchecked.is_empty() {
        reasons.push(format!("not checked: {}", unchecked.join(", ")));
    }
    let ready = reasons.is_empty();
    Verdict {
        ready,
        label: if ready { "ready" } else { "not ready" }.to_string(),
        reason: if ready {
            let names: Vec<&str> = gates.iter().map(|g| g.gate.as_str()).collect();
            format!("every gate passed: {}", names.join(", "))
        } else {
            reasons.join("; ")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;

    #[test]
    fn a_gate_that_could_not_run_is_not_checked_and_never_ready() {
        let passed = Report::new("secrets");
        let broken = Report::failed_to_run("dns", "no resolver answered");
        let report = LaunchReport::build(&[passed, broken], &Launch::default(), Severity::Error);
        assert!(!report.verdict.ready);
        assert_eq!(report.verdict.label, "not ready");
        assert_eq!(report.verdict.reason, "not checked: dns");
        assert_eq!(report.gates[0].status, GateStatus::Passed);
        assert!(report.gates[0].collapsed);
        assert_eq!(report.gates[1].status, GateStatus::NotChecked);
        assert!(!report.gates[1].collapsed);
    }

    #[test]
    fn no_gate_is_not_ready_and_passing_gates_are() {
        let none = LaunchReport::build(&[], &Launch::default(), Severity::Error);
        assert!(!none.verdict.ready);
        assert!(none.verdict.reason.contains("no gate was run"));
        let mut warned = Report::new("smoke");
        warned.push(Finding::new(
            "smoke.headers.referrer",
            Severity::Warning,
            "no Referrer-Policy",
        ));
        let ok = LaunchReport::build(&[warned.clone()], &Launch::default(), Severity::Error);
        assert!(ok.verdict.ready, "{:?}", ok.verdict);
        assert_eq!(ok.verdict.reason, "every gate passed: smoke");
        assert!(ok.fix_order.is_empty());
        let strict = LaunchReport::build(&[warned], &Launch::default(), Severity::Warning);
        assert_eq!(strict.verdict.reason, "1 gate of 1 failed, with 1 finding to fix");
    }
}
