//! `rules check`: every rule compiles, every example yields its secret through the same
//! engine path a scan takes, and no negative example yields anything.

use launchgate_core::secret::redact;

use crate::engine::{Engine, EngineConfig};
use crate::rules::{Rule, RuleProblem, RuleSet};

/// Checks every rule of a set; returns the problems (loading problems included).
pub fn check_rules(set: &RuleSet) -> Vec<RuleProblem> {
    let mut problems = set.problems.clone();
    for rule in &set.rules {
        for message in check_rule(rule) {
            problems.push(RuleProblem {
                file: rule.file.clone(),
                line: Some(rule.line),
                rule_id: Some(rule.spec.id.clone()),
                message,
            });
        }
    }
    problems
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.splitn(2, '.');
    let provider = parts.next().unwrap_or("");
    let kind = parts.next().unwrap_or("");
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_'))
            && !s.starts_with(['-', '.'])
            && !s.ends_with(['-', '.'])
    };
    ok(provider) && ok(kind)
}

/// The problems of one rule, as sentences.
pub fn check_rule(rule: &Rule) -> Vec<String> {
    let spec = &rule.spec;
    let mut problems = shape_problems(rule);
    let mut single = RuleSet::default();
    single.rules.push(rule.clone());
    let engine = match Engine::new(single, &EngineConfig::default()) {
        Ok(engine) => engine,
        Err(e) => {
            problems.push(e.message().to_string());
            return problems;
        }
    };
    if spec.keywords.iter().all(|k| k.is_empty()) {
        return problems;
    }
    if let Err(e) = engine.compile_rule(0) {
        problems.push(format!("regex does not compile: {}", first_line(&e)));
        return problems;
    }
    problems.extend(example_problems(rule, &engine));
    problems
}

/// The problems `rules check` finds without compiling or running the rule: what every scan
/// checks of every rule before it starts, so a rule without examples never runs.
pub fn shape_problems(rule: &Rule) -> Vec<String> {
    let spec = &rule.spec;
    let mut problems = Vec::new();
    if !valid_id(&spec.id) {
        problems.push(format!(
            "id `{}` is not of the form `provider.kind` in lowercase letters, digits and `-`",
            spec.id
        ));
    }
    if spec.name.trim().is_empty() || spec.description.trim().is_empty() {
        problems.push("name and description must not be empty".to_string());
    }
    if spec.keywords.is_empty() || spec.keywords.iter().any(|k| k.is_empty()) {
        problems.push("needs at least one non-empty keyword".to_string());
    }
    if spec.references.is_empty() {
        problems.push("needs at least one reference to the provider's documentation".to_string());
    }
    if let Some(bad) = spec.references.iter().find(|r| !r.starts_with("https://")) {
        problems.push(format!("reference `{bad}` is not an https:// URL"));
    }
    match (spec.regex.is_empty(), spec.assignment.is_some()) {
        (true, false) => problems.push("needs a `regex` or an `assignment`".to_string()),
        (false, true) => problems.push("has both a `regex` and an `assignment`; keep one".to_string()),
        _ => {}
    }
    if spec.examples.is_empty() {
        problems.push("needs at least one example".to_string());
    }
    if spec.negative_examples.is_empty() {
        problems.push("needs at least one negative example".to_string());
    }
    if let Some(e) = spec.min_entropy
        && !(0.0..=8.0).contains(&e)
    {
        problems.push(format!("min_entropy {e} is outside 0 to 8 bits per character"));
    }
    problems
}

/// Every example yields its secret, and no negative example yields anything, through the
/// engine path a scan takes.
fn example_problems(rule: &Rule, engine: &Engine) -> Vec<String> {
    let spec = &rule.spec;
    let mut problems = Vec::new();
    let keywords: Vec<String> = spec.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
    for (i, example) in spec.examples.iter().enumerate() {
        let n = i + 1;
        let matches = engine.scan_bytes("", example.input.as_bytes());
        if matches.is_empty() {
            problems.push(format!(
                "example {n} yields no finding (no match, or filtered as a placeholder or by min_entropy)"
            ));
            continue;
        }
        match matches.iter().find(|m| m.secret.expose() == example.secret) {
            None => problems.push(format!(
                "example {n} yields `{}` instead of the expected secret `{}`",
                redact(matches[0].secret.expose()),
                redact(&example.secret)
            )),
            Some(m) => {
                // A rule with a window may be woken by a keyword around its match (a
                // Kubernetes Secret's `kind`); the others only by one inside it.
                let input = example.input.as_bytes();
                let reach = spec.window.unwrap_or(0);
                let around = m.range.start.saturating_sub(reach)..(m.range.end + reach).min(input.len());
                let text = input[around].to_ascii_lowercase();
                if !keywords
                    .iter()
                    .any(|k| memchr::memmem::find(&text, k.as_bytes()).is_some())
                {
                    problems.push(if reach == 0 {
                        format!("example {n}'s match contains none of the keywords")
                    } else {
                        format!("example {n} has none of the keywords within {reach} bytes of its match")
                    });
                }
            }
        }
    }
    for (i, negative) in spec.negative_examples.iter().enumerate() {
        if !engine.scan_bytes("", negative.as_bytes()).is_empty() {
            problems.push(format!("negative example {} yields a finding", i + 1));
        }
    }
    problems
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_from(source: &str) -> RuleSet {
        let mut set = RuleSet::default();
        set.add_source("t.yaml", source);
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        set
    }

    #[test]
    fn the_embedded_log_rules_pass() {
        let mut set = RuleSet::default();
        set.add_log_rules();
        assert!(set.rules.len() >= 6);
        assert_eq!(check_rules(&set), Vec::new());
    }

    #[test]
    fn the_embedded_rules_pass() {
        let set = RuleSet::embedded();
        let problems: Vec<String> = check_rules(&set)
            .iter()
            .map(|p| format!("{}: {}", p.rule_id.as_deref().unwrap_or(&p.file), p.message))
            .collect();
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn broken_rules_are_reported() {
        let set = rules_from(
            r#"rules:
  - id: Demo_Token
    name: Demo
    description: d
    keywords: [demo_]
    regex: '\b(demo_[a-z0-9]{10})\b'
    severity: error
    confidence: high
    references: [http://example.com]
    examples:
      - input: 'demo_q8w7e6r5t4'
        secret: demo_q8w7e6r5t3 # launchgate:allow
      - input: 'nothing here'
        secret: x
    negative_examples: ['demo_a1b2c3d4e9']
  - id: demo.bad-regex
    name: Bad
    description: d
    keywords: [bad]
    regex: 'bad(['
    severity: error
    confidence: low
    references: [https://example.com]
    examples: [{input: bad, secret: bad}]
    negative_examples: [x]
"#,
        );
        let problems = check_rules(&set);
        let text: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(text.iter().any(|m| m.contains("not of the form")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("http://example.com")), "{text:?}");
        assert!(
            text.iter().any(|m| m.starts_with("example 1 yields `")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|m| m.starts_with("example 2 yields no finding")),
            "{text:?}"
        );
        assert!(text.iter().any(|m| m.contains("negative example 1")), "{text:?}");
        assert!(
            text.iter().any(|m| m.contains("regex does not compile")),
            "{text:?}"
        );
        // Expected secrets are redacted, never printed whole.
        assert!(!text.iter().any(|m| m.contains("demo_q8w7e6r5t3")), "{text:?}");
    }
}
