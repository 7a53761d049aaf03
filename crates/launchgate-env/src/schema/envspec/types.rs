//! `@type=…`: varlock's data types mapped onto the schema's types and constraints.

use super::decorators::{Arg, Value};
use crate::schema::VarSpec;
use crate::types::VarType;

/// Why a type cannot be mapped, and what to write instead.
pub struct Unsupported {
    pub message: String,
    pub help: String,
}

/// Types that change a value before validating it, or validate what launchgate has no type
/// for; checking them as another type would fail good values or pass bad ones.
const NOT_SUPPORTED: [&str; 6] = ["ip", "domain", "isoDate", "array", "record", "duration"];

/// Sets `spec`'s type and constraints from a `@type` value. `Ok(false)` for a type neither
/// varlock nor launchgate knows (a plugin's, perhaps).
pub fn apply(spec: &mut VarSpec, value: &Value) -> Result<bool, Unsupported> {
    let (name, args): (&str, &[Arg]) = match value {
        Value::Text { text, .. } => (text, &[]),
        Value::Call { name, args } => (name, args),
        _ => {
            return Err(unsupported(
                "a @type is a type name or a call such as string(minLength=8)",
                "write @type=string, @type=url(…) …",
            ));
        }
    };
    let c = &mut spec.constraints;
    let mut options = Options {
        args,
        used: Vec::new(),
    };
    spec.var_type = match name {
        "string" => {
            c.min_length = options.number("minLength")?.map(|n| n as usize);
            c.max_length = options.number("maxLength")?.map(|n| n as usize);
            if let Some(n) = options.number("isLength")? {
                c.min_length = Some(n as usize);
                c.max_length = Some(n as usize);
            }
            c.starts_with = options.text("startsWith")?;
            let ends = options.text("endsWith")?;
            c.regex = pattern(options.text("matches")?, ends)?;
            options.ignore(&["toUpperCase", "toLowerCase", "allowEmpty"]);
            VarType::String
        }
        "number" => {
            c.min = options.number("min")?;
            c.max = options.number("max")?;
            let int = options.text("isInt")?.as_deref() == Some("true")
                || options.number("precision")? == Some(0.0);
            if int { VarType::Int } else { VarType::Float }
        }
        "boolean" => VarType::Bool,
        "url" => {
            c.schemes = options.list("allowedProtocols")?.map(|l| {
                l.into_iter()
                    .map(|s| s.trim_end_matches(':').to_ascii_lowercase())
                    .collect()
            });
            c.hosts = options.list("allowedDomains")?;
            let no_slash = options.text("noTrailingSlash")?.as_deref() == Some("true");
            c.regex = pattern(options.text("matches")?, no_slash.then(|| "not /".to_string()))?;
            VarType::Url
        }
        "email" => {
            options.ignore(&["normalize"]);
            VarType::Email
        }
        "port" => {
            c.min = options.number("min")?;
            c.max = options.number("max")?;
            VarType::Port
        }
        "enum" => {
            let mut values = Vec::new();
            for a in args {
                match (&a.key, a.value.text()) {
                    (None, Some(v)) if !v.starts_with('$') => values.push(v.to_string()),
                    _ => {
                        return Err(unsupported(
                            "enum members are plain values here; members from other items ($LIST) or named options are not supported",
                            "list the values: @type=enum(dev, preview, prod)",
                        ));
                    }
                }
            }
            c.values = Some(values);
            VarType::Enum
        }
        "simple-object" => VarType::Json,
        "uuid" => shape(
            c,
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        ),
        "md5" => shape(c, "[0-9a-fA-F]{32}"),
        "semver" => shape(
            c,
            r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?",
        ),
        other if NOT_SUPPORTED.contains(&other) => {
            return Err(unsupported(
                format!(
                    "@type={other} is not supported: launchgate has no check that accepts exactly what varlock's {other} accepts"
                ),
                "use @type=string(matches=\"…\") with a pattern for the values you accept",
            ));
        }
        _ => return Ok(false),
    };
    options.finish(name)?;
    Ok(true)
}

fn shape(c: &mut crate::schema::RawConstraints, re: &str) -> VarType {
    c.regex = regex::Regex::new(&format!("^(?:{re})$")).ok();
    VarType::String
}

fn unsupported(message: impl Into<String>, help: impl Into<String>) -> Unsupported {
    Unsupported {
        message: message.into(),
        help: help.into(),
    }
}

/// The regex a value must match: `matches` (`/pattern/flags` or a plain pattern), or a
/// suffix (`endsWith`), or, for `not /`, no trailing slash. Only one of them may be given.
fn pattern(matches: Option<String>, suffix: Option<String>) -> Result<Option<regex::Regex>, Unsupported> {
    let source = match (matches, suffix) {
        (Some(_), Some(_)) => {
            return Err(unsupported(
                "`matches` with `endsWith` or `noTrailingSlash` is not supported",
                "fold the suffix into the `matches` pattern",
            ));
        }
        (Some(m), None) => match m.strip_prefix('/').and_then(|r| r.rsplit_once('/')) {
            Some((body, flags)) if flags.chars().all(|f| "gimsuy".contains(f)) => {
                let inline: String = flags.chars().filter(|f| "ims".contains(*f)).collect();
                if inline.is_empty() {
                    body.to_string()
                } else {
                    format!("(?{inline})(?:{body})")
                }
            }
            _ => m,
        },
        (None, Some(s)) if s == "not /" => "(?s).*[^/]".to_string(),
        (None, Some(s)) => format!("(?s).*{}", regex::escape(&s)),
        (None, None) => return Ok(None),
    };
    // `matches` finds the pattern anywhere, as JavaScript's `test` does.
    let anywhere = if source.starts_with("(?s).*") {
        source
    } else {
        format!("(?s).*(?:{source}).*")
    };
    regex::Regex::new(&format!("^(?:{anywhere})$"))
        .map(Some)
        .map_err(|e| {
            unsupported(
                format!("invalid pattern: {e}"),
                "write a pattern the Rust regex crate accepts (no look-around or back-references)",
            )
        })
}

/// A type's named options, each read once; an option left unread is an error.
struct Options<'a> {
    args: &'a [Arg],
    used: Vec<String>,
}

impl Options<'_> {
    fn get(&mut self, key: &str) -> Option<&Value> {
        self.used.push(key.to_string());
        self.args
            .iter()
            .find(|a| a.key.as_deref() == Some(key))
            .map(|a| &a.value)
    }

    fn text(&mut self, key: &str) -> Result<Option<String>, Unsupported> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text { text, .. }) => Ok(Some(text.clone())),
            Some(_) => Err(unsupported(
                format!(
                    "`{key}` must be a plain value; dynamic options (if(), forEnv() …) are not supported"
                ),
                "write the value itself",
            )),
        }
    }

    fn number(&mut self, key: &str) -> Result<Option<f64>, Unsupported> {
        match self.text(key)? {
            None => Ok(None),
            Some(t) => t.parse().map(Some).map_err(|_| {
                unsupported(
                    format!("`{key}` must be a number, not `{t}`"),
                    format!("write {key}=8"),
                )
            }),
        }
    }

    fn list(&mut self, key: &str) -> Result<Option<Vec<String>>, Unsupported> {
        let items = match self.get(key) {
            None => return Ok(None),
            Some(Value::List(items)) => items.clone(),
            Some(v @ Value::Text { .. }) => vec![v.clone()],
            Some(_) => {
                return Err(unsupported(
                    format!("`{key}` must be a list"),
                    format!("write {key}=[a, b]"),
                ));
            }
        };
        items
            .iter()
            .map(|v| v.text().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| {
                unsupported(
                    format!("`{key}` must list plain values"),
                    format!("write {key}=[a, b]"),
                )
            })
    }

    fn ignore(&mut self, keys: &[&str]) {
        self.used.extend(keys.iter().map(|k| k.to_string()));
    }

    /// An option this type does not take, or takes but launchgate cannot check, is an error:
    /// dropping it would pass values varlock rejects.
    fn finish(&self, ty: &str) -> Result<(), Unsupported> {
        for a in self.args {
            match &a.key {
                Some(k) if !self.used.contains(k) => {
                    return Err(unsupported(
                        format!("the option `{k}` of @type={ty} is not supported"),
                        "remove it, or check the value with `matches=` instead",
                    ));
                }
                None if ty != "enum" => {
                    return Err(unsupported(
                        format!("@type={ty} takes named options (`minLength=8`), not positional ones"),
                        "name the option",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
