//! Secrets behind public prefixes: variables a framework inlines into browser bundles.

use crate::secret_values::{self, Recognised};

/// Name parts that say a variable holds a secret.
const SECRET_WORDS: [&str; 7] = [
    "SECRET",
    "PRIVATE",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "SERVICE_ROLE",
    "DATABASE_URL",
];

/// Name parts that say a key is meant to be public.
const PUBLIC_KEY_WORDS: [&str; 3] = ["PUBLISHABLE", "ANON", "PUBLIC_KEY"];

/// The public prefix `name` starts with, if any.
pub fn public_prefix<'p>(name: &str, prefixes: &'p [String]) -> Option<&'p str> {
    prefixes
        .iter()
        .filter(|p| !p.is_empty() && name.starts_with(p.as_str()))
        .max_by_key(|p| p.len())
        .map(String::as_str)
}

/// The part of `name` that makes it look secret, if any: `SECRET`, `TOKEN`, `_KEY` …
pub fn secret_word(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if let Some(w) = SECRET_WORDS.iter().find(|w| upper.contains(*w)) {
        return Some(w);
    }
    let keyish = upper == "KEY" || upper.ends_with("_KEY") || upper.contains("_KEY_");
    if keyish && !PUBLIC_KEY_WORDS.iter().any(|w| upper.contains(w)) {
        return Some("_KEY");
    }
    None
}

/// What is wrong with a public variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leak {
    /// Its name looks secret.
    Name { prefix: String, word: &'static str },
    /// Its value looks like a secret.
    Value { prefix: String, recognised: Recognised },
}

impl Leak {
    pub fn rule_id(&self) -> &'static str {
        match self {
            Leak::Name { .. } => "env.public-secret-name",
            Leak::Value { .. } => "env.public-secret-value",
        }
    }

    /// One sentence, naming the variable and never the value.
    pub fn message(&self, name: &str) -> String {
        match self {
            Leak::Name { prefix, word } => format!(
                "{name} has the public prefix {prefix} but its name says it is secret ({word}); its value will be shipped to browsers"
            ),
            Leak::Value { prefix, recognised } => format!(
                "{name} has the public prefix {prefix} and its value looks like {}; it will be shipped to browsers",
                recognised.what
            ),
        }
    }

    pub fn help(&self) -> &'static str {
        "rename the variable without the public prefix and read it only on the server; rotate the value if it was ever deployed"
    }
}

/// The leaks of one variable: a public prefix with a secret-looking name or value.
pub fn check(name: &str, value: Option<&str>, prefixes: &[String]) -> Vec<Leak> {
    let Some(prefix) = public_prefix(name, prefixes) else {
        return Vec::new();
    };
    let mut leaks = Vec::new();
    if let Some(word) = secret_word(&name[prefix.len()..]) {
        leaks.push(Leak::Name {
            prefix: prefix.to_string(),
            word,
        });
    }
    if let Some(recognised) = value.and_then(secret_values::recognise) {
        leaks.push(Leak::Value {
            prefix: prefix.to_string(),
            recognised,
        });
    }
    leaks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes() -> Vec<String> {
        crate::schema::DEFAULT_PUBLIC_PREFIXES
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn names() {
        let p = prefixes();
        for bad in [
            "NEXT_PUBLIC_STRIPE_SECRET_KEY",
            "VITE_API_TOKEN",
            "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE",
            "PUBLIC_DATABASE_URL",
            "REACT_APP_MAPS_KEY",
        ] {
            assert_eq!(check(bad, None, &p).len(), 1, "{bad}");
        }
        for good in [
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_SITE_URL",
            "STRIPE_SECRET_KEY",
            "KEYBOARD",
        ] {
            assert!(check(good, None, &p).is_empty(), "{good}");
        }
    }

    #[test]
    fn values() {
        let leaks = check(
            "NEXT_PUBLIC_STRIPE",
            Some("sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt"), // launchgate:allow (made up for the test)
            &prefixes(),
        );
        assert_eq!(leaks.len(), 1);
        assert_eq!(leaks[0].rule_id(), "env.public-secret-value");
        assert!(!leaks[0].message("NEXT_PUBLIC_STRIPE").contains("51HxYz"));
    }
}
