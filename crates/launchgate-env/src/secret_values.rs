//! Whether a value looks like a secret.
//!
//! Every check of this gate that asks "is this value a secret?" goes through
//! [`recognise`], so the small built-in pattern set below can be replaced by the secrets
//! gate's engine in one place.

use std::sync::LazyLock;

use regex::Regex;

/// What kind of secret a value looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// A stable id such as `stripe.live-secret-key`.
    pub rule_id: String,
    /// In words: "a Stripe live secret key".
    pub what: String,
}

struct Pattern {
    rule_id: &'static str,
    what: &'static str,
    regex: Regex,
}

fn pattern(rule_id: &'static str, what: &'static str, regex: &str) -> Pattern {
    Pattern {
        rule_id,
        what,
        regex: Regex::new(regex).unwrap_or_else(|e| panic!("built-in pattern {rule_id}: {e}")),
    }
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    vec![
        pattern(
            "stripe.live-secret-key",
            "a Stripe live secret key",
            r"\b[sr]k_live_[0-9A-Za-z]{16,}",
        ),
        pattern(
            "stripe.test-secret-key",
            "a Stripe test secret key",
            r"\b[sr]k_test_[0-9A-Za-z]{16,}",
        ),
        pattern(
            "stripe.webhook-secret",
            "a Stripe webhook signing secret",
            r"\bwhsec_[0-9A-Za-z+/=]{20,}",
        ),
        pattern(
            "aws.access-key-id",
            "an AWS access key id",
            r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        ),
        pattern("github.token", "a GitHub token", r"\bgh[pousr]_[0-9A-Za-z]{36,}"),
        pattern(
            "github.fine-grained-token",
            "a GitHub fine-grained token",
            r"\bgithub_pat_[0-9A-Za-z_]{40,}",
        ),
        pattern("slack.token", "a Slack token", r"\bxox[bpoas]-[0-9A-Za-z-]{10,}"),
        pattern(
            "openai.api-key",
            "an OpenAI API key",
            r"\bsk-(?:proj-)?[0-9A-Za-z_-]{32,}",
        ),
        pattern(
            "anthropic.api-key",
            "an Anthropic API key",
            r"\bsk-ant-[0-9A-Za-z_-]{32,}",
        ),
        pattern(
            "sendgrid.api-key",
            "a SendGrid API key",
            r"\bSG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}",
        ),
        pattern("npm.token", "an npm token", r"\bnpm_[0-9A-Za-z]{36}\b"),
        pattern(
            "private-key",
            "a PEM private key",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",
        ),
    ]
});

/// Literals the patterns contain: `://` first (database URLs), then the token prefixes.
static LITERALS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new([
        "://",
        "k_live_",
        "k_test_",
        "whsec_",
        "AKIA",
        "ASIA",
        "gho_",
        "ghp_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "xox",
        "sk-",
        "SG.",
        "npm_",
        "PRIVATE KEY-----",
        "eyJ",
    ])
    .unwrap_or_else(|e| panic!("literals: {e}"))
});

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beyJ[0-9A-Za-z_-]{8,}\.(eyJ[0-9A-Za-z_-]{8,})\.[0-9A-Za-z_-]*")
        .unwrap_or_else(|e| panic!("jwt: {e}"))
});

static DB_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver)://[^\s:/@]+:([^\s/@]+)@([^\s/:?#]+)")
        .unwrap_or_else(|e| panic!("db url: {e}"))
});

/// The kind of secret `value` holds, if it looks like one.
///
/// Placeholders (`sk_live_xxxxxxxxxxxxxxxx`, `<your key>`) and dotenvx `encrypted:` values
/// are not secrets. A database URL counts only with a password and a host that is not the
/// developer's own machine or a compose service.
pub fn recognise(value: &str) -> Option<Recognised> {
    let value = value.trim();
    if value.len() < 8 || value.starts_with("encrypted:") {
        return None;
    }
    // One pass over the value for the literals every pattern contains; most values have none.
    let (mut tokens, mut url) = (false, false);
    for m in LITERALS.find_overlapping_iter(value) {
        if m.pattern().as_usize() == 0 {
            url = true;
        } else {
            tokens = true;
        }
        if tokens && url {
            break;
        }
    }
    if tokens && let Some(r) = by_pattern(value) {
        return Some(r);
    }
    if url {
        return database_url(value);
    }
    None
}

fn by_pattern(value: &str) -> Option<Recognised> {
    for p in PATTERNS.iter() {
        if let Some(m) = p.regex.find(value)
            && !is_placeholder(m.as_str())
        {
            return Some(Recognised {
                rule_id: p.rule_id.to_string(),
                what: p.what.to_string(),
            });
        }
    }
    if let Some(c) = JWT.captures(value)
        && jwt_role(&c[1]).as_deref() == Some("service_role")
    {
        return Some(Recognised {
            rule_id: "supabase.service-role-jwt".into(),
            what: "a JWT with role service_role".into(),
        });
    }
    None
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
    let bytes = crate::types::base64_decode(payload, true)?;
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
    fn recognises_the_built_in_kinds() {
        assert_eq!(
            id("sk_live_51HxYzAbCdEfGhIjKlMnOp").as_deref(),
            Some("stripe.live-secret-key")
        );
        assert_eq!(
            id("rk_live_51HxYzAbCdEfGhIjKlMnOp").as_deref(),
            Some("stripe.live-secret-key")
        );
        assert_eq!(
            id("whsec_AbCdEfGhIjKlMnOpQrStUv12").as_deref(),
            Some("stripe.webhook-secret")
        );
        assert_eq!(id("AKIAIOSFODNN7EXAMPLF").as_deref(), Some("aws.access-key-id"));
        assert_eq!(
            id("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789").as_deref(),
            Some("github.token")
        );
        assert_eq!(id("xoxb-1234567890-abcdefghij").as_deref(), Some("slack.token"));
        assert_eq!(
            id("-----BEGIN RSA PRIVATE KEY-----\nMII\n").as_deref(),
            Some("private-key")
        );
        assert_eq!(
            id("postgres://app:s3cr3tPa55@db.example.net:5432/app").as_deref(),
            Some("database-url-with-password")
        );
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
            "pk_live_51HxYzAbCdEfGhIjKlMnOp",
        ] {
            assert_eq!(id(v), None, "{v}");
        }
    }
}
