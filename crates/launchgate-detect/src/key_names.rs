//! What the name a value is assigned to says about it. A generic rule only knows that a key
//! holds a credential word (`token`, `secret`, `api_key`); the other words of the key often
//! say the value is something else: an id (`API_KEY_ID`), a name or place (`SECRET_NAME`,
//! `TOKEN_URL`), a hash or revision (`TOKEN_REV`, `secret_sha256`), a page cursor
//! (`NEXT_PAGE_TOKEN`), a value meant to be published (`publicToken`,
//! `NEXT_PUBLIC_ANON_KEY`, `STRIPE_PUBLISHABLE_KEY`) or one that is not valid by intent
//! (`fakeToken`, `INVALID_API_KEY`, `wrongPassword`, `nonMatchingSecret`, what tests write).
//! Those keys keep generic rules silent; provider rules, which know their token's shape, are
//! not asked.

use crate::words;

/// Words that, anywhere in the key, say its value is published or a position in a listing.
const ANYWHERE: &[&str] = &[
    "public",
    "publishable",
    "page",
    "pagination",
    "cursor",
    "continuation",
];

/// Words that, anywhere in the key, say its value was made not to work: what a test passes
/// to see a credential refused. (`test` is not one: a test environment's keys are real.)
const NOT_VALID: &[&str] = &[
    "fake",
    "dummy",
    "mock",
    "bogus",
    "invalid",
    "wrong",
    "incorrect",
    "bad",
    "expired",
    "revoked",
    "example",
    "nonmatching",
    "mismatched",
];

/// Phrases that say the same in two words (`non_matching`, `not_valid`).
const NOT_VALID_PHRASES: &[&str] = &["non_matching", "not_matching", "not_valid", "no_match"];

/// Words that name a credential. A `NOT_VALID` word counts only beside one, since it must
/// be the credential that is called fake: a user name read as a key (`ops@shop.invalid:`,
/// `deploy@example.com:` before a password) says nothing about the password.
const CREDENTIAL: &[&str] = &[
    "token",
    "key",
    "apikey",
    "secret",
    "password",
    "passwd",
    "pass",
    "pwd",
    "credential",
    "credentials",
    "auth",
    "pat",
];

/// Phrases (words in a row) that name a key meant for browsers and apps: Algolia's
/// search-only key, a reCAPTCHA site key. (`client_token` is not one: Vault's client
/// tokens are its credentials.)
const PUBLIC_PHRASES: &[&str] = &["search_only", "site_key"];

/// Words that, as the last word of the key, say its value is not the credential itself.
const LAST: &[&str] = &[
    "id", "ids", "uuid", "guid", "name", "names", "label", "url", "uri", "urls", "endpoint", "host", "file",
    "path", "dir", "rev", "revision", "sha", "sha1", "sha256", "sha512", "commit", "hash", "digest",
    "checksum", "etag", "version", "type", "kind", "length", "count", "ttl", "expiry", "expires", "header",
    "prefix", "format", "arn", "ref",
];

/// Last words of a key that name what a UUID identifies: the UUID is that thing's id
/// (`HEROKU_APP_ID`, `SNYK_ORG`, `RAILWAY_PROJECT`), not a credential.
const ID_OWNERS: &[&str] = &[
    "id",
    "ids",
    "uuid",
    "guid",
    "org",
    "organization",
    "project",
    "tenant",
    "workspace",
    "team",
    "account",
    "subscription",
    "app",
    "application",
    "pipeline",
    "space",
    "environment",
    "region",
    "node",
    "instance",
    "cluster",
    "request",
    "trace",
    "correlation",
    "deployment",
    "release",
    "build",
    "job",
    "run",
];

/// Bytes before a secret in which its key is looked for.
const KEY_LOOKBACK: usize = 160;

/// The words (snake case) of the key the secret ending `before` is assigned to: the last
/// identifier before the operator and quotes that lead to the secret, on the secret's line.
/// Empty when there is none (a token on its own, a URL's password).
pub fn key_before(before: &[u8]) -> String {
    let from = before.len().saturating_sub(KEY_LOOKBACK);
    let mut tail = &before[from..];
    if let Some(nl) = memchr::memrchr(b'\n', tail) {
        tail = &tail[nl + 1..];
    }
    // Operators, quotes and blanks between a key and its value, in every syntax the
    // assignment grammar reads (`=`, `:`, `:=`, `=>`, `"key": "`, `ENV KEY value`).
    let end = tail
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`' | b'=' | b':' | b'>' | b'<'))
        .map_or(0, |i| i + 1);
    let ident = &tail[..end];
    let start = ident
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        .map_or(0, |i| i + 1);
    // A key the value follows directly (`?token=`, `Bearer `) is read; one the value is
    // inside (`https://user:` before a URL's password) is a user name, not a key.
    if start > 0 && ident[..start].ends_with(b"//") {
        return String::new();
    }
    words::normalise(&String::from_utf8_lossy(&ident[start..]))
}

/// The words (snake case) of the identifier `from` starts with: the key an assignment rule
/// read.
pub fn key_at(from: &[u8]) -> String {
    let from = &from[..from.len().min(KEY_LOOKBACK)];
    let end = from
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'$' | b'@')))
        .unwrap_or(from.len());
    words::normalise(&String::from_utf8_lossy(&from[..end]))
}

/// Whether a key (snake-case words) names an identifier: said of a UUID, it is an id,
/// whatever provider the key names (`HEROKU_APP_ID`, `SNYK_ORG_ID`).
/// A key naming the value a credential (`VAULT_SECRET_ID`, AppRole's secret, or
/// `HEROKU_API_KEY_UUID`, a key that happens to be a UUID) is not an id.
pub fn names_an_id(key: &str) -> bool {
    if key.is_empty() || words::has_word(key, "secret") {
        return false;
    }
    let words: Vec<&str> = key.split('_').collect();
    let shape_words = words
        .iter()
        .rev()
        .take_while(|w| matches!(**w, "uuid" | "guid"))
        .count();
    match words[..words.len() - shape_words].last() {
        None => true,
        Some(last) if shape_words > 0 => {
            !matches!(*last, "key" | "apikey" | "token" | "password" | "passwd" | "auth")
        }
        Some(last) => ID_OWNERS.contains(last),
    }
}

/// Whether the last word of a key names something other than the credential (an id, a
/// hash, a place): what a bare hex value under it is, for every rule.
pub fn last_word_names_non_secret(key: &str) -> bool {
    let last = key.rsplit('_').next().unwrap_or(key);
    !key.is_empty() && LAST.contains(&last)
}

/// Whether a key (snake-case words) names something other than a secret.
pub fn names_non_secret(key: &str) -> bool {
    if key.is_empty() {
        return false;
    }
    let padded = format!("_{key}_");
    let has_phrase = |phrases: &[&str]| phrases.iter().any(|p| padded.contains(&format!("_{p}_")));
    let has_word = |words: &[&str]| key.split('_').any(|w| words.contains(&w));
    last_word_names_non_secret(key)
        || has_word(ANYWHERE)
        || has_phrase(PUBLIC_PHRASES)
        || ((has_word(NOT_VALID) || has_phrase(NOT_VALID_PHRASES)) && has_word(CREDENTIAL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_read_in_every_syntax() {
        for (before, key) in [
            ("API_TOKEN=", "api_token"),
            ("  \"clientSecret\": \"", "client_secret"),
            ("ENV NEXT_PAGE_TOKEN ", "next_page_token"),
            ("ARG TOKEN_REV=", "token_rev"),
            ("$publicToken = '", "public_token"),
            ("<add key=\"x\" value=\"", "value"),
            ("spring.datasource.password: ", "spring_datasource_password"),
            ("curl https://api.shop.invalid/x?token=", "token"),
            ("db:\n  secret: ", "secret"),
            ("", ""),
        ] {
            assert_eq!(key_before(before.as_bytes()), key, "{before:?}");
        }
    }

    #[test]
    fn an_assignment_key_is_read_from_its_start() {
        assert_eq!(key_at(b"publicApiKey: string = \"x"), "public_api_key");
        assert_eq!(key_at(b"$tokenHash = 'x"), "token_hash");
        assert_eq!(key_at(b"--deploy-token=x"), "deploy_token");
    }

    #[test]
    fn a_user_name_in_a_url_is_not_a_key() {
        assert_eq!(key_before(b"DATABASE_URL=postgres://app:"), "");
    }

    #[test]
    fn keys_that_name_what_a_uuid_identifies() {
        for key in [
            "heroku_app_id",
            "snyk_org",
            "railway_project",
            "x_request_id",
            "azure_tenant_id",
            "app_uuid",
            "uuid",
        ] {
            assert!(names_an_id(key), "{key}");
        }
        for key in [
            "heroku_api_key",
            "snyk_token",
            "consul_http_token",
            "npm_token",
            "client_secret",
            "vault_secret_id",
            "heroku_api_key_uuid",
            "",
        ] {
            assert!(!names_an_id(key), "{key}");
        }
    }

    #[test]
    fn keys_that_name_ids_places_hashes_and_public_values() {
        for key in [
            "api_key_id",
            "secret_name",
            "token_url",
            "token_rev",
            "next_page_token",
            "public_token",
            "stripe_publishable_key",
            "next_public_supabase_anon_key",
            "client_secret_sha256",
            "algolia_search_only_api_key",
            "recaptcha_site_key",
        ] {
            assert!(names_non_secret(key), "{key}");
        }
        for key in [
            "fake_token",
            "invalid_api_key",
            "wrong_password",
            "non_matching_token",
            "expired_access_token",
            "mock_client_secret",
            "token_not_valid",
        ] {
            assert!(names_non_secret(key), "{key}");
        }
        for key in [
            "api_key",
            "client_secret",
            "discord_token",
            "secret_key_base",
            "aws_secret_access_key",
            "pubnub_secret_key_x",
            "vault_client_token",
            "test_api_key",
            "mockaroo_api_key",
            "badge_token",
            "shop_invalid",
            "example_com",
            "",
        ] {
            assert!(!names_non_secret(key), "{key}");
        }
    }
}
