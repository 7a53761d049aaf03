//! The command line: `launchgate-env <check|lint|diff|usage|init>`, also `launchgate env …`.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use launchgate_core::config::ConfigFile;
use launchgate_core::output::{OutputArgs, emit};
use launchgate_core::{Error, ExitStatus, Report};

use crate::{ENVIRONMENT_VARIABLE, LintOptions, Schema, Values};

/// Validate environment variables per environment, lint .env files, and stop secrets
/// behind public prefixes or in committed files.
#[derive(Debug, Parser)]
#[command(name = "launchgate-env", version, about)]
pub struct Command {
    #[command(subcommand)]
    pub action: Option<Action>,

    /// List the rules this gate reports, and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// The configuration file (default: launchgate.yml or launchgate.yaml in the root).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// A schema file: one with an `env:` section, or a bare schema (`vars:` at the top).
    /// Takes precedence over the configuration file's `env:` section.
    #[arg(long, value_name = "FILE", global = true)]
    pub schema: Option<PathBuf>,

    /// The repository root: where .env files, launchgate.yml and the source are.
    #[arg(long, short = 'C', value_name = "DIR", default_value = ".", global = true)]
    pub root: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Validate the values a deploy will have (the process environment, or --file) for one
    /// environment.
    Check {
        /// The environment: one of the schema's `environments` (default: $LAUNCHGATE_ENV,
        /// then env.check.environment).
        #[arg(long = "env", value_name = "ENVIRONMENT")]
        environment: Option<String>,
        /// Read values from this .env file instead of the process environment; repeat for
        /// several (later files override earlier ones).
        #[arg(long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Lint .env files (default: every .env* file git tracks or the working tree has), and
    /// check them for committed secrets and public-prefix leaks.
    Lint {
        /// Files to lint.
        files: Vec<PathBuf>,
        /// Repair what is safe to repair (whitespace, line endings, blank lines, quoting).
        #[arg(long)]
        fix: bool,
        /// Turn a lint off (repeatable), e.g. `--disable export-prefix`.
        #[arg(long, value_name = "ID")]
        disable: Vec<String>,
    },
    /// Compare the schema, .env.example and the other .env files.
    Diff,
    /// Find variables the code reads but the schema does not declare.
    Usage,
    /// Write a schema from .env.example and the usage scan (never overwrites one).
    Init {
        /// Where to write (default: launchgate.yml in the root; appended if it has no env:).
        #[arg(long = "to", value_name = "FILE")]
        to: Option<PathBuf>,
    },
}

/// Runs a parsed command and renders its report; errors print on stderr and give exit 2.
impl launchgate_core::command::GateCommand for Command {
    fn listed_rules(&self) -> Option<launchgate_core::rule::RuleSet<'static>> {
        self.list_rules.then_some(crate::rules::set())
    }

    fn execute(self) -> Result<ExitStatus, Error> {
        let targets = self.output.targets()?;
        Ok(match execute(&self)? {
            Some(report) => emit(&[report], &targets, self.output.fail_on),
            None => ExitStatus::Passed,
        })
    }
}

fn execute(cmd: &Command) -> Result<Option<Report>, Error> {
    let Some(action) = &cmd.action else {
        return Err(Error::input("launchgate-env needs a subcommand")
            .with_help("run `launchgate-env lint`, `launchgate-env check --environment production` or `launchgate-env --help`"));
    };
    let root = cmd.root.as_path();
    if !root.is_dir() {
        return Err(Error::input(format!("--root {} is not a folder", root.display()))
            .with_help("name the repository's root folder"));
    }
    let config = ConfigFile::discover(cmd.config.as_deref(), root)?;
    let schema = load_schema(cmd.schema.as_deref(), config.as_ref(), root)?;
    match action {
        Action::Check { environment, files } => {
            let schema = schema.ok_or_else(no_schema)?;
            let values = if files.is_empty() {
                Values::from_env(std::env::vars_os())
            } else {
                // Files named on the command line are relative to the current folder.
                Values::from_files(Path::new("."), files)?
            };
            let env = environment
                .clone()
                .or_else(|| std::env::var(ENVIRONMENT_VARIABLE).ok().filter(|s| !s.is_empty()))
                .or_else(|| schema.config.check.environment.clone())
                .or_else(|| schema.current_environment(&values))
                .ok_or_else(|| {
                    Error::input("no environment to check against").with_help(format!(
                        "pass `--env production` (one of: {}) or set {ENVIRONMENT_VARIABLE}",
                        schema.config.environments.join(", ")
                    ))
                })?;
            crate::check_values(&schema, &env, &values).map(Some)
        }
        Action::Lint { files, fix, disable } => {
            let mut options = LintOptions {
                disable: schema
                    .as_ref()
                    .map(|s| s.config.lint.disable.clone())
                    .unwrap_or_default(),
            };
            options.disable.extend(disable.iter().cloned());
            if files.is_empty() {
                let env_files = crate::files::EnvFiles::discover(root)?;
                return crate::lint_env_files(root, env_files, schema.as_ref(), &options, *fix).map(Some);
            }
            crate::lint_files(Path::new("."), files, schema.as_ref(), &options, *fix).map(Some)
        }
        Action::Diff => crate::diff(root, schema.as_ref()).map(Some),
        Action::Usage => {
            let schema = schema.ok_or_else(no_schema)?;
            crate::usage(root, &schema).map(Some)
        }
        Action::Init { to } => {
            let target = to.clone().unwrap_or_else(|| root.join("launchgate.yml"));
            let example = crate::drift::example_path(root, None);
            let count = crate::init::write(root, &target, example.as_deref())?;
            eprintln!(
                "wrote {count} variables to {}{}; review the types, `required` and `secret` before committing",
                target.display(),
                example
                    .map(|e| format!(" from {} and the code", e.display()))
                    .unwrap_or_else(|| " from the code".into())
            );
            Ok(None)
        }
    }
}

fn load_schema(
    explicit: Option<&Path>,
    config: Option<&ConfigFile>,
    root: &Path,
) -> Result<Option<Schema>, Error> {
    if let Some(path) = explicit {
        let mut schema = Schema::from_file(path)?;
        schema.file = Some(crate::relative_display(root, path));
        return Ok(Some(schema));
    }
    if let Some(config) = config
        && let Some(mut schema) = Schema::from_config(config)?
    {
        schema.file = Some(crate::relative_display(root, &config.path));
        return Ok(Some(schema));
    }
    // Without an `env:` section, a varlock `.env.schema` in the root is the schema.
    Schema::discover_env_spec(root)
}

fn no_schema() -> Error {
    Error::input(
        "no schema: launchgate.yml has no env: section, there is no .env.schema and no --schema was given",
    )
    .with_help("run `launchgate-env init` to write one from .env.example and the code")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    /// The umbrella embeds `Command` as `launchgate env …`.
    #[derive(Debug, Parser)]
    struct Umbrella {
        #[command(subcommand)]
        gate: Gate,
    }

    #[derive(Debug, Subcommand)]
    enum Gate {
        Env(Command),
    }

    #[test]
    fn embeds_as_a_subcommand() {
        let matches = Umbrella::command()
            .try_get_matches_from([
                "launchgate",
                "env",
                "lint",
                ".env",
                "--fix",
                "--format",
                "json",
                "--format",
                "sarif",
                "-o",
                "r.sarif",
            ])
            .unwrap();
        let Gate::Env(cmd) = Umbrella::from_arg_matches(&matches).unwrap().gate;
        assert!(matches!(cmd.action, Some(Action::Lint { fix: true, .. })));
        let targets = cmd.output.targets().unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[1].path.as_deref(), Some(Path::new("r.sarif")));
        Command::command().debug_assert();
    }
}
