//! The header's decorators: what applies to the whole file (required and sensitive by
//! default, the current environment, the environment flag).

use super::*;

impl Parser<'_> {
    pub(super) fn root(&mut self, header: &[Decorator]) -> Result<Root, Error> {
        let mut root = Root {
            default_required: None,
            default_sensitive: DefaultSensitive::All(true),
            current_env: None,
            current_env_at: None,
        };
        self.plugins = header.iter().any(|d| d.name == "plugin");
        for d in header {
            match d.name.as_str() {
                "defaultRequired" => {
                    root.default_required = match value_text(d).as_deref() {
                        Some("infer") => None,
                        Some("true") => Some(true),
                        Some("false") => Some(false),
                        _ => {
                            return Err(self.at(
                                d,
                                "@defaultRequired is true, false or infer".into(),
                                "write @defaultRequired=true",
                            ));
                        }
                    }
                }
                "defaultSensitive" => {
                    root.default_sensitive = match (&d.form, value_text(d).as_deref()) {
                        (_, Some("true")) => DefaultSensitive::All(true),
                        (_, Some("false")) => DefaultSensitive::All(false),
                        (Form::Value(Value::Call { name, args }), _)
                            if name == "inferFromPrefix"
                                && args.len() == 1
                                && args[0].value.text().is_some() =>
                        {
                            DefaultSensitive::UnlessPrefixed(
                                args[0].value.text().unwrap_or_default().to_string(),
                            )
                        }
                        _ => {
                            return Err(self.at(
                                d,
                                "@defaultSensitive is true, false or inferFromPrefix(PREFIX)".into(),
                                "write @defaultSensitive=true",
                            ));
                        }
                    }
                }
                "currentEnv" | "envFlag" => {
                    let text = value_text(d).unwrap_or_default();
                    let name = text.strip_prefix('$').unwrap_or(&text).trim_matches(['{', '}']);
                    if name.is_empty() {
                        return Err(self.at(
                            d,
                            format!("@{} names the item that holds the environment", d.name),
                            "write @currentEnv=$APP_ENV",
                        ));
                    }
                    root.current_env = Some(name.to_string());
                    root.current_env_at = Some((name.to_string(), d.offset, d.len));
                }
                name if REFUSED_ROOT_DECORATORS.contains(&name) => {
                    return Err(self.at(
                        d,
                        format!("@{name} is not supported: it changes which items exist or where values come from, which only varlock can resolve"),
                        "inline the items in this file (or check them with `varlock load`), and remove the decorator",
                    ));
                }
                name if IGNORED_ROOT_DECORATORS.contains(&name) => {}
                name if ITEM_DECORATORS.contains(&name) => {
                    return Err(self.at(
                        d,
                        format!("@{name} is an item decorator, but it is in the header"),
                        "end the header with a blank line or `# ---` above the item's comments, or move the decorator next to its item",
                    ));
                }
                _ => {
                    let known: Vec<&str> = ROOT_DECORATORS
                        .iter()
                        .chain(&IGNORED_ROOT_DECORATORS)
                        .copied()
                        .collect();
                    self.unknown(d, &known)?;
                }
            }
        }
        Ok(root)
    }
}
