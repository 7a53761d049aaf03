//! The schema: the `env:` section of `launchgate.yml`, or a file named with `--schema`.
//!
//! A variable's spec holds its type, constraints and requirement, and may be followed by
//! per-environment overrides written as keys named after an environment
//! (`production: { starts_with: sk_live_ }`). Since the valid override keys depend on the
//! section's `environments`, that list is read first and consulted while the variables are
//! deserialized, so an unknown key or environment is reported where it stands.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::config::{ConfigFile, from_yaml_str};
use serde::Deserialize;

use crate::types::{Constraints, VarType};

pub mod conditions;
mod de;
mod envspec;
mod positions;
use conditions::RequiredWhen;
use de::with_environments;
use positions::Outline;

/// The environments assumed when a schema names none.
pub const DEFAULT_ENVIRONMENTS: [&str; 4] = ["development", "preview", "staging", "production"];

/// Prefixes that frameworks inline into browser bundles.
pub const DEFAULT_PUBLIC_PREFIXES: [&str; 7] = [
    "NEXT_PUBLIC_",
    "VITE_",
    "PUBLIC_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
];

/// The `env:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    #[serde(default = "default_environments")]
    pub environments: Vec<String>,
    #[serde(default = "default_public_prefixes")]
    pub public_prefixes: Vec<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, VarSpec>,
    /// The committed template other files are compared with; default `.env.example`.
    #[serde(default)]
    pub example: Option<PathBuf>,
    #[serde(default)]
    pub lint: LintConfig,
    /// What `launchgate check` validates; `LAUNCHGATE_ENV` overrides `environment`.
    #[serde(default)]
    pub check: CheckConfig,
}

impl Default for EnvConfig {
    fn default() -> Self {
        EnvConfig {
            environments: default_environments(),
            public_prefixes: default_public_prefixes(),
            vars: BTreeMap::new(),
            example: None,
            lint: LintConfig::default(),
            check: CheckConfig::default(),
        }
    }
}

/// `env.lint`: lints switched off for the whole repository.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    #[serde(default)]
    pub disable: Vec<String>,
}

/// `env.check`: the environment and files `launchgate check` validates.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub files: Vec<PathBuf>,
}

fn default_environments() -> Vec<String> {
    DEFAULT_ENVIRONMENTS.iter().map(|s| s.to_string()).collect()
}

fn default_public_prefixes() -> Vec<String> {
    DEFAULT_PUBLIC_PREFIXES.iter().map(|s| s.to_string()).collect()
}

/// In which environments something holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Required {
    All,
    Envs(Vec<String>),
    #[default]
    Never,
}

impl Required {
    pub fn holds_in(&self, env: &str) -> bool {
        match self {
            Required::All => true,
            Required::Envs(envs) => envs.iter().any(|e| e == env),
            Required::Never => false,
        }
    }
}

/// Constraints as written; `regex` is compiled, anchored to the whole value.
#[derive(Debug, Clone, Default)]
pub struct RawConstraints {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub regex: Option<regex::Regex>,
    pub starts_with: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub schemes: Option<Vec<String>>,
    pub hosts: Option<Vec<String>>,
    pub values: Option<Vec<String>>,
}

impl RawConstraints {
    fn overlay(&mut self, o: &RawConstraints) {
        macro_rules! take {
            ($($f:ident),*) => { $( if o.$f.is_some() { self.$f = o.$f.clone(); } )* };
        }
        take!(
            min_length,
            max_length,
            regex,
            starts_with,
            min,
            max,
            schemes,
            hosts,
            values
        );
    }
}

/// One variable's spec.
#[derive(Debug, Clone, Default)]
pub struct VarSpec {
    pub var_type: VarType,
    pub description: Option<String>,
    /// A value of the right shape, shown in the help of findings about the variable.
    pub example: Option<String>,
    /// Links or text about where the value comes from.
    pub docs: Vec<String>,
    pub required: Required,
    /// Also required wherever these conditions on other variables hold.
    pub required_when: Option<RequiredWhen>,
    pub secret: bool,
    /// Whether the schema says `secret: false` in so many words.
    pub declared_public: bool,
    pub default: Option<String>,
    pub https: Required,
    pub constraints: RawConstraints,
    pub overrides: BTreeMap<String, Override>,
}

/// What an environment changes about a variable.
#[derive(Debug, Clone, Default)]
pub struct Override {
    pub required: Option<Required>,
    pub https: Option<Required>,
    pub default: Option<String>,
    pub constraints: RawConstraints,
}

/// A variable's spec as it applies in one environment.
#[derive(Debug, Clone)]
pub struct Effective<'a> {
    pub spec: &'a VarSpec,
    pub required: bool,
    pub default: Option<&'a str>,
    pub constraints: Constraints,
}

impl VarSpec {
    /// The spec in force in `env`, overrides applied.
    pub fn for_env(&self, env: &str) -> Effective<'_> {
        let mut raw = self.constraints.clone();
        let mut required = self.required.holds_in(env);
        let mut https = self.https.holds_in(env);
        let mut default = self.default.as_deref();
        if let Some(o) = self.overrides.get(env) {
            raw.overlay(&o.constraints);
            if let Some(r) = &o.required {
                required = r.holds_in(env);
            }
            if let Some(h) = &o.https {
                https = h.holds_in(env);
            }
            if let Some(d) = &o.default {
                default = Some(d);
            }
        }
        Effective {
            spec: self,
            required,
            default,
            constraints: Constraints {
                min_length: raw.min_length,
                max_length: raw.max_length,
                regex: raw.regex,
                starts_with: raw.starts_with,
                min: raw.min,
                max: raw.max,
                schemes: raw.schemes,
                hosts: raw.hosts,
                values: raw.values,
                https,
            },
        }
    }
}

/// A loaded schema and where it came from (for findings that point into it).
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub config: EnvConfig,
    /// The file's display name, when the schema came from a file.
    pub file: Option<String>,
    pub source: String,
    /// What reading it left out (decorators a plugin may define), for the report's notes.
    pub notes: Vec<String>,
    /// The variable whose value names the environment (a `.env.schema`'s `@currentEnv`).
    pub current_env: Option<String>,
    /// Where each variable's key is in `source`.
    positions: HashMap<String, (u32, u32)>,
}

/// The name of the @env-spec schema file varlock reads.
pub const ENV_SPEC_FILE: &str = ".env.schema";

/// Lints a `.env.schema` is spared: its unquoted function-call values hold spaces and quotes.
pub const ENV_SPEC_CALL_LINTS: [&str; 2] = ["unquoted-whitespace", "stray-quote"];

/// Whether a path names an @env-spec schema (`.env.schema`, or `<name>.env.schema`).
pub fn is_env_spec(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(ENV_SPEC_FILE))
}

impl Schema {
    /// The `env:` section of a configuration file; `Ok(None)` when it has none.
    pub fn from_config(config: &ConfigFile) -> Result<Option<Schema>, Error> {
        let outline = config
            .section::<Outline>("env")
            .ok()
            .flatten()
            .unwrap_or_default();
        let environments = outline.environments.clone().unwrap_or_else(default_environments);
        let section = with_environments(environments, outline.variables(), || {
            config.section::<EnvConfig>("env")
        })?;
        let Some(section) = section else { return Ok(None) };
        let schema = Schema {
            config: section,
            file: Some(config.display_name()),
            source: config.source.clone(),
            notes: Vec::new(),
            current_env: None,
            positions: outline.positions(),
        };
        check_schema(&schema)?;
        Ok(Some(schema))
    }

    /// An @env-spec file (`.env.schema`), read like a `.env` file: bounded, and never
    /// through a link that leaves the folder it is in.
    pub fn from_env_spec(path: &Path) -> Result<Schema, Error> {
        let display = crate::files::display(path);
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let bytes = match crate::reading::read_env_file(path, folder, &display)? {
            crate::reading::EnvFile::Read { bytes, .. } => bytes,
            crate::reading::EnvFile::Skipped(note) => {
                return Err(Error::input(note).with_help("name a schema file inside the repository"));
            }
        };
        let source = String::from_utf8(bytes).map_err(|e| {
            Error::input(format!(
                "{display} is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ))
            .with_help("save the file as UTF-8")
        })?;
        Schema::from_env_spec_text(display, source)
    }

    /// The text of an @env-spec file, shown as `display` in errors and findings.
    pub fn from_env_spec_text(display: String, source: String) -> Result<Schema, Error> {
        let spec = envspec::parse(&display, &source)?;
        let schema = Schema {
            config: spec.config,
            file: Some(display),
            source,
            notes: spec.notes,
            current_env: spec.current_env,
            positions: spec.positions,
        };
        check_schema(&schema)?;
        Ok(schema)
    }

    /// `.env.schema` in `root`, when there is one.
    pub fn discover_env_spec(root: &Path) -> Result<Option<Schema>, Error> {
        let path = root.join(ENV_SPEC_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let mut schema = Schema::from_env_spec(&path)?;
        schema.file = Some(ENV_SPEC_FILE.to_string());
        Ok(Some(schema))
    }

    /// A file named with `--schema`: a `launchgate.yml`-style file with an `env:` section,
    /// or a bare schema (`environments:`, `vars:` … at the top level).
    pub fn from_file(path: &Path) -> Result<Schema, Error> {
        if is_env_spec(path) {
            return Schema::from_env_spec(path);
        }
        let file = ConfigFile::read(path)?;
        let outline = Outline::of_file(&file.source);
        if outline.has_env {
            return Schema::from_config(&file)?
                .ok_or_else(|| Error::input(format!("{} has no env: section", path.display())));
        }
        let name = file.display_name();
        let environments = outline.environments.clone().unwrap_or_else(default_environments);
        let config: EnvConfig = with_environments(environments, outline.variables(), || {
            from_yaml_str(&name, &file.source)
        })?;
        let schema = Schema {
            config,
            file: Some(name),
            source: file.source,
            notes: Vec::new(),
            current_env: None,
            positions: outline.positions(),
        };
        check_schema(&schema)?;
        Ok(schema)
    }

    /// The environment the `@currentEnv` variable names: its value as read (unless
    /// encrypted), or else its default.
    pub fn current_environment(&self, values: &crate::Values) -> Option<String> {
        let var = self.current_env.as_ref()?;
        let given = values
            .vars
            .get(var)
            .filter(|v| v.encryption == crate::deploy_check::Encryption::Plain)
            .map(|v| v.value.trim().to_string())
            .filter(|v| !v.is_empty());
        given.or_else(|| self.config.vars.get(var).and_then(|s| s.default.clone()))
    }

    /// 1-based line and column of a variable's key in the schema file, as the parser read it.
    pub fn position_of(&self, var: &str) -> Option<(u32, u32)> {
        self.positions.get(var).copied()
    }
}

/// Whether a YAML file has a top-level `env:` key (a file that is not YAML has none).
pub(crate) fn has_env_section(source: &str) -> bool {
    Outline::of_file(source).has_env
}

/// Checks no type can express: an enum needs `values`, a default must fit its type.
pub(super) fn check_schema(schema: &Schema) -> Result<(), Error> {
    let (config, source) = (&schema.config, schema.source.as_str());
    let file = schema.file.as_deref().unwrap_or("the schema");
    let at = |var: &str, msg: String, help: &str| {
        let offset = schema
            .position_of(var)
            .map(|(l, c)| launchgate_core::error::offset_of(source, l as usize, c as usize))
            .unwrap_or(0);
        Error::at_source(msg, file, source, offset, var.len(), "this variable").with_help(help.to_string())
    };
    for (name, spec) in &config.vars {
        if let Some(rw) = &spec.required_when
            && rw.variables().any(|v| v == name)
        {
            return Err(at(
                name,
                format!("{name} has a `required_when` condition on itself"),
                "name another variable, or use `required:` to require it outright",
            ));
        }
        if spec.var_type == VarType::Enum && spec.constraints.values.as_ref().is_none_or(|v| v.is_empty()) {
            return Err(at(
                name,
                format!("{name} has type enum but no `values`"),
                "add `values: [a, b]`",
            ));
        }
        if let Some(default) = &spec.default {
            let effective = spec.for_env(
                config
                    .environments
                    .first()
                    .map(String::as_str)
                    .unwrap_or("development"),
            );
            if let Err(why) = crate::types::validate(spec.var_type, default, &effective.constraints) {
                let why = if spec.secret {
                    format!("is not a valid {}", spec.var_type.as_str())
                } else {
                    why
                };
                return Err(at(
                    name,
                    format!("the default of {name} {why}"),
                    "fix the default or the type",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> Result<Schema, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("launchgate.yml");
        std::fs::write(&path, src).unwrap();
        Schema::from_file(&path)
    }

    const EXAMPLE: &str = "env:
  environments: [development, preview, staging, production]
  vars:
    DATABASE_URL: { type: url, schemes: [postgres, postgresql], required: [staging, production], secret: true }
    STRIPE_SECRET_KEY: { type: string, starts_with: sk_, required: [production], secret: true, production: { starts_with: sk_live_ } }
    NEXT_PUBLIC_SITE_URL: { type: url, https: [staging, production], required: all }
    PORT: { type: port, default: 3000 }
    LOG_LEVEL: { type: enum, values: [debug, info, warn, error], default: info }
";

    #[test]
    fn reads_the_documented_example() {
        let s = load(EXAMPLE).unwrap();
        let vars = &s.config.vars;
        assert_eq!(vars["PORT"].default.as_deref(), Some("3000"));
        assert!(vars["DATABASE_URL"].for_env("production").required);
        assert!(!vars["DATABASE_URL"].for_env("preview").required);
        let stripe = &vars["STRIPE_SECRET_KEY"];
        assert_eq!(
            stripe.for_env("production").constraints.starts_with.as_deref(),
            Some("sk_live_")
        );
        assert_eq!(
            stripe.for_env("staging").constraints.starts_with.as_deref(),
            Some("sk_")
        );
        assert!(vars["NEXT_PUBLIC_SITE_URL"].for_env("staging").constraints.https);
        assert!(
            !vars["NEXT_PUBLIC_SITE_URL"]
                .for_env("development")
                .constraints
                .https
        );
        assert_eq!(s.position_of("PORT"), Some((7, 5)));
    }

    /// `PORT:` stands first in a comment and in a URL; findings point at its key.
    #[test]
    fn a_variable_name_in_a_comment_or_url_is_not_its_position() {
        let s = load(
            "# DATABASE_URL, PORT: both needed\nenv:\n  vars:\n    DATABASE_URL: { docs: [\"https://x.test/a,PORT: 1\"] }\n    PORT: { type: port }\n",
        )
        .unwrap();
        assert_eq!(s.position_of("PORT"), Some((5, 5)));
        assert_eq!(s.position_of("DATABASE_URL"), Some((4, 5)));
        let s = load("# PORT, HOST: set both\nvars:\n  HOST: {}\n  PORT: {}\n").unwrap();
        assert_eq!(s.position_of("HOST"), Some((3, 3)));
    }

    #[test]
    fn bare_schema_is_accepted() {
        let s = load("vars:\n  A: { type: int, min: 1 }\n").unwrap();
        assert_eq!(s.config.vars["A"].var_type, VarType::Int);
    }

    #[test]
    fn unknown_type_key_and_environment_have_positions() {
        let e = load("env:\n  vars:\n    A: { type: integer }\n").unwrap_err();
        assert_eq!(e.position().map(|p| p.0), Some(3), "{}", e.render(false));
        assert!(e.message().contains("integer"));
        let e = load("env:\n  vars:\n    A:\n      type: int\n      mim: 1\n").unwrap_err();
        assert_eq!(e.position(), Some((5, 7)), "{}", e.render(false));
        assert!(
            e.hint().unwrap().contains("did you mean `min`?"),
            "{:?}",
            e.hint()
        );
        let e = load("env:\n  vars:\n    A: { required: [prod] }\n").unwrap_err();
        assert_eq!(e.position().map(|p| p.0), Some(3));
        assert!(
            e.message().contains("unknown environment `prod`"),
            "{}",
            e.message()
        );
        let e = load("env:\n  vars:\n    A: { type: enum }\n").unwrap_err();
        assert!(e.message().contains("no `values`"));
        let e = load("env:\n  vars:\n    A: { regex: '(' }\n").unwrap_err();
        assert!(e.message().contains("invalid regex"));
    }

    #[test]
    fn required_when_shapes_and_positions() {
        let s = load("env:\n  vars:\n    ON: { type: bool }\n    REGION: {}\n    KEY:\n      required_when: [ { ON: true, REGION: [eu, uk] }, REGION, { ON: { set: false } } ]\n").unwrap();
        let rw = s.config.vars["KEY"].required_when.clone().unwrap();
        use conditions::{Condition, Test};
        let c = |v: &str, t: Test| Condition {
            var: v.into(),
            test: t,
        };
        assert_eq!(
            rw.any_of,
            vec![
                vec![
                    c("ON", Test::OneOf(vec!["true".into()])),
                    c("REGION", Test::OneOf(vec!["eu".into(), "uk".into()]))
                ],
                vec![c("REGION", Test::Set)],
                vec![c("ON", Test::Unset)],
            ]
        );
        let e = load("env:\n  vars:\n    PAYMENTS_ENABLED: {}\n    KEY: { required_when: { PAYMENTS_ENABLD: \"true\" } }\n").unwrap_err();
        assert_eq!(e.position(), Some((4, 29)), "{}", e.render(false));
        assert!(
            e.message().contains(
                "`PAYMENTS_ENABLD`, which the schema does not declare (did you mean `PAYMENTS_ENABLED`?)"
            ),
            "{}",
            e.message()
        );
        let e =
            load("env:\n  vars:\n    A: {}\n    KEY:\n      required_when:\n        - NOPE\n").unwrap_err();
        assert_eq!(e.position(), Some((6, 11)), "{}", e.render(false));
        let e =
            load("env:\n  vars:\n    A: {}\n    KEY: { required_when: { A: { equals: x } } }\n").unwrap_err();
        assert_eq!(e.position().map(|p| p.0), Some(4), "{}", e.render(false));
        assert!(
            e.message().contains("unknown condition `equals`"),
            "{}",
            e.message()
        );
        let e = load("env:\n  vars:\n    A: {}\n    KEY: { required_when: 3 }\n").unwrap_err();
        assert_eq!(e.position(), Some((4, 27)), "{}", e.render(false));
        let e = load("env:\n  vars:\n    KEY: { required_when: KEY }\n").unwrap_err();
        assert_eq!(e.position(), Some((3, 5)), "{}", e.render(false));
        assert!(e.message().contains("on itself"));
    }

    #[test]
    fn custom_environments_allow_their_overrides() {
        let s = load("env:\n  environments: [dev, prod]\n  vars:\n    A: { required: [prod], prod: { min_length: 4 } }\n").unwrap();
        assert_eq!(s.config.vars["A"].for_env("prod").constraints.min_length, Some(4));
        assert!(load("env:\n  environments: [dev, prod]\n  vars:\n    A: { production: {} }\n").is_err());
    }
}
