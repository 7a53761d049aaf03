//! The `secrets:` section of launchgate.yml.

use std::path::{Path, PathBuf};

use launchgate_core::Error;
use launchgate_core::bounded::{MAX_CONFIG_FILE_SIZE, read_file_text};
use launchgate_core::config::ConfigFile;
use serde::Deserialize;

use launchgate_detect::engine::EngineConfig;
use launchgate_detect::rule_check::shape_problems;
use launchgate_detect::rules::RuleSet;

/// Where baselines live unless `secrets.baseline` says otherwise.
pub const DEFAULT_BASELINE: &str = ".launchgate/secrets-baseline.json";
/// Files larger than this are skipped unless `max_file_size` says otherwise.
pub use launchgate_detect::DEFAULT_MAX_FILE_SIZE;

/// ```yaml
/// secrets:
///   allow:
///     paths: ["tests/fixtures/**"]
///     regexes: ['^sk_test_']
///     values: ["sha256:…"]
///   disable: [generic.password-assignment]
///   extra_rules: [ci/secret-rules.yaml]
///   max_file_size: 5242880
///   include: ["**"]
///   exclude: ["**/*.min.js"]
///   baseline: .launchgate/secrets-baseline.json
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    #[serde(default)]
    pub allow: AllowConfig,
    /// Rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// More rule files, relative to the configuration file's folder.
    #[serde(default)]
    pub extra_rules: Vec<PathBuf>,
    /// Bytes; larger files are skipped and counted.
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Globs; when set, only matching files are scanned.
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of files never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The baseline file, relative to the configuration file's folder.
    #[serde(default)]
    pub baseline: Option<PathBuf>,
}

/// `secrets.allow`: what is never reported.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowConfig {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub regexes: Vec<String>,
    #[serde(default)]
    pub values: Vec<String>,
}

/// The section and the folder its relative paths are resolved against.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub secrets: SecretsConfig,
    pub base_dir: PathBuf,
    /// The file it was read from; `None` for the defaults.
    pub file: Option<PathBuf>,
}

impl LoadedConfig {
    /// Reads the `secrets:` section of the file named with `--config`, or of launchgate.yml
    /// in `dir`; defaults when there is none.
    pub fn discover(explicit: Option<&Path>, dir: &Path) -> Result<LoadedConfig, Error> {
        match ConfigFile::discover(explicit, dir)? {
            Some(file) => LoadedConfig::from_file(&file),
            None => Ok(LoadedConfig {
                secrets: SecretsConfig::default(),
                base_dir: dir.to_path_buf(),
                file: None,
            }),
        }
    }

    pub fn from_file(file: &ConfigFile) -> Result<LoadedConfig, Error> {
        let secrets = file.section::<SecretsConfig>("secrets")?.unwrap_or_default();
        if secrets.max_file_size == Some(0) {
            let name = file.display_name();
            let offset = file.source.find("max_file_size").unwrap_or(0);
            return Err(Error::at_source(
                format!("{name}: secrets.max_file_size is 0, which would skip every file"),
                &name,
                &file.source,
                offset,
                "max_file_size".len(),
                "skips every file",
            )
            .with_help("give a size of at least one byte, or remove the key for the default (10 MiB)"));
        }
        let base_dir = file
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(LoadedConfig {
            secrets,
            base_dir,
            file: Some(file.path.clone()),
        })
    }

    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            allow_paths: self.secrets.allow.paths.clone(),
            allow_regexes: self.secrets.allow.regexes.clone(),
            allow_values: self.secrets.allow.values.clone(),
        }
    }

    /// The embedded rules, plus extra rule files, minus disabled rules. Every rule must be
    /// able to run: a rule file that does not load, or a rule that `rules check` would refuse
    /// without running it (no example, no keyword, no reference), is an error naming the rule
    /// and its line, never a rule silently left out. The extra rules' patterns are compiled
    /// here; the built-in rules' are compiled on their first keyword hit, proven by the
    /// crate's tests and checked for syntax when the binary is built.
    pub fn rule_set(&self, log_rules: bool) -> Result<RuleSet, Error> {
        let mut set = RuleSet::embedded();
        if log_rules {
            set.add_log_rules();
        }
        refuse_broken_built_ins(&set)?;
        for extra in &self.secrets.extra_rules {
            let path = self.base_dir.join(extra);
            let source = read_file_text(&path, MAX_CONFIG_FILE_SIZE, "a rule file").map_err(|e| {
                Error::input(format!("secrets.extra_rules: {}", e.message()))
                    .with_help("paths in secrets.extra_rules are relative to launchgate.yml")
            })?;
            let name = path.display().to_string();
            let problems_before = set.problems.len();
            set.add_source(&name, &source);
            // The team's own rules must work: a rule that cannot run is an error, never a
            // note beside a passing scan.
            if let Some(problem) = set.problems.get(problems_before) {
                return Err(extra_rule_error(&name, &source, problem.line, &problem.message));
            }
            for rule in set.rules.iter().filter(|r| r.file == name) {
                let mut problems = shape_problems(rule);
                if problems.is_empty()
                    && let Err(e) = launchgate_detect::engine::validate_rule(rule)
                {
                    problems.push(format!("has a regex that does not compile: {e}"));
                }
                if !problems.is_empty() {
                    let message = format!("rule `{}` {}", rule.spec.id, problems.join("; "));
                    return Err(extra_rule_error(&name, &source, Some(rule.line), &message));
                }
            }
        }
        set.disable(&self.secrets.disable)?;
        Ok(set)
    }

    pub fn baseline_path(&self) -> PathBuf {
        self.base_dir.join(
            self.secrets
                .baseline
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_BASELINE)),
        )
    }

    pub fn max_file_size(&self) -> u64 {
        self.secrets.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }
}

/// An error in a file of `secrets.extra_rules`, at the rule's line (its `id`), else the
/// file's first line.
fn extra_rule_error(file: &str, source: &str, line: Option<u32>, message: &str) -> Error {
    rule_error(
        &format!("secrets.extra_rules: {file}: {message}"),
        file,
        source,
        line,
    )
    .with_help("fix the rule, then check it with `launchgate-secrets rules check FILE`")
}

/// The first problem of the built-in rules, as an error: a rule file that did not load, or
/// a rule `rules check` refuses without running it.
fn refuse_broken_built_ins(set: &RuleSet) -> Result<(), Error> {
    if let Some(problem) = set.problems.first() {
        return Err(built_in_rule_error(&problem.file, problem.line, &problem.message));
    }
    for rule in &set.rules {
        let problems = shape_problems(rule);
        if !problems.is_empty() {
            let message = format!("rule `{}` {}", rule.spec.id, problems.join("; "));
            return Err(built_in_rule_error(&rule.file, Some(rule.line), &message));
        }
    }
    Ok(())
}

/// An error in a rule file built into the binary: the build took a rule file that is not
/// ready, and scanning without the rule would pass what it should find.
fn built_in_rule_error(file: &str, line: Option<u32>, message: &str) -> Error {
    let source = RuleSet::embedded_source(file).unwrap_or_default();
    rule_error(&format!("built-in rules: {file}: {message}"), file, source, line).with_help(
        "this build holds a broken rule file; fix it until `launchgate-secrets rules check` passes, then rebuild",
    )
}

/// An error at a rule's line (its `id`), else the file's first line.
fn rule_error(message: &str, file: &str, source: &str, line: Option<u32>) -> Error {
    if source.is_empty() {
        let line = line.map(|l| format!(":{l}")).unwrap_or_default();
        return Error::input(format!("{message} (at {file}{line})"));
    }
    let line = line.filter(|l| *l > 0).unwrap_or(1) as usize;
    let line_start = launchgate_core::error::offset_of(source, line, 1);
    let text = &source[line_start..];
    let column = text.len() - text.trim_start_matches([' ', '-']).len();
    Error::at_source(
        message.to_string(),
        file,
        source,
        line_start + column,
        1,
        "this rule",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_point_at_the_line() {
        let file = ConfigFile {
            path: PathBuf::from("launchgate.yml"),
            source: "secrets:\n  allow:\n    path: [a]\n".to_string(),
        };
        let e = LoadedConfig::from_file(&file).unwrap_err();
        assert_eq!(e.position(), Some((3, 5)));
        assert!(
            e.hint().unwrap().contains("did you mean `paths`?"),
            "{:?}",
            e.hint()
        );
    }

    #[test]
    fn the_built_in_rules_are_ready_to_scan() {
        refuse_broken_built_ins(&RuleSet::embedded_with_log_rules()).unwrap();
    }

    #[test]
    fn a_built_in_rule_without_an_example_refuses_the_scan_at_its_line() {
        let mut set = RuleSet::embedded();
        let (file, source) = (
            "rules/secrets/aws.yaml",
            RuleSet::embedded_source("rules/secrets/aws.yaml").unwrap(),
        );
        let rule = set.rules.iter_mut().find(|r| r.file == file).unwrap();
        rule.spec.examples.clear();
        let (id, line) = (rule.spec.id.clone(), rule.line);
        assert!(
            source
                .lines()
                .nth(line as usize - 1)
                .unwrap()
                .contains(&format!("id: {id}"))
        );
        let e = refuse_broken_built_ins(&set).unwrap_err();
        assert_eq!(e.position(), Some((line as usize, 5)), "{}", e.message());
        assert!(
            e.message()
                .contains(&format!("rule `{id}` needs at least one example")),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_built_in_rule_file_that_does_not_load_refuses_the_scan() {
        let mut set = RuleSet::embedded();
        set.add_source(
            "rules/secrets/half-written.yaml",
            "rules:\n  - id: demo.token\n    name: [\n",
        );
        let e = refuse_broken_built_ins(&set).unwrap_err();
        assert!(
            e.message().contains("rules/secrets/half-written.yaml"),
            "{}",
            e.message()
        );
        assert!(e.message().contains("not a valid rule file"), "{}", e.message());
    }

    #[test]
    fn relative_paths_follow_the_file() {
        let file = ConfigFile {
            path: PathBuf::from("app/launchgate.yml"),
            source: "secrets:\n  baseline: b.json\n  max_file_size: 100\n".to_string(),
        };
        let c = LoadedConfig::from_file(&file).unwrap();
        assert_eq!(c.baseline_path(), PathBuf::from("app/b.json"));
        assert_eq!(c.max_file_size(), 100);
    }

    #[test]
    fn a_max_file_size_of_zero_is_an_error_at_the_key() {
        let file = ConfigFile {
            path: PathBuf::from("launchgate.yml"),
            source: "secrets:\n  max_file_size: 0\n".to_string(),
        };
        let e = LoadedConfig::from_file(&file).unwrap_err();
        assert_eq!(e.position(), Some((2, 3)));
        assert!(e.message().contains("skip every file"), "{}", e.message());
    }
}
