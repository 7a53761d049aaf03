//! The outline of a YAML schema, read before the schema itself: its environments, the
//! names of its variables, and where each variable's key is (from the parser, so a name
//! that also appears in a comment or a value earlier in the file is not mistaken for it).
//!
//! The outline never fails on a schema that is wrong in other ways: reading the schema
//! itself reports those errors where they stand.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// One map of a schema: a bare schema, or the `env:` section of a configuration file.
#[derive(Debug, Default)]
pub(super) struct Outline {
    /// `environments:`, when it is a list of names.
    pub environments: Option<Vec<String>>,
    /// Each variable under `vars:`, in file order, with the 1-based line and column of its key.
    pub vars: Vec<(String, (u32, u32))>,
    /// Whether the map has an `env:` key (a configuration file rather than a bare schema).
    pub has_env: bool,
}

impl Outline {
    /// The outline of a whole file; an empty one when the file is not a map.
    pub fn of_file(source: &str) -> Outline {
        launchgate_core::yaml::parse::<Outline>(source).unwrap_or_default()
    }

    pub fn variables(&self) -> Vec<String> {
        self.vars.iter().map(|(name, _)| name.clone()).collect()
    }

    pub fn positions(&self) -> HashMap<String, (u32, u32)> {
        let mut out = HashMap::new();
        for (name, at) in &self.vars {
            out.entry(name.clone()).or_insert(*at);
        }
        out
    }
}

impl<'de> Deserialize<'de> for Outline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OutlineVisitor)
    }
}

struct OutlineVisitor;

impl<'de> Visitor<'de> for OutlineVisitor {
    type Value = Outline;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Outline, E> {
        Ok(Outline::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outline, A::Error> {
        let mut outline = Outline::default();
        while let Some(key) = map.next_key::<Lenient<String>>()? {
            match key.0.as_deref() {
                Some("environments") => {
                    outline.environments = map
                        .next_value::<Lenient<Vec<Lenient<String>>>>()?
                        .0
                        .map(|names| names.into_iter().flat_map(|n| n.0).collect());
                }
                Some("vars") => outline.vars = map.next_value::<VarKeys>()?.0,
                Some("env") => {
                    outline.has_env = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(outline)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Outline, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Outline::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Outline, E> {
        Ok(Outline::default())
    }
}

/// The keys of `vars:` with their positions; nothing when `vars:` is not a map.
struct VarKeys(Vec<(String, (u32, u32))>);

impl<'de> Deserialize<'de> for VarKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(VarKeysVisitor)
    }
}

struct VarKeysVisitor;

impl<'de> Visitor<'de> for VarKeysVisitor {
    type Value = VarKeys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of variables")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<VarKeys, A::Error> {
        let mut vars = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Lenient<String>>>()? {
            map.next_value::<IgnoredAny>()?;
            if let Some(name) = key.value.0 {
                let at = &key.referenced;
                vars.push((name, (at.line() as u32, at.column() as u32)));
            }
        }
        Ok(VarKeys(vars))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<VarKeys, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(VarKeys(Vec::new()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<VarKeys, E> {
        Ok(VarKeys(Vec::new()))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<VarKeys, E> {
        Ok(VarKeys(Vec::new()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<VarKeys, E> {
        Ok(VarKeys(Vec::new()))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<VarKeys, E> {
        Ok(VarKeys(Vec::new()))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<VarKeys, E> {
        Ok(VarKeys(Vec::new()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<VarKeys, E> {
        Ok(VarKeys(Vec::new()))
    }
}

/// A value of type `T`, or nothing when the node is of another shape (the schema reader
/// reports that).
struct Lenient<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Buffered once, so a node of the wrong shape is skipped rather than an error.
        let value = serde_json::Value::deserialize(d)?;
        Ok(Lenient(T::deserialize(value).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_and_their_key_positions() {
        let o = Outline::of_file("vars:\n  PORT: { type: port, min: 1 }\n  É_X:  1\n  \"Q\": {}\n");
        assert_eq!(o.variables(), ["PORT", "É_X", "Q"]);
        let p = o.positions();
        assert_eq!(p["PORT"], (2, 3));
        assert_eq!(p["É_X"], (3, 3));
        assert_eq!(p["Q"], (4, 3));
        assert!(!o.has_env);
    }

    /// The name stands earlier in a comment and in a value; the key is where the parser
    /// read it.
    #[test]
    fn a_name_in_a_comment_or_value_is_not_its_key() {
        let o = Outline::of_file(
            "# DATABASE_URL, PORT: both required\nvars:\n  DATABASE_URL: { docs: [\"https://x.test/?a,PORT: 1\"] }\n  PORT: {}\n",
        );
        assert_eq!(o.positions()["PORT"], (4, 3));
    }

    #[test]
    fn environments_of_any_shape() {
        let o = Outline::of_file("environments: [dev, prod]\nvars: {}\n");
        assert_eq!(o.environments.unwrap(), ["dev", "prod"]);
        let o = Outline::of_file("environments: 3\nvars: [a]\nenv: {}\n");
        assert!(o.environments.is_none());
        assert!(o.vars.is_empty());
        assert!(o.has_env);
        assert!(Outline::of_file("- a\n").vars.is_empty());
        assert!(Outline::of_file("just text\n").vars.is_empty());
    }
}
