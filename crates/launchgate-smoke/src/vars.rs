//! `${NAME}` substitution and the redaction of every value it brings in.
//!
//! Every value read from the environment or captured from a response is a secret: it goes
//! into the [`Redactor`], and every text that leaves the gate passes through it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use launchgate_core::{Report, Secret};

/// Values too short to replace without mangling unrelated text ("a", "1").
const MIN_SECRET_LEN: usize = 3;

/// The secret values seen so far; shared by every check of a run.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<Mutex<Vec<Secret>>>,
}

impl Redactor {
    /// Registers a value and the forms a URL gives it: percent-encoded as a query value
    /// (`+` for spaces), as a path segment and as userinfo, so a secret sent in a URL is
    /// redacted in subjects and error texts too.
    pub fn add(&self, value: &str) {
        if value.chars().count() < MIN_SECRET_LEN {
            return;
        }
        let mut forms = vec![value.to_string()];
        forms.extend(url_encoded_forms(value));
        let mut all = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        for form in forms {
            if !all.iter().any(|s| s.expose() == form) {
                all.push(Secret::new(&form));
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        all.sort_by_key(|s| std::cmp::Reverse(s.expose().len()));
    }

    /// The text with every known secret replaced by its redacted form.
    pub fn redact(&self, text: &str) -> String {
        self.redact_cow(text).into_owned()
    }

    /// As [`Redactor::redact`], borrowing the text when it holds no secret.
    pub fn redact_cow<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let all = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = std::borrow::Cow::Borrowed(text);
        for s in all.iter() {
            if out.contains(s.expose()) {
                out = std::borrow::Cow::Owned(out.replace(s.expose(), &s.redacted()));
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.lock().map(|s| s.is_empty()).unwrap_or(true)
    }
}

/// The encodings a URL applies to a value: as a query value, a path and userinfo, plus
/// every byte but unreserved ones percent-encoded (upper and lower case hex).
fn url_encoded_forms(value: &str) -> Vec<String> {
    let mut forms = Vec::new();
    if let Ok(mut u) = reqwest::Url::parse("http://h/") {
        u.query_pairs_mut().append_pair("k", value);
        if let Some(q) = u.query().and_then(|q| q.strip_prefix("k=")) {
            forms.push(q.to_string());
        }
        u.set_query(None);
        u.set_path(value);
        forms.push(u.path().trim_start_matches('/').to_string());
        if u.set_password(Some(value)).is_ok()
            && let Some(p) = u.password()
        {
            forms.push(p.to_string());
        }
        if u.set_username(value).is_ok() {
            forms.push(u.username().to_string());
        }
    }
    forms.push(launchgate_core::encoding::percent_encode(value, false));
    forms.push(launchgate_core::encoding::percent_encode(value, true));
    forms.retain(|f| f != value && f.chars().count() >= MIN_SECRET_LEN);
    forms.sort();
    forms.dedup();
    forms
}

/// `%XX` sequences decoded (invalid UTF-8 replaced); anything malformed is kept as is.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Where `${NAME}` looks: the check's captures first, then the environment.
#[derive(Debug, Clone)]
pub struct Vars {
    pub captures: BTreeMap<String, String>,
    env: Arc<BTreeMap<String, String>>,
    redactor: Redactor,
}

impl Vars {
    pub fn new(env: Arc<BTreeMap<String, String>>, redactor: Redactor) -> Self {
        Vars {
            captures: BTreeMap::new(),
            env,
            redactor,
        }
    }

    pub fn capture(&mut self, name: &str, value: String) {
        self.redactor.add(&value);
        self.captures.insert(name.to_string(), value);
    }

    /// Substitutes every `${NAME}`; `$${` writes a literal `${`.
    pub fn expand(&self, text: &str) -> Result<String, String> {
        expand_with(text, |name| {
            self.captures.get(name).or_else(|| self.env.get(name)).cloned()
        })
    }
}

/// Where `${NAME}` values come from before any capture: `--variable NAME=VALUE` first,
/// then the environment.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub variables: BTreeMap<String, String>,
}

impl Sources {
    pub fn get(&self, name: &str) -> Option<String> {
        self.variables
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }
}

/// Reads the values that the templates name. Names in `secret` are registered with the
/// redactor; the others (used only where a URL or host goes) are not, unless the URL
/// carries credentials, which are registered when the URL is read. Names no source has
/// are returned as missing.
pub fn read_values(
    names: &std::collections::BTreeSet<String>,
    secret: &std::collections::BTreeSet<String>,
    sources: &Sources,
    redactor: &Redactor,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut found = BTreeMap::new();
    let mut missing = Vec::new();
    for name in names {
        match sources.get(name) {
            Some(v) => {
                if secret.contains(name) {
                    redactor.add(&v);
                }
                found.insert(name.clone(), v);
            }
            None => missing.push(name.clone()),
        }
    }
    (found, missing)
}

/// Parses `NAME=VALUE` for `--variable`.
pub fn parse_variable(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw.split_once('=').ok_or_else(|| {
        "expected NAME=VALUE, e.g. --variable PREVIEW_URL=https://pr-42.example.com".to_string()
    })?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "`{name}` is not a variable name: use letters, digits and `_`"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Substitutes every `${NAME}` from a fixed map (the spec's URL fields, before the run).
pub fn expand_from(text: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    expand_with(text, |name| values.get(name).cloned())
}

/// The `${NAME}` references in a text.
pub fn references(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let _ = expand_with(text, |name| {
        names.push(name.to_string());
        Some(String::new())
    });
    names
}

fn expand_with(text: &str, lookup: impl FnMut(&str) -> Option<String>) -> Result<String, String> {
    expand_names(text, is_variable_name, lookup)
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Substitutes `${NAME}` and dotted `${group.field}` placeholders in one pass, so a value
/// brought in by one placeholder is never read as another.
pub fn expand_placeholders(text: &str, lookup: impl FnMut(&str) -> Option<String>) -> Result<String, String> {
    expand_names(text, |name| name.split('.').all(is_variable_name), lookup)
}

/// The `${NAME}` and `${group.field}` references in a text.
pub fn placeholder_references(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let _ = expand_placeholders(text, |name| {
        names.push(name.to_string());
        Some(String::new())
    });
    names
}

fn expand_names(
    text: &str,
    is_name: impl Fn(&str) -> bool,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix("${") {
            out.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('{') {
            let end = tail
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
            let name = &tail[..end];
            if !is_name(name) {
                return Err(format!("`${{{name}}}` is not a variable name"));
            }
            let value = lookup(name).ok_or_else(|| format!("variable `{name}` is not set"))?;
            out.push_str(&value);
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Replaces every known secret in every text of a report.
pub fn redact_report(mut report: Report, redactor: &Redactor) -> Report {
    if !redactor.is_empty() {
        report.rewrite_text(&mut |text| {
            if let std::borrow::Cow::Owned(clean) = redactor.redact_cow(text) {
                *text = clean;
            }
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use launchgate_core::{Finding, Severity};

    #[test]
    fn expands_captures_before_environment() {
        let env = Arc::new(BTreeMap::from([("A".to_string(), "from-env".to_string())]));
        let mut vars = Vars::new(env, Redactor::default());
        assert_eq!(vars.expand("x ${A} y").unwrap(), "x from-env y");
        vars.capture("A", "captured".into());
        assert_eq!(vars.expand("${A}").unwrap(), "captured");
        assert_eq!(vars.expand("$${A} $5").unwrap(), "${A} $5");
        assert!(vars.expand("${B}").unwrap_err().contains("`B` is not set"));
    }

    #[test]
    fn references_are_listed() {
        assert_eq!(
            references("Bearer ${token} ${SMOKE_USER}"),
            vec!["token", "SMOKE_USER"]
        );
    }

    #[test]
    fn url_encoded_forms_are_redacted() {
        let r = Redactor::default();
        r.add("p@ss w/rd&x=1");
        for text in [
            "q=p%40ss+w%2Frd%26x%3D1",
            "/p@ss%20w/rd&x=1",
            "p%40ss%20w%2Frd%26x%3D1",
            "p%40ss%20w%2frd%26x%3d1",
        ] {
            let out = r.redact(text);
            assert!(!out.contains("rd"), "{text} -> {out}");
        }
        let mut u = reqwest::Url::parse("https://h/").unwrap();
        u.set_password(Some("p@ss w/rd&x=1")).unwrap();
        let out = r.redact(u.as_str());
        assert!(!out.contains("rd"), "{u} -> {out}");
    }

    #[test]
    fn redacts_longest_first() {
        let r = Redactor::default();
        r.add("hunter2-long-password");
        r.add("hunter2");
        let out = r.redact("pw=hunter2-long-password and hunter2");
        assert!(!out.contains("hunter2"), "{out}");
    }

    #[test]
    fn report_redaction_reaches_every_string() {
        let r = Redactor::default();
        r.add("sup3r-secret-value");
        let mut report = Report::new("smoke");
        report.push(
            Finding::new("smoke.check", Severity::Error, "got sup3r-secret-value")
                .subject("https://x/?t=sup3r-secret-value"),
        );
        report.notes.push("sup3r-secret-value".into());
        let text = serde_json::to_string(&redact_report(report, &r)).unwrap();
        assert!(!text.contains("sup3r-secret-value"), "{text}");
    }

    /// A secret that is also a word the report is made of (`error`, a severity) is redacted
    /// in every text, and the report keeps its severities and statuses.
    #[test]
    fn a_secret_spelled_like_a_severity_is_still_redacted() {
        let r = Redactor::default();
        r.add("error");
        let mut report = Report::new("smoke");
        report.push(
            Finding::new("smoke.check", Severity::Error, "the password is error")
                .subject("https://x/?p=error"),
        );
        report.checks.push(launchgate_core::Check {
            name: "login".into(),
            status: launchgate_core::CheckStatus::Failed,
            duration_ms: None,
            detail: Some("sent error".into()),
        });
        let redacted = redact_report(report, &r);
        let finding = &redacted.findings[0];
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.message, "the password is …");
        assert_eq!(finding.subject.as_deref(), Some("https://x/?p=…"));
        assert_eq!(redacted.checks[0].detail.as_deref(), Some("sent …"));
        assert_eq!(redacted.checks[0].status, launchgate_core::CheckStatus::Failed);
    }
}
