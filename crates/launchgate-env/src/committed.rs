//! Secrets in `.env*` files: plaintext values committed to git, and public-prefix leaks.

use std::path::Path;

use launchgate_core::{Finding, Location, Secret, Severity};

use crate::dotenv::{Entry, Parsed};
use crate::files;
use crate::schema::EnvConfig;
use crate::{dotenvx, leaks, secret_values};

/// Whether a file's values count as committed: tracked by git, or (outside git) present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    Tracked,
    Untracked,
    NoGit,
}

/// The note a report carries when the root is not a git work tree.
pub fn no_git_note(root: &Path) -> String {
    format!(
        "{} is not in a git work tree: checked the working tree's .env files for secrets instead of the committed ones",
        root.display()
    )
}

/// Committed-secret and public-prefix findings for one parsed `.env*` file.
///
/// A tracked file (or, outside git, any file in the working tree) holding a value for a
/// `secret` variable or a value [`secret_values::recognise`] knows is a finding. Templates
/// (`.env.example` …) may name secret variables with empty or placeholder values, but not
/// hold a recognisable real secret. `encrypted:` values (dotenvx) are not plaintext, but a `DOTENV_PRIVATE_KEY…` (`.env.keys`) is the key to them.
pub fn file_findings(path: &Path, parsed: &Parsed, tracking: Tracking, config: &EnvConfig) -> Vec<Finding> {
    let display = files::display(path);
    let template = files::is_template(path);
    let mut out = Vec::new();
    for entry in &parsed.entries {
        for leak in leaks::check(&entry.key, Some(&entry.value), &config.public_prefixes) {
            let mut f = Finding::new(leak.rule_id(), Severity::Error, leak.message(&entry.key))
                .at(location(&display, entry))
                .help(leak.help())
                .property("variable", entry.key.as_str());
            if matches!(leak, leaks::Leak::Value { .. }) {
                f = f.secret(Secret::new(entry.value.as_str()).to_redacted());
            }
            out.push(f);
        }
        if tracking == Tracking::Untracked {
            continue;
        }
        let value = entry.value.trim();
        if value.is_empty() || dotenvx::is_well_formed(value) {
            continue;
        }
        let private_key = dotenvx::is_private_key_name(&entry.key).then(|| secret_values::Recognised {
            rule_id: "dotenvx.private-key".into(),
            what: "a dotenvx private key, which decrypts every encrypted value of its file".into(),
        });
        let recognised = private_key.or_else(|| secret_values::recognise(value));
        let declared_secret = config.vars.get(&entry.key).is_some_and(|s| s.secret);
        let what = match (&recognised, declared_secret && !template) {
            (Some(r), _) => r.what.clone(),
            (None, true) => "the value of a variable the schema marks secret".to_string(),
            (None, false) => continue,
        };
        let (severity, where_) = if tracking == Tracking::Tracked {
            (Severity::Error, "a file git tracks")
        } else {
            (Severity::Warning, "a file in the working tree")
        };
        let rule = recognised
            .as_ref()
            .map(|r| r.rule_id.as_str())
            .unwrap_or("schema-secret");
        let secret = Secret::new(value);
        let f = Finding::new(
            "env.committed-secret",
            severity,
            format!("{} in {display} holds {what} in plaintext, in {where_}", entry.key),
        )
        .at(location(&display, entry))
        .help("remove the value from the file and rotate it; keep real values in the deploy platform's secret store, or encrypt the file (dotenvx `encrypted:` values)")
        .property("variable", entry.key.as_str())
        .property("recognised_as", rule)
        .secret(secret.to_redacted_for("env.committed-secret"));
        let f = f.fingerprint_from(&[
            "env.committed-secret",
            &display,
            &entry.key,
            &secret.fingerprint("env.committed-secret"),
        ]);
        out.push(f);
    }
    out
}

fn location(display: &str, entry: &Entry) -> Location {
    Location::at(display, entry.value_line, entry.value_column)
}
