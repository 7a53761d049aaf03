//! launchgate's credential detector, shared by every gate that looks at text: the secrets
//! gate (files, staged changes, history, logs), env (values of an env schema), budget (shipped
//! bundles), and the redaction of any message that quotes another tool's output.
//!
//! The [`Engine`] runs the rules of the repository's `rules/secrets/*.yaml` (compiled into the
//! binary; a build that cannot read them fails) over bytes: one Aho-Corasick pass over every
//! rule's keywords picks the candidate rules, and only their regexes run, only around the
//! keyword hits, compiled on first use. Around a match, the filters (placeholders, entropy
//! relative to the value's alphabet, assignments in any syntax) decide whether it is a secret.
//! [`known_values`] searches for values a caller already holds in their encoded forms, and
//! [`redact_secrets`] hides every credential in a text.
//!
//! The API is for launchgate's own crates and is not stable.
//!
//! ```
//! let engine = launchgate_detect::default_engine();
//! let matches = engine.scan_bytes("app.env", b"NOTHING_TO_SEE=here\n");
//! assert!(matches.is_empty());
//! ```

mod assign;
mod assignment_rule;
mod boundaries;
pub mod engine;
#[cfg(test)]
mod engine_tests;
mod entropy;
#[cfg(test)]
mod eval_tests;
mod filter;
pub mod findings;
pub mod globs;
mod key_names;
pub mod known_values;
mod kube_secret;
mod patterns;
pub mod position;
#[cfg(test)]
mod precision_tests;
mod prefilter;
pub mod printable;
mod redact;
pub mod rule_check;
pub mod rules;
mod stand_ins;
mod words;

use std::sync::OnceLock;

pub use engine::{Engine, EngineConfig, Match, Sample};
pub use redact::redact_secrets;
pub use rules::{Confidence, Rule, RuleSet};

/// Files larger than this are not read for secrets unless a gate's configuration says
/// otherwise (`secrets.max_file_size`): 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// The engine with the built-in rules and no allowlists, built once per process.
pub fn default_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        // The built-in rules are part of the binary and `rules check` runs in CI, so an
        // engine that cannot be built is a bug to stop at, never a silent engine without rules.
        Engine::new(RuleSet::embedded(), &EngineConfig::default())
            .unwrap_or_else(|e| panic!("the built-in secret rules do not build: {}", e.message()))
    })
}

/// Whether a value on its own is a credential the built-in rules recognise: the rule id and
/// its confidence. Cheap to call repeatedly (the engine is built once).
pub fn recognise(value: &str) -> Option<(String, Confidence)> {
    default_engine().recognise(value)
}

#[cfg(test)]
mod tests {
    use super::{Confidence, recognise};

    #[test]
    fn recognise_names_the_rule_of_a_value_on_its_own() {
        let stripe = "sk_live_51NbQk2LzVt8RwYpX3mHc7JdKe"; // launchgate:allow (made up for the test)
        assert_eq!(
            recognise(stripe),
            Some(("stripe.secret-key".to_string(), Confidence::High))
        );
        assert_eq!(recognise("production"), None);
        assert_eq!(recognise("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"), None);
    }
}
