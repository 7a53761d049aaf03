//! The baseline: fingerprints of findings a team has accepted, never the secrets.
//!
//! A fingerprint is the slow, salted fingerprint of the secret with its rule id as the context
//! ([`launchgate_core::secret`]), so a baselined key stays baselined when its line moves or
//! its file is renamed, and the file offers no fast way to test guesses. Version 1 files held
//! a SHA-256 of the rule id and the secret: they are still read, their entries still match,
//! and `baseline update` or `prune` rewrites them as version 2.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::atomic::write_atomic;
use launchgate_core::bounded::{MAX_REPORT_FILE_SIZE, read_file_text};
use launchgate_core::finding::fingerprint_of;
use serde::{Deserialize, Serialize};

const VERSION: u32 = 2;
/// The version whose fingerprints were SHA-256.
const SHA256_VERSION: u32 = 1;

/// The fingerprint of a secret found by a rule.
pub fn fingerprint(rule_id: &str, secret: &str) -> String {
    launchgate_core::secret::fingerprint(rule_id, secret)
}

/// The fingerprint version 1 baselines held, to match their entries; never published.
fn sha256_fingerprint(rule_id: &str, secret: &str) -> String {
    fingerprint_of(&[rule_id, secret])
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    fingerprints: Vec<String>,
}

/// Accepted fingerprints, read from or bound for a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub path: PathBuf,
    pub fingerprints: BTreeSet<String>,
    /// Entries of a version 1 file (SHA-256), matched until the file is rewritten.
    pub sha256_fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Reads a baseline; `Ok(None)` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Baseline>, Error> {
        if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
            return Ok(None);
        }
        let text = read_file_text(path, MAX_REPORT_FILE_SIZE, "a baseline")?;
        let name = path.display().to_string();
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            let offset = launchgate_core::error::offset_of(&text, e.line(), e.column());
            Error::at_source(
                format!("{name} is not a valid baseline: {e}"),
                &name,
                &text,
                offset,
                1,
                "here",
            )
            .with_help("recreate it with `launchgate-secrets baseline create`")
        })?;
        if file.version != VERSION && file.version != SHA256_VERSION {
            return Err(Error::input(format!(
                "{name} has baseline version {}, this launchgate reads versions {SHA256_VERSION} and {VERSION}",
                file.version
            ))
            .with_help("recreate it with `launchgate-secrets baseline create`"));
        }
        if let Some(bad) = file
            .fingerprints
            .iter()
            .find(|f| f.len() != 64 || !f.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            // The value may be a secret pasted by mistake: name its line, never show it.
            let offset = text.find(bad.as_str()).unwrap_or(0);
            let line = text[..offset].matches('\n').count() + 1;
            return Err(Error::input(format!(
                "{name}:{line} holds a value that is not a fingerprint ({})",
                launchgate_core::secret::redact(bad)
            ))
            .with_help(
                "a baseline holds fingerprints only; recreate it with `launchgate-secrets baseline create`",
            ));
        }
        let entries = file
            .fingerprints
            .into_iter()
            .map(|f| f.to_ascii_lowercase())
            .collect();
        let mut baseline = Baseline {
            path: path.to_path_buf(),
            ..Baseline::default()
        };
        if file.version == SHA256_VERSION {
            baseline.sha256_fingerprints = entries;
        } else {
            baseline.fingerprints = entries;
        }
        Ok(Some(baseline))
    }

    /// Whether the baseline holds a fingerprint.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// Whether a version 1 entry matches a secret found by a rule.
    pub fn holds_as_sha256(&self, rule_id: &str, secret: &str) -> bool {
        !self.sha256_fingerprints.is_empty()
            && self
                .sha256_fingerprints
                .contains(&sha256_fingerprint(rule_id, secret))
    }

    /// Writes the baseline atomically as version 2, fingerprints sorted so diffs stay small.
    /// Version 1 entries are not written: the ones that matched were converted by the caller.
    pub fn save(&self) -> Result<(), Error> {
        let file = BaselineFile {
            version: VERSION,
            fingerprints: self.fingerprints.iter().cloned().collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).map_err(|e| Error::input(e.to_string()))?;
        text.push('\n');
        write_atomic(&self.path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_raw_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".launchgate/secrets-baseline.json");
        assert_eq!(Baseline::load(&path).unwrap(), None);
        let fp = fingerprint("stripe.secret-key", "sk_live_abc");
        let b = Baseline {
            path: path.clone(),
            fingerprints: [fp.clone()].into(),
            ..Baseline::default()
        };
        b.save().unwrap();
        assert!(Baseline::load(&path).unwrap().unwrap().contains(&fp));

        std::fs::write(&path, "{\"version\":2,\"fingerprints\":[\"sk_live_abc\"]}").unwrap();
        let e = Baseline::load(&path).unwrap_err();
        assert!(e.message().contains("not a fingerprint"), "{}", e.message());
        std::fs::write(&path, "{\"version\":2,\n\"fingerprint\":[]}").unwrap();
        assert_eq!(
            Baseline::load(&path).unwrap_err().position().map(|p| p.0),
            Some(2)
        );
    }

    #[test]
    fn a_version_1_file_still_matches_by_sha256_and_is_written_as_version_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let old = sha256_fingerprint("stripe.secret-key", "sk_live_abc");
        std::fs::write(&path, format!("{{\"version\":1,\"fingerprints\":[\"{old}\"]}}")).unwrap();
        let mut b = Baseline::load(&path).unwrap().unwrap();
        assert!(b.holds_as_sha256("stripe.secret-key", "sk_live_abc"));
        assert!(!b.holds_as_sha256("stripe.secret-key", "sk_live_abd"));
        assert!(!b.contains(&old));
        b.fingerprints
            .insert(fingerprint("stripe.secret-key", "sk_live_abc"));
        b.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": 2") && !text.contains(&old), "{text}");
    }
}
