//! Whether a value looks like a secret.
//!
//! Every check of this gate that asks "is this value a secret?" goes through
//! [`recognise`]: the secrets gate's engine and its rules decide, with two judgements of
//! this gate's own on top. A JWT is only a secret when its role is `service_role` (Supabase's
//! `anon` key is public by design), and a database URL only when it has a password and a
//! host other than the developer's machine or a compose service.

use std::cell::RefCell;
use std::sync::LazyLock;

use regex::Regex;

/// What kind of secret a value looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The secrets rule that recognised it, such as `stripe.secret-key`.
    pub rule_id: String,
    /// In words: "a Stripe secret key".
    pub what: String,
}

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^eyJ[0-9A-Za-z_-]{8,}\.(eyJ[0-9A-Za-z_-]{8,})\.[0-9A-Za-z_-]*$")
        .unwrap_or_else(|e| panic!("jwt: {e}"))
});

static DB_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver)://[^\s:/@]+:([^\s/@]+)@([^\s/:?#]+)")
        .unwrap_or_else(|e| panic!("db url: {e}"))
});

/// The most answers [`recognise`] remembers per thread before it starts again.
const REMEMBERED: usize = 4096;

thread_local! {
    /// Answers already given on this thread: `.env`, `.env.local` and `.env.production`
    /// often hold the same values, and asking the secrets engine is most of a lint's time.
    static ANSWERS: RefCell<foldhash::HashMap<String, Option<Recognised>>> = RefCell::default();
}

/// The kind of secret `value` holds, if it looks like one.
///
/// Placeholders (`sk_live_xxxxxxxxxxxxxxxx`, `<your key>`) and well-formed dotenvx
/// `encrypted:` values are not secrets.
pub fn recognise(value: &str) -> Option<Recognised> {
    let value = value.trim();
    // Values this short are never secrets, and cost nothing to tell.
    if value.len() < 8 {
        return None;
    }
    if let Some(known) = ANSWERS.with_borrow(|a| a.get(value).cloned()) {
        return known;
    }
    let answer = recognise_uncached(value);
    ANSWERS.with_borrow_mut(|a| {
        if a.len() >= REMEMBERED {
            a.clear();
        }
        a.insert(value.to_string(), answer.clone());
    });
    answer
}

fn recognise_uncached(value: &str) -> Option<Recognised> {
    // A well-formed dotenvx value is ciphertext; text after a bare `encrypted:` is not.
    if value.len() < 8 || crate::dotenvx::is_well_formed(value) {
        return None;
    }
    // Both patterns need their literal: most values are neither, and skip the regexes.
    if let Some(c) = value.starts_with("eyJ").then(|| JWT.captures(value)).flatten() {
        return (jwt_role(&c[1]).as_deref() == Some("service_role")).then(|| Recognised {
            rule_id: "supabase.service-role-jwt".into(),
            what: "a JWT with role service_role".into(),
        });
    }
    if value.contains("://") && DB_URL.is_match(value) {
        return database_url(value);
    }
    let (rule_id, _confidence) = launchgate_detect::recognise(value)?;
    let what = launchgate_detect::default_engine()
        .rules()
        .find(|r| r.id() == rule_id)
        .map(|r| with_article(&r.spec.name))
        .unwrap_or_else(|| "a credential".to_string());
    Some(Recognised { rule_id, what })
}

/// "Stripe secret key" → "a Stripe secret key"; "AWS access key id" → "an AWS access key id".
fn with_article(name: &str) -> String {
    let vowel = name.chars().next().is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {name}", if vowel { "an" } else { "a" })
}

fn database_url(value: &str) -> Option<Recognised> {
    if let Some(c) = DB_URL.captures(value) {
        let password = &c[1];
        let host = &c[2];
        if !is_placeholder(password) && !is_local_host(host) {
            return Some(Recognised {
                rule_id: "database-url-with-password".into(),
                what: "a database URL with a password".into(),
            });
        }
    }
    None
}

/// Runs of one repeated character or template markers: not a real key.
fn is_placeholder(s: &str) -> bool {
    let tail = s
        .rsplit(['_', '-', ':', '.'])
        .find(|t| !t.is_empty())
        .unwrap_or("");
    let repeated = tail.len() >= 4 && tail.bytes().all(|b| b == tail.as_bytes()[0]);
    let lower = s.to_ascii_lowercase();
    repeated
        || ["xxxx", "your", "changeme", "example", "placeholder", "<", "${"]
            .iter()
            .any(|m| lower.contains(m))
}

fn is_local_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "[::1]"
        || host == "host.docker.internal"
        || !host.contains('.')
}

/// The `role` claim of a JWT payload, read without verifying the signature.
fn jwt_role(payload: &str) -> Option<String> {
    let bytes =
        launchgate_core::encoding::decode_base64(payload, launchgate_core::encoding::Base64::UrlSafe)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get("role")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(v: &str) -> Option<String> {
        recognise(v).map(|r| r.rule_id)
    }

    #[test]
    fn the_secrets_engine_recognises_provider_keys() {
        for (value, rule) in [
            ("sk_live_51Hx8YzAbCdEfGhIjKlMnOpQrStUv2", "stripe.secret-key"),
            ("rk_live_51Hx8YzAbCdEfGhIjKlMnOpQrStUv2", "stripe.restricted-key"),
            ("whsec_Qm7Vx2Lp9Tr4Kd8Ns1Zc6Hb3Fw5Jg0Ya", "stripe.webhook-secret"),
            ("AKIAQ3EGT7X5KJ2MNW4P", "aws.access-key-id"),
            ("ghp_aB7dE2gH9jK4mN1pQ6sT3vW8yZ0c5F1h2J4k", "github.pat-classic"),
        ] {
            assert_eq!(id(value).as_deref(), Some(rule), "{value}");
        }
        assert_eq!(
            id("postgres://app:s3cr3tPa55@db.example.net:5432/app").as_deref(),
            Some("database-url-with-password")
        );
        let what = recognise("sk_live_51Hx8YzAbCdEfGhIjKlMnOpQrStUv2").unwrap().what;
        assert!(what.starts_with("a Stripe"), "{what}");
    }

    #[test]
    fn a_remembered_answer_is_the_engines_answer() {
        let values = [
            "sk_live_51Hx8YzAbCdEfGhIjKlMnOpQrStUv2",
            "https://app1.acme.io/path/0",
            "  AKIAQ3EGT7X5KJ2MNW4P  ",
            "postgres://app:s3cr3tPa55@db.example.net:5432/app",
            "short",
        ];
        for _ in 0..2 {
            for v in values {
                assert_eq!(
                    recognise(v),
                    recognise_uncached(v.trim()).filter(|_| v.trim().len() >= 8),
                    "{v}"
                );
            }
        }
        // Past the bound, the memory starts again and answers stay right.
        for i in 0..REMEMBERED + 10 {
            assert_eq!(recognise(&format!("service-{i}-env-local")), None);
        }
        assert!(ANSWERS.with_borrow(|a| a.len()) <= REMEMBERED);
        assert_eq!(id(values[0]).as_deref(), Some("stripe.secret-key"));
    }

    #[test]
    fn service_role_jwt_but_not_anon() {
        // {"alg":"HS256","typ":"JWT"} . {"role":"service_role"} / {"role":"anon"}
        let service = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl";
        let anon = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl";
        assert_eq!(id(service).as_deref(), Some("supabase.service-role-jwt"));
        assert_eq!(id(anon), None);
    }

    #[test]
    fn placeholders_and_local_urls_are_not_secrets() {
        for v in [
            "sk_live_xxxxxxxxxxxxxxxxxxxx",
            "encrypted:BDqDBibm4wsYqMpCjTQ6BsDHmMadg9K3dAt8Z9HBpBvgHhvq",
            "postgres://postgres:postgres@localhost:5432/app",
            "postgres://app:secret@db:5432/app",
            "postgres://app@db.example.net/app",
            "https://example.com",
            "pk_live_51HxYzAbCdEfGhIjKlMnOpQrSt",
        ] {
            assert_eq!(id(v), None, "{v}");
        }
    }
}
