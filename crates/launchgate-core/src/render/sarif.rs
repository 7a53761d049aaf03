//! SARIF 2.1.0, as GitHub code scanning accepts it: one run, `tool.driver` with the rules
//! the findings use, results with level, message, a physical location with a region, and
//! stable `partialFingerprints`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::RenderOptions;
use crate::finding::{Finding, Severity};
use crate::report::{Report, RuleInfo};

/// Where findings without a file (a URL, a DNS name) are placed: the configuration that
/// asked for the check. Code scanning needs a location for every result.
const CONFIG_FILE: &str = "launchgate.yml";

pub(super) fn render(reports: &[Report], _options: &RenderOptions) -> String {
    let mut rules: BTreeMap<String, (RuleInfo, Severity, String)> = BTreeMap::new();
    for report in reports {
        for f in &report.findings {
            let info = report.rules.get(&f.rule_id).cloned().unwrap_or_else(|| RuleInfo {
                name: f.rule_id.clone(),
                description: format!("launchgate {} rule {}", report.gate, f.rule_id),
                help_uri: None,
            });
            let entry = rules
                .entry(f.rule_id.clone())
                .or_insert((info, f.severity, report.gate.clone()));
            entry.1 = entry.1.max(f.severity);
        }
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|(id, (info, severity, gate))| {
            let mut rule = json!({
                "id": id,
                "name": pascal_case(id),
                "shortDescription": { "text": info.name },
                "fullDescription": { "text": info.description },
                "help": { "text": info.description },
                "defaultConfiguration": { "level": level(*severity) },
                "properties": { "tags": ["launchgate", gate], "precision": "high" }
            });
            if let Some(uri) = &info.help_uri {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.findings.iter())
        .map(|f| result(f, index[f.rule_id.as_str()]))
        .collect();
    let errors: Vec<Value> = reports
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| (r, e)))
        .map(|(r, e)| {
            json!({
                "level": "error",
                "message": { "text": format!("launchgate {} could not run: {e}", r.gate) },
                "descriptor": { "id": format!("{}.could-not-run", r.gate) }
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "launchgate",
                "semanticVersion": crate::VERSION,
                "informationUri": "https://github.com/launchgate/launchgate",
                "rules": rule_values
            }},
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": errors
            }],
            "results": results
        }]
    });
    let mut text = super::escape::to_json_pretty(&doc);
    text.push('\n');
    text
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut message = f.message.clone();
    if let Some(subject) = &f.subject {
        message.push_str(&format!(" ({subject})"));
    }
    if let Some(secret) = &f.secret {
        message.push_str(&format!(" Secret: {}.", secret.display));
    }
    if let Some(help) = &f.help {
        message.push_str(&format!(" {help}"));
    }
    let (uri, region) = match &f.location {
        Some(loc) => {
            let mut region = json!({ "startLine": loc.line.unwrap_or(1) });
            if let Some(c) = loc.column {
                region["startColumn"] = json!(c);
            }
            if let Some(l) = loc.end_line {
                region["endLine"] = json!(l);
            }
            if let Some(c) = loc.end_column {
                region["endColumn"] = json!(c);
            }
            (loc.path.trim_start_matches('/').to_string(), region)
        }
        None => (CONFIG_FILE.to_string(), json!({ "startLine": 1 })),
    };
    let mut value = json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
            "region": region
        }}],
        "partialFingerprints": { "launchgateFingerprint/v2": f.fingerprint }
    });
    if !f.properties.is_empty() {
        value["properties"] = json!(f.properties);
    }
    value
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `stripe.secret-key` → `StripeSecretKey`, the form SARIF rule names take.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
