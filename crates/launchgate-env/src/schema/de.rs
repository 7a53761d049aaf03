//! Deserializing specs: keys checked where they stand, environments known while reading.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::conditions::{Condition, RequiredWhen, Test};
use super::{Override, Required, VarSpec, default_environments};

thread_local! {
    static ENVIRONMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static VARIABLES: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Runs `f` with the schema's environments and variable names known, so overrides and
/// conditions naming an unknown one are rejected where they stand.
pub(super) fn with_environments<T>(envs: Vec<String>, vars: Vec<String>, f: impl FnOnce() -> T) -> T {
    let previous = ENVIRONMENTS.with(|e| std::mem::replace(&mut *e.borrow_mut(), envs));
    let previous_vars =
        VARIABLES.with(|v| std::mem::replace(&mut *v.borrow_mut(), vars.into_iter().collect()));
    let out = f();
    ENVIRONMENTS.with(|e| *e.borrow_mut() = previous);
    VARIABLES.with(|v| *v.borrow_mut() = previous_vars);
    out
}

fn known_environments() -> Vec<String> {
    let envs = ENVIRONMENTS.with(|e| e.borrow().clone());
    if envs.is_empty() {
        default_environments()
    } else {
        envs
    }
}

const SPEC_KEYS: [&str; 18] = [
    "type",
    "description",
    "example",
    "docs",
    "required_when",
    "required",
    "secret",
    "default",
    "https",
    "min_length",
    "max_length",
    "regex",
    "starts_with",
    "min",
    "max",
    "schemes",
    "hosts",
    "values",
];

impl<'de> Deserialize<'de> for VarSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SpecVisitor { top: true }).map(|(spec, _)| spec)
    }
}

struct SpecVisitor {
    top: bool,
}

impl<'de> DeserializeSeed<'de> for SpecVisitor {
    type Value = (VarSpec, Override);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = (VarSpec, Override);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map such as { type: url, required: [production] }")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut spec = VarSpec::default();
        let mut o = Override::default();
        while let Some(key) = map.next_key_seed(KeySeed { top: self.top })? {
            let c = &mut o.constraints;
            match key.as_str() {
                "type" if self.top => spec.var_type = map.next_value()?,
                "description" if self.top => spec.description = Some(map.next_value()?),
                "example" if self.top => spec.example = Some(map.next_value::<Scalar>()?.0),
                "docs" if self.top => spec.docs = map.next_value::<OneOrMany>()?.0,
                "required_when" if self.top => spec.required_when = Some(map.next_value()?),
                "secret" if self.top => {
                    spec.secret = map.next_value()?;
                    spec.declared_public = !spec.secret;
                }
                "required" => o.required = Some(map.next_value()?),
                "https" => o.https = Some(map.next_value()?),
                "default" => o.default = Some(map.next_value::<Scalar>()?.0),
                "min_length" => c.min_length = Some(map.next_value()?),
                "max_length" => c.max_length = Some(map.next_value()?),
                "starts_with" => c.starts_with = Some(map.next_value()?),
                "min" => c.min = Some(map.next_value()?),
                "max" => c.max = Some(map.next_value()?),
                "schemes" => c.schemes = Some(map.next_value()?),
                "hosts" => c.hosts = Some(map.next_value()?),
                "values" => {
                    c.values = Some(
                        map.next_value::<Vec<Scalar>>()?
                            .into_iter()
                            .map(|s| s.0)
                            .collect(),
                    )
                }
                "regex" => {
                    let source: String = map.next_value()?;
                    let anchored = format!("^(?:{source})$");
                    let re = regex::Regex::new(&anchored)
                        .map_err(|e| de::Error::custom(format!("invalid regex `{source}`: {e}")))?;
                    c.regex = Some(re);
                }
                other if self.top && known_environments().iter().any(|e| e == other) => {
                    let (_, ov) = map.next_value_seed(SpecVisitor { top: false })?;
                    spec.overrides.insert(other.to_string(), ov);
                }
                other => return Err(de::Error::custom(format!("unexpected key `{other}`"))),
            }
        }
        if self.top {
            spec.required = o.required.take().unwrap_or_default();
            spec.https = o.https.take().unwrap_or_default();
            spec.default = o.default.take();
            spec.constraints = std::mem::take(&mut o.constraints);
        }
        Ok((spec, o))
    }
}

/// A spec key, rejected where it stands (so the error points at it) when it is neither a
/// spec key nor, at the top level, an environment.
struct KeySeed {
    top: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        let top_only = |k: &str| {
            matches!(
                k,
                "type" | "description" | "secret" | "example" | "docs" | "required_when"
            )
        };
        let environments = known_environments();
        let known = SPEC_KEYS.iter().any(|k| *k == key && (self.top || !top_only(k)))
            || (self.top && environments.iter().any(|e| e == key));
        if known {
            return Ok(key.to_string());
        }
        let mut expected: Vec<String> = SPEC_KEYS
            .iter()
            .filter(|k| self.top || !top_only(k))
            .map(|k| format!("`{k}`"))
            .collect();
        if self.top {
            expected.extend(environments.iter().map(|e| format!("`{e}`")));
        }
        Err(E::custom(format!(
            "unknown field `{key}`, expected one of {}",
            expected.join(", ")
        )))
    }
}

/// Visitor methods reading numbers and booleans as their text, through `visit_str`.
macro_rules! numbers_and_booleans_as_text {
    ($value:ty) => {
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<$value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<$value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<$value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<$value, E> {
            self.visit_str(&v.to_string())
        }
    };
}

/// A scalar read as text: `3000`, `true` and `info` all become strings.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            numbers_and_booleans_as_text!(Scalar);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Required;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`all`, a list of environments, or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Required, E> {
                Ok(if v { Required::All } else { Required::Never })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Required, E> {
                match v {
                    "all" => Ok(Required::All),
                    "none" => Ok(Required::Never),
                    env if known_environments().iter().any(|e| e == env) => {
                        Ok(Required::Envs(vec![env.to_string()]))
                    }
                    other => Err(E::custom(format!(
                        "`{other}` is not `all`, `none` or an environment (`{}`)",
                        known_environments().join("`, `")
                    ))),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Required, A::Error> {
                let mut envs = Vec::new();
                let known = known_environments();
                while let Some(env) = seq.next_element::<String>()? {
                    if !known.contains(&env) {
                        return Err(de::Error::custom(format!(
                            "unknown environment `{env}`, expected one of `{}`",
                            known.join("`, `")
                        )));
                    }
                    envs.push(env);
                }
                Ok(Required::Envs(envs))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string or a list of strings.
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a link or text, or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
    }
}

const CONDITION_SHAPES: &str =
    "a variable name, a map such as { PAYMENTS_ENABLED: \"true\" }, or a list of these";

impl<'de> Deserialize<'de> for RequiredWhen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RequiredWhen;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(CONDITION_SHAPES)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequiredWhen, E> {
                Ok(RequiredWhen {
                    any_of: vec![GroupVisitor.visit_str(v)?],
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RequiredWhen, A::Error> {
                Ok(RequiredWhen {
                    any_of: vec![GroupVisitor.visit_map(map)?],
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RequiredWhen, A::Error> {
                let mut any_of = Vec::new();
                while let Some(group) = seq.next_element_seed(GroupVisitor)? {
                    any_of.push(group);
                }
                if any_of.is_empty() {
                    return Err(de::Error::custom(format!(
                        "`required_when` is an empty list; write {CONDITION_SHAPES}"
                    )));
                }
                Ok(RequiredWhen { any_of })
            }
        }
        d.deserialize_any(V)
    }
}

/// One entry of `required_when`: a variable that must be set, or a map of conditions that
/// must all hold.
struct GroupVisitor;

impl<'de> DeserializeSeed<'de> for GroupVisitor {
    type Value = Vec<Condition>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for GroupVisitor {
    type Value = Vec<Condition>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a variable name or a map such as { PAYMENTS_ENABLED: \"true\" }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![Condition {
            var: known_variable(v)?,
            test: Test::Set,
        }])
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut group = Vec::new();
        while let Some(var) = map.next_key_seed(VariableSeed)? {
            let test = map.next_value::<TestSpec>()?.0;
            group.push(Condition { var, test });
        }
        if group.is_empty() {
            return Err(de::Error::custom(format!(
                "an empty condition; write {CONDITION_SHAPES}"
            )));
        }
        Ok(group)
    }
}

/// A variable the schema declares, or an error naming the closest one.
fn known_variable<E: de::Error>(name: &str) -> Result<String, E> {
    // A set, looked up without copying: a schema may hold thousands of conditions.
    if VARIABLES.with(|v| v.borrow().contains(name)) {
        return Ok(name.to_string());
    }
    let mut known: Vec<String> = VARIABLES.with(|v| v.borrow().iter().cloned().collect());
    known.sort();
    let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = match launchgate_core::config::closest(name, &candidates) {
        Some(best) => format!(" (did you mean `{best}`?)"),
        None => String::new(),
    };
    Err(E::custom(format!(
        "`required_when` refers to `{name}`, which the schema does not declare{hint}; conditions can only name variables under `vars`"
    )))
}

struct VariableSeed;

impl<'de> DeserializeSeed<'de> for VariableSeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for VariableSeed {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a variable name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        known_variable(v)
    }
}

/// What a condition asks of its variable: a value, a list of values, or `{ set: bool }`.
struct TestSpec(Test);

impl<'de> Deserialize<'de> for TestSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TestSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value, a list of values, or { set: true } / { set: false }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TestSpec, E> {
                Ok(TestSpec(Test::OneOf(vec![v.to_string()])))
            }
            numbers_and_booleans_as_text!(TestSpec);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TestSpec, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<Scalar>()? {
                    values.push(v.0);
                }
                if values.is_empty() {
                    return Err(de::Error::custom(
                        "an empty list of values can never match; list the values that make the variable required",
                    ));
                }
                Ok(TestSpec(Test::OneOf(values)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TestSpec, A::Error> {
                let mut test = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "set" || test.is_some() {
                        return Err(de::Error::custom(format!(
                            "unknown condition `{key}`: a condition is a value, a list of values, or {{ set: true }} / {{ set: false }}"
                        )));
                    }
                    test = Some(if map.next_value::<bool>()? {
                        Test::Set
                    } else {
                        Test::Unset
                    });
                }
                test.map(TestSpec)
                    .ok_or_else(|| de::Error::custom("an empty condition; write { set: true } or a value"))
            }
        }
        d.deserialize_any(V)
    }
}
