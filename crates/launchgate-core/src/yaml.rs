//! Reading YAML: one set of parser options for every file launchgate reads, the limits that
//! keep hostile input bounded, and the conversion of the parser's errors into ours (file,
//! line, column, a label and a hint).
//!
//! The parser is serde-saphyr. Its defaults differ from YAML 1.2 in places a configuration
//! could notice; the options below keep YAML 1.2 core-schema readings: `yes`/`no`/`on`/`off`
//! are strings (a boolean setting takes `true` or `false`), `0755` and `1_000` read as
//! strings where the type is open, and `~` in a list of strings is the text `~`.

use serde::de::DeserializeOwned;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Error as YamlError, Location, NonFiniteFloatPolicy, Options};

use crate::error::{Error, offset_of};

/// The deepest nesting of lists and maps accepted.
pub const MAX_DEPTH: usize = 64;
/// The most aliases (`*name`) in one file.
pub const MAX_ALIASES: usize = 10_000;
/// The most parser events an alias may replay in one file, all aliases together: what stops
/// an alias bomb ("billion laughs") long before it costs time or memory.
pub const MAX_REPLAYED_EVENTS: usize = 100_000;
/// The most nodes (scalars, lists and maps) in one file.
pub const MAX_NODES: usize = 250_000;
/// The most parser events in one file.
pub const MAX_EVENTS: usize = 1_000_000;

/// The options every YAML file is read with.
pub fn options() -> Options {
    let budget = serde_saphyr::budget! {
        max_depth: MAX_DEPTH,
        max_aliases: MAX_ALIASES,
        max_anchors: MAX_ALIASES,
        max_nodes: MAX_NODES,
        max_events: MAX_EVENTS,
    };
    serde_saphyr::options! {
        budget: budget,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_REPLAYED_EVENTS,
            max_replay_stack_depth: MAX_DEPTH,
        },
        strict_booleans: true,
        null_as_string: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    }
}

/// Parses a whole YAML document into `T`, with errors pointing into `file_name`.
pub fn from_str<T: DeserializeOwned>(file_name: &str, source: &str) -> Result<T, Error> {
    serde_saphyr::from_str_with_options(source, options()).map_err(|e| to_error(file_name, source, &e))
}

/// Parses a YAML document into `T` where any error is a sign of a broken document rather
/// than of a user's mistake to report (a value re-read after an earlier check).
pub fn parse<T: DeserializeOwned>(source: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(source, options())
}

/// The byte offset in `source` of a position the parser reported.
pub fn offset_in(source: &str, location: &Location) -> usize {
    match location.span().byte_offset() {
        Some(offset) => (offset as usize).min(source.len()),
        None => offset_of(source, location.line() as usize, location.column() as usize),
    }
}

/// What went wrong, in words, without the file or the position.
pub fn message_of(err: &YamlError) -> String {
    describe(err.without_snippet()).message
}

/// The 1-based line of the error, when the parser knows it.
pub fn line_of(err: &YamlError) -> Option<usize> {
    err.location().map(|l| l.line() as usize).filter(|&line| line > 0)
}

/// What went wrong, in words, without the position (the error shows that itself).
struct Described {
    message: String,
    label: &'static str,
    help: Option<String>,
}

/// Turns a parser error into one with file, line, column, a label and a hint.
pub fn to_error(file_name: &str, source: &str, err: &YamlError) -> Error {
    let err = err.without_snippet();
    let Described { message, label, help } = describe(err);
    let message = format!("invalid configuration in {file_name}: {message}");
    let mut error = match err.location().filter(|l| l.line() > 0) {
        Some(location) => {
            let mut offset = offset_in(source, &location);
            let mut len = match location.span().byte_len() {
                Some(len) if len > 0 => len as usize,
                _ => token_len(&source[offset..]),
            };
            if is_about_a_value(err)
                && let Some(value) = value_of_key(source, offset, len)
            {
                offset = value;
                len = token_len(&source[offset..]);
            }
            Error::at_source(message, file_name, source, offset, len, label)
        }
        None => Error::input(message),
    };
    if let Some(help) = help {
        error = error.with_help(help);
    }
    error
}

fn describe(err: &YamlError) -> Described {
    match err {
        YamlError::SerdeUnknownField { field, expected, .. } => Described {
            message: format!("unknown field `{field}`, {}", expected_keys(expected)),
            label: "unknown key",
            help: Some(unknown_key_hint(field, expected)),
        },
        YamlError::SerdeInvalidType {
            unexpected, expected, ..
        } => Described {
            message: format!("invalid type: {unexpected}, expected {expected}"),
            label: "wrong type or value",
            help: None,
        },
        YamlError::SerdeInvalidValue {
            unexpected, expected, ..
        } => Described {
            message: format!("invalid value: {unexpected}, expected {expected}"),
            label: "wrong type or value",
            help: None,
        },
        YamlError::InvalidScalar { ty, .. } => Described {
            message: format!("invalid value, expected {ty}"),
            label: "wrong type or value",
            help: None,
        },
        YamlError::InvalidBooleanStrict { .. } => Described {
            message: "invalid value, expected a boolean".to_string(),
            label: "wrong type or value",
            help: Some("write true or false (yes, no, on and off are text in YAML 1.2)".to_string()),
        },
        YamlError::DuplicateMappingKey { key, .. } => Described {
            message: match key {
                Some(key) => format!("duplicate key `{key}`"),
                None => "duplicate key".to_string(),
            },
            label: "duplicate key",
            help: Some("keep one of the two entries: a key appears once in a map".to_string()),
        },
        YamlError::Budget { breach, .. } => beyond_limits(breach_words(breach)),
        YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. } => beyond_limits(format!(
            "its aliases repeat more than {MAX_REPLAYED_EVENTS} values (an alias bomb?)"
        )),
        YamlError::AliasError { error, .. } => describe(error),
        _ => {
            // Errors a type raises itself (`de::Error::custom`) arrive as text.
            let message = without_position(&err.to_string());
            let (label, help) = if let Some(help) = hint_from_text(&message) {
                ("unknown key", Some(help))
            } else if message.contains("invalid type") || message.contains("invalid value") {
                ("wrong type or value", None)
            } else {
                ("here", None)
            };
            Described { message, label, help }
        }
    }
}

/// A type error about a value, which the parser places at the value's key when the type
/// that refused it read it through `deserialize_any`.
fn is_about_a_value(err: &YamlError) -> bool {
    matches!(
        err,
        YamlError::SerdeInvalidType { .. } | YamlError::SerdeInvalidValue { .. }
    )
}

/// Where the value of the key at `key..key + len` starts, when it starts on the key's line.
fn value_of_key(source: &str, key: usize, len: usize) -> Option<usize> {
    let rest = source.get(key + len..)?;
    let line = rest.split('\n').next().unwrap_or(rest);
    let after = line
        .trim_start_matches(['"', '\''])
        .trim_start()
        .strip_prefix(':')?;
    let value = after.trim_start();
    if value.is_empty() || value.starts_with('#') {
        return None;
    }
    Some(key + len + (line.len() - value.len()))
}

/// For the text "unknown field `x`, expected one of `a`, `b`" a type wrote itself: the
/// closest valid key and the list.
fn hint_from_text(message: &str) -> Option<String> {
    const MARK: &str = "unknown field `";
    let rest = &message[message.find(MARK)? + MARK.len()..];
    let (key, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    Some(unknown_key_hint(key, &expected))
}

fn beyond_limits(what: String) -> Described {
    Described {
        message: format!("the YAML is beyond launchgate's limits: {what}"),
        label: "limit reached here",
        help: Some(format!(
            "a file is read with at most {MAX_DEPTH} levels of nesting, {MAX_NODES} values, \
             {MAX_ALIASES} aliases and {MAX_REPLAYED_EVENTS} values repeated through aliases; \
             write the values out or split the file"
        )),
    }
}

fn breach_words(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Depth { .. } => format!("nested more than {MAX_DEPTH} levels deep"),
        BudgetBreach::Nodes { .. } => format!("more than {MAX_NODES} values"),
        BudgetBreach::Events { .. } => format!("more than {MAX_EVENTS} YAML events"),
        BudgetBreach::Aliases { .. } => format!("more than {MAX_ALIASES} aliases"),
        BudgetBreach::Anchors { .. } => format!("more than {MAX_ALIASES} anchors"),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => {
            format!("{aliases} aliases for {anchors} anchors (an alias bomb?)")
        }
        other => format!("{other:?}"),
    }
}

/// serde's wording for the keys a map takes, kept so messages read as they always have.
fn expected_keys(expected: &[&str]) -> String {
    match expected {
        [] => "there are no fields".to_string(),
        [one] => format!("expected `{one}`"),
        [first, second] => format!("expected `{first}` or `{second}`"),
        all => {
            let all: Vec<String> = all.iter().map(|k| format!("`{k}`")).collect();
            format!("expected one of {}", all.join(", "))
        }
    }
}

fn unknown_key_hint(key: &str, expected: &[&str]) -> String {
    if expected.is_empty() {
        return format!("remove `{key}`: this section takes no keys");
    }
    let list = expected.join(", ");
    match crate::config::closest(key, expected) {
        Some(best) => format!("did you mean `{best}`? Valid keys here: {list}"),
        None => format!("remove `{key}` or use one of: {list}"),
    }
}

/// The parser's own text ends in "at line L, column C"; the error shows the position itself.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(", column ") => message[..i].to_string(),
        _ => message.to_string(),
    }
}

fn token_len(rest: &str) -> usize {
    let end = rest
        .char_indices()
        .find(|(_, c)| matches!(c, ':' | '\n' | ',' | '}' | ']'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    rest[..end].trim_end().len().max(1)
}
