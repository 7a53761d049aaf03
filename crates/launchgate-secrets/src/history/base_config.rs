//! The configuration a range scan trusts: the one on the base commit.
//!
//! A pull request can edit `launchgate.yml`, the rule files and the baseline it is judged
//! by. So a range scan reads the `secrets:` section, the `extra_rules` files and the
//! baseline from the base commit, and then asks what the change's own configuration would
//! have hidden, so the finding can name that suppression.

use std::path::{Component, Path, PathBuf};

use launchgate_core::config::{ConfigFile, FILE_NAMES};
use launchgate_core::{Error, Finding, Location, Report, RuleInfo, Severity};

use super::git::Repo;
use super::load_baseline;
use crate::baseline::Baseline;
use crate::config::LoadedConfig;
use crate::scan::BaselineChoice;
use launchgate_detect::engine::Engine;

/// The configuration and baseline read from the base commit.
pub(crate) struct BaseConfig {
    pub loaded: LoadedConfig,
    pub baseline: Option<Baseline>,
    /// "launchgate.yml at 4f2a1c0d9e8b", for notes.
    pub described: String,
    /// Holds the base's rule files and baseline while the scan reads them.
    _mirror: tempfile::TempDir,
}

/// Reads the configuration of `base`, named `role` in messages ("the base commit"). `head`
/// is the configuration of the working tree; its file decides which file to read.
pub(crate) fn at_commit(
    repo: &Repo,
    base: &str,
    role: &str,
    head: &LoadedConfig,
    choice: &BaselineChoice,
) -> Result<BaseConfig, Error> {
    // A bare repository (a server-side hook) has no work tree: its files are only the
    // commits', and a configuration named on the command line is outside it.
    let top = repo
        .git("the top of the repository", ["rev-parse", "--show-toplevel"])
        .run()?;
    let top = top.success.then(|| {
        let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim_end_matches('\n'));
        top.canonicalize().unwrap_or(top)
    });
    let inside = |path: &Path| top.as_deref().and_then(|top| inside(top, path));
    let short = base.get(..12).unwrap_or(base);
    let mirror = tempfile::tempdir().map_err(|e| {
        Error::input(format!(
            "cannot create a temporary folder for the base configuration: {e}"
        ))
    })?;

    // The configuration file, as a path inside the repository.
    let config_rel = match &head.file {
        Some(file) => inside(file),
        None => {
            let dir = inside(&head.base_dir).unwrap_or_default();
            let mut found = None;
            for name in FILE_NAMES {
                let rel = dir.join(name);
                if blob(repo, base, &rel)?.is_some() {
                    found = Some(rel);
                    break;
                }
            }
            Some(found.unwrap_or_else(|| dir.join(FILE_NAMES[0])))
        }
    };
    let Some(config_rel) = config_rel else {
        // A configuration from outside the repository: no change can edit it.
        return Ok(BaseConfig {
            loaded: head.clone(),
            baseline: load_baseline(head, choice)?,
            described: "a configuration outside the repository".to_string(),
            _mirror: mirror,
        });
    };
    let config_dir = config_rel.parent().map(Path::to_path_buf).unwrap_or_default();
    let described = format!("{} at {role} {short}", slash(&config_rel));
    let mut loaded = match blob(repo, base, &config_rel)? {
        Some(bytes) => {
            let source = String::from_utf8(bytes).map_err(|_| {
                Error::input(format!("{described} is not valid UTF-8"))
                    .with_help("save launchgate.yml as UTF-8 on the base branch")
            })?;
            LoadedConfig::from_file(&ConfigFile {
                path: PathBuf::from(&described),
                source,
            })?
        }
        None => LoadedConfig::default(),
    };
    loaded.base_dir = mirror.path().join(&config_dir);
    loaded.file = None;

    // Rule files named relative to the configuration come from the base too.
    for extra in &loaded.secrets.extra_rules {
        if extra.is_absolute() {
            continue;
        }
        let rel = in_repo(&config_dir, extra).ok_or_else(|| {
            Error::input(format!(
                "secrets.extra_rules in {described}: {} leaves the repository",
                extra.display()
            ))
            .with_help("keep rule files inside the repository, or name them with an absolute path")
        })?;
        copy_from_base(repo, base, &rel, mirror.path())?;
    }

    let baseline = match choice {
        BaselineChoice::Ignore => None,
        BaselineChoice::Configured => {
            let named = loaded
                .secrets
                .baseline
                .clone()
                .unwrap_or_else(|| PathBuf::from(crate::config::DEFAULT_BASELINE));
            match in_repo(&config_dir, &named) {
                Some(rel) if !named.is_absolute() => {
                    copy_from_base(repo, base, &rel, mirror.path())?;
                    load_named(
                        &mirror.path().join(&rel),
                        &format!("{} at {role} {short}", slash(&rel)),
                    )?
                }
                _ => Baseline::load(&named)?,
            }
        }
        BaselineChoice::File(path) => match inside(path) {
            Some(rel) => {
                copy_from_base(repo, base, &rel, mirror.path())?;
                let loaded = load_named(
                    &mirror.path().join(&rel),
                    &format!("{} at {role} {short}", slash(&rel)),
                )?;
                Some(loaded.ok_or_else(|| {
                    Error::input(format!(
                        "the baseline {} does not exist at {role} {short}",
                        slash(&rel)
                    ))
                    .with_help("a range scan reads the baseline of the base commit: land the baseline on the base branch first")
                })?)
            }
            None => load_baseline(head, choice)?,
        },
    };
    Ok(BaseConfig {
        loaded,
        baseline,
        described,
        _mirror: mirror,
    })
}

/// A baseline read from the mirror, named as the commit's file.
fn load_named(path: &Path, named: &str) -> Result<Option<Baseline>, Error> {
    Ok(Baseline::load(path)?.map(|mut b| {
        b.path = PathBuf::from(named);
        b
    }))
}

/// A path's place inside the repository at `top`, if it is inside.
fn inside(top: &Path, path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    absolute.strip_prefix(top).ok().map(Path::to_path_buf)
}

/// `dir/named` inside the repository, resolved lexically; `None` when it leaves it.
fn in_repo(dir: &Path, named: &Path) -> Option<PathBuf> {
    let joined = dir.join(named);
    let mut parts: Vec<Component> = Vec::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(_) => parts.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The bytes of `path` at `commit`, or `None` when the commit has no such file.
fn blob(repo: &Repo, commit: &str, path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let spec = format!("{commit}:{}", slash(path));
    let exists = repo
        .git("the base commit's files", ["cat-file", "-e", spec.as_str()])
        .run()?;
    if !exists.success {
        return Ok(None);
    }
    repo.git("the base commit's files", ["cat-file", "blob", spec.as_str()])
        .output()
        .map(Some)
}

/// Writes the base commit's version of a file into the mirror (nothing when it has none).
fn copy_from_base(repo: &Repo, base: &str, rel: &Path, mirror: &Path) -> Result<(), Error> {
    let Some(bytes) = blob(repo, base, rel)? else {
        return Ok(());
    };
    let target = mirror.join(rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
    }
    std::fs::write(&target, bytes).map_err(|e| Error::io(&target, &e))
}

/// What the change's own configuration and baseline would hide, asked per match.
pub(crate) struct ChangeSuppressions {
    pub engine: Engine,
    pub filter: super::PathFilter,
    pub baseline: Option<Baseline>,
    pub max_size: u64,
    /// `secrets.allow.values` / `secrets.allow.regexes` entries the change adds.
    pub added_allow: Vec<&'static str>,
}

impl ChangeSuppressions {
    /// `change` is the configuration at the head of the range, `base` the one that judges it.
    pub fn new(
        change: BaseConfig,
        base: &LoadedConfig,
        max_file_size: Option<u64>,
    ) -> Result<ChangeSuppressions, Error> {
        let head = &change.loaded;
        let added = |h: &[String], b: &[String]| h.iter().any(|v| !b.contains(v));
        let mut added_allow = Vec::new();
        if added(&head.secrets.allow.values, &base.secrets.allow.values) {
            added_allow.push("secrets.allow.values");
        }
        if added(&head.secrets.allow.regexes, &base.secrets.allow.regexes) {
            added_allow.push("secrets.allow.regexes");
        }
        Ok(ChangeSuppressions {
            engine: Engine::new(head.rule_set(false)?, &head.engine_config())?,
            filter: super::PathFilter::new(head)?,
            max_size: max_file_size.unwrap_or_else(|| head.max_file_size()),
            added_allow,
            baseline: change.baseline,
        })
    }

    /// The suppressions of the change that would hide a match of `rule_id` at `range` in a
    /// file's added lines (`bytes`). `head_matches` is filled on first use.
    pub fn hiding(
        &self,
        path: &str,
        bytes: &[u8],
        rule_id: &str,
        range: &std::ops::Range<usize>,
        head_matches: &mut Option<Vec<launchgate_detect::engine::Match>>,
    ) -> Vec<String> {
        let mut hiding = Vec::new();
        if self.engine.path_allowed(path) {
            hiding.push("secrets.allow.paths".to_string());
        } else if !self.filter.keeps(&self.engine, path) {
            hiding.push("secrets.include/secrets.exclude".to_string());
        }
        if bytes.len() as u64 > self.max_size {
            hiding.push("secrets.max_file_size".to_string());
        }
        if !self.engine.rules().any(|r| r.spec.id == rule_id) {
            hiding.push(format!("secrets.disable (or extra_rules) dropping {rule_id}"));
        }
        if hiding.is_empty() {
            let found = head_matches.get_or_insert_with(|| self.engine.scan_bytes(path, bytes));
            if !found.iter().any(|m| m.rule_id == rule_id && m.range == *range) {
                if self.added_allow.is_empty() {
                    hiding.push("secrets.allow (a rule or allowlist change)".to_string());
                } else {
                    hiding.push(self.added_allow.join(" or "));
                }
            }
        }
        hiding
    }

    /// Whether the change's baseline, and not the base's, accepts a fingerprint.
    pub fn baseline_hides(&self, fingerprint: &str, base: Option<&Baseline>) -> Option<String> {
        let head = self.baseline.as_ref()?;
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = head.path.strip_prefix(&cwd).unwrap_or(&head.path);
        (head.contains(fingerprint) && !base.is_some_and(|b| b.contains(fingerprint)))
            .then(|| format!("the baseline {}", slash(shown)))
    }
}

/// Identifies a candidate across the scan: commit, path, position and rule.
pub(crate) fn candidate_key(c: &super::findings::Candidate) -> (String, String, u32, u32, String) {
    (
        c.intro.commit.clone(),
        c.intro.path.clone(),
        c.matched.line,
        c.matched.column,
        c.matched.rule_id.clone(),
    )
}

/// A secret only the change's own settings would hide: an error that names them.
pub(crate) fn mark_self_suppressed(finding: &mut Finding, hiding: &[String], trusted: &str) {
    let named = hiding.join(", ");
    finding.severity = Severity::Error;
    finding.message = format!(
        "{}; only this change's own {named} would hide it, and a change cannot approve its own secrets",
        finding.message
    );
    let help = finding.help.take().unwrap_or_default();
    finding.help = Some(format!(
        "If this is not a secret, land the suppression ({named}) on the base branch first, \
         reviewed on its own, then rebase: this scan reads {trusted}. {help}"
    ));
    finding
        .properties
        .insert("suppressed_by_change".into(), serde_json::Value::from(named));
}

/// The rule id of the warning for an allow comment a change adds.
pub(crate) const ALLOW_COMMENT_RULE: &str = "launchgate.allow-comment-added";

/// A warning at a line where the change's own `launchgate:allow` comment hides a match, so
/// reviewers see it. It names the rule, never the value.
pub(crate) fn allow_comment_warning(
    engine: &Engine,
    report: &mut Report,
    c: &super::findings::Candidate,
) -> Finding {
    let m = &c.matched;
    let rule = engine.rule(m.rule_index);
    let commit = c.intro.commit.get(..12).unwrap_or(&c.intro.commit);
    let location = Location::at(c.intro.path.clone(), m.line, m.column).in_commit(c.intro.commit.clone());
    report
        .rules
        .entry(ALLOW_COMMENT_RULE.to_string())
        .or_insert_with(|| RuleInfo {
            name: "Allow comment added by the change".to_string(),
            description: "A change adds an inline allow comment that hides a match on its own line."
                .to_string(),
            help_uri: None,
        });
    Finding::new(
        ALLOW_COMMENT_RULE,
        Severity::Warning,
        format!(
            "an allow comment added by commit {commit} hides a {} match on this line",
            rule.spec.name
        ),
    )
    .at(location)
    .help("Reviewers: confirm the value is not a real secret before merging; the comment suppresses it from now on.")
    .property("hidden_rule", m.rule_id.clone())
    .fingerprint_from(&[ALLOW_COMMENT_RULE, &c.intro.commit, &c.intro.path, &m.line.to_string()])
}
