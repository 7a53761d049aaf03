//! The findings model: what a gate found, where, and how bad it is.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::secret::{RedactedSecret, sha256_hex};

/// How bad a finding is. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a gate unless `--fail-on note`.
    Note,
    /// Likely a problem; fails a gate with `--fail-on warning`.
    Warning,
    /// A problem; fails a gate by default.
    #[default]
    Error,
}

impl Severity {
    /// The lowercase name used in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}`: expected one of error, warning, note"
            )),
        }
    }
}

/// Where a finding is: a file position, optionally in a commit.
///
/// Lines and columns are 1-based; columns count characters. Paths use `/` separators and are
/// relative to the scanned root where the gate knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl Location {
    /// A whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Location {
            path: normalize_path(&path.into()),
            ..Location::default()
        }
    }

    /// A position in a file.
    pub fn at(path: impl Into<String>, line: u32, column: u32) -> Self {
        Location {
            line: Some(line),
            column: Some(column),
            ..Location::file(path)
        }
    }

    /// Sets where the finding ends.
    pub fn to(mut self, end_line: u32, end_column: u32) -> Self {
        self.end_line = Some(end_line);
        self.end_column = Some(end_column);
        self
    }

    /// Places the finding in a commit.
    pub fn in_commit(mut self, commit: impl Into<String>) -> Self {
        self.commit = Some(commit.into());
        self
    }

    /// `path:line:column`, as far as known.
    pub fn display(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.path),
            (Some(l), None) => format!("{}:{l}", self.path),
            _ => self.path.clone(),
        }
    }
}

/// Turns Windows separators into `/`, the form every format uses.
pub fn normalize_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").map(str::to_string).unwrap_or(p)
}

/// One thing a gate found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable rule id such as `stripe.secret-key` or `env.missing-required`.
    pub rule_id: String,
    pub severity: Severity,
    /// One sentence saying what is wrong, in words; never a raw secret.
    pub message: String,
    /// A file position, when the finding has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What the finding is about when it is not a file: a URL, a DNS name, a variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The redacted secret, for findings about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<RedactedSecret>,
    /// Stable across runs: the same problem in the same place gets the same value.
    #[serde(default)]
    pub fingerprint: String,
    /// Gate-specific facts (confidence, measured values, budgets), shown by json and sarif.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// Passes every text of the finding, property values included, to `rewrite`; see
    /// [`crate::Report::rewrite_text`].
    pub fn rewrite_text(&mut self, rewrite: &mut dyn FnMut(&mut String)) {
        let Finding {
            rule_id,
            severity: _,
            message,
            location,
            subject,
            help,
            secret,
            fingerprint,
            properties,
        } = self;
        rewrite(rule_id);
        rewrite(message);
        if let Some(Location {
            path,
            line: _,
            column: _,
            end_line: _,
            end_column: _,
            commit,
            author,
            date,
        }) = location
        {
            rewrite(path);
            [commit, author, date]
                .into_iter()
                .flatten()
                .for_each(&mut *rewrite);
        }
        subject.iter_mut().chain(help.iter_mut()).for_each(&mut *rewrite);
        if let Some(RedactedSecret { display, fingerprint }) = secret {
            rewrite(display);
            rewrite(fingerprint);
        }
        rewrite(fingerprint);
        for value in properties.values_mut() {
            rewrite_json(value, rewrite);
        }
    }

    /// Where the finding is, as every format names it: `path:line:column`, else its subject,
    /// else empty.
    pub fn place(&self) -> String {
        self.location
            .as_ref()
            .map(|l| l.display())
            .or_else(|| self.subject.clone())
            .unwrap_or_default()
    }

    /// A finding with a rule id, a severity and a message.
    pub fn new(rule_id: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule_id: rule_id.into(),
            severity,
            message: message.into(),
            location: None,
            subject: None,
            help: None,
            secret: None,
            fingerprint: String::new(),
            properties: BTreeMap::new(),
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn secret(mut self, secret: RedactedSecret) -> Self {
        self.secret = Some(secret);
        self
    }

    pub fn property(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// Sets the fingerprint from parts that identify the problem (for a secret: the rule id
    /// and the secret's hash, so moving the line does not make it a new finding).
    pub fn fingerprint_from(mut self, parts: &[&str]) -> Self {
        self.fingerprint = fingerprint_of(parts);
        self
    }

    /// The fingerprint the finding has, or the default one: rule, path, and the secret's
    /// hash or else the subject and message.
    pub fn ensure_fingerprint(&mut self) {
        if !self.fingerprint.is_empty() {
            return;
        }
        let path = self.location.as_ref().map(|l| l.path.as_str()).unwrap_or("");
        let what = match (&self.secret, &self.subject) {
            (Some(s), _) => s.fingerprint.clone(),
            (None, Some(subject)) => format!("{subject}\u{0}{}", self.message),
            (None, None) => self.message.clone(),
        };
        self.fingerprint = fingerprint_of(&[&self.rule_id, path, &what]);
    }
}

/// Hex SHA-256 over parts separated by NUL, so `("ab","c")` and `("a","bc")` differ.
pub fn fingerprint_of(parts: &[&str]) -> String {
    let joined = parts.join("\u{0}");
    sha256_hex(joined.as_bytes())
}

fn rewrite_json(value: &mut serde_json::Value, rewrite: &mut dyn FnMut(&mut String)) {
    match value {
        serde_json::Value::String(s) => rewrite(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| rewrite_json(v, rewrite)),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(|v| rewrite_json(v, rewrite)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Note);
        assert_eq!("warning".parse::<Severity>(), Ok(Severity::Warning));
        assert!(
            "fatal"
                .parse::<Severity>()
                .unwrap_err()
                .contains("error, warning, note")
        );
    }

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        assert_eq!(fingerprint_of(&["a", "b"]), fingerprint_of(&["a", "b"]));
        assert_ne!(fingerprint_of(&["ab", "c"]), fingerprint_of(&["a", "bc"]));
        let mut f = Finding::new("x.y", Severity::Error, "m").at(Location::at("a\\b.rs", 1, 2));
        f.ensure_fingerprint();
        assert_eq!(f.location.as_ref().unwrap().path, "a/b.rs");
        assert_eq!(f.fingerprint, fingerprint_of(&["x.y", "a/b.rs", "m"]));
    }
}
