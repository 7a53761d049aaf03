//! Secrets that cannot be printed by accident.
//!
//! A [`Secret`] holds a raw value; its `Display` and `Debug` show only the redacted form,
//! and it does not implement `Serialize`. What reaches a report is a [`RedactedSecret`]:
//! the display form and a slow, salted fingerprint, never the value nor a fast hash of it.
//!
//! The fingerprint is Argon2id (version 0x13) with a fixed cost, [`FINGERPRINT_MEMORY_KIB`]
//! KiB of memory, [`FINGERPRINT_PASSES`] passes, one lane, a 32-byte output, and the salt
//! `launchgate fingerprint v2:` followed by a context, the rule id for a secret a rule found.
//! The same value and context give the same fingerprint on every run and machine, so
//! baselines and merged reports keep matching; testing guesses of a weak password against a
//! published fingerprint costs that much work per guess and per rule. It is computed only
//! for values that reach a finding, once per value and context in a process.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Memory of one fingerprint, in KiB.
pub const FINGERPRINT_MEMORY_KIB: u32 = 8 * 1024;
/// Passes over that memory.
pub const FINGERPRINT_PASSES: u32 = 2;
/// What the salt starts with; the context follows.
const FINGERPRINT_SALT: &str = "launchgate fingerprint v2:";

/// A secret value. Printing it, in any way, shows the redacted form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a raw value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// The raw value, for matching and comparison only. Never format this into output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The display form: at most the last four characters, and none of a value under 16.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// The hex SHA-256 of the raw value: for matching values a user listed by their hash
    /// (`sha256:` in an allowlist). A fast hash lets anyone test guesses: never publish it.
    pub fn sha256(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// The slow fingerprint of the value in a context (a rule id); see the module docs.
    pub fn fingerprint(&self, context: &str) -> String {
        fingerprint(context, &self.0)
    }

    /// What a report may carry about this secret, fingerprinted without a rule.
    pub fn to_redacted(&self) -> RedactedSecret {
        self.to_redacted_for("value")
    }

    /// What a report may carry about this secret, fingerprinted in a context (a rule id).
    pub fn to_redacted_for(&self, context: &str) -> RedactedSecret {
        RedactedSecret {
            display: self.redacted(),
            fingerprint: self.fingerprint(context),
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

/// The only form of a secret that findings and reports hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedSecret {
    /// For example `…6789`.
    pub display: String,
    /// The slow fingerprint (hex Argon2id, see the module docs); tells findings of the same
    /// value apart without offering a fast way to test guesses.
    pub fingerprint: String,
}

/// Redacts a raw value for display.
///
/// Values shorter than 16 characters show nothing but the ellipsis: any character of a
/// short password is too much. Longer ones show only their end, an eighth of the value and
/// at most 4 characters, enough to tell two keys apart.
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    if n < 16 {
        return "…".to_string();
    }
    let shown = (n / 8).min(4);
    let tail: String = value.chars().skip(n - shown).collect();
    format!("…{tail}")
}

/// The slow fingerprint of a value in a context, hex; computed once per value and context
/// in a process.
pub fn fingerprint(context: &str, value: &str) -> String {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], String>>> = OnceLock::new();
    // Keyed by a hash so the cache holds no value in clear; it never leaves the process.
    let key: [u8; 32] = Sha256::new()
        .chain_update(context.as_bytes())
        .chain_update([0])
        .chain_update(value.as_bytes())
        .finalize()
        .into();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let computed = argon2id_hex(context, value);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, computed.clone());
    computed
}

fn argon2id_hex(context: &str, value: &str) -> String {
    // Each thread keeps its 8 MiB of blocks. Allocated and freed per fingerprint, they raise
    // the allocator's mmap threshold, after which every large buffer of a history scan stays
    // in the heap: a scan with 60 findings peaked at twice the memory of one with 30.
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let params = argon2::Params::new(FINGERPRINT_MEMORY_KIB, FINGERPRINT_PASSES, 1, Some(32))
        .expect("the fixed fingerprint parameters are valid");
    let blocks_needed = params.block_count();
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = format!("{FINGERPRINT_SALT}{context}");
    let mut out = [0u8; 32];
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        blocks.resize(blocks_needed, argon2::Block::default());
        hasher
            .hash_password_into_with_memory(value.as_bytes(), salt.as_bytes(), &mut out, &mut blocks[..])
            .expect("a fixed-size output and a salt over 8 bytes are valid");
    });
    hex(&out)
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_token_shows_only_its_last_four_characters() {
        let s = Secret::new("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789");
        assert_eq!(s.redacted(), "…6789");
    }

    #[test]
    fn never_more_than_four_characters_nor_an_eighth_are_shown() {
        for len in 0..200 {
            let value: String = "abcdefghij_klmnop".chars().cycle().take(len).collect();
            let shown = redact(&value).chars().filter(|c| *c != '…').count();
            assert!(shown <= 4 && shown * 8 <= len, "len {len}: shown {shown}");
        }
    }

    #[test]
    fn values_under_sixteen_characters_show_nothing() {
        assert_eq!(redact("hunter2"), "…");
        assert_eq!(redact("Summer2024!Pass"), "…");
        assert_eq!(redact(""), "…");
    }

    #[test]
    fn display_and_debug_redact() {
        let raw = "sk_live_51Habcdefghijklmnopqrstuvwx";
        let s = Secret::new(raw);
        assert!(!format!("{s}").contains(raw));
        assert!(!format!("{s:?}").contains(raw));
        assert!(!format!("{s:#?}").contains("51Habcdefghijklmnop"));
        assert_eq!(s.sha256().len(), 64);
    }

    #[test]
    fn the_fingerprint_is_argon2id_salted_by_context_and_no_fast_hash() {
        let s = Secret::new("Summer2024!Pass");
        let fp = s.fingerprint("env.check");
        assert_eq!(fp.len(), 64);
        assert_eq!(fp, s.fingerprint("env.check"), "deterministic");
        assert_ne!(fp, s.fingerprint("other.rule"), "salted by the context");
        assert_ne!(fp, s.sha256());
        assert_ne!(fp, sha256_hex(b"env.check\0Summer2024!Pass"));
        // What the reference implementation (libargon2) gives for these parameters and salt:
        // a change of cost or salt changes every published fingerprint, and baselines with
        // them.
        assert_eq!(argon2id_hex("rule.id", "value"), fingerprint("rule.id", "value"),);
        assert_eq!(
            fingerprint("stripe.secret-key", "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"),
            FINGERPRINT_REFERENCE
        );
    }

    const FINGERPRINT_REFERENCE: &str = "8e2b6b7421ffd5481fb91e1364fabe162a80203aa2ae2c6d3d2336f02bcf66f0";

    #[test]
    fn multibyte_values_do_not_panic() {
        let s = Secret::new("pässwörd-ünïcödé-välüé");
        assert_eq!(s.redacted(), "…üé");
    }
}
