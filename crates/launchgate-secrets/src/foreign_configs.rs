//! The configuration a team brings from gitleaks: `.gitleaks.toml` (custom rules,
//! allowlists) and `.gitleaksignore` (findings it accepted). launchgate does not read them,
//! so a scan says what in them does not apply, instead of passing as if their custom rules
//! had run. Only rule ids and counts are named: an allowlist may hold secret values.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use launchgate_core::bounded::{FileRead, try_read_file};

/// The most of a gitleaks file read; the configuration of a real project is a few KiB.
const LIMIT: u64 = 1024 * 1024;

/// Rule ids named in a note; the rest are counted.
const IDS_NAMED: usize = 5;

/// Notes on the gitleaks files in `cwd` and `config_dir` (the folder launchgate.yml is
/// in), each read once and named from `cwd`.
pub fn gitleaks_notes(cwd: &Path, config_dir: &Path) -> Vec<String> {
    let dirs: BTreeSet<PathBuf> = [cwd, config_dir].iter().map(|d| d.to_path_buf()).collect();
    let shown = |path: &Path| {
        PathBuf::from(path.strip_prefix(cwd).unwrap_or(path))
            .display()
            .to_string()
    };
    let mut notes = Vec::new();
    for dir in &dirs {
        let config = dir.join(".gitleaks.toml");
        if let Some(text) = read(&config, &mut notes) {
            notes.extend(config_notes(&shown(&config), &text));
        }
        let ignore = dir.join(".gitleaksignore");
        if let Some(text) = read(&ignore, &mut notes) {
            let entries = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .count();
            if entries > 0 {
                notes.push(format!(
                    "{}: its {entries} {} not applied, since they name gitleaks' own fingerprints; accept findings you know of with `launchgate secrets baseline create`",
                    shown(&ignore),
                    if entries == 1 { "entry is" } else { "entries are" }
                ));
            }
        }
    }
    notes
}

/// The text of a gitleaks file, `None` when there is none; one that cannot be read is
/// named in a note rather than passed over.
fn read(path: &Path, notes: &mut Vec<String>) -> Option<String> {
    match try_read_file(path, LIMIT) {
        Ok(FileRead::Read(bytes)) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(FileRead::TooLarge) => {
            notes.push(format!(
                "{}: larger than {LIMIT} bytes, not read; launchgate does not apply gitleaks' configuration (see secrets.extra_rules and secrets.allow)",
                path.display()
            ));
            None
        }
        Ok(FileRead::NotRegular(_)) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            notes.push(format!("{}: cannot be read ({e})", path.display()));
            None
        }
    }
}

/// What a `.gitleaks.toml` holds that a scan here does not apply: its `[[rules]]` and its
/// allowlists. Read by its table headers, which is all a count needs.
fn config_notes(name: &str, text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rules = 0;
    let mut allowlists = false;
    let mut in_rule = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            in_rule = header.starts_with("[[rules]]");
            rules += usize::from(in_rule);
            allowlists |= header.starts_with("[allowlist]")
                || header.starts_with("[[allowlists]]")
                || header.starts_with("[rules.allowlist]")
                || header.starts_with("[[rules.allowlists]]");
            continue;
        }
        if in_rule && let Some(id) = string_value(line, "id") {
            ids.push(id);
            in_rule = false;
        }
    }
    let mut notes = Vec::new();
    if rules > 0 {
        let mut named = ids.iter().take(IDS_NAMED).cloned().collect::<Vec<_>>().join(", ");
        if ids.len() > IDS_NAMED {
            named.push_str(&format!(" and {} more", ids.len() - IDS_NAMED));
        }
        let named = if named.is_empty() {
            String::new()
        } else {
            format!(" ({named})")
        };
        notes.push(format!(
            "{name}: its {rules} custom rule(s){named} do not run: launchgate does not read gitleaks' configuration; write them as rules in a file that secrets.extra_rules names, so they keep blocking (launchgate's own rules stand in for gitleaks' built-in ones)"
        ));
    }
    if allowlists {
        notes.push(format!(
            "{name}: its allowlists are not applied; write them as secrets.allow.paths, secrets.allow.regexes or secrets.allow.values"
        ));
    }
    notes
}

/// The value of `key = "…"` (or `'…'`) on a TOML line.
fn string_value(line: &str, key: &str) -> Option<String> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_rules_and_allowlists_are_named_never_their_values() {
        let text = r#"
title = "acme"
[extend]
useDefault = true

[[rules]]
id = "acme-token"
regex = '''acme_[a-z0-9]{32}'''
keywords = ["acme_"]

[ [rules] ]
description = "Internal JWT"
id = 'internal-jwt'
  [[rules.allowlists]]
  regexes = ['''acme_00000000000000000000000000000000''']

[allowlist]
paths = ['''fixtures/''']
"#;
        let notes = config_notes(".gitleaks.toml", text);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0]
                .starts_with(".gitleaks.toml: its 2 custom rule(s) (acme-token, internal-jwt) do not run"),
            "{}",
            notes[0]
        );
        assert!(notes[1].contains("allowlists are not applied"), "{}", notes[1]);
        assert!(!notes.concat().contains("acme_0000"));
    }

    #[test]
    fn a_config_that_only_extends_the_defaults_says_nothing() {
        assert!(config_notes(".gitleaks.toml", "[extend]\nuseDefault = true\n").is_empty());
    }

    #[test]
    fn many_rules_are_counted_past_the_ids_named() {
        let text: String = (0..8).map(|i| format!("[[rules]]\nid = \"r{i}\"\n")).collect();
        let notes = config_notes("x", &text);
        assert!(
            notes[0].contains("its 8 custom rule(s) (r0, r1, r2, r3, r4 and 3 more)"),
            "{}",
            notes[0]
        );
    }
}
