//! Where a file's keys and values are, as the YAML parser read them, for errors found after
//! parsing (a URL that does not parse, a bound out of range, a variable not set, a setting
//! that contradicts another).
//!
//! Only keys and values are candidates, never comments or the inside of other text, and in
//! a `launchgate.yml` only those under the gate's own section. JSON files (a lighthouserc)
//! are YAML to the parser, so they are read the same way.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use crate::Error;

/// One key or scalar value of the file.
#[derive(Debug)]
struct Node {
    text: String,
    /// Byte offset where the parser read it.
    offset: usize,
    is_key: bool,
    /// For a value, the key it is the value of (an item of a list: the list's key).
    parent_key: Option<String>,
    /// Under the top-level key the nodes were read for.
    in_section: bool,
}

/// The keys and scalar values of a YAML file, in file order.
#[derive(Debug)]
pub struct YamlNodes<'s> {
    source: &'s str,
    nodes: Vec<Node>,
}

impl<'s> YamlNodes<'s> {
    /// The nodes of `source`, scoped to the top-level key `section` when the file has it (a
    /// `launchgate.yml`; a gate's own spec file has no such key); none when it is not YAML
    /// (the parse reported that already).
    pub fn of(source: &'s str, section: &str) -> YamlNodes<'s> {
        let mut nodes = Vec::new();
        if let Ok(root) = crate::yaml::parse::<Spanned<Tree>>(source) {
            let at = Place {
                section,
                in_section: false,
                top: true,
                parent_key: None,
            };
            flatten(source, &root, &at, &mut nodes);
        }
        if nodes.iter().any(|n| n.in_section) {
            nodes.retain(|n| n.in_section);
        }
        YamlNodes { source, nodes }
    }

    /// An error at `range` of the file (from [`YamlNodes::find`] or
    /// [`YamlNodes::find_value`]), or `None` when there is no range to point at.
    pub fn error_in(
        &self,
        file_name: &str,
        range: Option<(usize, usize)>,
        message: String,
        label: &str,
    ) -> Option<Error> {
        let (offset, len) = range?;
        Some(Error::at_source(
            message,
            file_name,
            self.source,
            offset,
            len,
            label,
        ))
    }

    /// The byte range of the value `value` written under the key `key` (or as an item of
    /// its list), else of the key itself when `value` is empty.
    pub fn find_value(&self, key: &str, value: &str) -> Option<(usize, usize)> {
        if value.is_empty() {
            let node = self.nodes.iter().find(|n| n.is_key && n.text == key)?;
            return Some(self.key_range(node));
        }
        let node = self
            .nodes
            .iter()
            .find(|n| !n.is_key && n.parent_key.as_deref() == Some(key) && n.text == value)?;
        Some(self.value_range(node, value))
    }

    /// The byte range of `needle` in the file: a key equal to it, else a value equal to it,
    /// else a value that holds it.
    pub fn find(&self, needle: &str) -> Option<(usize, usize)> {
        if needle.is_empty() {
            return None;
        }
        if let Some(key) = self.nodes.iter().find(|n| n.is_key && n.text == needle) {
            return Some(self.key_range(key));
        }
        let value = self
            .nodes
            .iter()
            .find(|n| !n.is_key && n.text == needle)
            .or_else(|| self.nodes.iter().find(|n| !n.is_key && n.text.contains(needle)))?;
        Some(self.value_range(value, needle))
    }

    /// A key as written, with its quotes when it has them (`"assertions"` in a JSON file).
    fn key_range(&self, key: &Node) -> (usize, usize) {
        let quoted = text_start(self.source, key) != key.offset;
        (key.offset, key.text.len() + if quoted { 2 } else { 0 })
    }

    /// Where `needle` stands inside a value node.
    fn value_range(&self, value: &Node, needle: &str) -> (usize, usize) {
        let source = self.source;
        let start = text_start(source, value);
        // The text as written holds the needle when it has no escapes or folded lines.
        match source.get(start..start + value.text.len()) {
            Some(written) if written == value.text => {
                (start + value.text.find(needle).unwrap_or(0), needle.len())
            }
            _ => (value.offset, 1),
        }
    }
}

/// Where in the tree a node stands.
struct Place<'a> {
    section: &'a str,
    in_section: bool,
    top: bool,
    parent_key: Option<String>,
}

/// Where a value's text starts: after its opening quote, if it has one.
fn text_start(source: &str, node: &Node) -> usize {
    match source.as_bytes().get(node.offset) {
        Some(b'"' | b'\'') => node.offset + 1,
        _ => node.offset,
    }
}

fn flatten(source: &str, node: &Spanned<Tree>, at: &Place<'_>, out: &mut Vec<Node>) {
    let offset = crate::yaml::offset_in(source, &node.referenced);
    match &node.value {
        Tree::Scalar(text) => out.push(Node {
            text: text.clone(),
            offset,
            is_key: false,
            parent_key: at.parent_key.clone(),
            in_section: at.in_section,
        }),
        Tree::List(items) => {
            let inner = Place {
                top: false,
                parent_key: at.parent_key.clone(),
                ..*at
            };
            for item in items {
                flatten(source, item, &inner, out);
            }
        }
        Tree::Map(entries) => {
            for (key, value) in entries {
                let in_section =
                    at.in_section || (at.top && !at.section.is_empty() && key.value == at.section);
                out.push(Node {
                    text: key.value.clone(),
                    offset: crate::yaml::offset_in(source, &key.referenced),
                    is_key: true,
                    parent_key: at.parent_key.clone(),
                    in_section,
                });
                let inner = Place {
                    section: at.section,
                    in_section,
                    top: false,
                    parent_key: Some(key.value.clone()),
                };
                flatten(source, value, &inner, out);
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
    use crate::error::line_column;

    fn at<'s>(source: &'s str, needle: &str) -> Option<&'s str> {
        let (offset, len) = YamlNodes::of(source, "smoke").find(needle)?;
        Some(&source[offset..offset + len])
    }

    #[test]
    fn keys_before_values_and_never_comments() {
        let source = "# burst: off for now\nbase_url: https://burst.example.com\nburst: { requests: 0 }\n";
        let (offset, _) = YamlNodes::of(source, "smoke").find("burst").unwrap();
        assert_eq!(line_column(source, offset), (3, 1));
        assert_eq!(
            at(source, "https://burst.example.com"),
            Some("https://burst.example.com")
        );
    }

    #[test]
    fn a_variable_inside_a_value() {
        let source = "# see ${API_HOST} below\nbase_url: \"https://${API_HOST}/v1\"\n";
        let (offset, len) = YamlNodes::of(source, "smoke").find("${API_HOST}").unwrap();
        assert_eq!(&source[offset..offset + len], "${API_HOST}");
        assert_eq!(line_column(source, offset), (2, 20));
    }

    #[test]
    fn only_under_the_section_in_a_configuration_file() {
        let source = "mail:\n  tls: none\nsmoke:\n  alerts:\n    email: { tls: none }\n";
        let (offset, _) = YamlNodes::of(source, "smoke").find("tls").unwrap();
        assert_eq!(line_column(source, offset), (5, 14));
        let (offset, _) = YamlNodes::of(source, "mail").find("tls").unwrap();
        assert_eq!(line_column(source, offset), (2, 3));
        assert!(YamlNodes::of("not: [valid", "smoke").find("not").is_none());
    }

    /// The same text as an earlier value, a comment and a key: the value under the named
    /// key wins, in a list or a map, quoted or not.
    #[test]
    fn a_value_under_its_key() {
        let source = "# inbox: seed\nmail:\n  inboxes:\n    - name: seed\n  messages:\n    - { name: reset, inbox: \"seed\" }\n  senders: [seed, other]\n";
        let nodes = YamlNodes::of(source, "mail");
        let (offset, len) = nodes.find_value("inbox", "seed").unwrap();
        assert_eq!((line_column(source, offset), len), ((6, 30), 4));
        let (offset, _) = nodes.find_value("senders", "seed").unwrap();
        assert_eq!(line_column(source, offset), (7, 13));
        let (offset, len) = nodes.find_value("messages", "").unwrap();
        assert_eq!((line_column(source, offset), len), ((5, 3), 8));
        assert_eq!(nodes.find_value("inbox", "other"), None);
    }

    /// A lighthouserc.json is read the same way: the key, not an earlier mention.
    #[test]
    fn json_files_too() {
        let source = "{\n  \"ci\": {\n    \"assert\": {\n      \"assertions\": { \"first-contentful-paint\": [\"warn\", {\"maxNumericValue\": 2000}] }\n    }\n  }\n}\n";
        let nodes = YamlNodes::of(source, "");
        let (offset, len) = nodes.find("maxNumericValue").unwrap();
        assert_eq!(&source[offset..offset + len], "\"maxNumericValue\"");
        assert_eq!(line_column(source, offset), (4, 59));
        let e = nodes
            .error_in(
                "lighthouserc.json",
                nodes.find("assertions"),
                "bad".into(),
                "here",
            )
            .unwrap();
        assert_eq!(e.position(), Some((4, 7)));
    }
}
