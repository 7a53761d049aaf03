//! `init`: a first schema from `.env.example` and the usage scan.

use std::collections::BTreeMap;
use std::path::Path;

use launchgate_core::Error;

use crate::schema::DEFAULT_ENVIRONMENTS;
use crate::types::{VarType, parse_bool, validate};
use crate::{dotenv, leaks, secret_values, usage};

/// One guessed variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    pub var_type: VarType,
    pub secret: bool,
    pub schemes: Option<Vec<String>>,
    pub description: Option<String>,
}

/// Guesses a type from a name and an example value, and secrecy from the name.
pub fn guess(name: &str, value: &str) -> Guess {
    let upper = name.to_ascii_uppercase();
    let value = value.trim();
    let secret = leaks::public_prefix(name, &crate::schema::DEFAULT_PUBLIC_PREFIXES.map(String::from))
        .is_none()
        && (leaks::secret_word(name).is_some() || secret_values::recognise(value).is_some());
    let mut g = Guess {
        var_type: VarType::String,
        secret,
        schemes: None,
        description: None,
    };
    let ok = |t| validate(t, value, &crate::types::Constraints::default()).is_ok();
    g.var_type = if value.is_empty() {
        if upper.ends_with("PORT") {
            VarType::Port
        } else if upper.ends_with("_URL") || upper.ends_with("_URI") {
            VarType::Url
        } else if upper.contains("EMAIL") {
            VarType::Email
        } else {
            VarType::String
        }
    } else if parse_bool(value).is_some() && !value.chars().all(|c| c.is_ascii_digit()) {
        VarType::Bool
    } else if upper.contains("PORT") && ok(VarType::Port) {
        VarType::Port
    } else if ok(VarType::Int) {
        VarType::Int
    } else if ok(VarType::Float) {
        VarType::Float
    } else if let Ok(url) = url::Url::parse(value)
        .map_err(|_| ())
        .and_then(|u| if u.host_str().is_some() { Ok(u) } else { Err(()) })
    {
        if !matches!(url.scheme(), "http" | "https") {
            g.schemes = Some(vec![url.scheme().to_string()]);
        }
        VarType::Url
    } else if ok(VarType::Email) {
        VarType::Email
    } else if (value.starts_with('{') || value.starts_with('[')) && ok(VarType::Json) {
        VarType::Json
    } else if ok(VarType::Duration) {
        VarType::Duration
    } else {
        VarType::String
    };
    g
}

/// The schema text `init` writes: an `env:` section.
pub fn schema_text(root: &Path, example: Option<&Path>) -> Result<(String, usize), Error> {
    let mut vars: BTreeMap<String, Guess> = BTreeMap::new();
    if let Some(example) = example {
        let display = crate::files::display(example);
        let bytes = match crate::reading::read_env_file(&root.join(example), root, &display)? {
            crate::reading::EnvFile::Read { bytes, .. } => bytes,
            crate::reading::EnvFile::Skipped(note) => {
                return Err(Error::input(note).with_help("point `example:` at a file in the repository"));
            }
        };
        for e in dotenv::parse(&bytes).entries {
            vars.insert(e.key.clone(), guess(&e.key, &e.value));
        }
    }
    let (used, _) = usage::scan(root);
    for (name, uses) in used {
        if usage::is_platform_variable(&name) || vars.contains_key(&name) {
            continue;
        }
        let mut g = guess(&name, "");
        if let Some(u) = uses.first() {
            g.description = Some(format!("read in {}:{}", u.path, u.line));
        }
        vars.insert(name, g);
    }
    let mut text = String::from("env:\n");
    text.push_str(&format!(
        "  environments: [{}]\n",
        DEFAULT_ENVIRONMENTS.join(", ")
    ));
    text.push_str("  vars:\n");
    if vars.is_empty() {
        text.push_str("    {}\n");
    }
    for (name, g) in &vars {
        let mut parts = vec![format!("type: {}", g.var_type.as_str())];
        if let Some(schemes) = &g.schemes {
            parts.push(format!("schemes: [{}]", schemes.join(", ")));
        }
        parts.push("required: [production]".into());
        if g.secret {
            parts.push("secret: true".into());
        }
        if let Some(d) = &g.description {
            parts.push(format!("description: {}", serde_json::Value::String(d.clone())));
        }
        text.push_str(&format!("    {name}: {{ {} }}\n", parts.join(", ")));
    }
    Ok((text, vars.len()))
}

/// Writes the schema into `target` (a new file, or an existing one without an `env:`
/// section, to which it is appended). Never overwrites an existing `env:` section.
pub fn write(root: &Path, target: &Path, example: Option<&Path>) -> Result<usize, Error> {
    let (section, count) = schema_text(root, example)?;
    // An existing file is read and written where it really is, so a link to it stays a
    // link and its permissions stay; a link leading out of the repository is refused.
    let existing = match target.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        _ => match crate::reading::read_env_file(target, root, &crate::relative_display(root, target))? {
            crate::reading::EnvFile::Read { bytes, real } => {
                Some((String::from_utf8_lossy(&bytes).into_owned(), real))
            }
            crate::reading::EnvFile::Skipped(note) => {
                return Err(Error::input(format!("not written: {note}"))
                    .with_help("write the schema elsewhere with `--to FILE`"));
            }
        },
    };
    let (contents, real) = match existing {
        Some((old, real)) => {
            if crate::schema::has_env_section(&old) {
                return Err(Error::input(format!(
                    "{} already has an env: section; init does not overwrite it",
                    target.display()
                ))
                .with_help("edit the section by hand, or write elsewhere with `--to FILE`"));
            }
            let sep = if old.is_empty() || old.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            (format!("{old}{sep}{section}"), Some(real))
        }
        None => (section, None),
    };
    match real {
        Some(real) => crate::reading::write_env_file(&real, contents.as_bytes())?,
        None => launchgate_core::atomic::write_atomic(target, contents.as_bytes())?,
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses() {
        assert_eq!(guess("PORT", "3000").var_type, VarType::Port);
        assert_eq!(guess("DEBUG", "true").var_type, VarType::Bool);
        assert_eq!(guess("WORKERS", "4").var_type, VarType::Int);
        let db = guess("DATABASE_URL", "postgres://u:p@localhost/db");
        assert_eq!((db.var_type, db.secret), (VarType::Url, true));
        assert_eq!(db.schemes, Some(vec!["postgres".to_string()]));
        assert!(guess("STRIPE_SECRET_KEY", "").secret);
        assert!(!guess("NEXT_PUBLIC_SITE_URL", "https://a.example").secret);
        assert_eq!(guess("TIMEOUT", "30s").var_type, VarType::Duration);
    }
}
