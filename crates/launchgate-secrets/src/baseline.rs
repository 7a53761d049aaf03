//! The baseline: fingerprints of findings a team has accepted, never the secrets.
//!
//! A fingerprint is the SHA-256 of the rule id and the secret, so a baselined key stays
//! baselined when its line moves or its file is renamed, and the file reveals nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::atomic::write_atomic;
use launchgate_core::finding::fingerprint_of;
use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

/// The fingerprint of a secret found by a rule.
pub fn fingerprint(rule_id: &str, secret: &str) -> String {
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
}

impl Baseline {
    /// Reads a baseline; `Ok(None)` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Baseline>, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, &e)),
        };
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
        if file.version != VERSION {
            return Err(Error::input(format!(
                "{name} has baseline version {}, this launchgate reads version {VERSION}",
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
                "{name}:{line} holds a value that is not a SHA-256 fingerprint ({})",
                launchgate_core::secret::redact(bad)
            ))
            .with_help(
                "a baseline holds fingerprints only; recreate it with `launchgate-secrets baseline create`",
            ));
        }
        Ok(Some(Baseline {
            path: path.to_path_buf(),
            fingerprints: file
                .fingerprints
                .into_iter()
                .map(|f| f.to_ascii_lowercase())
                .collect(),
        }))
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// Writes the baseline atomically, fingerprints sorted so diffs stay small.
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
        };
        b.save().unwrap();
        assert!(Baseline::load(&path).unwrap().unwrap().contains(&fp));

        std::fs::write(&path, "{\"version\":1,\"fingerprints\":[\"sk_live_abc\"]}").unwrap();
        let e = Baseline::load(&path).unwrap_err();
        assert!(
            e.message().contains("not a SHA-256 fingerprint"),
            "{}",
            e.message()
        );
        std::fs::write(&path, "{\"version\":1,\n\"fingerprint\":[]}").unwrap();
        assert_eq!(
            Baseline::load(&path).unwrap_err().position().map(|p| p.0),
            Some(2)
        );
    }
}
