//! A match as a finding: the message, the position, what to do about it, the rule's metadata
//! and the secret in redacted form. Suppression (inline comments, baselines) and severity
//! relief (test fixtures) are the callers' business.

use launchgate_core::{Finding, Location, RedactedSecret, RuleInfo, Secret, Severity};

use crate::engine::{Match, Sample};
use crate::rules::Rule;

/// Where a secret was found, which changes what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file in the working tree or a staged change.
    Source,
    /// A log file.
    Log,
    /// A file of a build that is served to browsers.
    Build,
}

/// What to do about a secret a rule found.
pub fn help_for(rule: &Rule, origin: Origin) -> String {
    let where_ = rule
        .spec
        .references
        .first()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    match origin {
        Origin::Source => format!(
            "Rotate this credential at the provider first{where_}, then remove it and load it from the \
             environment or a secret manager; deleting the line is not enough once it was pushed. \
             If it is not a secret, add `launchgate:allow` to the line or record it with \
             `launchgate-secrets baseline update`."
        ),
        Origin::Build => format!(
            "Rotate this credential at the provider first{where_}: every browser that loaded \
             this file has it. Then keep it out of client code: use it on the server only, and \
             never expose it through a public prefix (NEXT_PUBLIC_, VITE_, REACT_APP_) or a \
             bundler `define`."
        ),
        Origin::Log => format!(
            "Rotate this credential at the provider{where_}, stop the program from logging it, and \
             delete or restrict the log; masking it from now on is not enough once the log was read."
        ),
    }
}

/// The finding for match `m` of `rule` in `path`, at `severity`; it carries no secret and no
/// fingerprint until [`seal`] adds them.
pub fn finding_for(rule: &Rule, path: &str, m: &Match, severity: Severity, origin: Origin) -> Finding {
    let binary = if m.in_binary {
        format!(" in binary content at byte offset {}", m.secret_range.start)
    } else {
        String::new()
    };
    let sample = match m.sample {
        Some(Sample::Sequence) => {
            "; the value runs in sequence (like 1234abcd) as sample values do, so this is a note: \
             if it is a real credential, treat it as one"
        }
        Some(Sample::Weak) => {
            "; the value is short or simple, as development defaults are, so this is a note: if it \
             is a real password, change it, since it is both exposed and easy to guess"
        }
        None => "",
    };
    let finding = Finding::new(
        m.rule_id.clone(),
        severity,
        format!(
            "{} found{binary} ({} confidence){sample}",
            rule.spec.name,
            m.confidence.as_str()
        ),
    )
    .at(Location::at(path, m.line, m.column).to(m.end_line, m.end_column))
    .help(help_for(rule, origin))
    .property("confidence", m.confidence.as_str());
    match m.sample {
        Some(sample) => finding.property("sample", sample.as_str()),
        None => finding,
    }
}

/// The rule's metadata as reports list it.
pub fn rule_info(rule: &Rule) -> RuleInfo {
    RuleInfo {
        name: rule.spec.name.clone(),
        description: rule.spec.description.clone(),
        help_uri: rule.spec.references.first().cloned(),
    }
}

/// Adds the redacted secret and its fingerprint to a finding: the only form in which a
/// secret leaves the detector.
pub fn seal(finding: &mut Finding, secret: &Secret, fingerprint: String) {
    finding.secret = Some(RedactedSecret {
        display: secret.redacted(),
        fingerprint: fingerprint.clone(),
    });
    finding.fingerprint = fingerprint;
}
