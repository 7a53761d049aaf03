//! `multipart:` a `multipart/form-data` body: text fields and files, in the order written.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::ScalarText;

/// The fields in spec order (some servers want the file last, as S3's POST policy does).
#[derive(Debug, Clone, Default)]
pub struct MultipartSpec(pub Vec<(String, MultipartField)>);

/// A text value, or `{ path, content_type, filename }` for a file.
#[derive(Debug, Clone)]
pub enum MultipartField {
    Text(String),
    File(FilePart),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePart {
    /// Relative to the working directory.
    pub path: String,
    /// Default `application/octet-stream`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Default the path's last component.
    #[serde(default)]
    pub filename: Option<String>,
}

impl<'de> Deserialize<'de> for MultipartField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            File(FilePart),
            Text(ScalarText),
        }
        match Raw::deserialize(d) {
            Ok(Raw::File(f)) => Ok(MultipartField::File(f)),
            Ok(Raw::Text(t)) => Ok(MultipartField::Text(t.0)),
            Err(_) => Err(de::Error::custom(
                "a multipart field is a text value, or `{ path, content_type, filename }` for a file",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for MultipartSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = MultipartSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of field names to values or files")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MultipartSpec, A::Error> {
                let mut fields: Vec<(String, MultipartField)> = Vec::new();
                while let Some((name, field)) = map.next_entry::<String, MultipartField>()? {
                    if fields.iter().any(|(n, _)| *n == name) {
                        return Err(de::Error::custom(format!(
                            "multipart field `{name}` is given twice"
                        )));
                    }
                    fields.push((name, field));
                }
                if fields.is_empty() {
                    return Err(de::Error::custom("`multipart` names no field"));
                }
                Ok(MultipartSpec(fields))
            }
        }
        d.deserialize_map(Fields)
    }
}

impl MultipartSpec {
    /// The text values (where `${NAME}` is a secret, as in any body).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|(_, f)| match f {
            MultipartField::Text(t) => Some(t.as_str()),
            MultipartField::File(_) => None,
        })
    }

    /// The files.
    pub fn files(&self) -> impl Iterator<Item = &FilePart> {
        self.0.iter().filter_map(|(_, f)| match f {
            MultipartField::File(p) => Some(p),
            MultipartField::Text(_) => None,
        })
    }

    pub fn files_mut(&mut self) -> impl Iterator<Item = &mut FilePart> {
        self.0.iter_mut().filter_map(|(_, f)| match f {
            MultipartField::File(p) => Some(p),
            MultipartField::Text(_) => None,
        })
    }
}
