//! The one configuration file, `launchgate.yml`, with one section per gate.
//!
//! Each gate owns its section's type and reads only that section; the other sections are
//! skipped without being interpreted. Unknown keys are errors that point at the file, line
//! and column, with a hint naming the closest valid key.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Deserializer;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};

use crate::bounded::{MAX_CONFIG_FILE_SIZE, read_file};
use crate::error::Error;
use crate::yaml;

/// The file names looked for at the repository root, in order.
pub const FILE_NAMES: [&str; 2] = ["launchgate.yml", "launchgate.yaml"];

/// The top-level sections, one per gate.
pub const SECTIONS: [&str; 6] = crate::gate::Gate::NAMES;

/// The top-level sections that configure no gate: `report` (the launch report).
pub const SETTINGS: [&str; 1] = ["report"];

/// Every valid top-level key, for the hint after a typo: the gates, then the settings, so a
/// new gate is a valid key without a second list to keep.
const TOP_LEVEL: [&str; SECTIONS.len() + SETTINGS.len()] = {
    let mut keys = [""; SECTIONS.len() + SETTINGS.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = if i < SECTIONS.len() {
            SECTIONS[i]
        } else {
            SETTINGS[i - SECTIONS.len()]
        };
        i += 1;
    }
    keys
};

/// A configuration file read into memory.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub source: String,
}

impl ConfigFile {
    /// Reads a file of at most [`MAX_CONFIG_FILE_SIZE`]; a missing, unreadable, oversized
    /// or non-regular file is an error naming it.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = read_file(path, MAX_CONFIG_FILE_SIZE, "the configuration file")?;
        let source = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Error::at_source(
                format!("{} is not valid UTF-8", path.display()),
                path.display().to_string(),
                &text,
                offset,
                1,
                "this byte is not UTF-8",
            )
            .with_help("save the file as UTF-8")
        })?;
        Ok(ConfigFile {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The file named with `--config`, or else `launchgate.yml` / `launchgate.yaml` in
    /// `dir`. `Ok(None)` when no file was named and none exists.
    pub fn discover(explicit: Option<&Path>, dir: &Path) -> Result<Option<Self>, Error> {
        if let Some(path) = explicit {
            return ConfigFile::read(path).map(Some);
        }
        for name in FILE_NAMES {
            let candidate = if dir == Path::new(".") {
                PathBuf::from(name)
            } else {
                dir.join(name)
            };
            // Anything by that name is read: a pipe or folder is an error, not "no file".
            if std::fs::symlink_metadata(&candidate).is_ok() {
                return ConfigFile::read(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    /// The name errors show for this file.
    pub fn display_name(&self) -> String {
        self.path.display().to_string()
    }

    /// The gate sections present, in file order; an unknown top-level key is an error.
    pub fn sections(&self) -> Result<Vec<String>, Error> {
        self.parse_with::<IgnoredAny>(None).map(|(names, _)| names)
    }

    /// Reads one gate's section into its type; `Ok(None)` when the section is absent.
    pub fn section<T: DeserializeOwned>(&self, name: &'static str) -> Result<Option<T>, Error> {
        self.parse_with::<T>(Some(name)).map(|(_, value)| value)
    }

    fn parse_with<T: DeserializeOwned>(
        &self,
        wanted: Option<&'static str>,
    ) -> Result<(Vec<String>, Option<T>), Error> {
        if is_blank_yaml(&self.source) {
            return Ok((Vec::new(), None));
        }
        serde_saphyr::with_deserializer_from_str_with_options(&self.source, yaml::options(), |deserializer| {
            deserializer.deserialize_any(RootVisitor::<T> {
                wanted,
                _type: PhantomData,
            })
        })
        .map_err(|e| yaml::to_error(&self.display_name(), &self.source, &e))
    }
}

/// Parses a whole YAML document into `T`, with errors pointing into `file_name`.
pub fn from_yaml_str<T: DeserializeOwned>(file_name: &str, source: &str) -> Result<T, Error> {
    yaml::from_str(file_name, source)
}

fn is_blank_yaml(source: &str) -> bool {
    source.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    })
}

/// The candidate nearest to `word` by edit distance, if near enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Walks the top-level map: deserializes the wanted section into `T`, skips the other
/// known sections, and rejects unknown keys where they stand (so the error has a position).
struct RootVisitor<T> {
    wanted: Option<&'static str>,
    _type: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for RootVisitor<T> {
    type Value = (Vec<String>, Option<T>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of gate sections (secrets, env, budget, smoke, dns, mail)")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((Vec::new(), None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut names = Vec::new();
        let mut value = None;
        while let Some(key) = map.next_key::<String>()? {
            if !TOP_LEVEL.contains(&key.as_str()) {
                return Err(de::Error::unknown_field(&key, &TOP_LEVEL));
            }
            if Some(key.as_str()) == self.wanted {
                value = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            if SECTIONS.contains(&key.as_str()) {
                names.push(key);
            }
        }
        Ok((names, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Secrets {
        #[serde(default)]
        allow: Vec<String>,
        #[serde(default)]
        max: Option<u32>,
    }

    fn file(src: &str) -> ConfigFile {
        ConfigFile {
            path: PathBuf::from("launchgate.yml"),
            source: src.to_string(),
        }
    }

    /// A `launchgate.yml` that is a named pipe would block the read forever; a folder by
    /// that name must not pass for "no configuration".
    #[cfg(unix)]
    #[test]
    fn discovery_refuses_pipes_and_folders_by_the_config_name() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("launchgate.yml");
        crate::bounded::mkfifo(&fifo);
        let err = ConfigFile::discover(None, dir.path()).unwrap_err();
        assert!(
            err.message().contains("launchgate.yml is a named pipe"),
            "{}",
            err.message()
        );
        std::fs::remove_file(&fifo).unwrap();
        std::fs::create_dir(&fifo).unwrap();
        let err = ConfigFile::discover(None, dir.path()).unwrap_err();
        assert!(
            err.message().contains("launchgate.yml is a folder"),
            "{}",
            err.message()
        );
        let big = dir.path().join("big.yml");
        let mut text = b"secrets: {}\n".to_vec();
        text.resize(MAX_CONFIG_FILE_SIZE as usize + 1, b' ');
        std::fs::write(&big, text).unwrap();
        let err = ConfigFile::discover(Some(&big), dir.path()).unwrap_err();
        assert!(err.message().contains("larger than 16 MiB"), "{}", err.message());
    }

    #[test]
    fn reads_only_its_section() {
        let f = file("env:\n  anything: [1, 2]\nsecrets:\n  allow: [a]\n");
        let s: Secrets = f.section("secrets").unwrap().unwrap();
        assert_eq!(s.allow, vec!["a"]);
        assert_eq!(f.sections().unwrap(), vec!["env", "secrets"]);
        assert!(f.section::<Secrets>("dns").unwrap().is_none());
    }

    #[test]
    fn the_report_section_is_read_but_is_not_a_gate() {
        let f = file("report:\n  product: Makers Circle\nsecrets: {}\n");
        assert_eq!(f.sections().unwrap(), vec!["secrets"]);
        let e = file("reprt: {}\n").sections().unwrap_err();
        assert!(
            e.hint().unwrap().contains("did you mean `report`?"),
            "{:?}",
            e.hint()
        );
    }

    #[test]
    fn every_gate_and_setting_is_a_valid_key_listed_after_a_typo() {
        let yaml: String = TOP_LEVEL.iter().map(|k| format!("{k}: {{}}\n")).collect();
        assert_eq!(file(&yaml).sections().unwrap(), SECTIONS);
        let e = file("bugdet: {}\n").sections().unwrap_err();
        assert!(
            e.message()
                .contains("expected one of `secrets`, `env`, `budget`, `smoke`, `dns`, `mail`, `report`"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn empty_file_has_no_sections() {
        assert!(file("# nothing yet\n").sections().unwrap().is_empty());
    }

    #[test]
    fn unknown_key_in_section_has_line_column_and_hint() {
        let f = file("secrets:\n  alow: [a]\n");
        let e = f.section::<Secrets>("secrets").unwrap_err();
        assert_eq!(e.position(), Some((2, 3)), "{}", e.render(false));
        assert!(e.hint().unwrap().contains("did you mean `allow`?"));
    }

    #[test]
    fn unknown_key_after_other_keys_points_at_the_key() {
        let f = file("# top\nsecrets:\n  max: 3\n  allow: [a]\n  alow: [b]\n");
        let e = f.section::<Secrets>("secrets").unwrap_err();
        assert_eq!(e.position(), Some((5, 3)), "{}", e.render(false));
        let f = file("secrets: { max: 3, alow: [b] }\n");
        let e = f.section::<Secrets>("secrets").unwrap_err();
        assert_eq!(e.position(), Some((1, 20)), "{}", e.render(false));
    }

    /// `"": 1` is an unknown key with an empty name, reported where it stands; text after a
    /// quoted key (`"" x: 1`) is not YAML and is reported where it starts.
    #[test]
    fn an_empty_unknown_key_is_an_error_at_the_key() {
        let e = file("secrets: {}\n\"\": 1\n").sections().unwrap_err();
        assert!(e.message().contains("unknown field ``"), "{}", e.render(false));
        assert_eq!(e.position(), Some((2, 1)), "{}", e.render(false));
        let e = file("secrets:\n\"\" x: 1\n").sections().unwrap_err();
        assert!(
            e.message()
                .contains("invalid trailing content after double-quoted scalar"),
            "{}",
            e.render(false)
        );
        assert_eq!(e.position(), Some((2, 4)), "{}", e.render(false));
        let e = file("secrets:\n  \"\": [a]\n")
            .section::<Secrets>("secrets")
            .unwrap_err();
        assert_eq!(e.position(), Some((2, 3)), "{}", e.render(false));
    }

    /// The key's text also stands inside a value before it, where a search of the text
    /// would stop; the parser's position is the key's own.
    #[test]
    fn unknown_key_whose_name_appears_earlier_in_a_value_points_at_the_key() {
        let f = file("secrets: { allow: [\"https://a.test/x,alow: 1\"], alow: [b] }\n");
        let e = f.section::<Secrets>("secrets").unwrap_err();
        assert_eq!(e.position(), Some((1, 49)), "{}", e.render(false));
        let f = file("secrets:\n  allow:\n    - \"a,\n  alow: b\"\n  alow: [c]\n");
        let e = f.section::<Secrets>("secrets").unwrap_err();
        assert_eq!(e.position(), Some((5, 3)), "{}", e.render(false));
    }

    /// YAML 1.2: `yes`, `no`, `on` and `off` are text, so a boolean setting refuses them
    /// and a text setting keeps them; `~` in a list of strings is the text `~`.
    #[test]
    fn yaml_1_1_booleans_are_text() {
        #[derive(Debug, Deserialize)]
        struct Flags {
            on: Option<bool>,
            words: Option<Vec<String>>,
        }
        for word in ["yes", "no", "on", "off", "y", "n"] {
            let e = file(&format!("secrets:\n  on: {word}\n"))
                .section::<Flags>("secrets")
                .unwrap_err();
            assert!(e.message().contains("expected a boolean"), "{}", e.render(false));
            assert_eq!(e.position(), Some((2, 7)), "{}", e.render(false));
            assert!(e.hint().unwrap().contains("write true or false"));
        }
        let f = file("secrets:\n  on: True\n  words: [yes, off, ~, 0755, 1_000]\n");
        let flags: Flags = f.section("secrets").unwrap().unwrap();
        assert_eq!(flags.on, Some(true));
        assert_eq!(flags.words.unwrap(), ["yes", "off", "~", "0755", "1_000"]);
    }

    #[test]
    fn a_key_given_twice_is_an_error_at_the_second() {
        let e = file("secrets:\n  max: 3\n  max: 4\n")
            .section::<Secrets>("secrets")
            .unwrap_err();
        assert!(e.message().contains("duplicate"), "{}", e.render(false));
        assert_eq!(e.position(), Some((3, 3)), "{}", e.render(false));
    }

    /// Nine levels of ten aliases each would expand to a billion values; the parser stops
    /// at its replay limit at once.
    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut text =
            String::from("secrets:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let prev = format!("*a{}", level - 1);
            let refs = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("  a{level}: &a{level} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let e = file(&text)
            .section::<serde::de::IgnoredAny>("secrets")
            .unwrap_err();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(e.position().is_some(), "{}", e.render(false));
        assert!(e.hint().unwrap().contains("aliases"), "{}", e.render(false));
        let e = file(&text).sections().unwrap_err();
        assert!(e.hint().unwrap().contains("aliases"), "{}", e.render(false));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let depth = crate::yaml::MAX_DEPTH + 1;
        let text = format!("secrets: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let e = file(&text).sections().unwrap_err();
        assert!(
            e.hint().unwrap().contains("levels of nesting"),
            "{}",
            e.render(false)
        );
        let mut text = String::from("secrets:\n");
        for level in 0..depth {
            text.push_str(&format!("{}k:\n", "  ".repeat(level + 1)));
        }
        let e = file(&text).sections().unwrap_err();
        assert!(
            e.hint().unwrap().contains("levels of nesting"),
            "{}",
            e.render(false)
        );
        let ok = format!("secrets: {}{}\n", "[".repeat(20), "]".repeat(20));
        file(&ok).sections().unwrap();
    }

    #[test]
    fn unknown_section_is_an_error() {
        let e = file("# top\nsecrets: {}\nsecret:\n  allow: []\n")
            .sections()
            .unwrap_err();
        assert_eq!(e.position(), Some((3, 1)));
        assert!(
            e.hint().unwrap().contains("did you mean `secrets`?"),
            "{:?}",
            e.hint()
        );
    }

    #[test]
    fn wrong_type_names_expected_type() {
        let e = file("secrets:\n  max: lots\n")
            .section::<Secrets>("secrets")
            .unwrap_err();
        assert!(e.message().contains("expected u32"), "{}", e.message());
        assert_eq!(e.position(), Some((2, 8)));
    }
}
