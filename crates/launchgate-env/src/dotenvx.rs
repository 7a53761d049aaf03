//! dotenvx encrypted `.env` files.
//!
//! dotenvx writes each value as `encrypted:` followed by the base64 of an ECIES payload
//! (secp256k1, as eciesjs does by default): the sender's 65-byte uncompressed ephemeral
//! public key, a 16-byte AES-256-GCM nonce, the 16-byte tag, then the ciphertext. The AES
//! key is HKDF-SHA256 of the ephemeral key and the shared point, both uncompressed. The
//! file's public key sits in a `DOTENV_PUBLIC_KEY[_ENVIRONMENT]` line (a compressed key in
//! hex), and the private key in `.env.keys` or the deploy's
//! `DOTENV_PRIVATE_KEY[_ENVIRONMENT]` variable.

use std::path::Path;

/// What starts an encrypted value.
pub const PREFIX: &str = "encrypted:";

/// The name of the private key variables, and of the header public keys.
pub const PRIVATE_KEY: &str = "DOTENV_PRIVATE_KEY";
pub const PUBLIC_KEY: &str = "DOTENV_PUBLIC_KEY";

/// The file that holds the private keys; it must never be committed.
pub const KEYS_FILE: &str = ".env.keys";

const EPHEMERAL_KEY_LEN: usize = 65;
const NONCE_LEN: usize = 16;
const TAG_LEN: usize = 16;

/// Whether `value` is written as an encrypted value (well-formed or not).
pub fn is_encrypted(value: &str) -> bool {
    value.trim().starts_with(PREFIX)
}

/// Why an `encrypted:` value cannot be a dotenvx payload, if it cannot.
pub fn malformed(value: &str) -> Option<&'static str> {
    let payload = value.trim().strip_prefix(PREFIX)?;
    let Some(bytes) = decode(payload) else {
        return Some("is not base64");
    };
    if bytes.len() < EPHEMERAL_KEY_LEN + NONCE_LEN + TAG_LEN {
        return Some("is too short to hold an encrypted value (an ephemeral public key, a nonce and a tag)");
    }
    if bytes[0] != 0x04 {
        return Some("does not start with an uncompressed secp256k1 public key");
    }
    None
}

/// Whether `value` is a well-formed encrypted value.
pub fn is_well_formed(value: &str) -> bool {
    is_encrypted(value) && malformed(value).is_none()
}

/// Whether `name` is a header public key: `DOTENV_PUBLIC_KEY` or `DOTENV_PUBLIC_KEY_<ENV>`.
pub fn is_public_key_name(name: &str) -> bool {
    name == PUBLIC_KEY || name.strip_prefix(PUBLIC_KEY).is_some_and(|r| r.starts_with('_'))
}

/// Whether `name` is a private key variable: `DOTENV_PRIVATE_KEY[_<ENV>]`.
pub fn is_private_key_name(name: &str) -> bool {
    name == PRIVATE_KEY || name.strip_prefix(PRIVATE_KEY).is_some_and(|r| r.starts_with('_'))
}

/// Why a header public key is not a compressed secp256k1 key in hex, if it is not.
pub fn malformed_public_key(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let hex = v.len() == 66 && v.bytes().all(|b| b.is_ascii_hexdigit());
    (!(hex && (v.starts_with("02") || v.starts_with("03"))))
        .then_some("is not a compressed secp256k1 public key (66 hex digits starting with 02 or 03)")
}

/// The private key variable dotenvx reads for a file: `DOTENV_PRIVATE_KEY` for `.env`,
/// `DOTENV_PRIVATE_KEY_PRODUCTION` for `.env.production`.
pub fn private_key_name(file: &Path) -> String {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name.strip_prefix(".env.").filter(|e| !e.is_empty()) {
        Some(env) => format!(
            "{PRIVATE_KEY}_{}",
            env.chars()
                .map(|c| if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                })
                .collect::<String>()
        ),
        None => PRIVATE_KEY.to_string(),
    }
}

/// Why a value could not be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecryptError {
    /// No key given is a 32-byte secp256k1 private key in hex.
    InvalidKey,
    /// No key given opens it: the wrong key, or a damaged value.
    WrongKey,
    /// The plaintext is not UTF-8.
    NotText,
}

impl DecryptError {
    pub fn describe(self) -> &'static str {
        match self {
            DecryptError::InvalidKey => "the private key is not 64 hex digits of a secp256k1 key",
            DecryptError::WrongKey => {
                "the private key does not open it (a key for another file, or a damaged value)"
            }
            DecryptError::NotText => "it decrypts to bytes that are not UTF-8 text",
        }
    }
}

/// Decrypts a well-formed `encrypted:` value with `private_keys` (hex, comma-separated as
/// dotenvx accepts several).
pub fn decrypt(private_keys: &str, value: &str) -> Result<String, DecryptError> {
    let payload = value
        .trim()
        .strip_prefix(PREFIX)
        .and_then(decode)
        .ok_or(DecryptError::WrongKey)?;
    let mut error = DecryptError::InvalidKey;
    for key in private_keys.split(',').map(str::trim) {
        let Some(secret) = hex(key).filter(|k| k.len() == 32) else {
            continue;
        };
        match ecies::decrypt(&secret, &payload) {
            Ok(plain) => return String::from_utf8(plain).map_err(|_| DecryptError::NotText),
            Err(_) => error = DecryptError::WrongKey,
        }
    }
    Err(error)
}

fn decode(payload: &str) -> Option<Vec<u8>> {
    let payload = payload.trim();
    if payload.is_empty()
        || !payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    launchgate_core::encoding::decode_base64(payload, launchgate_core::encoding::Base64::Standard)
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_follow_the_file_name() {
        assert_eq!(private_key_name(Path::new(".env")), "DOTENV_PRIVATE_KEY");
        assert_eq!(
            private_key_name(Path::new("app/.env.production")),
            "DOTENV_PRIVATE_KEY_PRODUCTION"
        );
        assert_eq!(
            private_key_name(Path::new(".env.ci-eu")),
            "DOTENV_PRIVATE_KEY_CI_EU"
        );
        assert!(
            is_public_key_name("DOTENV_PUBLIC_KEY_PRODUCTION") && !is_public_key_name("DOTENV_PUBLIC_KEYS")
        );
    }

    #[test]
    fn malformed_values() {
        assert_eq!(malformed("plain"), None);
        assert_eq!(
            malformed("encrypted:sk_live_51HxYzAbCdEfGhIjKlMnOpQr"),
            Some("is not base64")
        );
        assert!(
            malformed("encrypted:aGVsbG8=")
                .unwrap()
                .starts_with("is too short")
        );
        let not_a_key = format!("encrypted:{}", "A".repeat(200));
        assert!(malformed(&not_a_key).unwrap().contains("uncompressed"));
    }
}
