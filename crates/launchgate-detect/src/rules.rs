//! The rule file format and the rule sets the engine runs.
//!
//! Rule files are YAML with a top-level `rules:` list. Each rule is read on its own, so one
//! bad rule (a typo in a key, a missing field) is reported and skipped instead of taking its
//! whole file down with it.

use std::collections::HashSet;
use std::path::Path;

use launchgate_core::bounded::{MAX_CONFIG_FILE_SIZE, read_file_text};
use launchgate_core::{Error, Severity};
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A rule file built into the binary.
struct EmbeddedRuleFile {
    /// As rules name their file (`rules/secrets/stripe.yaml`).
    name: &'static str,
    yaml: &'static str,
    /// The same rules as JSON, made by the build; `None` when the YAML could not be
    /// translated, which reading the YAML then reports.
    json: Option<&'static str>,
    /// The line each rule starts on, as the build's YAML parser read it.
    lines: &'static [u32],
}

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The rules that only the log check runs (PII that is fine in code but not in a log).
const LOG_ONLY_RULES: (&str, &str) = ("log-only rules (built in)", include_str!("rules/log_only.yaml"));

/// How sure a rule is that a match is a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Generic shapes: an assignment to a variable named like a secret.
    Low,
    /// A provider keyword next to a value of the right shape.
    Medium,
    /// A unique prefix or a checksum.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One positive example: an input and the secret the rule must extract from it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub input: String,
    pub secret: String,
}

/// Where a rule's regex reads an assignment: `(?&assign)` stands for [`ASSIGN`], the one
/// spelling of "key, then its value" the regex rules share.
pub const ASSIGN_MARK: &str = "(?&assign)";

/// Everything that may stand between a key and its value: `=`, `:`, `=>`, `:=`, `::=`,
/// `?=`, `.=`, `+=`, an argument list's `", "` (`setProperty("KEY", "…")`), and a typed
/// declaration's `string =` (Go, C#) or `: String =` (Kotlin), an XML element's `>`, with
/// the key's closing quote and the value's opening one.
pub const ASSIGN: &str = r#"["\x27]?(?:\s{0,3}(?:=>|:{1,3}=|[?.+]=|[:=,])|\s{1,3}(?:string|str|String)\s{1,3}=|\s{0,3}:\s{0,3}String\s{1,3}=|>\s{0,5})\s{0,3}["\x27`]?"#;

/// A rule as written in a rule file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub name: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// The regex, for rules that are not written as an `assignment`.
    #[serde(default)]
    pub regex: String,
    /// The rule as a key assigned a token-shaped value, read by the shared assignment grammar.
    #[serde(default)]
    pub assignment: Option<AssignmentSpec>,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    pub severity: Severity,
    pub confidence: Confidence,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Bytes either side of a keyword hit that the regex may see; set for multi-line formats.
    #[serde(default)]
    pub window: Option<usize>,
    /// Values of this shape that a provider published as samples in its own public SDKs or
    /// documentation: public by design, so never reported.
    #[serde(default)]
    pub public_samples: Vec<String>,
    /// What becomes of a value below `min_entropy`: dropped, or for credentials people
    /// choose themselves (passwords) reported as a note, since a weak password is still one.
    #[serde(default)]
    pub weak_values: WeakValues,
}

/// What a rule does with a value below its entropy gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeakValues {
    /// Not a credential: what a generated token never looks like.
    #[default]
    Drop,
    /// A credential a person chose: reported as a note.
    Note,
}

/// A rule written as an assignment: which keys, which values, and for a provider-context
/// rule which provider must be named.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSpec {
    /// Regex over the key's words, lowercase and joined by `_` (`twilioAuthToken` reads
    /// `twilio_auth_token`).
    pub key: String,
    /// Regex over the same words that rules a key out (`next_page_token`, `token_url`).
    #[serde(default)]
    pub not_key: Option<String>,
    /// Regex the whole value must match: the shape of the token the provider issues.
    pub value: String,
    /// Regex the whole value may match instead when it is written between quotes: a string
    /// literal may hold characters (`(`, `[`, `;`) that end an unquoted value, as generated
    /// passwords do.
    #[serde(default)]
    pub quoted_value: Option<String>,
    /// Names of the provider (words, snake case); one must be a whole word of the identifier
    /// that woke the rule, which is the key or a parent key shortly before it.
    #[serde(default)]
    pub provider: Vec<String>,
}

/// A rule and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub spec: RuleSpec,
    /// The file it was read from, as shown in messages (`rules/secrets/stripe.yaml`).
    pub file: String,
    /// 1-based line of the rule's `id:` in that file.
    pub line: u32,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// `generic.*` rules lose to a specific rule that matches the same span.
    pub fn is_generic(&self) -> bool {
        self.spec.id.starts_with("generic.")
    }
}

/// A rule file or rule that could not be loaded, or a rule that fails its own examples.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleProblem {
    pub file: String,
    pub line: Option<u32>,
    pub rule_id: Option<String>,
    pub message: String,
}

/// Rules ready for an engine, and the problems met while reading them.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub problems: Vec<RuleProblem>,
    /// The files read, in order.
    pub files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictRuleFile {
    #[serde(default)]
    rules: Vec<RuleSpec>,
}

/// A rule file read from YAML: each rule with where it starts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictYamlRuleFile {
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
}

/// A rule file with a problem, read rule by rule to name the bad ones.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    #[serde(default)]
    rules: Vec<Spanned<serde_json::Value>>,
}

impl RuleSet {
    /// The rules compiled into the binary from `rules/secrets/*.yaml`.
    pub fn embedded() -> RuleSet {
        let mut set = RuleSet::default();
        let mut seen = HashSet::new();
        for file in EMBEDDED_RULE_FILES {
            set.add_embedded(file, &mut seen);
        }
        set
    }

    /// Adds a built-in rule file from its JSON, which the build made from the YAML; from the
    /// YAML when there is none or it does not read as a valid rule file, so any problem is
    /// reported as the YAML's.
    /// `seen` holds the ids of the rules added so far.
    fn add_embedded(&mut self, file: &EmbeddedRuleFile, seen: &mut HashSet<String>) {
        if let Some(json) = file.json
            && let Ok(strict) = serde_json::from_str::<StrictRuleFile>(json)
            && strict.rules.len() == file.lines.len()
        {
            self.files.push(file.name.to_string());
            for (spec, line) in strict.rules.into_iter().zip(file.lines) {
                self.push_rule(file.name, spec, Some(*line), seen);
            }
            return;
        }
        let before = self.rules.len();
        self.add_source(file.name, file.yaml);
        seen.extend(self.rules[before..].iter().map(|r| r.spec.id.clone()));
    }

    /// The text of a rule file built into the binary, by the name its rules carry.
    pub fn embedded_source(file: &str) -> Option<&'static str> {
        EMBEDDED_RULE_FILES
            .iter()
            .map(|f| (f.name, f.yaml))
            .chain(std::iter::once(LOG_ONLY_RULES))
            .find(|(name, _)| *name == file)
            .map(|(_, source)| source)
    }

    /// The embedded rules plus the rules only the log check runs.
    pub fn embedded_with_log_rules() -> RuleSet {
        let mut set = RuleSet::embedded();
        set.add_log_rules();
        set
    }

    /// Adds the rules only the log check runs.
    pub fn add_log_rules(&mut self) {
        self.add_source(LOG_ONLY_RULES.0, LOG_ONLY_RULES.1);
    }

    /// Reads a rule file from disk (`secrets.extra_rules`, `--rules`) and adds its rules.
    pub fn add_file(&mut self, path: &Path) -> Result<(), Error> {
        let source = read_file_text(path, MAX_CONFIG_FILE_SIZE, "a rule file")?;
        self.add_source(&path.display().to_string(), &source);
        Ok(())
    }

    /// Parses one rule file's text and adds its rules; problems are recorded, not returned.
    pub fn add_source(&mut self, file: &str, source: &str) {
        self.files.push(file.to_string());
        // Fast path: a valid file parses straight into rules. Only a file with a problem is
        // read again rule by rule, to name the bad rule and keep the good ones.
        let mut seen: HashSet<String> = self.rules.iter().map(|r| r.spec.id.clone()).collect();
        if let Ok(strict) = launchgate_core::yaml::parse::<StrictYamlRuleFile>(source) {
            for rule in strict.rules {
                let line = line_of(&rule.referenced);
                self.push_rule(file, rule.value, line, &mut seen);
            }
            return;
        }
        let raw: RawRuleFile = match launchgate_core::yaml::parse(source) {
            Ok(raw) => raw,
            Err(e) => {
                self.problems.push(RuleProblem {
                    file: file.to_string(),
                    line: launchgate_core::yaml::line_of(&e).map(|line| line as u32),
                    rule_id: None,
                    message: format!(
                        "the file is not a valid rule file: {}",
                        launchgate_core::yaml::message_of(&e)
                    ),
                });
                return;
            }
        };
        for (index, rule) in raw.rules.into_iter().enumerate() {
            let id_hint = rule.value.get("id").and_then(|v| v.as_str()).map(str::to_string);
            let line = line_of(&rule.referenced);
            match serde_json::from_value::<RuleSpec>(rule.value) {
                Ok(spec) => self.push_rule(file, spec, line, &mut seen),
                Err(e) => self.problems.push(RuleProblem {
                    file: file.to_string(),
                    line,
                    rule_id: id_hint.clone(),
                    message: format!(
                        "rule {} is invalid: {e}",
                        id_hint
                            .map(|i| format!("`{i}`"))
                            .unwrap_or_else(|| format!("#{}", index + 1))
                    ),
                }),
            }
        }
    }

    fn push_rule(&mut self, file: &str, mut spec: RuleSpec, line: Option<u32>, seen: &mut HashSet<String>) {
        spec.regex = spec.regex.replace(ASSIGN_MARK, ASSIGN);
        if !seen.insert(spec.id.clone()) {
            self.problems.push(RuleProblem {
                file: file.to_string(),
                line,
                rule_id: Some(spec.id.clone()),
                message: format!(
                    "duplicate rule id `{}`: ids must be unique across all files",
                    spec.id
                ),
            });
            return;
        }
        self.rules.push(Rule {
            spec,
            file: file.to_string(),
            line: line.unwrap_or(0),
        });
    }

    /// Drops the rules with these ids; unknown ids are an error so a typo does not pass.
    pub fn disable(&mut self, ids: &[String]) -> Result<(), Error> {
        for id in ids {
            if !self.rules.iter().any(|r| &r.spec.id == id) {
                let known: Vec<&str> = self.rules.iter().map(|r| r.spec.id.as_str()).collect();
                let hint = match launchgate_core::config::closest(id, &known) {
                    Some(best) => {
                        format!("did you mean `{best}`? `launchgate-secrets rules list` prints every id")
                    }
                    None => "`launchgate-secrets rules list` prints every rule id".to_string(),
                };
                return Err(
                    Error::input(format!("secrets.disable names an unknown rule `{id}`")).with_help(hint),
                );
            }
        }
        self.rules.retain(|r| !ids.contains(&r.spec.id));
        Ok(())
    }
}

/// The 1-based line a rule starts on, as the parser read it.
fn line_of(location: &serde_saphyr::Location) -> Option<u32> {
    (location.line() > 0).then(|| location.line() as u32)
}

#[cfg(test)]
#[path = "../build_rules.rs"]
mod build_rules;

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_RULES: &str = r#"rules:
  - id: demo.token
    name: Demo token
    description: A demo token.
    keywords: [demo_]
    regex: '\b(demo_[a-z0-9]{20})\b'
    severity: error
    confidence: high
    references: [https://example.com/docs]
    examples:
      - input: 'x = demo_ab12cd34ef56gh78ij90'
        secret: demo_ab12cd34ef56gh78ij90 # launchgate:allow
    negative_examples: ['demo_short']
  - id: demo.broken
    name: Broken
    descriptoin: typo
"#;

    #[test]
    fn a_bad_rule_does_not_take_its_file_down() {
        let mut set = RuleSet::default();
        set.add_source("demo.yaml", TWO_RULES);
        assert_eq!(set.rules.len(), 1);
        assert_eq!(set.rules[0].line, 2);
        assert_eq!(set.problems.len(), 1);
        let p = &set.problems[0];
        assert_eq!((p.line, p.rule_id.as_deref()), (Some(14), Some("demo.broken")));
        assert!(p.message.contains("descriptoin"), "{}", p.message);
    }

    #[test]
    fn a_rule_file_of_a_team_reads_the_shared_assignment_too() {
        let mut set = RuleSet::default();
        set.add_source(
            "team.yaml",
            &TWO_RULES.replace(
                r"'\b(demo_[a-z0-9]{20})\b'",
                r"'(?i:demo)(?&assign)([a-z0-9]{20})\b'",
            ),
        );
        let regex = &set.rules[0].spec.regex;
        assert!(!regex.contains(ASSIGN_MARK), "{regex}");
        assert_eq!(regex, &format!(r"(?i:demo){ASSIGN}([a-z0-9]{{20}})\b"));
    }

    #[test]
    fn duplicate_ids_and_broken_files_are_problems() {
        let mut set = RuleSet::default();
        set.add_source("a.yaml", TWO_RULES);
        set.add_source("b.yaml", TWO_RULES);
        assert!(
            set.problems
                .iter()
                .any(|p| p.message.contains("duplicate rule id `demo.token`"))
        );
        set.add_source("c.yaml", "rules: [\n");
        assert!(set.problems.iter().any(|p| p.file == "c.yaml"));
    }

    #[test]
    fn disabling_an_unknown_rule_is_an_error() {
        let mut set = RuleSet::default();
        set.add_source("a.yaml", TWO_RULES);
        let e = set.disable(&["demo.tokn".to_string()]).unwrap_err();
        assert!(e.hint().unwrap().contains("demo.token"));
        set.disable(&["demo.token".to_string()]).unwrap();
        assert!(set.rules.is_empty());
    }

    #[test]
    fn every_built_in_file_loads_from_its_json_as_from_its_yaml() {
        for file in EMBEDDED_RULE_FILES {
            let json = file
                .json
                .unwrap_or_else(|| panic!("{} has no JSON: `rules check` says why", file.name));
            serde_json::from_str::<StrictRuleFile>(json)
                .unwrap_or_else(|e| panic!("{}: the build's JSON does not read: {e}", file.name));
            let (mut from_json, mut from_yaml) = (RuleSet::default(), RuleSet::default());
            from_json.add_embedded(file, &mut HashSet::new());
            from_yaml.add_source(file.name, file.yaml);
            assert!(from_yaml.problems.is_empty(), "{:?}", from_yaml.problems);
            assert_eq!(from_json.rules, from_yaml.rules, "{}", file.name);
            assert_eq!(from_json.files, from_yaml.files);
        }
    }

    #[test]
    fn yaml_that_json_would_change_gets_no_json_and_is_read_as_yaml() {
        let nan = TWO_RULES.replace(
            "    severity: error\n    confidence: high",
            "    min_entropy: .nan\n    severity: error\n    confidence: high",
        );
        let tagged = TWO_RULES.replace("keywords: [demo_]", "keywords: !custom [demo_]");
        let duplicate = TWO_RULES.replace("name: Demo token", "name: Demo token\n    name: Again");
        let number = TWO_RULES.replace("negative_examples: ['demo_short']", "negative_examples: [0x1F]");
        for yaml in [&nan, &tagged, &duplicate, &"rules: [\n".to_string()] {
            assert_eq!(super::build_rules::yaml_to_json(yaml), None, "{yaml}");
        }
        // JSON that does not read as a rule file falls back to the YAML, problems and all.
        for yaml in [&number, &TWO_RULES.to_string()] {
            let json = super::build_rules::yaml_to_json(yaml).unwrap();
            let file = EmbeddedRuleFile {
                name: "demo.yaml",
                yaml: Box::leak(yaml.clone().into_boxed_str()),
                json: Some(Box::leak(json.into_boxed_str())),
                lines: Box::leak(super::build_rules::rule_lines(yaml).into_boxed_slice()),
            };
            let (mut via_json, mut via_yaml) = (RuleSet::default(), RuleSet::default());
            via_json.add_embedded(&file, &mut HashSet::new());
            via_yaml.add_source(file.name, file.yaml);
            assert_eq!(via_json.rules, via_yaml.rules);
            assert_eq!(via_json.problems, via_yaml.problems);
            assert!(!via_json.problems.is_empty());
        }
    }

    #[test]
    fn rule_lines_follow_the_ids_in_order() {
        let mut set = RuleSet::default();
        let three = format!("{TWO_RULES}  - id: demo.third\n").replace(
            "  - id: demo.broken\n    name: Broken\n    descriptoin: typo\n",
            "",
        );
        set.add_source("a.yaml", &three);
        let lines: Vec<(u32, Option<u32>)> = set
            .rules
            .iter()
            .map(|r| r.line)
            .zip(set.problems.iter().map(|p| p.line))
            .collect();
        assert_eq!(lines, vec![(2, Some(14))]);
    }

    /// The second rule's `id:` line also stands, earlier, in the first rule's example text;
    /// each rule's line is where the parser read the rule.
    #[test]
    fn rule_lines_come_from_the_parser_not_the_text() {
        let first = TWO_RULES.split("  - id: demo.broken").next().unwrap().replace(
            "negative_examples: ['demo_short']",
            "negative_examples:\n      - |\n        id: demo.other\n",
        );
        let source = format!("{first}  - id: demo.other\n    name: Other\n    descriptoin: typo\n");
        let mut set = RuleSet::default();
        set.add_source("a.yaml", &source);
        let other = source.lines().position(|l| l == "  - id: demo.other").unwrap() as u32 + 1;
        assert_eq!(set.rules[0].line, 2);
        assert_eq!(set.problems.len(), 1, "{:?}", set.problems);
        assert_eq!(set.problems[0].line, Some(other), "{source}");
        let valid = source.replace(
            "    descriptoin: typo\n",
            "    description: Other.\n    keywords: [o]\n    severity: error\n    confidence: high\n",
        );
        let mut set = RuleSet::default();
        set.add_source("a.yaml", &valid);
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        assert_eq!(set.rules[1].line, other);
        assert_eq!(super::build_rules::rule_lines(&valid), [2, other]);
    }

    #[test]
    fn a_build_without_readable_rules_fails() {
        let dir = tempfile::tempdir().unwrap();
        let missing = super::build_rules::rule_files(&dir.path().join("nowhere")).unwrap_err();
        assert!(
            missing.contains("cannot read the secret rules folder"),
            "{missing}"
        );
        std::fs::write(dir.path().join("README.md"), "no rules here").unwrap();
        let empty = super::build_rules::rule_files(dir.path()).unwrap_err();
        assert!(empty.contains("holds no .yaml file"), "{empty}");
        std::fs::write(dir.path().join("b.yaml"), "rules: []").unwrap();
        std::fs::write(dir.path().join("a.yml"), "rules: []").unwrap();
        let found = super::build_rules::rule_files(dir.path()).unwrap();
        assert_eq!(found, vec![dir.path().join("a.yml"), dir.path().join("b.yaml")]);
    }
}
