//! The labelled evaluation set (`tests/eval/cases.jsonl`), scanned by the real engine with the
//! built-in rules: recall per rule family (rule file) and per syntax, how often the expected
//! rule is the one that reports, and how many negatives are flagged at any severity. The
//! floors below are the figures reached; raise them as detection improves, never lower them.
//! Run with `--nocapture` to see the tables.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

/// Share of positives found by some rule, over the whole set.
const RECALL_FLOOR: f64 = 0.970;
/// Share of positives reported by the rule they are labelled with.
const RIGHT_RULE_FLOOR: f64 = 0.929;
/// Share of negatives flagged, at most.
const FLAGGED_CEILING: f64 = 0.0;
/// Recall of the weakest rule family and of the weakest syntax.
const FAMILY_FLOOR: f64 = 0.624;
const SYNTAX_FLOOR: f64 = 0.909;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// `secret` for a positive, `nothing` for a negative.
    expect: String,
    /// The rule a positive should fire; for a negative, the rule it comes from, if any.
    rule: String,
    /// For a negative: `any` when no rule may fire (a non-secret), `rule` when only `rule`
    /// must stay silent (a rule's negative example, often another provider's credential).
    #[serde(default)]
    scope: String,
    syntax: String,
    path: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    why: String,
    text: String,
}

#[derive(Default)]
struct Tally {
    hit: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hit += usize::from(hit);
    }

    fn share(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hit as f64 / self.total as f64
        }
    }
}

fn print_table(title: &str, rows: &BTreeMap<String, Tally>) {
    println!("{title}");
    for (name, t) in rows {
        println!(
            "  {name:<24} {:>5}/{:<5} {:>6.1} %",
            t.hit,
            t.total,
            100.0 * t.share()
        );
    }
}

#[test]
fn the_evaluation_set_meets_its_floors() {
    let engine = crate::default_engine();
    let family: HashMap<&str, String> = engine
        .rules()
        .map(|r| {
            let stem = r.file.rsplit('/').next().unwrap_or(&r.file);
            (r.id(), stem.trim_end_matches(".yaml").to_string())
        })
        .collect();
    let (mut found, mut right, mut flagged) = (Tally::default(), Tally::default(), Tally::default());
    let mut own_rule = Tally::default();
    let mut by_family: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_syntax: BTreeMap<String, Tally> = BTreeMap::new();
    let mut flagged_by_syntax: BTreeMap<String, Tally> = BTreeMap::new();
    let mut missed = Vec::new();
    let mut other_rule = Vec::new();
    let mut false_alarms = Vec::new();
    for (n, line) in include_str!("../tests/eval/cases.jsonl").lines().enumerate() {
        let case: Case = serde_json::from_str(line).unwrap_or_else(|e| panic!("cases.jsonl:{}: {e}", n + 1));
        let matches = engine.scan_bytes(&case.path, case.text.as_bytes());
        match case.expect.as_str() {
            "secret" => {
                let fam = family
                    .get(case.rule.as_str())
                    .unwrap_or_else(|| panic!("cases.jsonl:{}: unknown rule `{}`", n + 1, case.rule));
                let same = |s: &str| !s.is_empty() && (s.contains(&case.secret) || case.secret.contains(s));
                let hit = matches.iter().any(|m| same(m.secret.expose()));
                found.add(hit);
                let by_its_rule = matches
                    .iter()
                    .any(|m| m.rule_id == case.rule && same(m.secret.expose()));
                right.add(by_its_rule);
                if hit && !by_its_rule {
                    other_rule.push(format!("{}:{} {} ({})", n + 1, case.syntax, case.rule, case.path));
                }
                by_family.entry(fam.clone()).or_default().add(hit);
                by_syntax.entry(case.syntax.clone()).or_default().add(hit);
                if !hit {
                    missed.push(format!("{}:{} {} ({})", n + 1, case.syntax, case.rule, case.path));
                }
            }
            "nothing" if case.scope == "rule" => {
                own_rule.add(matches.iter().any(|m| m.rule_id == case.rule));
            }
            "nothing" => {
                let hit = !matches.is_empty();
                flagged.add(hit);
                flagged_by_syntax.entry(case.syntax.clone()).or_default().add(hit);
                if hit {
                    false_alarms.push(format!(
                        "{}:{} {} flagged by {} ({})",
                        n + 1,
                        case.syntax,
                        case.why,
                        matches[0].rule_id,
                        case.rule
                    ));
                }
            }
            other => panic!(
                "cases.jsonl:{}: `expect` is `{other}`, not `secret` or `nothing`",
                n + 1
            ),
        }
    }
    print_table("recall by rule family", &by_family);
    print_table("recall by syntax", &by_syntax);
    print_table("negatives flagged by syntax", &flagged_by_syntax);
    println!("missed:\n  {}", missed.join("\n  "));
    println!("found by another rule:\n  {}", other_rule.join("\n  "));
    println!("flagged negatives:\n  {}", false_alarms.join("\n  "));
    println!(
        "positives {}: found {:.1} %, by the labelled rule {:.1} %; non-secrets {}: flagged {:.1} %; \
         rule negatives {}: fired by their own rule {}",
        found.total,
        100.0 * found.share(),
        100.0 * right.share(),
        flagged.total,
        100.0 * flagged.share(),
        own_rule.total,
        own_rule.hit
    );
    assert_eq!(own_rule.hit, 0, "a rule fires on its own negative example");
    assert!(
        found.total >= 1500 && flagged.total >= 300,
        "the set is too small"
    );
    assert!(
        found.share() >= RECALL_FLOOR,
        "recall {:.4} under {RECALL_FLOOR}",
        found.share()
    );
    assert!(
        right.share() >= RIGHT_RULE_FLOOR,
        "right-rule share {:.4} under {RIGHT_RULE_FLOOR}",
        right.share()
    );
    assert!(
        flagged.share() <= FLAGGED_CEILING,
        "{:.4} of negatives flagged, over {FLAGGED_CEILING}",
        flagged.share()
    );
    for (name, t) in &by_family {
        assert!(
            t.share() >= FAMILY_FLOOR,
            "family {name}: recall {:.4} under {FAMILY_FLOOR}",
            t.share()
        );
    }
    for (name, t) in &by_syntax {
        assert!(
            t.share() >= SYNTAX_FLOOR,
            "syntax {name}: recall {:.4} under {SYNTAX_FLOOR}",
            t.share()
        );
    }
}
