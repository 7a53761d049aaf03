//! The `expect:` and `capture:` parts of a request: statuses, headers, bodies, JSON,
//! cookies, and where captured values come from.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::json_expect::{CountCheck, JsonExpectations};
use super::{ScalarText, json_strings};

/// What a response must satisfy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<StatusExpect>,
    /// The `Location` header, exact or a glob with `*`; implies not following redirects.
    #[serde(default)]
    pub location: Option<String>,
    /// The URL after following redirects; implies following them.
    #[serde(default)]
    pub final_url: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderExpect>,
    #[serde(default)]
    pub body_contains: OneOrMany,
    #[serde(default)]
    pub body_not_contains: OneOrMany,
    #[serde(default)]
    pub body_regex: Option<Pattern>,
    /// A JSON pointer (`/a/0`) or JSONPath query (`$.a[0]`) to an expected value, or to
    /// `{exists, equals, matches, type, count, gt, gte, lt, lte, values}`.
    #[serde(default)]
    pub json: JsonExpectations,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub cookies: BTreeMap<String, CookieExpect>,
    /// The longest the response may take: `max: 800ms` (or `max_ms: 800`).
    #[serde(
        default,
        alias = "max",
        deserialize_with = "launchgate_core::units::optional_millis"
    )]
    pub max_ms: Option<u64>,
}

impl Expect {
    pub(crate) fn templates(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        out.extend(self.location.as_deref());
        out.extend(self.final_url.as_deref());
        out.extend(self.body_contains.0.iter().map(String::as_str));
        out.extend(self.body_not_contains.0.iter().map(String::as_str));
        for h in self.headers.values() {
            out.extend(h.equals.as_deref());
            out.extend(h.contains.as_deref());
        }
        for e in &self.json.0 {
            if let Some(v) = &e.check.equals {
                json_strings(v, &mut out);
            }
        }
        out
    }
}

/// One string or a list of them.
#[derive(Debug, Clone, Default)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        match Raw::deserialize(d) {
            Ok(Raw::One(s)) => Ok(OneOrMany(vec![s])),
            Ok(Raw::Many(v)) => Ok(OneOrMany(v)),
            Err(_) => Err(de::Error::custom("expected a string or a list of strings")),
        }
    }
}

/// A compiled regular expression, checked when the spec is read.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        regex::Regex::new(&raw)
            .map(Pattern)
            .map_err(|e| de::Error::custom(format!("invalid regex `{raw}`: {e}")))
    }
}

/// With several values (a header sent more than once, a JSONPath query naming several
/// nodes): whether one passing value is enough, or every value must pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Quantifier {
    #[default]
    Any,
    All,
}

/// A header expectation: a plain string means `equals`. A header sent more than once is
/// judged by each of its values: any one passing is enough, or every one with
/// `values: all`; `count` is the number of times it was sent.
#[derive(Debug, Clone, Default)]
pub struct HeaderExpect {
    pub equals: Option<String>,
    pub contains: Option<String>,
    pub matches: Option<Pattern>,
    pub absent: bool,
    pub values: Quantifier,
    pub count: Option<CountCheck>,
}

impl<'de> Deserialize<'de> for HeaderExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            equals: Option<String>,
            contains: Option<String>,
            matches: Option<Pattern>,
            #[serde(default)]
            absent: bool,
            #[serde(default)]
            values: Option<String>,
            #[serde(default)]
            count: Option<serde_json::Value>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Full(Full),
        }
        let err = || {
            de::Error::custom(
                "expected a string, or a map of equals / contains / matches / absent / values / count",
            )
        };
        match Raw::deserialize(d).map_err(|_| err())? {
            Raw::Text(s) => Ok(HeaderExpect {
                equals: Some(s),
                ..HeaderExpect::default()
            }),
            Raw::Full(f) => {
                let values = match f.values.as_deref() {
                    None | Some("any") => Quantifier::Any,
                    Some("all") => Quantifier::All,
                    Some(other) => {
                        return Err(de::Error::custom(format!(
                            "`values: {other}`: write `values: any` (one value passing is enough) or `values: all`"
                        )));
                    }
                };
                let count = f
                    .count
                    .map(|c| super::json_expect::parse_count(&c))
                    .transpose()
                    .map_err(de::Error::custom)?;
                if f.absent
                    && (f.equals.is_some() || f.contains.is_some() || f.matches.is_some() || count.is_some())
                {
                    return Err(de::Error::custom(
                        "`absent: true` cannot go with other expectations on the header",
                    ));
                }
                Ok(HeaderExpect {
                    equals: f.equals,
                    contains: f.contains,
                    matches: f.matches,
                    absent: f.absent,
                    values,
                    count,
                })
            }
        }
    }
}

/// Attributes a cookie set by the response must have.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CookieExpect {
    #[serde(default)]
    pub secure: Option<bool>,
    #[serde(default)]
    pub http_only: Option<bool>,
    #[serde(default)]
    pub same_site: Option<String>,
}

/// Accepted statuses: a value, a list, a range `200-299` or a class `2xx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusExpect(pub Vec<(u16, u16)>);

impl StatusExpect {
    pub fn accepts(&self, status: u16) -> bool {
        self.0.iter().any(|(lo, hi)| (*lo..=*hi).contains(&status))
    }
}

impl fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(lo, hi)| match (lo, hi) {
                _ if lo == hi => lo.to_string(),
                _ if lo % 100 == 0 && *hi == lo + 99 => format!("{}xx", lo / 100),
                _ => format!("{lo}-{hi}"),
            })
            .collect();
        f.write_str(&parts.join(" or "))
    }
}

fn parse_status_item(s: &str) -> Result<(u16, u16), String> {
    let s = s.trim();
    let bad = || format!("invalid status `{s}`: write 200, [301, 308], \"200-299\" or \"2xx\"");
    if let Some(class) = s.strip_suffix("xx").or_else(|| s.strip_suffix("XX")) {
        let d: u16 = class.parse().map_err(|_| bad())?;
        return if (1..=5).contains(&d) {
            Ok((d * 100, d * 100 + 99))
        } else {
            Err(bad())
        };
    }
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let v: u16 = s.parse().map_err(|_| bad())?;
            (v, v)
        }
    };
    if !(100..=599).contains(&lo) || !(100..=599).contains(&hi) || lo > hi {
        return Err(bad());
    }
    Ok((lo, hi))
}

impl<'de> Deserialize<'de> for StatusExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(ScalarText),
            Many(Vec<ScalarText>),
        }
        let items = match Raw::deserialize(d)
            .map_err(|_| de::Error::custom("expected a status, a list or a range"))?
        {
            Raw::One(s) => vec![s.0],
            Raw::Many(v) => v.into_iter().map(|s| s.0).collect(),
        };
        items
            .iter()
            .map(|s| parse_status_item(s))
            .collect::<Result<Vec<_>, _>>()
            .map(StatusExpect)
            .map_err(de::Error::custom)
    }
}

/// Where a captured value comes from: `json:/pointer`, `json:$.path` (one value),
/// `header:Name`, `cookie:name` or `regex:pattern` (the first group, or the whole match).
#[derive(Debug, Clone)]
pub enum CaptureSource {
    Json(String),
    JsonPath(serde_json_path::JsonPath, String),
    Header(String),
    Cookie(String),
    Regex(Pattern),
}

impl<'de> Deserialize<'de> for CaptureSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let bad = || {
            de::Error::custom(format!(
                "invalid capture `{raw}`: write json:/pointer, json:$.path, header:Name, cookie:name or regex:pattern"
            ))
        };
        let (kind, rest) = raw.split_once(':').ok_or_else(bad)?;
        match kind.trim() {
            "json" if rest.is_empty() || rest.starts_with('/') => Ok(CaptureSource::Json(rest.to_string())),
            "json" if rest.starts_with('$') => match super::json_expect::parse_query(rest) {
                Ok(super::json_expect::JsonQuery::Path { path, .. }) => {
                    Ok(CaptureSource::JsonPath(path, rest.to_string()))
                }
                Ok(_) => Err(bad()),
                Err(why) => Err(de::Error::custom(format!("invalid capture `{raw}`: {why}"))),
            },
            "header" if !rest.trim().is_empty() => Ok(CaptureSource::Header(rest.trim().to_string())),
            "cookie" if !rest.trim().is_empty() => Ok(CaptureSource::Cookie(rest.trim().to_string())),
            "regex" => regex::Regex::new(rest)
                .map(|r| CaptureSource::Regex(Pattern(r)))
                .map_err(|e| de::Error::custom(format!("invalid regex in capture `{raw}`: {e}"))),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(parse_status_item("2xx").unwrap(), (200, 299));
        assert_eq!(parse_status_item("301-308").unwrap(), (301, 308));
        assert!(parse_status_item("700").is_err());
        assert!(parse_status_item("abc").is_err());
    }

    #[test]
    fn status_classes_display_as_written() {
        assert_eq!(StatusExpect(vec![(200, 299)]).to_string(), "2xx");
        assert_eq!(
            StatusExpect(vec![(302, 302), (307, 308)]).to_string(),
            "302 or 307-308"
        );
        assert!(StatusExpect(vec![(300, 399)]).accepts(308));
    }
}
