//! `.env.schema`: the @env-spec format varlock reads, as a schema.
//!
//! A dotenv file whose comments carry decorators. Comment lines directly above an item
//! (no blank line or `# ---` divider between) belong to it: `# @…` lines hold its
//! decorators, other lines its description. The first comment block, when a blank line or a
//! divider ends it, is the header, whose decorators apply to the whole file. An item's value
//! is its default.

use std::collections::HashMap;

use launchgate_core::Error;
use launchgate_core::config::closest;

use super::conditions::{Condition, RequiredWhen, Test};
use super::{DEFAULT_PUBLIC_PREFIXES, EnvConfig, Required, VarSpec, default_environments};
use crate::dotenv::{self, Quote};
use crate::types::VarType;

mod decorators;
mod item;
mod root;
mod types;

use decorators::{Decorator, Form, Value};

/// What the file says, ready for [`super::Schema`].
pub(super) struct EnvSpec {
    pub config: EnvConfig,
    pub positions: HashMap<String, (u32, u32)>,
    pub notes: Vec<String>,
    pub current_env: Option<String>,
}

/// Item decorators launchgate maps onto the schema.
const ITEM_DECORATORS: [&str; 8] = [
    "required",
    "optional",
    "sensitive",
    "public",
    "type",
    "example",
    "docs",
    "docsUrl",
];

/// varlock's item decorators that do not change which values are valid: accepted, ignored.
const IGNORED_ITEM_DECORATORS: [&str; 9] = [
    "internal",
    "dynamic",
    "static",
    "tag",
    "icon",
    "deprecated",
    "auditIgnore",
    "placeholder",
    "proxy",
];

/// Root decorators launchgate maps.
const ROOT_DECORATORS: [&str; 4] = ["defaultRequired", "defaultSensitive", "currentEnv", "envFlag"];

/// varlock's root decorators about code generation, caching and runtime protection: accepted,
/// ignored.
const IGNORED_ROOT_DECORATORS: [&str; 6] = [
    "generateTypes",
    "redactLogs",
    "preventLeaks",
    "cache",
    "defaultDynamic",
    "plugin",
];

/// Root decorators that change which items exist or where values come from; honouring them
/// needs varlock itself, and ignoring them would check a different schema than the user's.
const REFUSED_ROOT_DECORATORS: [&str; 3] = ["import", "setValuesBulk", "disable"];

/// One line of the file, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Blank,
    Divider,
    /// A comment whose text starts with `@`; the byte offset of that `@`.
    Decorators(usize),
    /// A plain comment; the byte offset of its text.
    Comment(usize),
    /// Part of an item (index into the entries).
    Item(usize),
}

struct Parser<'a> {
    display: &'a str,
    source: &'a str,
    /// Byte offset of each line's start.
    starts: Vec<usize>,
    notes: Vec<String>,
    /// A plugin may define decorators and types of its own: unknown ones are noted, not
    /// refused.
    plugins: bool,
}

/// Syntax problems that lose or blur an item (a line that is no item, a key defined twice):
/// in a schema, a lost item is a check that silently never runs.
const REFUSED_PROBLEMS: [&str; 5] = [
    "invalid-key",
    "key-without-value",
    "unterminated-quote",
    "duplicate-key",
    "nul-byte",
];

pub(super) fn parse(display: &str, source: &str) -> Result<EnvSpec, Error> {
    let parsed = dotenv::parse(source.as_bytes());
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
    let mut p = Parser {
        display,
        source,
        starts,
        notes: Vec::new(),
        plugins: false,
    };
    if let Some(problem) = parsed
        .problems
        .iter()
        .find(|pr| REFUSED_PROBLEMS.contains(&pr.id))
    {
        let offset =
            launchgate_core::error::offset_of(source, problem.line as usize, problem.column as usize);
        return Err(p.error(
            offset,
            1,
            problem.message.clone(),
            "fix the line: in a schema, every item is `KEY=` or `KEY=default`, defined once",
        ));
    }
    let lines = p.classify(&parsed.entries);

    // The header: the first comment block, when a blank line or a divider ends it.
    let first = lines
        .iter()
        .position(|l| *l != Line::Blank)
        .unwrap_or(lines.len());
    let block_end = lines[first..]
        .iter()
        .position(|l| !matches!(l, Line::Decorators(_) | Line::Comment(_)))
        .map_or(lines.len(), |i| first + i);
    let header_ends = lines
        .get(block_end)
        .is_none_or(|l| matches!(l, Line::Blank | Line::Divider));
    let header: Vec<Decorator> = if header_ends {
        p.decorators_of(&lines[first..block_end])?
    } else {
        Vec::new()
    };
    let root = p.root(&header)?;

    // Each item's decorators and description, from the comments right above it.
    let mut items = Vec::new();
    for (index, entry) in parsed.entries.iter().enumerate() {
        let at = entry.line as usize - 1;
        let mut top = at;
        while top > 0
            && matches!(lines[top - 1], Line::Decorators(_) | Line::Comment(_))
            && !(header_ends && top - 1 < block_end)
        {
            top -= 1;
        }
        let mut decorators = p.decorators_of(&lines[top..at])?;
        if let Some(comment) = &entry.comment {
            let text = comment.trim_start_matches('#').trim_start();
            if text.starts_with('@') {
                let line_start = p.starts[at];
                let line_end = p.starts.get(at + 1).copied().unwrap_or(source.len());
                let offset = line_start + source[line_start..line_end].rfind(text).unwrap_or(0);
                decorators.extend(p.decorators_in(text, offset)?);
            }
        }
        let description: Vec<&str> = lines[top..at]
            .iter()
            .filter_map(|l| match l {
                Line::Comment(offset) => Some(p.line_text(*offset).trim()),
                _ => None,
            })
            .filter(|t| !t.is_empty())
            .collect();
        items.push((index, decorators, description.join(" ")));
    }

    let environments = environments_from(&root, &parsed.entries, &items);
    let mut config = EnvConfig {
        environments,
        ..EnvConfig::default()
    };
    let mut positions = HashMap::new();
    let mut conditions: Vec<(String, usize, usize)> = Vec::new();
    for (index, decorators, description) in &items {
        let entry = &parsed.entries[*index];
        let mut spec = p.item(entry, decorators, &root, &config.environments, &mut conditions)?;
        if !description.is_empty() {
            spec.description = Some(description.clone());
        }
        positions
            .entry(entry.key.clone())
            .or_insert((entry.line, entry.column));
        // A later definition of the same key replaces the earlier, as in a dotenv file.
        config.vars.insert(entry.key.clone(), spec);
    }
    // Conditions may name items defined further down.
    for (var, offset, len) in conditions {
        if !config.vars.contains_key(&var) {
            let names: Vec<&str> = config.vars.keys().map(String::as_str).collect();
            let hint = closest(&var, &names)
                .map(|b| format!("did you mean `{b}`? "))
                .unwrap_or_default();
            return Err(p.error(
                offset,
                len,
                format!("the condition refers to `{var}`, which this file does not define"),
                format!("{hint}a condition can only name an item of this file"),
            ));
        }
    }
    if let Some((flag, offset, len)) = &root.current_env_at
        && !config.vars.contains_key(flag)
    {
        return Err(p.error(
            *offset,
            *len,
            format!("@currentEnv names `{flag}`, which this file does not define"),
            "define the item in this file, for example `# @type=enum(development, production)` above `APP_ENV=development`",
        ));
    }
    Ok(EnvSpec {
        config,
        positions,
        notes: p.notes,
        current_env: root.current_env,
    })
}

/// The header's settings.
struct Root {
    /// `None` for `infer`, varlock's default.
    default_required: Option<bool>,
    default_sensitive: DefaultSensitive,
    current_env: Option<String>,
    /// Where `@currentEnv` is, for an error when its item is missing.
    current_env_at: Option<(String, usize, usize)>,
}

enum DefaultSensitive {
    All(bool),
    /// Items whose name starts with the prefix are not sensitive; the others are.
    UnlessPrefixed(String),
}

/// The environments: the values of the `@currentEnv` item's enum, or else the defaults.
fn environments_from(
    root: &Root,
    entries: &[dotenv::Entry],
    items: &[(usize, Vec<Decorator>, String)],
) -> Vec<String> {
    let enum_values = root.current_env.as_ref().and_then(|flag| {
        let (_, decorators, _) = items.iter().rev().find(|(i, _, _)| &entries[*i].key == flag)?;
        decorators.iter().find_map(|d| match &d.form {
            Form::Value(Value::Call { name, args }) if d.name == "type" && name == "enum" => Some(
                args.iter()
                    .filter_map(|a| a.value.text().map(str::to_string))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
    });
    enum_values
        .filter(|v| !v.is_empty())
        .unwrap_or_else(default_environments)
}

impl Parser<'_> {
    fn line_text(&self, offset: usize) -> &str {
        let end = self.source[offset..]
            .find('\n')
            .map_or(self.source.len(), |i| offset + i);
        self.source[offset..end].trim_end_matches('\r')
    }

    fn classify(&self, entries: &[dotenv::Entry]) -> Vec<Line> {
        let mut lines: Vec<Line> = self
            .starts
            .iter()
            .map(|&start| {
                let text = self.line_text(start);
                // A byte order mark must not hide the header's decorators.
                let trimmed = text.trim_start_matches('\u{feff}').trim_start();
                let Some(comment) = trimmed.strip_prefix('#') else {
                    return Line::Blank;
                };
                let body = comment.strip_prefix(' ').unwrap_or(comment);
                let offset = start + (text.len() - trimmed.len()) + 1 + (comment.len() - body.len());
                if body.starts_with("---") || body.starts_with("===") {
                    Line::Divider
                } else if body.trim_start().starts_with('@') {
                    Line::Decorators(offset + (body.len() - body.trim_start().len()))
                } else {
                    Line::Comment(offset)
                }
            })
            .collect();
        for (i, e) in entries.iter().enumerate() {
            for line in e.line..=e.end_line {
                if let Some(l) = lines.get_mut(line as usize - 1) {
                    *l = Line::Item(i);
                }
            }
        }
        lines
    }

    fn decorators_of(&mut self, lines: &[Line]) -> Result<Vec<Decorator>, Error> {
        let mut out = Vec::new();
        for line in lines {
            if let Line::Decorators(offset) = line {
                let text = self.line_text(*offset);
                out.extend(self.decorators_in(text, *offset)?);
            }
        }
        Ok(out)
    }

    fn decorators_in(&self, text: &str, offset: usize) -> Result<Vec<Decorator>, Error> {
        decorators::parse_line(text, offset).map_err(|e| {
            self.error(
                e.offset,
                1,
                format!("invalid decorator: {}", e.message),
                "write decorators as `# @name`, `# @name=value` or `# @name(args)`",
            )
        })
    }

    fn error(&self, offset: usize, len: usize, message: String, help: impl Into<String>) -> Error {
        Error::at_source(
            format!("invalid schema in {}: {message}", self.display),
            self.display,
            self.source,
            offset,
            len,
            "here",
        )
        .with_help(help)
    }

    fn at(&self, d: &Decorator, message: String, help: impl Into<String>) -> Error {
        self.error(d.offset, d.len, message, help)
    }

    /// An unknown decorator: refused, since a misspelt `@requried` would leave an item
    /// optional and the gate would pass; only noted when a plugin may define it.
    fn unknown(&mut self, d: &Decorator, known: &[&str]) -> Result<(), Error> {
        if self.plugins {
            self.notes.push(format!(
                "{}: ignored @{}, which a plugin may define; launchgate does not run varlock plugins",
                self.position(d.offset),
                d.name
            ));
            return Ok(());
        }
        let hint = match closest(&d.name, known) {
            Some(best) => format!("did you mean @{best}? "),
            None => String::new(),
        };
        Err(self.at(
            d,
            format!("unknown decorator @{}", d.name),
            format!("{hint}known here: @{}", known.join(", @")),
        ))
    }

    fn position(&self, offset: usize) -> String {
        let (line, column) = launchgate_core::error::line_column(self.source, offset);
        format!("{}:{line}:{column}", self.display)
    }
}

fn parse_flag(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A bare decorator is `true`; `=true` / `=false` are what they say.
fn flag(d: &Decorator) -> Option<bool> {
    match &d.form {
        Form::Bare => Some(true),
        Form::Value(v) => v.text().and_then(parse_flag),
        Form::Call(_) => None,
    }
}

fn value_text(d: &Decorator) -> Option<String> {
    match &d.form {
        Form::Bare => Some("true".into()),
        Form::Value(v) => v.text().map(str::to_string),
        Form::Call(_) => None,
    }
}

/// The item's value as a default: written out, not computed by varlock (a function call
/// such as `op(…)`, a `$REFERENCE` or `$(command)`), and not `undefined`.
fn static_value(entry: &dotenv::Entry) -> Option<String> {
    let value = entry.value.trim();
    if value.is_empty() {
        return None;
    }
    if entry.quote == Quote::None {
        let call = value.split_once('(').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if call || value == "undefined" || value.starts_with(['[', '{']) {
            return None;
        }
    }
    if entry.quote != Quote::Single && value.contains('$') {
        return None;
    }
    Some(entry.value.clone())
}

#[cfg(test)]
mod tests;
