//! `check`: do the values a deploy will have satisfy the schema for its environment?

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use launchgate_core::{Error, Finding, Location, Report, Secret, Severity};

use crate::dotenv::{self, Quote};
use crate::lint::{self, LintOptions};
use crate::schema::conditions::{Outcome, Resolved};
use crate::schema::{Schema, VarSpec};
use crate::{dotenvx, files, leaks, reading, secret_values, types};

mod disclosure;
mod placeholders;

use disclosure::{quotes_part_of, showable};
pub use placeholders::placeholder;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Process,
    File { path: String, line: u32, column: u32 },
}

/// Whether a value came encrypted (dotenvx `encrypted:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encryption {
    #[default]
    Plain,
    /// Decrypted with the deploy's private key: checked, never shown, not even redacted.
    Decrypted,
    /// Still ciphertext (no key, or a value that cannot be decrypted): not checked.
    Sealed,
}

/// A variable's value and its source.
#[derive(Debug, Clone)]
pub struct Value {
    pub value: String,
    pub source: Source,
    pub encryption: Encryption,
}

/// The values a deploy will have.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub vars: BTreeMap<String, Value>,
    /// What was read, for the report's inputs.
    pub inputs: Vec<String>,
    /// Problems met while reading (unparseable lines, non-UTF-8 values).
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
}

impl Values {
    /// The process environment (or any list of pairs, for tests and embedding).
    pub fn from_env(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Values {
        let mut out = Values {
            inputs: vec!["process environment".into()],
            ..Values::default()
        };
        let mut skipped = 0;
        for (k, v) in vars {
            match (k.into_string(), v.into_string()) {
                (Ok(k), Ok(v)) => {
                    out.vars.insert(
                        k,
                        Value {
                            encryption: if dotenvx::is_well_formed(&v) {
                                Encryption::Sealed
                            } else {
                                Encryption::Plain
                            },
                            value: v,
                            source: Source::Process,
                        },
                    );
                }
                _ => skipped += 1,
            }
        }
        if skipped > 0 {
            out.notes.push(format!(
                "skipped {skipped} environment variables whose name or value is not UTF-8"
            ));
        }
        let sealed = out
            .vars
            .values()
            .filter(|v| v.encryption == Encryption::Sealed)
            .count();
        if sealed > 0 {
            out.notes.push(format!(
                "{sealed} encrypted values in the process environment were not checked against the schema; run the check under `dotenvx run` to check them decrypted"
            ));
        }
        out
    }

    /// `.env` files in order; later files override earlier ones, as dotenv loaders do.
    /// Encrypted values are decrypted with the process environment's
    /// `DOTENV_PRIVATE_KEY[_ENVIRONMENT]`.
    pub fn from_files(root: &Path, paths: &[PathBuf]) -> Result<Values, Error> {
        Values::from_files_with_keys(root, paths, |name| std::env::var(name).ok())
    }

    /// [`Values::from_files`] with the private keys looked up by `key(name)`.
    pub fn from_files_with_keys(
        root: &Path,
        paths: &[PathBuf],
        key: impl Fn(&str) -> Option<String>,
    ) -> Result<Values, Error> {
        let mut out = Values::default();
        // How deeply each value's references nest: `C=${B}` after `B=${A}` is 2.
        let mut depths: HashMap<String, usize> = HashMap::new();
        // Bytes read from the files, and held by expanded values: see MAX_EXPANDED_TOTAL.
        let (mut read, mut expanded) = (0usize, 0usize);
        let confinement = reading::Confinement::new(root)?;
        for path in paths {
            let full = if path.is_absolute() {
                path.clone()
            } else {
                root.join(path)
            };
            let display = files::display(path);
            let bytes = match confinement.read(&full, &display)? {
                reading::EnvFile::Read { bytes, .. } => {
                    read += bytes.len();
                    bytes
                }
                reading::EnvFile::Skipped(note) => {
                    out.notes.push(note);
                    continue;
                }
            };
            let (findings, parsed, _) = lint::lint_bytes(&display, &bytes, &LintOptions::default());
            // Only what changes the values read matters here; style is `lint`'s business.
            out.findings
                .extend(findings.into_iter().filter(|f| f.severity == Severity::Error));
            let key_name = dotenvx::private_key_name(path);
            let private_key = key(&key_name)
                .filter(|k| !k.trim().is_empty())
                .map(|k| (key_name.clone(), k))
                .or_else(|| key(dotenvx::PRIVATE_KEY).map(|k| (dotenvx::PRIVATE_KEY.to_string(), k)));
            let mut sealed = 0;
            for e in parsed.entries {
                let source = Source::File {
                    path: display.clone(),
                    line: e.value_line,
                    column: e.value_column,
                };
                if dotenvx::is_encrypted(&e.value) {
                    let (value, encryption) = match (&private_key, dotenvx::malformed(&e.value)) {
                        // `lint` reports the malformed value.
                        (_, Some(_)) => (e.value, Encryption::Sealed),
                        (None, None) => {
                            sealed += 1;
                            (e.value, Encryption::Sealed)
                        }
                        (Some((name, k)), None) => match dotenvx::decrypt(k, &e.value) {
                            Ok(plain) => (plain, Encryption::Decrypted),
                            Err(why) => {
                                out.findings.push(undecryptable(&e, &display, name, why));
                                (e.value, Encryption::Sealed)
                            }
                        },
                    };
                    depths.remove(&e.key);
                    out.vars.insert(
                        e.key,
                        Value {
                            value,
                            source,
                            encryption,
                        },
                    );
                    continue;
                }
                // Values may refer to earlier ones (`${HOST}`), as dotenv-expand resolves them.
                let value = if e.quote == Quote::Single {
                    depths.remove(&e.key);
                    Expanded::Single(e.value)
                } else {
                    let value = expand_bounded(&e, &display, &out.vars, &mut depths)?;
                    if let Expanded::From(text, _) = &value {
                        expanded += text.len();
                        check_expanded_total(&e, &display, expanded, read)?;
                    }
                    value
                };
                let (value, encryption) = match value {
                    Expanded::Single(value) => (value, Encryption::Plain),
                    Expanded::From(value, encryption) => (value, encryption),
                };
                out.vars.insert(
                    e.key,
                    Value {
                        value,
                        source,
                        encryption,
                    },
                );
            }
            if sealed > 0 {
                out.notes.push(format!(
                    "{display}: {sealed} encrypted values were not checked against the schema; set {key_name} (from .env.keys) where this check runs to check them"
                ));
            }
            out.inputs.push(display);
        }
        Ok(out)
    }
}

fn undecryptable(e: &dotenv::Entry, display: &str, key_name: &str, why: dotenvx::DecryptError) -> Finding {
    Finding::new(
        "env.undecryptable-value",
        Severity::Error,
        format!(
            "{} in {display} cannot be decrypted with {key_name}: {}",
            dotenv::key_for_display(&e.key),
            why.describe()
        ),
    )
    .at(Location::at(display, e.value_line, e.value_column))
    .help(format!(
        "set {key_name} to the key in .env.keys for this file, or encrypt the value again with `dotenvx set`"
    ))
    .property("variable", e.key.as_str())
}

/// The most bytes one expanded value may hold (unless its own text is longer).
pub const MAX_EXPANDED_LEN: usize = 64 * 1024;

/// The most bytes all expanded values of one check may hold together, beyond eight times the
/// size of the files read: each value is bounded on its own, but thousands of short lines
/// naming one long value would still fill memory.
pub const MAX_EXPANDED_TOTAL: usize = 1 << 20;

/// How deeply `${VAR}` references may nest: `B=${A}`, `C=${B}` … is one level per line.
pub const MAX_EXPANSION_DEPTH: usize = 16;

/// `entry`'s value with its references to earlier values expanded, within
/// [`MAX_EXPANDED_LEN`] and [`MAX_EXPANSION_DEPTH`]. References read values already
/// expanded, never text still to be expanded, so they cannot form a cycle: `A=${B}` before
/// any `B=` reads `B` as unset.
/// A value as read: written out, or expanded and as encrypted as what it refers to (a URL
/// built from a decrypted password is as secret as the password, and one built from a value
/// still encrypted cannot be judged).
enum Expanded {
    Single(String),
    From(String, Encryption),
}

fn expand_bounded(
    entry: &dotenv::Entry,
    display: &str,
    vars: &BTreeMap<String, Value>,
    depths: &mut HashMap<String, usize>,
) -> Result<Expanded, Error> {
    let mut depth = 0;
    let mut deepest = String::new();
    let mut encryption = Encryption::Plain;
    let expanded = dotenv::expand(&entry.value, MAX_EXPANDED_LEN, |name| {
        let found = vars.get(name);
        encryption = match (encryption, found.map(|v| v.encryption)) {
            (Encryption::Sealed, _) | (_, Some(Encryption::Sealed)) => Encryption::Sealed,
            (Encryption::Decrypted, _) | (_, Some(Encryption::Decrypted)) => Encryption::Decrypted,
            _ => Encryption::Plain,
        };
        let value = found.map(|v| v.value.as_str());
        let nested = depths.get(name).copied().unwrap_or(0) + 1;
        if value.is_some_and(|v| !v.is_empty()) && nested > depth {
            depth = nested;
            deepest = name.to_string();
        }
        value
    });
    let at = format!("{display}:{}:{}", entry.value_line, entry.value_column);
    let key = dotenv::key_for_display(&entry.key);
    let value = expanded.map_err(|too_long| {
        Error::input(format!(
            "{at}: {key} expands to more than {} KiB (at ${{{}}}); references nested like this grow without bound",
            MAX_EXPANDED_LEN / 1024,
            dotenv::key_for_display(&too_long.reference)
        ))
        .with_help(format!(
            "a value may expand to at most {} KiB; write the value out instead of repeating references to long values",
            MAX_EXPANDED_LEN / 1024
        ))
    })?;
    if depth > MAX_EXPANSION_DEPTH {
        return Err(Error::input(format!(
            "{at}: {key} refers to ${{{}}}, whose references nest {depth} levels deep (at most {MAX_EXPANSION_DEPTH})",
            dotenv::key_for_display(&deepest)
        ))
        .with_help("write a value out instead of building it from a long chain of references"));
    }
    depths.insert(entry.key.clone(), depth);
    Ok(Expanded::From(value, encryption))
}

/// Stops once the expanded values together pass [`MAX_EXPANDED_TOTAL`] beyond eight times
/// the `read` bytes of the files.
fn check_expanded_total(
    entry: &dotenv::Entry,
    display: &str,
    expanded: usize,
    read: usize,
) -> Result<(), Error> {
    let allowed = MAX_EXPANDED_TOTAL.saturating_add(read.saturating_mul(8));
    if expanded <= allowed {
        return Ok(());
    }
    Err(Error::input(format!(
        "{display}:{}:{}: with {}, the expanded values of the .env files hold more than {} KiB together (1 MiB beyond eight times the files' size)",
        entry.value_line,
        entry.value_column,
        dotenv::key_for_display(&entry.key),
        allowed / 1024
    ))
    .with_help("refer to long values fewer times: write a value out once and use it where it is needed"))
}

/// Whether an environment name means production.
pub fn is_production(env: &str) -> bool {
    matches!(env, "production" | "prod")
}

/// Checks `values` against `schema` for `env`, adding findings to `report`.
pub fn check(schema: &Schema, env: &str, values: &Values, report: &mut Report) -> Result<(), Error> {
    let config = &schema.config;
    if !config.environments.iter().any(|e| e == env) {
        return Err(
            Error::input(format!("unknown environment `{env}`")).with_help(format!(
                "use one of: {} (the schema's `environments`)",
                config.environments.join(", ")
            )),
        );
    }
    report.inputs.extend(values.inputs.iter().cloned());
    report.notes.extend(schema.notes.iter().cloned());
    report.notes.extend(values.notes.iter().cloned());
    for f in &values.findings {
        report.push(f.clone());
    }
    report.notes.push(format!(
        "checked {} schema variables for the {env} environment",
        config.vars.len()
    ));
    let resolve = |var: &str| resolved(schema, env, values, var);
    for (name, spec) in &config.vars {
        let value = values.vars.get(name);
        let before = report.findings.len();
        check_var(name, spec, env, value, &config.public_prefixes, &resolve, report);
        if let Some(v) = value {
            hide_decrypted(v, &mut report.findings[before..]);
        }
    }
    // Variables outside the schema: leaks anywhere, placeholders and keys in files.
    for (name, value) in &values.vars {
        let in_schema = config.vars.get(name);
        let before = report.findings.len();
        for leak in leaks::check(name, Some(&value.value), &config.public_prefixes) {
            let f = finding(
                leak.rule_id(),
                Severity::Error,
                leak.message(name),
                name,
                env,
                value,
            )
            .help(leak.help())
            .secret(Secret::new(value.value.as_str()).to_redacted());
            report.push(f);
        }
        if in_schema.is_none() && !value.value.is_empty() {
            // The process environment holds much that is not the app's (HOME, CI service
            // URLs on localhost), so only API keys are judged there.
            let placeholders = matches!(value.source, Source::File { .. });
            if value.encryption != Encryption::Sealed {
                environment_checks(name, None, env, value, placeholders, report);
            }
        }
        hide_decrypted(value, &mut report.findings[before..]);
    }
    Ok(())
}

/// A variable a `required_when` condition names, as the deploy will have it: its value, or
/// else the schema's default.
fn resolved(schema: &Schema, env: &str, values: &Values, var: &str) -> Resolved {
    let spec = schema.config.vars.get(var);
    let given = values.vars.get(var).filter(|v| !v.value.trim().is_empty());
    let sealed = given.is_some_and(|v| v.encryption == Encryption::Sealed);
    let value = match given {
        Some(v) if !sealed => Some(v.value.clone()),
        Some(_) => None,
        None => spec.and_then(|s| s.for_env(env).default.map(str::to_string)),
    };
    Resolved {
        value,
        sealed,
        is_bool: spec.is_some_and(|s| s.var_type == types::VarType::Bool),
        quotable: spec.is_some_and(|s| !s.secret)
            && leaks::secret_word(var).is_none()
            && given.is_none_or(|v| v.encryption == Encryption::Plain),
    }
}

/// Not even a redacted part of a decrypted value is shown.
fn hide_decrypted(value: &Value, findings: &mut [Finding]) {
    if value.encryption == Encryption::Decrypted {
        for f in findings {
            f.secret = None;
            // The fingerprint was derived from the value; derive it from the finding instead.
            f.fingerprint.clear();
            f.ensure_fingerprint();
        }
    }
}

fn check_var(
    name: &str,
    spec: &VarSpec,
    env: &str,
    value: Option<&Value>,
    public_prefixes: &[String],
    resolve: &dyn Fn(&str) -> Resolved,
    report: &mut Report,
) {
    let effective = spec.for_env(env);
    let present = value.filter(|v| !v.value.trim().is_empty());
    let Some(value) = present else {
        if effective.default.is_some() {
            return;
        }
        let condition = match (&spec.required_when, effective.required) {
            (_, true) => None,
            (None, false) => return,
            (Some(rw), false) => match rw.evaluate(resolve) {
                Outcome::Holds(why) => Some(why),
                Outcome::Fails => return,
                Outcome::Unknown(var) => {
                    report.notes.push(format!(
                        "whether {name} is required depends on {var}, which is encrypted and was not decrypted; {name} is not set"
                    ));
                    return;
                }
            },
        };
        let how = if value.is_some() { "is empty" } else { "is not set" };
        let message = match &condition {
            Some(why) => format!("{name} is required in {env} when {why}, but {how}"),
            None => format!("{name} is required in {env} but {how}"),
        };
        let mut f = Finding::new("env.missing-required", Severity::Error, message)
            .subject(format!("{name} ({env})"))
            .help(format!(
                "set it (type {}) where the {env} deploy reads its variables",
                spec.var_type.as_str()
            ))
            .property("variable", name)
            .property("environment", env);
        if let Some(why) = condition {
            f = f.property("condition", why);
        }
        if let Some(Source::File { path, line, column }) = value.map(|v| &v.source) {
            f = f.at(Location::at(path.as_str(), *line, *column));
        }
        report.push(f);
        return;
    };
    if value.encryption == Encryption::Sealed {
        return;
    }
    if let Err(why) = types::validate(spec.var_type, &value.value, &effective.constraints) {
        // A name the build ships to browsers (`NEXT_PUBLIC_…`) is public by definition.
        let browser_public = leaks::public_prefix(name, public_prefixes).is_some();
        let shown = showable(name, spec, browser_public, &effective.constraints, &value.value)
            .filter(|_| value.encryption == Encryption::Plain);
        let message = match &shown {
            Some(v) => format!("{name} {why} (value \"{v}\")"),
            // Some reasons quote part of the value (a URL's scheme or host); a secret's never.
            None if quotes_part_of(&why, &value.value) => format!(
                "{name} is not a valid {} (the reason would show part of the secret value)",
                spec.var_type.as_str()
            ),
            None => format!("{name} {why}"),
        };
        let mut f = finding("env.invalid-value", Severity::Error, message, name, env, value)
            .help(format!("expected type {}", spec.var_type.as_str()));
        if shown.is_none() {
            f = f.secret(Secret::new(value.value.as_str()).to_redacted());
        }
        report.push(f);
    }
    environment_checks(name, Some(spec), env, value, true, report);
}

/// Placeholders and test keys in production, live keys elsewhere.
fn environment_checks(
    name: &str,
    spec: Option<&VarSpec>,
    env: &str,
    value: &Value,
    placeholders: bool,
    report: &mut Report,
) {
    let v = value.value.trim();
    let secret = spec.is_some_and(|s| s.secret) || secret_values::recognise(v).is_some();
    let redacted = Secret::new(v).to_redacted();
    let with_secret = |f: Finding| if secret { f.secret(redacted.clone()) } else { f };
    if is_production(env) {
        if let Some(why) = placeholder(v).filter(|_| placeholders) {
            let f = finding(
                "env.placeholder-value",
                Severity::Error,
                format!("{name} {why} in {env}"),
                name,
                env,
                value,
            )
            .help("set the real production value");
            report.push(with_secret(f));
        }
        if let Some(kind) = key_mode(v).filter(|k| k.0 == "test") {
            let f = finding(
                "env.test-key-in-production",
                Severity::Error,
                format!("{name} holds a {} test key in {env}", kind.1),
                name,
                env,
                value,
            )
            .help("use the live key for production");
            report.push(f.secret(redacted.clone()));
        }
    } else if let Some(kind) = key_mode(v).filter(|k| k.0 == "live") {
        let f = finding(
            "env.live-key-outside-production",
            Severity::Warning,
            format!("{name} holds a {} live key in {env}", kind.1),
            name,
            env,
            value,
        )
        .help("use a test key outside production, so tests cannot charge real cards or touch real data");
        report.push(f.secret(redacted));
    }
}

fn finding(rule: &str, severity: Severity, message: String, name: &str, env: &str, value: &Value) -> Finding {
    let f = Finding::new(rule, severity, message)
        .property("variable", name)
        .property("environment", env);
    match &value.source {
        Source::File { path, line, column } => f.at(Location::at(path.as_str(), *line, *column)),
        Source::Process => f.subject(format!("{name} (process environment)")),
    }
}

/// `("test" | "live", provider)` for Stripe-style keys.
fn key_mode(value: &str) -> Option<(&'static str, &'static str)> {
    const KEYS: [(&str, &str, &str); 6] = [
        ("sk_test_", "test", "Stripe secret"),
        ("pk_test_", "test", "Stripe publishable"),
        ("rk_test_", "test", "Stripe restricted"),
        ("sk_live_", "live", "Stripe secret"),
        ("pk_live_", "live", "Stripe publishable"),
        ("rk_live_", "live", "Stripe restricted"),
    ];
    KEYS.iter().find(|k| value.starts_with(k.0)).map(|k| (k.1, k.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_refer_to_earlier_values_across_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "HOST=db.acme.io\nURL=postgres://${HOST}:5432/${DB:-app}\nLIT='${HOST}'\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".env.local"),
            "HOST=other.acme.io\nAGAIN=\"$HOST/x\"\n",
        )
        .unwrap();
        let v = Values::from_files(dir.path(), &[".env".into(), ".env.local".into()]).unwrap();
        assert_eq!(v.vars["URL"].value, "postgres://db.acme.io:5432/app");
        assert_eq!(v.vars["LIT"].value, "${HOST}");
        assert_eq!(v.vars["AGAIN"].value, "other.acme.io/x");
    }

    #[test]
    fn a_url_scheme_is_not_part_of_a_secret_but_its_host_is() {
        let why = "uses http, but https is required here";
        assert!(!quotes_part_of(why, "http://hooks.acme.io/T0/B0/s3cr3tvalue"));
        assert!(quotes_part_of(
            "host s3cr3tvalue.io is not allowed",
            "http://s3cr3tvalue.io"
        ));
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "TODO",
            "xxx",
            "sk_live_xxxxxxxx",
            "<your key>",
            "http://localhost:3000",
            "https://api.example.com/v1",
            "postgres://u:p@127.0.0.1/db",
        ] {
            assert!(placeholder(p).is_some(), "{p}");
        }
        for v in [
            "https://app.acme.io",
            "info",
            "3000",
            "sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt", // launchgate:allow (made up for the test)
        ] {
            assert!(placeholder(v).is_none(), "{v}");
        }
    }
}
