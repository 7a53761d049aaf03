//! `diff`: keys that the schema, `.env.example` and the other `.env` files disagree on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use launchgate_core::{Finding, Location, Report, Severity, Table};

use crate::dotenv::{self, Parsed};
use crate::schema::Schema;
use crate::{dotenvx, files, reading};

/// The example file: `env.example` from the schema, or `.env.example` if it exists.
pub fn example_path(root: &Path, schema: Option<&Schema>) -> Option<PathBuf> {
    if let Some(p) = schema.and_then(|s| s.config.example.clone()) {
        return Some(p);
    }
    files::TEMPLATES
        .iter()
        .map(PathBuf::from)
        .find(|p| root.join(p).is_file())
}

/// Compares the schema, the example file and the other files, adding findings to `report`.
pub fn diff(root: &Path, schema: Option<&Schema>, env_files: &[PathBuf], report: &mut Report) {
    let example = example_path(root, schema);
    let mut parsed: BTreeMap<PathBuf, Parsed> = BTreeMap::new();
    for path in env_files.iter().chain(example.iter()) {
        let full = root.join(path);
        if full
            .symlink_metadata()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            continue;
        }
        let display = files::display(path);
        match reading::read_env_file(&full, root, &display) {
            Ok(reading::EnvFile::Read { bytes, .. }) => {
                parsed.insert(path.clone(), dotenv::parse(&bytes));
            }
            Ok(reading::EnvFile::Skipped(note)) => report.notes.push(note),
            // A file that exists but cannot be read must not look like a missing one.
            Err(e) => report.push(
                launchgate_core::Finding::new(
                    "env.unreadable-file",
                    launchgate_core::Severity::Error,
                    e.one_line(),
                )
                .at(launchgate_core::Location::file(display.as_str()))
                .help("make the file readable, so drift can be checked"),
            ),
        }
    }
    let example_parsed = example.as_ref().and_then(|p| parsed.get(p));
    if example.is_some() && example_parsed.is_none() {
        report.notes.push(format!(
            "the example file {} does not exist",
            files::display(example.as_ref().unwrap_or(&PathBuf::new()))
        ));
    }
    let schema_file = schema.and_then(|s| s.file.clone());
    let mut rows = Vec::new();

    if let (Some(schema), Some(ex_path), Some(ex)) = (schema, &example, example_parsed) {
        let ex_display = files::display(ex_path);
        for name in schema.config.vars.keys() {
            if ex.get(name).is_none() {
                let mut f = Finding::new(
                    "env.drift-missing-from-example",
                    Severity::Warning,
                    format!("{name} is in the schema but not in {ex_display}"),
                )
                .help(format!(
                    "add `{name}=` to {ex_display} so new developers know to set it"
                ))
                .property("variable", name.as_str());
                f = at_schema(f, schema, schema_file.as_deref(), name);
                report.push(f);
                rows.push(vec![name.clone(), "schema".into(), ex_display.clone()]);
            }
        }
        for e in &ex.entries {
            if !schema.config.vars.contains_key(&e.key) {
                report.push(
                    Finding::new(
                        "env.drift-not-in-schema",
                        Severity::Warning,
                        format!("{} is in {ex_display} but not in the schema", e.key),
                    )
                    .at(Location::at(ex_display.as_str(), e.line, e.column))
                    .help(format!(
                        "declare {} under env.vars, or remove it from {ex_display}",
                        e.key
                    ))
                    .property("variable", e.key.as_str()),
                );
                rows.push(vec![e.key.clone(), ex_display.clone(), "schema".into()]);
            }
        }
    }

    if let (Some(ex_path), Some(ex)) = (&example, example_parsed) {
        let ex_display = files::display(ex_path);
        for (path, file) in &parsed {
            // `.env.keys` holds dotenvx's private keys, not the app's variables.
            let keys_file = path.file_name().is_some_and(|n| n == dotenvx::KEYS_FILE);
            if path == ex_path || files::is_template(path) || keys_file {
                continue;
            }
            let display = files::display(path);
            let missing: Vec<&str> = ex
                .entries
                .iter()
                .map(|e| e.key.as_str())
                .filter(|k| file.get(k).is_none())
                .collect();
            for key in &missing {
                report.push(
                    Finding::new(
                        "env.drift-missing-from-file",
                        Severity::Warning,
                        format!("{key} is in {ex_display} but not in {display}"),
                    )
                    .at(Location::file(display.as_str()))
                    .help(format!(
                        "add {key} to {display}, or remove it from {ex_display} if it is no longer used"
                    ))
                    .property("variable", *key),
                );
                rows.push(vec![key.to_string(), ex_display.clone(), display.clone()]);
            }
            for e in &file.entries {
                // dotenvx's header public key belongs to the file, not to the app.
                if dotenvx::is_public_key_name(&e.key) {
                    continue;
                }
                if ex.get(&e.key).is_none() && schema.is_none_or(|s| !s.config.vars.contains_key(&e.key)) {
                    report.push(
                        Finding::new(
                            "env.drift-not-in-example",
                            Severity::Note,
                            format!("{} is in {display} but not in {ex_display}", e.key),
                        )
                        .at(Location::at(display.as_str(), e.line, e.column))
                        .help(format!("add `{}=` to {ex_display}", e.key))
                        .property("variable", e.key.as_str()),
                    );
                }
            }
        }
    }

    if let Some(schema) = schema {
        staging_drift(schema, schema_file.as_deref(), &parsed, report);
    }
    if !rows.is_empty() {
        report.tables.push(Table {
            title: "Keys missing".into(),
            columns: vec!["variable".into(), "present in".into(), "missing from".into()],
            rows,
        });
    }
}

/// Keys required in production but not required in staging, or absent from `.env.staging`.
fn staging_drift(
    schema: &Schema,
    schema_file: Option<&str>,
    parsed: &BTreeMap<PathBuf, Parsed>,
    report: &mut Report,
) {
    let envs = &schema.config.environments;
    if !(envs.iter().any(|e| e == "staging") && envs.iter().any(|e| e == "production")) {
        return;
    }
    let staging_file = parsed
        .iter()
        .find(|(p, _)| p.file_name().and_then(|n| n.to_str()) == Some(".env.staging"));
    for (name, spec) in &schema.config.vars {
        let prod = spec.for_env("production");
        if !prod.required {
            continue;
        }
        let message = match staging_file {
            Some((path, file)) if file.get(name).is_none() => Some(format!(
                "{name} is required in production but absent from {}, so staging does not exercise it",
                files::display(path)
            )),
            _ if !spec.for_env("staging").required => Some(format!(
                "{name} is required in production but not in staging, so staging does not exercise it"
            )),
            _ => None,
        };
        if let Some(message) = message {
            let f = Finding::new("env.drift-staging", Severity::Warning, message)
                .help(format!("require {name} in staging too (`required: [staging, production]`) and set a staging value"))
                .property("variable", name.as_str());
            report.push(at_schema(f, schema, schema_file, name));
        }
    }
}

fn at_schema(f: Finding, schema: &Schema, file: Option<&str>, name: &str) -> Finding {
    match (file, schema.position_of(name)) {
        (Some(file), Some((line, column))) => f.at(Location::at(file, line, column)),
        _ => f.subject(name.to_string()),
    }
}
