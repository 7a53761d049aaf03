//! An item's decorators: its type, whether it is required (and when), sensitive or public,
//! and its description.

use super::*;

impl Parser<'_> {
    pub(super) fn item(
        &mut self,
        entry: &dotenv::Entry,
        decorators: &[Decorator],
        root: &Root,
        environments: &[String],
        conditions: &mut Vec<(String, usize, usize)>,
    ) -> Result<VarSpec, Error> {
        let mut spec = VarSpec::default();
        let default = static_value(entry);
        let mut required = None;
        let mut sensitive = None;
        let mut seen: Vec<&str> = Vec::new();
        for d in decorators {
            let single = matches!(d.form, Form::Bare | Form::Value(_));
            let slot = match d.name.as_str() {
                "optional" => "required",
                "public" => "sensitive",
                other => other,
            };
            if single && !matches!(slot, "docs") && seen.contains(&slot) {
                return Err(self.at(
                    d,
                    format!("@{} is given twice for {}", d.name, entry.key),
                    "keep one: a decorator with a value applies once",
                ));
            }
            seen.push(slot);
            match d.name.as_str() {
                "required" | "optional" => {
                    let negate = d.name == "optional";
                    required = Some(self.requirement(d, negate, environments, &mut spec, conditions)?);
                }
                "sensitive" | "public" => {
                    let on = match &d.form {
                        Form::Value(Value::Object(entries)) => entries
                            .iter()
                            .find(|(k, _)| k == "enabled")
                            .map_or(Some(true), |(_, v)| v.text().and_then(parse_flag)),
                        _ => flag(d),
                    };
                    let Some(on) = on else {
                        return Err(self.at(
                            d,
                            format!("@{} is true or false", d.name),
                            format!("write @{} or @{}=false", d.name, d.name),
                        ));
                    };
                    sensitive = Some(if d.name == "public" { !on } else { on });
                }
                "type" => {
                    let Form::Value(value) = &d.form else {
                        return Err(self.at(
                            d,
                            "@type needs a type".into(),
                            "write @type=url or @type=enum(a, b)",
                        ));
                    };
                    match types::apply(&mut spec, value) {
                        Ok(true) => {}
                        Ok(false) if self.plugins => self.notes.push(format!(
                            "{}: {} has a type launchgate does not know (from a plugin?); it is checked as a string",
                            self.position(d.offset),
                            entry.key
                        )),
                        Ok(false) => {
                            return Err(self.at(
                                d,
                                format!("unknown type in @{}", &self.source[d.offset + 1..d.offset + d.len]),
                                "use string, number, boolean, url, email, port, enum(…), uuid, md5, semver or simple-object",
                            ));
                        }
                        Err(why) => return Err(self.at(d, why.message, why.help)),
                    }
                }
                "example" => match &d.form {
                    Form::Value(v) if v.text().is_some() => spec.example = v.text().map(str::to_string),
                    _ => {
                        return Err(self.at(
                            d,
                            "@example needs a value".into(),
                            "write @example=\"sk_test_…\"",
                        ));
                    }
                },
                "docs" | "docsUrl" => {
                    let parts: Vec<String> = match &d.form {
                        Form::Call(args) => args
                            .iter()
                            .filter_map(|a| a.value.text().map(str::to_string))
                            .collect(),
                        Form::Value(v) => v.text().map(str::to_string).into_iter().collect(),
                        Form::Bare => Vec::new(),
                    };
                    if parts.is_empty() {
                        return Err(self.at(
                            d,
                            format!("@{} needs a link", d.name),
                            "write @docs(https://…) or @docs(\"What it is\", https://…)",
                        ));
                    }
                    spec.docs.push(parts.join(": "));
                }
                name if IGNORED_ITEM_DECORATORS.contains(&name) => {}
                name if ROOT_DECORATORS.contains(&name) || REFUSED_ROOT_DECORATORS.contains(&name) => {
                    return Err(self.at(
                        d,
                        format!("@{name} is a root decorator, but it is attached to {}", entry.key),
                        "put it in the header at the top of the file, and end the header with a blank line or `# ---`",
                    ));
                }
                _ => {
                    let known: Vec<&str> = ITEM_DECORATORS
                        .iter()
                        .chain(&IGNORED_ITEM_DECORATORS)
                        .copied()
                        .collect();
                    self.unknown(d, &known)?;
                }
            }
        }
        spec.required = required.unwrap_or(match root.default_required {
            Some(true) => Required::All,
            Some(false) => Required::Never,
            // varlock's `infer`: required when the file gives a value, which then is the
            // default, so only an emptied value can fail it.
            None if default.is_some() => Required::All,
            None => Required::Never,
        });
        match sensitive {
            Some(secret) => {
                spec.secret = secret;
                spec.declared_public = !secret;
            }
            None => {
                // As varlock warns: a default does not make secret what cannot hold a secret
                // (a number, a boolean, one of an enum's values, the environment's name).
                let cannot_be_secret = matches!(
                    spec.var_type,
                    VarType::Enum | VarType::Bool | VarType::Port | VarType::Int | VarType::Float
                ) || root.current_env.as_deref() == Some(entry.key.as_str());
                spec.secret = !cannot_be_secret
                    && match &root.default_sensitive {
                        // A value behind a public prefix ships to browsers and cannot be a
                        // secret; the leak checks still judge what it holds.
                        DefaultSensitive::All(true) => {
                            !DEFAULT_PUBLIC_PREFIXES.iter().any(|p| entry.key.starts_with(p))
                        }
                        DefaultSensitive::All(false) => false,
                        DefaultSensitive::UnlessPrefixed(prefix) => !entry.key.starts_with(prefix.as_str()),
                    };
            }
        }
        spec.default = default;
        Ok(spec)
    }

    /// `@required` / `@optional`: a flag, `forEnv(env, …)` or `eq($OTHER, value)`.
    fn requirement(
        &self,
        d: &Decorator,
        negate: bool,
        environments: &[String],
        spec: &mut VarSpec,
        conditions: &mut Vec<(String, usize, usize)>,
    ) -> Result<Required, Error> {
        let flip = |r: bool| {
            if r != negate {
                Required::All
            } else {
                Required::Never
            }
        };
        if let Some(on) = flag(d) {
            return Ok(flip(on));
        }
        let Form::Value(Value::Call { name, args }) = &d.form else {
            return Err(self.at(
                d,
                format!("@{} is true, false, forEnv(…) or eq($ITEM, value)", d.name),
                format!("write @{}", d.name),
            ));
        };
        match (name.as_str(), negate) {
            ("forEnv", false) => {
                let mut envs = Vec::new();
                for a in args {
                    let env = a.value.text().unwrap_or_default();
                    if !environments.iter().any(|e| e == env) {
                        return Err(self.at(
                            d,
                            format!("forEnv names `{env}`, which is not an environment (`{}`)", environments.join("`, `")),
                            "name an environment; the environments are the values of the @currentEnv item's enum, or development, preview, staging and production",
                        ));
                    }
                    envs.push(env.to_string());
                }
                Ok(Required::Envs(envs))
            }
            ("eq", false) => {
                let (Some(var), Some(value)) = (
                    args.first()
                        .and_then(|a| a.value.text())
                        .and_then(|t| t.strip_prefix('$')),
                    args.get(1).and_then(|a| a.value.text()),
                ) else {
                    return Err(self.at(
                        d,
                        "eq() compares an item with a value: eq($ITEM, value)".into(),
                        "write @required=eq($PAYMENTS, on)",
                    ));
                };
                if args.len() != 2 {
                    return Err(self.at(
                        d,
                        "eq() takes two arguments".into(),
                        "write @required=eq($PAYMENTS, on)",
                    ));
                }
                let var = var.trim_matches(['{', '}']).to_string();
                conditions.push((var.clone(), d.offset, d.len));
                spec.required_when = Some(RequiredWhen {
                    any_of: vec![vec![Condition {
                        var,
                        test: Test::OneOf(vec![value.to_string()]),
                    }]],
                });
                Ok(Required::Never)
            }
            _ => Err(self.at(
                d,
                format!("@{}={name}(…) is not supported", d.name),
                "use @required, @optional, @required=forEnv(production) or @required=eq($ITEM, value)",
            )),
        }
    }
}
