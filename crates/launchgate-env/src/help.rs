//! What the schema says about a variable (`description`, `example`, `docs`), added to the
//! help of every finding about it, so whoever fixes the finding knows what to set.

use launchgate_core::Finding;
use launchgate_core::secret::redact;

use crate::schema::{Schema, VarSpec};
use crate::{leaks, secret_values};

/// Longer examples are cut: help is one paragraph.
const MAX_EXAMPLE_CHARS: usize = 80;

/// The schema's words about `name`, or `None` when it says nothing.
pub fn about(name: &str, spec: &VarSpec) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(d) = spec
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        parts.push(format!("{name}: {}", d.trim_end_matches('.')));
    }
    if let Some(example) = spec.example.as_deref().filter(|e| !e.trim().is_empty()) {
        parts.push(example_text(name, spec, example));
    }
    let docs: Vec<&str> = spec
        .docs
        .iter()
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
        .collect();
    if !docs.is_empty() {
        parts.push(format!("Docs: {}", docs.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join(". "))
}

/// An example says it is one when the variable holds secrets. One that looks like a real
/// credential (a provider's key format that is no placeholder) is never shown in clear:
/// a schema is committed, and reports travel further than the repository.
fn example_text(name: &str, spec: &VarSpec, example: &str) -> String {
    if secret_values::recognise(example).is_some() {
        return format!(
            "Example value (redacted: {}; it looks like a real credential, so put a made-up value in the schema)",
            redact(example)
        );
    }
    let shown: String = example
        .chars()
        .take(MAX_EXAMPLE_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cut = if example.chars().count() > MAX_EXAMPLE_CHARS {
        "…"
    } else {
        ""
    };
    if spec.secret || leaks::secret_word(name).is_some() {
        format!("Example of the format, not a real value: `{shown}{cut}`")
    } else {
        format!("Example: `{shown}{cut}`")
    }
}

/// Adds the schema's words to each finding about one of its variables (the `variable`
/// property names it).
pub fn annotate(schema: &Schema, findings: &mut [Finding]) {
    for f in findings {
        let Some(name) = f.properties.get("variable").and_then(|v| v.as_str()) else {
            continue;
        };
        let Some(about) = schema.config.vars.get(name).and_then(|spec| about(name, spec)) else {
            continue;
        };
        f.help = Some(match f.help.take() {
            Some(help) => format!("{}. {about}", help.trim_end_matches('.')),
            None => about,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(secret: bool, example: &str) -> VarSpec {
        VarSpec {
            secret,
            example: Some(example.into()),
            description: Some("the API key".into()),
            docs: vec!["https://docs.acme.io/keys".into()],
            ..VarSpec::default()
        }
    }

    #[test]
    fn public_secret_and_real_looking_examples() {
        assert_eq!(
            about("PORT", &spec(false, "3000")).unwrap(),
            "PORT: the API key. Example: `3000`. Docs: https://docs.acme.io/keys"
        );
        let secret = about("API_KEY", &spec(true, "sk_test_xxxxxxxx")).unwrap();
        assert!(
            secret.contains("Example of the format, not a real value: `sk_test_xxxxxxxx`"),
            "{secret}"
        );
        let real = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"; // launchgate:allow (made up for the test)
        let shown = about("API_KEY", &spec(true, real)).unwrap();
        assert!(!shown.contains(real) && shown.contains("redacted"), "{shown}");
    }
}
