//! Where a spec's keys and values are, as the YAML parser read them, for errors found after
//! parsing (a URL that does not parse, a bound out of range, a variable not set).
//!
//! Only keys and values are candidates, never comments or the inside of other text, and in
//! a `launchgate.yml` only those under `smoke:`.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// One key or scalar value of the file.
#[derive(Debug)]
struct Node {
    text: String,
    /// Byte offset where the parser read it.
    offset: usize,
    is_key: bool,
    /// Under the top-level `smoke:` key.
    in_smoke: bool,
}

/// The keys and scalar values of a YAML file, in file order.
#[derive(Debug)]
pub(super) struct SpecNodes {
    nodes: Vec<Node>,
}

impl SpecNodes {
    /// The nodes of `source`; none when it is not YAML (the parse reported that already).
    pub fn of(source: &str) -> SpecNodes {
        let mut nodes = Vec::new();
        if let Ok(root) = launchgate_core::yaml::parse::<Spanned<Tree>>(source) {
            flatten(source, &root, false, true, &mut nodes);
        }
        SpecNodes { nodes }
    }

    /// The byte range of `needle` in the file: a key equal to it, else a value equal to it,
    /// else a value that holds it; under `smoke:` when the file has that key.
    pub fn find(&self, source: &str, needle: &str) -> Option<(usize, usize)> {
        if needle.is_empty() {
            return None;
        }
        let scoped = self.nodes.iter().any(|n| n.in_smoke);
        let candidates = || self.nodes.iter().filter(move |n| !scoped || n.in_smoke);
        if let Some(key) = candidates().find(|n| n.is_key && n.text == needle) {
            return Some((key.offset, needle.len()));
        }
        if let Some(value) = candidates().find(|n| !n.is_key && n.text == needle) {
            return Some((text_start(source, value), needle.len()));
        }
        let value = candidates().find(|n| !n.is_key && n.text.contains(needle))?;
        let start = text_start(source, value);
        // The text as written holds the needle when it has no escapes or folded lines.
        match source.get(start..start + value.text.len()) {
            Some(written) if written == value.text => {
                Some((start + value.text.find(needle).unwrap_or(0), needle.len()))
            }
            _ => Some((value.offset, 1)),
        }
    }
}

/// Where a value's text starts: after its opening quote, if it has one.
fn text_start(source: &str, node: &Node) -> usize {
    match source.as_bytes().get(node.offset) {
        Some(b'"' | b'\'') => node.offset + 1,
        _ => node.offset,
    }
}

fn flatten(source: &str, node: &Spanned<Tree>, in_smoke: bool, top: bool, out: &mut Vec<Node>) {
    let offset = launchgate_core::yaml::offset_in(source, &node.referenced);
    match &node.value {
        Tree::Scalar(text) => out.push(Node {
            text: text.clone(),
            offset,
            is_key: false,
            in_smoke,
        }),
        Tree::List(items) => {
            for item in items {
                flatten(source, item, in_smoke, false, out);
            }
        }
        Tree::Map(entries) => {
            for (key, value) in entries {
                let in_smoke = in_smoke || (top && key.value == "smoke");
                out.push(Node {
                    text: key.value.clone(),
                    offset: launchgate_core::yaml::offset_in(source, &key.referenced),
                    is_key: true,
                    in_smoke,
                });
                flatten(source, value, in_smoke, false, out);
            }
        }
        Tree::Other => {}
    }
}

/// A YAML node with the positions of its keys and values.
enum Tree {
    Scalar(String),
    List(Vec<Spanned<Tree>>),
    Map(Vec<(Spanned<String>, Spanned<Tree>)>),
    Other,
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Tree>>()? {
            items.push(item);
        }
        Ok(Tree::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            entries.push((key, map.next_value::<Spanned<Tree>>()?));
        }
        Ok(Tree::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(source: &str, needle: &str) -> Option<&'static str> {
        let (offset, len) = SpecNodes::of(source).find(source, needle)?;
        Some(Box::leak(
            source[offset..offset + len].to_string().into_boxed_str(),
        ))
    }

    #[test]
    fn keys_before_values_and_never_comments() {
        let source = "# burst: off for now\nbase_url: https://burst.example.com\nburst: { requests: 0 }\n";
        let (offset, _) = SpecNodes::of(source).find(source, "burst").unwrap();
        assert_eq!(launchgate_core::error::line_column(source, offset), (3, 1));
        assert_eq!(
            at(source, "https://burst.example.com"),
            Some("https://burst.example.com")
        );
    }

    #[test]
    fn a_variable_inside_a_value() {
        let source = "# see ${API_HOST} below\nbase_url: \"https://${API_HOST}/v1\"\n";
        let (offset, len) = SpecNodes::of(source).find(source, "${API_HOST}").unwrap();
        assert_eq!(&source[offset..offset + len], "${API_HOST}");
        assert_eq!(launchgate_core::error::line_column(source, offset), (2, 20));
    }

    /// The key's name stands first in a comment and in a URL; the error is at the key.
    #[test]
    fn spec_errors_point_at_the_key_not_a_comment_or_url() {
        let text = "# burst: off until launch\nbase_url: https://burst.example.com\nburst: { get: /, requests: 0 }\n";
        let source = super::super::SpecSource {
            file_name: "smoke.yml",
            text,
        };
        let e = source.error_at("burst", "smoke.burst: out of bounds".into(), "out of bounds");
        assert_eq!(e.position(), Some((3, 1)), "{}", e.render(false));
        let e = source.error_at("${TOKEN}", "not set".into(), "not set");
        assert_eq!(e.position(), None);
    }

    #[test]
    fn only_under_smoke_in_a_configuration_file() {
        let source = "mail:\n  tls: none\nsmoke:\n  alerts:\n    email: { tls: none }\n";
        let (offset, _) = SpecNodes::of(source).find(source, "tls").unwrap();
        assert_eq!(launchgate_core::error::line_column(source, offset), (5, 14));
        assert!(SpecNodes::of("not: [valid").find("not: [valid", "not").is_none());
    }
}
