//! The launchgate env gate.
//!
//! It fails a deploy that would ship with a missing, empty, malformed or
//! wrong-for-this-environment variable, and stops secrets from being committed in `.env`
//! files or shipped to browsers behind public prefixes (`NEXT_PUBLIC_`, `VITE_` …).
//!
//! Each command is one function returning a [`Report`]:
//!
//! * [`check_values`]: values (process environment or `.env` files) against the schema
//!   for one environment;
//! * [`lint_files`]: dotenv syntax checks, `--fix`, committed secrets and public-prefix
//!   leaks in `.env` files;
//! * [`diff`]: drift between the schema, `.env.example` and the other files;
//! * [`usage`]: variables the code reads that the schema does not declare;
//! * [`check_configured`]: what `launchgate check` runs.
//!
//! Whether a value looks like a secret is decided in one place,
//! [`secret_values::recognise`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Finding, Location, Report, Severity};
use rayon::prelude::*;

pub mod cli;
pub mod columns;
mod committed;
pub mod deploy_check;
pub mod dotenv;
mod dotenvx;
mod drift;
mod files;
mod help;
pub mod init;
mod leaks;
pub mod lint;
mod reading;
mod rules;
pub mod schema;
pub mod secret_values;
mod types;
pub mod usage;

pub use deploy_check::Values;
pub use lint::LintOptions;
pub use schema::Schema;

/// The gate's name in reports.
pub const GATE: &str = "env";

/// The variable that names the environment `launchgate check` validates.
pub const ENVIRONMENT_VARIABLE: &str = "LAUNCHGATE_ENV";

fn finish(mut report: Report, started: Instant) -> Report {
    rules::describe(&mut report);
    report.sort();
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// Validates `values` against `schema` for `environment`, and the schema's own
/// public-prefix mistakes.
pub fn check_values(schema: &Schema, environment: &str, values: &Values) -> Result<Report, Error> {
    let started = Instant::now();
    let mut report = Report::new(GATE);
    if let Some(file) = &schema.file {
        report.inputs.push(file.clone());
    }
    deploy_check::check(schema, environment, values, &mut report)?;
    schema_leaks(schema, &mut report);
    help::annotate(schema, &mut report.findings);
    Ok(finish(report, started))
}

/// Public-prefix mistakes in the schema itself: a public variable marked `secret`, or with
/// a secret-looking name or default.
pub fn schema_leaks(schema: &Schema, report: &mut Report) {
    let prefixes = &schema.config.public_prefixes;
    for (name, spec) in &schema.config.vars {
        let at = |f: Finding| {
            let f = f.property("variable", name.as_str());
            match (&schema.file, schema.position_of(name)) {
                (Some(file), Some((l, c))) => f.at(Location::at(file.as_str(), l, c)),
                _ => f.subject(name.clone()),
            }
        };
        if let Some(prefix) = leaks::public_prefix(name, prefixes)
            && spec.secret
        {
            report.push(at(Finding::new(
                "env.public-secret-schema",
                Severity::Error,
                format!(
                    "{name} is marked secret but has the public prefix {prefix}, which ships it to browsers"
                ),
            )
            .help("drop the public prefix and read the variable on the server only")));
        }
        for leak in leaks::check(name, spec.default.as_deref(), prefixes) {
            report.push(at(Finding::new(
                leak.rule_id(),
                Severity::Error,
                leak.message(name),
            )
            .help(leak.help())));
        }
    }
}

/// Lints `.env` files (paths relative to `root`, or absolute) and checks them for
/// committed secrets and public-prefix leaks. With `fix`, repairs what is safe to repair
/// first (atomically) and reports what is left.
pub fn lint_files(
    root: &Path,
    paths: &[PathBuf],
    schema: Option<&Schema>,
    options: &LintOptions,
    fix: bool,
) -> Result<Report, Error> {
    let tracked = files::git_tracked(root)?.map(|t| t.into_iter().collect());
    lint_files_tracked(root, paths, tracked, &[], schema, options, fix)
}

/// [`lint_files`] of the files [`files::EnvFiles::discover`] found, with what it learnt of
/// git, so git is asked once.
pub fn lint_env_files(
    root: &Path,
    env_files: files::EnvFiles,
    schema: Option<&Schema>,
    options: &LintOptions,
    fix: bool,
) -> Result<Report, Error> {
    lint_files_tracked(
        root,
        &env_files.all,
        env_files.tracked,
        &env_files.walked_dirs,
        schema,
        options,
        fix,
    )
}

/// [`lint_files`] with the files git tracks under `root` given (`None` outside git); every
/// path in `paths` that git tracks must be in it. `walked_dirs` are folders under `root`
/// reached without a link ([`files::EnvFiles::walked_dirs`]).
fn lint_files_tracked(
    root: &Path,
    paths: &[PathBuf],
    tracked: Option<std::collections::BTreeSet<PathBuf>>,
    walked_dirs: &[PathBuf],
    schema: Option<&Schema>,
    options: &LintOptions,
    fix: bool,
) -> Result<Report, Error> {
    let started = Instant::now();
    options.validate()?;
    let mut report = Report::new(GATE);
    let config = schema.map(|s| s.config.clone()).unwrap_or_default();
    if tracked.is_none() {
        report.notes.push(committed::no_git_note(root));
    }
    let confinement = reading::Confinement::new(root)?;
    confinement.add_walked_dirs(root, walked_dirs);
    // @env-spec values may be function calls (`op(op://vault/x, "y")`): unquoted text with
    // spaces and quotes that varlock reads as a call. Quoting them would make them strings.
    let mut env_spec_options = options.clone();
    env_spec_options
        .disable
        .extend(schema::ENV_SPEC_CALL_LINTS.iter().map(|l| l.to_string()));
    let one = |path: &PathBuf| -> Result<(Vec<Finding>, usize, bool, Option<String>), Error> {
        let full = if path.is_absolute() {
            path.clone()
        } else {
            root.join(path)
        };
        let rel = path.strip_prefix(root).unwrap_or(path);
        let display = files::display(path);
        let (mut bytes, real) = match confinement.read(&full, &display)? {
            reading::EnvFile::Read { bytes, real } => (bytes, real),
            reading::EnvFile::Skipped(note) => return Ok((Vec::new(), 0, false, Some(note))),
        };
        let options = if schema::is_env_spec(path) {
            &env_spec_options
        } else {
            options
        };
        let mut fixed = false;
        if fix && let Some(new) = lint::fix_bytes(&display, &bytes, options)? {
            // Through a link that stays inside: the file it names is fixed, the link kept.
            reading::write_env_file(&real, &new)?;
            bytes = new;
            fixed = true;
        }
        let (mut findings, parsed, suppressed) = lint::lint_bytes(&display, &bytes, options);
        let tracking = match &tracked {
            None => committed::Tracking::NoGit,
            Some(t) if t.contains(rel) => committed::Tracking::Tracked,
            Some(_) => committed::Tracking::Untracked,
        };
        findings.extend(committed::file_findings(path, &parsed, tracking, &config));
        Ok((findings, suppressed, fixed, None))
    };
    let results: Vec<_> = paths.par_iter().map(one).collect();
    let mut fixed = 0;
    for result in results {
        let (findings, suppressed, was_fixed, skipped) = result?;
        report.notes.extend(skipped);
        for f in findings {
            report.push(f);
        }
        report.suppressed += suppressed;
        fixed += usize::from(was_fixed);
    }
    report.inputs.extend(paths.iter().map(|p| files::display(p)));
    if let Some(schema) = schema {
        help::annotate(schema, &mut report.findings);
    }
    if fix {
        report
            .notes
            .push(format!("fixed {fixed} of {} files", paths.len()));
    }
    if paths.is_empty() {
        report
            .notes
            .push(format!("no .env files found under {}", root.display()));
    }
    Ok(finish(report, started))
}

/// The `.env*` files `lint` checks by default: those git tracks and those in the working tree.
pub fn default_env_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    Ok(files::EnvFiles::discover(root)?.all)
}

/// Drift between the schema, the example file and the other `.env` files under `root`.
pub fn diff(root: &Path, schema: Option<&Schema>) -> Result<Report, Error> {
    let started = Instant::now();
    let mut report = Report::new(GATE);
    let env_files = default_env_files(root)?;
    report.inputs.extend(env_files.iter().map(|p| files::display(p)));
    if let Some(file) = schema.and_then(|s| s.file.clone()) {
        report.inputs.push(file);
    }
    if schema.is_none() {
        report
            .notes
            .push("no schema: compared the .env files with the example file only".into());
    }
    drift::diff(root, schema, &env_files, &mut report);
    if let Some(schema) = schema {
        help::annotate(schema, &mut report.findings);
    }
    Ok(finish(report, started))
}

/// Variables the code under `root` reads that the schema does not declare.
pub fn usage(root: &Path, schema: &Schema) -> Result<Report, Error> {
    let started = Instant::now();
    let mut report = Report::new(GATE);
    let (used, scanned, too_large) = usage::scan_counting_skipped(root);
    report.inputs.push(root.display().to_string());
    report.notes.push(format!(
        "scanned {scanned} source files; the code reads {} variables",
        used.len()
    ));
    if too_large > 0 {
        report.notes.push(format!(
            "left out {too_large} source files over {} MiB (generated bundles); variables only they read are not listed",
            usage::MAX_SOURCE_FILE_SIZE >> 20
        ));
    }
    let mut rows = Vec::new();
    for (name, uses) in &used {
        let declared = schema.config.vars.contains_key(name);
        rows.push(vec![
            name.clone(),
            uses.len().to_string(),
            if declared { "yes" } else { "no" }.to_string(),
        ]);
        if declared || usage::is_platform_variable(name) {
            continue;
        }
        let first = &uses[0];
        report.push(
            Finding::new(
                "env.usage-not-in-schema",
                Severity::Error,
                format!("the code reads {name}, which the schema does not declare"),
            )
            .at(Location::at(first.path.as_str(), first.line, first.column))
            .help(format!("declare {name} under env.vars (with `required:` for the environments that need it) so a deploy without it fails"))
            .property("variable", name.as_str())
            .property("uses", uses.len()),
        );
    }
    report.tables.push(launchgate_core::Table {
        title: "Variables read by the code".into(),
        columns: vec!["variable".into(), "reads".into(), "in schema".into()],
        rows,
    });
    Ok(finish(report, started))
}

/// What `launchgate check` runs for the `env:` section: lint of the repository's `.env`
/// files, committed secrets, public-prefix leaks (files, schema and process environment),
/// drift, and `check` for the environment named by `LAUNCHGATE_ENV` or `env.check`.
pub fn check_configured(config: &ConfigFile, root: &Path) -> Result<Report, Error> {
    let environment = std::env::var(ENVIRONMENT_VARIABLE).ok().filter(|s| !s.is_empty());
    check_configured_with(config, root, environment.as_deref(), std::env::vars_os())
}

/// [`check_configured`] with the environment name and process environment given.
pub fn check_configured_with(
    config: &ConfigFile,
    root: &Path,
    environment: Option<&str>,
    process_env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Report, Error> {
    let started = Instant::now();
    let mut schema = Schema::from_config(config)?;
    if let Some(s) = schema.as_mut() {
        s.file = Some(relative_display(root, &config.path));
    }
    // Without an `env:` section, a varlock `.env.schema` in the root is the schema.
    if schema.is_none() {
        schema = Schema::discover_env_spec(root)?;
    }
    let options = LintOptions {
        disable: schema
            .as_ref()
            .map(|s| s.config.lint.disable.clone())
            .unwrap_or_default(),
    };
    let env_files = files::EnvFiles::discover(root)?;
    let mut report = lint_env_files(root, env_files, schema.as_ref(), &options, false)?;
    let drift = diff(root, schema.as_ref())?;
    merge(&mut report, drift);
    match &schema {
        None => report.notes.push(format!(
            "{} has no env: section and there is no .env.schema: checked .env files only; run `launchgate-env init` to write a schema",
            relative_display(root, &config.path)
        )),
        Some(schema) => {
            let read_values = || deploy_values(schema, root, process_env);
            let named = environment
                .map(str::to_string)
                .or_else(|| schema.config.check.environment.clone());
            // Values are read only when they will be checked, or name the environment.
            let (env, values) = match (named, &schema.current_env) {
                (Some(env), _) => (Some(env), Some(read_values()?)),
                (None, Some(_)) => {
                    let values = read_values()?;
                    (schema.current_environment(&values), Some(values))
                }
                (None, None) => (None, None),
            };
            match (env, values) {
                (Some(env), Some(values)) => {
                    let checked = check_values(schema, &env, &values)?;
                    merge(&mut report, checked);
                }
                _ => {
                    report.notes.extend(schema.notes.iter().cloned());
                    let before = report.findings.len();
                    schema_leaks(schema, &mut report);
                    help::annotate(schema, &mut report.findings[before..]);
                    report.notes.push(format!(
                        "no environment named (set {ENVIRONMENT_VARIABLE}, env.check.environment or a .env.schema's @currentEnv item): values were not checked against the schema"
                    ));
                }
            }
        }
    }
    Ok(finish(report, started))
}

/// The values a deploy will have: the files `env.check.files` names (dotenvx private keys
/// taken from `process_env`), or else `process_env` itself.
fn deploy_values(
    schema: &Schema,
    root: &Path,
    process_env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Values, Error> {
    if schema.config.check.files.is_empty() {
        return Ok(Values::from_env(process_env));
    }
    let env: Vec<_> = process_env.into_iter().collect();
    let key = |name: &str| {
        env.iter()
            .find(|(k, _)| k.to_str() == Some(name))
            .and_then(|(_, v)| v.to_str().map(str::to_string))
    };
    Values::from_files_with_keys(root, &schema.config.check.files, key)
}

/// The values of the variables the schema marks `secret: true`, read the way `env check`
/// reads them ([`deploy_values`]): for other gates that must not ship or print them. Sealed
/// dotenvx values are left out (their plaintext is unknown). Without a schema, nothing.
pub fn secret_values(
    config: &ConfigFile,
    root: &Path,
    process_env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<Vec<(String, launchgate_core::Secret)>, Error> {
    let schema = match Schema::from_config(config)? {
        Some(schema) => schema,
        None => match Schema::discover_env_spec(root)? {
            Some(schema) => schema,
            None => return Ok(Vec::new()),
        },
    };
    let secret_names: Vec<&String> = schema
        .config
        .vars
        .iter()
        .filter(|(_, spec)| spec.secret)
        .map(|(name, _)| name)
        .collect();
    if secret_names.is_empty() {
        return Ok(Vec::new());
    }
    let values = deploy_values(&schema, root, process_env)?;
    Ok(secret_names
        .into_iter()
        .filter_map(|name| {
            let value = values.vars.get(name)?;
            (value.encryption != deploy_check::Encryption::Sealed && !value.value.is_empty())
                .then(|| (name.clone(), launchgate_core::Secret::new(value.value.clone())))
        })
        .collect())
}

/// Lint and check can both find one problem (a secret behind a public prefix, say), once
/// with the redacted value and once without; the same rule, place and words is one finding.
fn same_problem(a: &launchgate_core::Finding, b: &launchgate_core::Finding) -> bool {
    a.location == b.location
        && (a.fingerprint == b.fingerprint
            || (a.rule_id == b.rule_id && a.subject == b.subject && a.message == b.message))
}

fn merge(into: &mut Report, from: Report) {
    for f in from.findings {
        if !into.findings.iter().any(|g| same_problem(g, &f)) {
            into.findings.push(f);
        }
    }
    for i in from.inputs {
        if !into.inputs.contains(&i) {
            into.inputs.push(i);
        }
    }
    for n in from.notes {
        if !into.notes.contains(&n) {
            into.notes.push(n);
        }
    }
    into.tables.extend(from.tables);
    into.suppressed += from.suppressed;
}

/// `path` relative to `root` when it is under it, for findings.
pub fn relative_display(root: &Path, path: &Path) -> String {
    files::display(path.strip_prefix(root).unwrap_or(path))
}
