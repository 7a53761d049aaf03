//! False-positive control that applies to every rule: entropy, placeholders, documentation
//! values, and checksums.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::stand_ins;

/// Shannon entropy of `value` in bits per character.
pub fn shannon_entropy(value: &str) -> f64 {
    // Every match of every rule passes here: count ASCII in an array, and only reach for a
    // map when the value holds other characters.
    let total = value.chars().count();
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    let term = |count: u32| {
        let p = f64::from(count) / n;
        -p * p.log2()
    };
    if value.is_ascii() {
        let mut counts = [0u32; 128];
        for b in value.bytes() {
            counts[usize::from(b)] += 1;
        }
        return counts.iter().filter(|c| **c > 0).map(|c| term(*c)).sum();
    }
    let mut counts: std::collections::HashMap<char, u32> = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
    }
    counts.values().map(|c| term(*c)).sum()
}

/// Well-known values from providers' documentation and tutorials: they are everywhere in
/// sample code and never live credentials. Matched as substrings of the secret.
const DOCUMENTATION_VALUES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "4eC39HqLyjWDarjtT1zdp7dc",
    "BQokikJOvBiI2HlWgH4olfQ2",
    "TYooMQauvdEDq54NiTphI7jx",
    "16C7e42F292c6912E7710c838347Ae178B4a",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "xoxb-not-a-real-token",
    // kubeadm's documented bootstrap token.
    "abcdef.0123456789abcdef",
];

/// Words that mark a value as a stand-in rather than a credential, matched as substrings of
/// the lowercased value.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "****",
    "…",
    "...",
    "${",
    "{{",
    "}}",
    // Ruby's and CoffeeScript's interpolation.
    "#{",
    "<your",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yourpassword",
    "process.env",
    "os.environ",
    "getenv",
    "env[",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "dummy",
    "redacted",
    "replace_me",
    "replaceme",
    "replace-with",
    "replace_with",
    "replacewith",
    "put-your",
    "put_your",
    "enter-your",
    "enter_your",
    "insert-your",
    "fill-in",
    "fill_in",
    "insert_",
    "notreal",
    "not_real",
    "not-a-real",
    "fakefake",
    "lorem",
    // Hex words programmers type where a hash or key goes.
    "deadbeef",
    "cafebabe",
    "badc0ffee",
];

/// Whole values (lowercased, separators removed) that are words, not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "test",
    "testing",
    "testtest",
    "testkey",
    "testtoken",
    "testsecret",
    "testpassword",
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "key",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "admin",
    "root",
    "default",
    "required",
    "optional",
    "string",
    "value",
    "empty",
    "todo",
    "fixme",
    "fake",
    "sample",
    "demo",
    "mysecret",
    "mypassword",
    "secretkey",
    "secretpassword",
    "pass",
    "letmein",
    "qwerty",
    "hunter2",
];

/// Whether `secret` is a placeholder, a template expression, a variable reference, a
/// resource's name (see `stand_ins`), a documentation value or an obviously non-random value
/// (one repeated character, a short repeated pattern). Values typed out as a sequence are
/// told apart by [`is_sequence_sample`].
pub fn is_placeholder(secret: &str) -> bool {
    // Every match passes here: one automaton pass each instead of a search per word.
    static DOCUMENTATION: OnceLock<AhoCorasick> = OnceLock::new();
    static MARKERS: OnceLock<AhoCorasick> = OnceLock::new();
    let documentation = DOCUMENTATION
        .get_or_init(|| AhoCorasick::new(DOCUMENTATION_VALUES).expect("the documentation values build"));
    let markers = MARKERS.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(PLACEHOLDER_MARKERS)
            .expect("the placeholder markers build")
    });
    if documentation.is_match(secret) || markers.is_match(secret) {
        return true;
    }
    // A value quoted once more (`'$NAME'` inside a shell string) is read inside its quotes.
    let unquoted = secret
        .strip_prefix(['\'', '"'])
        .and_then(|v| v.strip_suffix(['\'', '"']))
        .unwrap_or(secret);
    if stand_ins::is_variable_reference(unquoted)
        || stand_ins::has_format_template(secret)
        || stand_ins::is_resource_name(secret)
    {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if (lower.starts_with('<') && lower.ends_with('>'))
        || (lower.starts_with("&lt;") && lower.ends_with("&gt;"))
    {
        return true;
    }
    let squashed: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if squashed.is_empty() {
        return true;
    }
    let without_digits = squashed.trim_end_matches(|c: char| c.is_ascii_digit());
    if PLACEHOLDER_VALUES.contains(&squashed.as_str())
        || (squashed.len() - without_digits.len() <= 4 && PLACEHOLDER_VALUES.contains(&without_digits))
    {
        return true;
    }
    let body = body_after_prefix(secret);
    is_low_variety(body) || has_short_period(body)
}

/// Whether a value was typed out as a sequence (`1234567890abcdef`, `a1b2c3d4e5f6`) rather
/// than issued: what documentation and test fixtures put where a key goes. It is weaker
/// evidence than a placeholder word: people also paste such values as real passwords, and a
/// value in a provider's exact format may be a real key that happens to hold a run.
pub fn is_sequence_sample(secret: &str) -> bool {
    let body = body_after_prefix(secret);
    has_sequential_run(body, 7)
        || is_interleaved_sequence(body)
        || repeats_a_block(body)
        || has_keyboard_run(body)
}

/// Whether most of a value is one block of 5 to 16 characters said again and again
/// (`abcdefabcdefabcdef12`): at least three quarters of it, and the block at least twice and
/// a half. Shorter periods over the whole value are placeholders already.
fn repeats_a_block(body: &str) -> bool {
    let bytes = body.as_bytes();
    (5..=16).any(|p| {
        let run = p + bytes
            .get(p..)
            .unwrap_or_default()
            .iter()
            .zip(bytes)
            .take_while(|(a, b)| a == b)
            .count();
        run * 2 >= p * 5 && run * 4 >= bytes.len() * 3
    })
}

/// Whether a value holds six keys of a keyboard row in order (`qwerty`, `asdfgh`, `zxcvbn`).
fn has_keyboard_run(body: &str) -> bool {
    static ROWS: OnceLock<AhoCorasick> = OnceLock::new();
    let rows = ROWS.get_or_init(|| {
        let mut runs = Vec::new();
        for row in ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"] {
            for start in 0..=row.len() - 6 {
                runs.push(row[start..start + 6].to_string());
                runs.push(row[start..start + 6].chars().rev().collect());
            }
        }
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(runs)
            .expect("the keyboard rows build")
    });
    rows.is_match(body)
}

/// Whether a simple value can still be a password someone chose: six characters or more,
/// letters and digits both (`4ian1234`, `D1fficult`), not a number (`0x4000000D`, a hex
/// code), a percent-encoded string or a word with a symbol.
pub fn is_chosen_password(value: &str) -> bool {
    let digits = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
        .unwrap_or(value);
    let percent_encoded = value
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    value.chars().count() >= 6
        && value.bytes().any(|b| b.is_ascii_alphabetic())
        && value.bytes().any(|b| b.is_ascii_digit())
        && !is_hex(digits)
        && !percent_encoded
}

/// Whether a value is a UUID (8-4-4-4-12 hex digits).
pub fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a value is only hex digits: what ids, hashes and commits look like, and what
/// the providers whose tokens carry no prefix issue.
pub fn is_hex(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Prefixes providers document for keys meant to ship in web pages and apps: Stripe's and
/// Clerk's publishable keys (`pk_live_`, `pk_test_`), Mapbox public tokens (`pk.eyJ`),
/// PostHog project keys (`phc_`). A generic rule that reads one under a `token` or `key`
/// setting has found a public value, not a secret.
const PUBLISHABLE_PREFIXES: &[&str] = &["pk_live_", "pk_test_", "pk.eyJ", "phc_"];

/// Whether a value carries a provider's publishable-key prefix.
pub fn is_publishable(secret: &str) -> bool {
    // Datadog client tokens: `pub` and 32 hex digits.
    let datadog_client = secret.len() == 35 && secret.starts_with("pub") && is_hex(&secret[3..]);
    datadog_client || PUBLISHABLE_PREFIXES.iter().any(|p| secret.starts_with(p))
}

/// Type names that a generic rule reads as a value in signatures and stubs
/// (`private_key: ed25519.Ed25519PrivateKey`): a credential never spells these words.
const KEY_TYPE_WORDS: [&str; 8] = [
    "Credential",
    "PrivateKey",
    "PublicKey",
    "SecretKey",
    "SigningKey",
    "VerifyingKey",
    "KeyPair",
    "KeyTypes",
];

/// Whether a generic rule's value is a reference to something else in code (`config.apiKey`,
/// `settings.SECRET_KEY`, `getSecret()`) rather than a literal.
pub fn looks_like_code_reference(secret: &str) -> bool {
    if KEY_TYPE_WORDS.iter().any(|w| secret.contains(w)) {
        return true;
    }
    let s = secret.trim_end_matches(';');
    if s.ends_with(')') && s.contains('(') {
        return true;
    }
    let parts: Vec<&str> = s.split(['.', ':']).collect();
    if parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
    {
        // `a.b` with only identifier characters; random tokens rarely split into identifiers
        // that are all lowercase-or-camel words, so require no long digit runs either.
        return s.chars().filter(char::is_ascii_digit).nth(3).is_none();
    }
    // An all-caps identifier is an environment variable's name, not its value.
    s.len() >= 3
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && s.contains('_')
        && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// The part of a token after a short provider prefix (`sk_live_`, `ghp_`, `xoxb-`).
fn body_after_prefix(secret: &str) -> &str {
    let head = secret.char_indices().take(12);
    let mut cut = 0;
    for (i, c) in head {
        if c == '_' || c == '-' {
            cut = i + 1;
        }
    }
    if secret.len() - cut >= 8 {
        &secret[cut..]
    } else {
        secret
    }
}

fn is_low_variety(body: &str) -> bool {
    let mut distinct: Vec<char> = body.chars().filter(|c| c.is_alphanumeric()).collect();
    let len = distinct.len();
    distinct.sort_unstable();
    distinct.dedup();
    len >= 6 && distinct.len() <= 2
}

fn has_short_period(body: &str) -> bool {
    let chars: Vec<char> = body.chars().collect();
    if chars.len() < 8 {
        return false;
    }
    (1..=4).any(|p| chars.iter().skip(p).zip(chars.iter()).all(|(a, b)| a == b))
}

fn has_sequential_run(body: &str, run: usize) -> bool {
    let bytes = body.as_bytes();
    let mut up = 1;
    let mut down = 1;
    for w in bytes.windows(2) {
        up = if w[1] == w[0].wrapping_add(1) && w[1].is_ascii_alphanumeric() {
            up + 1
        } else {
            1
        };
        down = if w[1].wrapping_add(1) == w[0] && w[1].is_ascii_alphanumeric() {
            down + 1
        } else {
            1
        };
        if up >= run || down >= run {
            return true;
        }
    }
    false
}

/// Whether most characters continue a sequence two places back: `a1b2c3d4e5f6`,
/// `d4c3b2a1-f6e5-h8g7`, the way people type a value that only has to look like a key. In a
/// random value about one position in eighteen does so by chance.
fn is_interleaved_sequence(body: &str) -> bool {
    let chars: Vec<u8> = body.bytes().filter(u8::is_ascii_alphanumeric).collect();
    if chars.len() < 12 {
        return false;
    }
    let steps = chars
        .windows(3)
        .filter(|w| w[2] == w[0].wrapping_add(1) || w[0] == w[2].wrapping_add(1))
        .count();
    steps * 2 >= chars.len() - 2
}

/// Whether a legacy Grafana API key decodes to the JSON Grafana issues (`{"k":…,"n":…,"id":…}`):
/// other base64 JSON that happens to start with a `k` field (report links, embed tokens) is
/// not a Grafana key.
pub fn is_grafana_key_payload(secret: &str) -> bool {
    use launchgate_core::encoding::{Base64, decode_base64};
    let Some(bytes) = decode_base64(secret, Base64::Standard) else {
        return false;
    };
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    fields.get("k").is_some_and(serde_json::Value::is_string)
        && fields.get("n").is_some_and(serde_json::Value::is_string)
        && fields.get("id").is_some_and(serde_json::Value::is_number)
}

/// Whether base64 text decodes to a whole JSON Web Token: a header and a payload that are
/// base64url JSON objects (`eyJ…`) and a signature, joined by dots.
pub fn is_base64_jwt(secret: &str) -> bool {
    use launchgate_core::encoding::{Base64, decode_base64};
    let Some(bytes) = decode_base64(secret, Base64::Standard) else {
        return false;
    };
    let text = bytes.trim_ascii_end();
    let parts: Vec<&[u8]> = text.split(|&b| b == b'.').collect();
    let base64url = |part: &[u8]| {
        part.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
    };
    parts.len() == 3
        && parts[..2].iter().all(|p| p.starts_with(b"eyJ") && p.len() >= 10)
        && parts[2].len() >= 16
        && parts.iter().all(|p| base64url(p))
}

/// The Luhn check of a card number; separators are ignored.
pub fn passes_luhn(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 12 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy("L7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJK") > 4.5);
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "<your-api-key>",
            "${STRIPE_SECRET_KEY}",
            "%TestSourcePassword%",
            "$DB_PASSWORD",
            "$env:DB_PASSWORD",
            "#{DbPassword}",
            "#{ENV['DB_PASSWORD']}",
            "{db_password}",
            "'$DEPLOY_PASSWORD'",
            "&lt;your password&gt;",
            "arn:aws:iam::aws:policy/IAMUserChangePassword",
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db",
            "@db.password@",
            "__DbPassword__",
            "{{ .Values.token }}",
            "%(db_password)s",
            "$(cat /run/secrets/db)",
            "user:%s@db",
            "process.env.STRIPE_KEY",
            "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "changeme",
            "test123",
            "abcabcabcabcabc",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dcTsx9bQ2w",
            "********",
            "replace-with-token-from-the-vault",
            "PUT_YOUR_KEY_1a2B",
            "enter-your-api-key",
            "fill_in_later_2024",
        ] {
            assert!(is_placeholder(p), "{p} should be a placeholder");
        }
    }

    #[test]
    fn sequences_are_samples_not_placeholders() {
        for s in [
            "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8NRAL",
            "px-dep-d4c3b2a1-f6e5-h8g7-j1i8-p5o0n5m3l2k1",
            "sk_test_1234567890abcdefghijkl",
            "zx9876543210mnbvcxzlkj",
            "abcd1234abcd1234abcd1234",
            "1234567890123456789012345678",
            "abcdefabcdefabcdefabcdefabcdef12",
            "zxcvbnmasdfghjklqwertyuiop1234567890",
        ] {
            assert!(is_sequence_sample(s), "{s} is a sequence");
            assert!(!is_placeholder(s), "{s} is not a placeholder word or pattern");
        }
        for s in [
            "033f2f2072ca3f2cb2ec39019fa9e49cd640NRAL",
            "Qz8nV2wLx5Tr9Ka3Hm7Dp1Cf6Bg4Js0E",
        ] {
            assert!(!is_sequence_sample(s), "{s} is random");
        }
    }

    #[test]
    fn chosen_passwords_mix_letters_and_digits() {
        for p in ["4ian1234", "D1fficult", "mg1021pass"] {
            assert!(is_chosen_password(p), "{p}");
        }
        for p in [
            "123",
            "12345678",
            "super$ecret",
            "busybox@",
            "ab1",
            "0x4000000D",
            "80550006",
            "%F0%9F%92%A9",
        ] {
            assert!(!is_chosen_password(p), "{p}");
        }
    }

    #[test]
    fn grafana_keys_are_told_from_other_base64_json() {
        // {"k":"…","n":"deploy","id":1}
        assert!(is_grafana_key_payload(
            "eyJrIjoiQkc1NUx2cTlXb1d4SFJrY2RxcnBNeVUxRk5rQm1jYTciLCJuIjoiZGVwbG95IiwiaWQiOjF9"
        ));
        // {"k":"…","t":"…","c":5}, a report link's parameter
        assert!(!is_grafana_key_payload(
            "eyJrIjoiYTZjMTk3YjEtMzQ4Yi00NTI5LTg2ZDItNmUyMGRlOTkwMGRlIiwidCI6IjcyZjk4OGJmIiwiYyI6NX0"
        ));
        assert!(!is_grafana_key_payload("eyJrIjoinot-base64!"));
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for s in [
            "ghp_R4nd0mT0k3nW1thN0Pl4c3h0ld3rAbCdEf12",
            "L7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJK",
            "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe",
            "Vq3ZtR8mWx2LpN",
            "maria.lopez@fastmail.fm",
            // Django keys hold `%s`, `%(` and `$(` by chance.
            "django-insecure-_du9e^cmago!%(^+=gr@cu@v9-v7ulhbk2s3!w&39w4+n3*k*$",
            "k7#x2@q9!%sv^m3&w8*r5(t1-p6_y4=n0+b",
            "q8!w$(3@zv^m3&w8*r5(t1-p6_y4=n0+bk",
            // Passwords that open like a variable reference.
            "$uperS3cretPass",
            "@dmin2024@",
        ] {
            assert!(!is_placeholder(s), "{s} is not a placeholder");
        }
    }

    #[test]
    fn key_type_names_are_code() {
        assert!(looks_like_code_reference("x25519.X25519PrivateKey"));
        assert!(looks_like_code_reference("MLKEM1024PublicKey"));
        assert!(looks_like_code_reference("PKCS7PrivateKeyTypes"));
        assert!(!looks_like_code_reference("Qz8nV2wLx5Tr9Ka3Hm7Dp1Cf6Bg4Js0E"));
    }

    #[test]
    fn code_references_are_not_literals() {
        assert!(looks_like_code_reference("config.apiKey"));
        assert!(looks_like_code_reference("settings.SECRET_KEY"));
        assert!(looks_like_code_reference("getSecret()"));
        assert!(looks_like_code_reference("STRIPE_SECRET_KEY"));
        assert!(!looks_like_code_reference("Vq3ZtR8mWx2LpN8841"));
        assert!(!looks_like_code_reference("a8Fz.Qw91Lm3x7Pk2"));
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("4f8e2c1a-9b3d-4e7f-a6c2-1d5e8f3b7a90"));
        assert!(!is_uuid("4f8e2c1a-9b3d-4e7f-a6c2-1d5e8f3b7a9"));
        assert!(!is_uuid("sdk-4f8e2c1a-9b3d-4e7f-a6c2-1d5e8f3b7a90"));
    }

    #[test]
    fn publishable_prefixes() {
        assert!(is_publishable("pk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"));
        assert!(is_publishable("pk.eyJ1IjoiYWNtZSJ9.Zq8xL3vR7nB2cK9wY1hP6s"));
        assert!(is_publishable("pub3e8a1c5f7b9d2e4a6c8f0b1d3e5a7c9f"));
        assert!(!is_publishable("pub3e8a1c5f7b9d2e4a6c8f0b1d3e5a7c9fz"));
        assert!(!is_publishable("pk_e5bNRi596eOCq7vN2xW9"));
        assert!(!is_publishable("sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"));
    }

    #[test]
    fn luhn() {
        assert!(passes_luhn("4539 1488 0343 1641"));
        assert!(!passes_luhn("4539 1488 0343 1640"));
        assert!(!passes_luhn("1234"));
    }
}
