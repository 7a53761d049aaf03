//! `expect.json`: queries into a JSON body and what their values must satisfy.
//!
//! A key starting with `/` is a JSON pointer (RFC 6901), one starting with `$` a JSONPath
//! query (RFC 9535); any other key is refused where it stands, because a key that selects
//! nothing would make `exists: false` pass whatever the body holds.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json_path::JsonPath;

use super::expect::{Pattern, Quantifier};

/// The keys of an assertion map; any other key makes the map a value to compare with.
const OPERATORS: [&str; 10] = [
    "exists", "equals", "matches", "type", "count", "gt", "gte", "lt", "lte", "values",
];

/// The JSON expectations of a response, in file order.
#[derive(Debug, Clone, Default)]
pub struct JsonExpectations(pub Vec<JsonExpectation>);

/// One key of `expect.json` and its assertion.
#[derive(Debug, Clone)]
pub struct JsonExpectation {
    /// The key as written, for messages.
    pub key: String,
    pub query: JsonQuery,
    pub check: JsonCheck,
}

/// Where the values come from.
#[derive(Debug, Clone)]
pub enum JsonQuery {
    /// A JSON pointer: at most one value.
    Pointer(String),
    /// A JSONPath query; `singular` when it names at most one value (names and indexes
    /// only), so `count` counts the elements of the array it names.
    Path { path: JsonPath, singular: bool },
}

/// What the selected values must satisfy. Every part given must hold.
#[derive(Debug, Clone, Default)]
pub struct JsonCheck {
    pub exists: Option<bool>,
    pub equals: Option<Value>,
    pub matches: Option<Pattern>,
    pub kind: Option<JsonType>,
    pub bounds: Bounds,
    pub count: Option<CountCheck>,
    /// With several values (a JSONPath query that is not singular): any or every one.
    pub values: Quantifier,
}

impl JsonCheck {
    /// Whether anything is asked of the values themselves (beyond existence and count).
    pub fn has_predicate(&self) -> bool {
        self.equals.is_some() || self.matches.is_some() || self.kind.is_some() || !self.bounds.is_empty()
    }
}

/// `gt`, `gte`, `lt`, `lte` on a number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    pub gt: Option<f64>,
    pub gte: Option<f64>,
    pub lt: Option<f64>,
    pub lte: Option<f64>,
}

impl Bounds {
    pub fn is_empty(&self) -> bool {
        self.gt.is_none() && self.gte.is_none() && self.lt.is_none() && self.lte.is_none()
    }

    pub fn admit(&self, n: f64) -> bool {
        self.gt.is_none_or(|b| n > b)
            && self.gte.is_none_or(|b| n >= b)
            && self.lt.is_none_or(|b| n < b)
            && self.lte.is_none_or(|b| n <= b)
    }
}

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("> ", self.gt),
            (">= ", self.gte),
            ("< ", self.lt),
            ("<= ", self.lte),
        ]
        .iter()
        .filter_map(|(op, b)| b.map(|b| format!("{op}{b}")))
        .collect();
        f.write_str(&parts.join(" and "))
    }
}

/// `count: 3` or `count: { gte: 1 }`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CountCheck {
    pub equals: Option<u64>,
    pub bounds: Bounds,
}

impl CountCheck {
    pub fn admit(&self, n: usize) -> bool {
        let n64 = n as u64;
        self.equals.is_none_or(|e| e == n64) && self.bounds.admit(n as f64)
    }
}

impl fmt::Display for CountCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.equals, self.bounds.is_empty()) {
            (Some(e), true) => write!(f, "{e}"),
            (Some(e), false) => write!(f, "{e} and {}", self.bounds),
            (None, _) => write!(f, "{}", self.bounds),
        }
    }
}

/// `type:` a JSON type, or `integer` for a number without a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Null,
    Array,
    Object,
}

impl JsonType {
    fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" | "bool" => JsonType::Boolean,
            "null" => JsonType::Null,
            "array" | "list" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    pub fn of(v: &Value) -> JsonType {
        match v {
            Value::String(_) => JsonType::String,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::Bool(_) => JsonType::Boolean,
            Value::Null => JsonType::Null,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    pub fn admits(self, v: &Value) -> bool {
        let actual = JsonType::of(v);
        actual == self || (self == JsonType::Number && actual == JsonType::Integer)
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Null => "null",
            JsonType::Array => "array",
            JsonType::Object => "object",
        })
    }
}

/// Parses a key: `/pointer` or `$.path`.
pub fn parse_query(key: &str) -> Result<JsonQuery, String> {
    if key.starts_with('/') {
        return Ok(JsonQuery::Pointer(key.to_string()));
    }
    if key.starts_with('$') {
        return JsonPath::parse(key)
            .map(|path| JsonQuery::Path {
                path,
                singular: is_singular(key),
            })
            .map_err(|e| {
                format!(
                    "`{key}` is not a valid JSONPath query (RFC 9535): {} at character {}",
                    e.message(),
                    e.position()
                )
            });
    }
    Err(format!(
        "`{key}` is neither a JSON pointer nor a JSONPath query: start a pointer with `/` \
         (`/items/0/id`) or a JSONPath query with `$` (`$.items[0].id`)"
    ))
}

/// Whether a valid JSONPath query is singular (RFC 9535 §2.3.5.1): only name and index
/// selectors, so no wildcard, descendant, slice, filter or union. Quoted names are skipped,
/// since they may hold any of those characters.
fn is_singular(query: &str) -> bool {
    let mut outside = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in query.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            None => outside.push(c),
        }
    }
    !outside.contains("..") && !outside.contains(['*', '?', ':', ','])
}

impl<'de> Deserialize<'de> for JsonExpectations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = JsonExpectations;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of JSON pointers (`/path`) or JSONPath queries (`$.path`) to expectations")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let query = parse_query(&key).map_err(de::Error::custom)?;
                    let raw: Value = map.next_value()?;
                    let check = parse_check(raw).map_err(|e| de::Error::custom(format!("`{key}`: {e}")))?;
                    out.push(JsonExpectation { key, query, check });
                }
                Ok(JsonExpectations(out))
            }
        }
        d.deserialize_map(Keys)
    }
}

/// A plain value means `equals`; a map of operators is an assertion.
fn parse_check(raw: Value) -> Result<JsonCheck, String> {
    let ops = match raw {
        Value::Object(o) if !o.is_empty() && o.keys().all(|k| OPERATORS.contains(&k.as_str())) => o,
        other => {
            return Ok(JsonCheck {
                equals: Some(other),
                ..JsonCheck::default()
            });
        }
    };
    let mut check = JsonCheck::default();
    for (op, v) in ops {
        match op.as_str() {
            "exists" => {
                check.exists = Some(v.as_bool().ok_or("`exists` takes true or false")?);
            }
            "equals" => check.equals = Some(v),
            "matches" => {
                let text = v.as_str().ok_or("`matches` takes a regular expression")?;
                let re = regex::Regex::new(text).map_err(|e| format!("invalid regex `{text}`: {e}"))?;
                check.matches = Some(Pattern(re));
            }
            "type" => {
                let name = v.as_str().unwrap_or_default();
                check.kind = Some(JsonType::parse(name).ok_or_else(|| {
                    format!(
                        "unknown type `{}`: write string, number, integer, boolean, null, array or object",
                        if name.is_empty() {
                            v.to_string()
                        } else {
                            name.to_string()
                        }
                    )
                })?);
            }
            "count" => check.count = Some(parse_count(&v)?),
            "values" => {
                check.values = match v.as_str() {
                    Some("any") => Quantifier::Any,
                    Some("all") => Quantifier::All,
                    _ => return Err("`values` is `any` or `all`".into()),
                }
            }
            bound => set_bound(&mut check.bounds, bound, &v)?,
        }
    }
    if check.exists == Some(false) && (check.has_predicate() || check.count.is_some()) {
        return Err("`exists: false` cannot go with other expectations on the same values".into());
    }
    Ok(check)
}

pub(super) fn parse_count(v: &Value) -> Result<CountCheck, String> {
    let bad = || "`count` takes a number or a map of gt / gte / lt / lte".to_string();
    if let Some(n) = v.as_u64() {
        return Ok(CountCheck {
            equals: Some(n),
            bounds: Bounds::default(),
        });
    }
    let map = v.as_object().filter(|m| !m.is_empty()).ok_or_else(bad)?;
    let mut count = CountCheck::default();
    for (op, b) in map {
        match op.as_str() {
            "equals" => count.equals = Some(b.as_u64().ok_or_else(bad)?),
            "gt" | "gte" | "lt" | "lte" => set_bound(&mut count.bounds, op, b)?,
            _ => return Err(bad()),
        }
    }
    Ok(count)
}

fn set_bound(bounds: &mut Bounds, op: &str, v: &Value) -> Result<(), String> {
    let n = v
        .as_f64()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("`{op}` takes a number, not {v}"))?;
    let slot = match op {
        "gt" => &mut bounds.gt,
        "gte" => &mut bounds.gte,
        "lt" => &mut bounds.lt,
        _ => &mut bounds.lte,
    };
    *slot = Some(n);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_pointers_or_jsonpath() {
        assert!(matches!(parse_query("/items/0"), Ok(JsonQuery::Pointer(_))));
        assert!(matches!(
            parse_query("$.items"),
            Ok(JsonQuery::Path { singular: true, .. })
        ));
        assert!(
            parse_query("items")
                .unwrap_err()
                .contains("neither a JSON pointer")
        );
        assert!(parse_query("").is_err());
        assert!(
            parse_query("$.items[")
                .unwrap_err()
                .contains("not a valid JSONPath query")
        );
    }

    #[test]
    fn singular_queries_are_told_apart() {
        for q in ["$", "$.a.b", "$['a'][0]", "$[\"a*b\"]", "$.a[-1]", "$['x..y']"] {
            assert!(is_singular(q), "{q}");
        }
        for q in ["$.a[*]", "$..a", "$.a[0:2]", "$.a[?@.b]", "$.a[0,1]", "$.*"] {
            assert!(!is_singular(q), "{q}");
        }
    }

    #[test]
    fn assertion_maps_and_plain_values() {
        let c = parse_check(serde_json::json!({"count": {"gte": 1}, "values": "all"})).unwrap();
        assert_eq!(c.count.unwrap().to_string(), ">= 1");
        assert_eq!(c.values, Quantifier::All);
        let c = parse_check(serde_json::json!({"email": "a"})).unwrap();
        assert_eq!(c.equals, Some(serde_json::json!({"email": "a"})));
        assert!(parse_check(serde_json::json!({"type": "str"})).is_err());
        assert!(parse_check(serde_json::json!({"gt": "x"})).is_err());
        assert!(parse_check(serde_json::json!({"exists": false, "equals": 1})).is_err());
    }
}
