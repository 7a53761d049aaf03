//! Known values: secrets a caller already holds (environment variables, `secret: true`
//! values of an env schema), searched for in any bytes in every form they are commonly
//! written in: as is, URL- and form-encoded, and base64 at each alignment.

use std::ops::Range;

use aho_corasick::AhoCorasick;
use launchgate_core::encoding::{self, Base64};
use launchgate_core::{Error, Secret};

/// The shortest value searched for; a shorter one would match by chance.
pub const MIN_KNOWN_VALUE: usize = 8;

/// One encoding of a known value.
#[derive(Debug, Clone)]
struct Form {
    variable: usize,
    label: &'static str,
}

/// A known value found in some bytes.
#[derive(Debug, Clone)]
pub struct KnownHit<'k> {
    /// Where the form was found.
    pub range: Range<usize>,
    /// The variable the value came from.
    pub name: &'k str,
    /// How it was written: `plain`, `URL-encoded`, `form-encoded` or `base64-encoded`.
    pub form: &'static str,
    pub value: &'k Secret,
}

/// Values read from environment variables, with every encoded form to look for.
#[derive(Debug)]
pub struct KnownValues {
    names: Vec<String>,
    values: Vec<Secret>,
    forms: Vec<Form>,
    automaton: Option<AhoCorasick>,
    /// Variables that were not set or too short, for the report's notes.
    pub notes: Vec<String>,
}

impl KnownValues {
    /// Reads the named variables from the environment.
    pub fn from_env(names: &[String]) -> Result<KnownValues, Error> {
        let mut pairs = Vec::new();
        let mut notes = Vec::new();
        for name in names {
            match std::env::var(name) {
                Ok(v) if v.len() >= MIN_KNOWN_VALUE => pairs.push((name.clone(), Secret::new(v))),
                Ok(v) if v.is_empty() => {
                    notes.push(format!("{name} is empty; its value was not searched for"))
                }
                Ok(_) => notes.push(format!(
                    "{name} is shorter than {MIN_KNOWN_VALUE} characters; its value was not searched for"
                )),
                Err(_) => notes.push(format!("{name} is not set; its value was not searched for")),
            }
        }
        let mut known = KnownValues::new(pairs)?;
        known.notes.extend(notes);
        Ok(known)
    }

    /// Builds the search for these (name, value) pairs.
    pub fn new(pairs: Vec<(String, Secret)>) -> Result<KnownValues, Error> {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut forms = Vec::new();
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (variable, (name, value)) in pairs.into_iter().enumerate() {
            for (label, pattern) in encoded_forms(value.expose().as_bytes()) {
                if !patterns.contains(&pattern) {
                    patterns.push(pattern);
                    forms.push(Form { variable, label });
                }
            }
            names.push(name);
            values.push(value);
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| Error::input(format!("cannot search for known values: {e}")))?,
            )
        };
        Ok(KnownValues {
            names,
            values,
            forms,
            automaton,
            notes: Vec::new(),
        })
    }

    /// The longest encoded form searched for.
    pub fn longest_form(&self) -> usize {
        self.automaton.as_ref().map_or(0, |a| a.max_pattern_len())
    }

    /// Every known-value hit in `bytes`: its span and the form found.
    fn hits(&self, bytes: &[u8]) -> Vec<(Range<usize>, usize)> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        automaton
            .find_iter(bytes)
            .map(|hit| (hit.start()..hit.end(), hit.pattern().as_usize()))
            .collect()
    }

    /// Every known value in `bytes`, in any of its forms: for other gates that search their
    /// own inputs (a build folder) for these values.
    pub fn find<'k>(&'k self, bytes: &[u8]) -> Vec<KnownHit<'k>> {
        self.hits(bytes)
            .into_iter()
            .map(|(range, form)| {
                let form = &self.forms[form];
                KnownHit {
                    range,
                    name: &self.names[form.variable],
                    form: form.label,
                    value: &self.values[form.variable],
                }
            })
            .collect()
    }

    /// Whether no value is searched for.
    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }
}

/// Every form of a value worth searching for: as is, URL-encoded, and base64 at each of the
/// three alignments (so it is found inside a longer base64 string such as a Basic header).
fn encoded_forms(value: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut forms = vec![("plain", value.to_vec())];
    // Known values come from environment variables, which are text; a value that is not
    // UTF-8 is searched for as is and in base64 only.
    if let Ok(text) = std::str::from_utf8(value) {
        for (label, encoded) in [
            ("URL-encoded", encoding::percent_encode(text, false)),
            ("URL-encoded", encoding::percent_encode(text, true)),
            ("form-encoded", encoding::form_encode(text)),
        ] {
            if encoded.as_bytes() != value {
                forms.push((label, encoded.into_bytes()));
            }
        }
    }
    for alphabet in [Base64::Standard, Base64::UrlSafe] {
        for shift in 0..3 {
            let mut shifted = vec![0u8; shift];
            shifted.extend_from_slice(value);
            let encoded = encoding::encode_base64_unpadded(&shifted, alphabet).into_bytes();
            let skip = (8 * shift).div_ceil(6);
            let stable = (8 * shifted.len()) / 6;
            if stable > skip && stable - skip >= MIN_KNOWN_VALUE {
                forms.push(("base64-encoded", encoded[skip..stable].to_vec()));
            }
        }
    }
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_found_inside_a_longer_base64_string() {
        let value = b"Vq3ZtR8mWx2LpN";
        // `deploy-bot:Vq3ZtR8mWx2LpN` as a Basic header carries it.
        let header = b"ZGVwbG95LWJvdDpWcTNadFI4bVd4MkxwTg";
        let forms = encoded_forms(value);
        assert!(
            forms
                .iter()
                .any(|(l, f)| *l == "base64-encoded" && memchr::memmem::find(header, f).is_some())
        );
    }

    #[test]
    fn url_and_form_encodings_are_searched_for() {
        let forms = encoded_forms(b"a b/c");
        for expected in [&b"a%20b%2Fc"[..], b"a%20b%2fc", b"a+b%2Fc"] {
            assert!(
                forms.iter().any(|(_, f)| f == expected),
                "{:?}",
                String::from_utf8_lossy(expected)
            );
        }
    }
}
