//! The engine's unit tests, on the fixture rules of tests/fixtures/rules.

use launchgate_core::Severity;

use crate::engine::{Engine, EngineConfig, Sample};
use crate::rules::{Confidence, RuleSet};

const ENGINE_RULES: &str = include_str!("../tests/fixtures/rules/engine.yaml");
const BROKEN_RULES: &str = include_str!("../tests/fixtures/rules/broken.yaml");

fn engine_with(config: &EngineConfig) -> Engine {
    let mut set = RuleSet::default();
    set.add_source("engine.yaml", ENGINE_RULES);
    set.add_source("broken.yaml", BROKEN_RULES);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    Engine::new(set, config).unwrap()
}

fn engine() -> Engine {
    engine_with(&EngineConfig::default())
}

fn ids(engine: &Engine, text: &str) -> Vec<(String, String, u32, u32)> {
    engine
        .scan_bytes("src/app.rs", text.as_bytes())
        .into_iter()
        .map(|m| (m.rule_id, m.secret.expose().to_string(), m.line, m.column))
        .collect()
}

#[test]
fn engine_is_shared_across_threads() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Engine>();
}

#[test]
fn prefilter_keeps_regexes_uncompiled_until_a_keyword_appears() {
    let e = engine();
    assert!(ids(&e, "fn main() { println!(\"hello\"); }\n").is_empty());
    assert_eq!(e.compiled_regex_count(), 0);
    // Keywords match case-insensitively; the regex still decides.
    assert!(ids(&e, "let x = TOK_Q7wE9rT2yU4iO6pA8sD1;\n").is_empty());
    assert_eq!(e.compiled_regex_count(), 1);
    assert_eq!(
        ids(&e, "let x = tok_Q7wE9rT2yU4iO6pA8sD1;\n"),
        vec![("test.token".into(), "tok_Q7wE9rT2yU4iO6pA8sD1".into(), 1, 9)]
    );
    assert_eq!(
        e.compiled_regex_count(),
        1,
        "only the rule whose keyword appeared compiles"
    );
}

#[test]
fn overlapping_and_repeated_matches_are_each_reported_once() {
    let e = engine();
    let text = "a = tok_Q7wE9rT2yU4iO6pA8sD1 tok_Z1xC2vB3nM4aS5dF6gH7\nb\nc = tok_Q7wE9rT2yU4iO6pA8sD1\n";
    assert_eq!(
        ids(&e, text),
        vec![
            ("test.token".into(), "tok_Q7wE9rT2yU4iO6pA8sD1".into(), 1, 5),
            ("test.token".into(), "tok_Z1xC2vB3nM4aS5dF6gH7".into(), 1, 30),
            ("test.token".into(), "tok_Q7wE9rT2yU4iO6pA8sD1".into(), 3, 5),
        ]
    );
}

#[test]
fn a_specific_rule_wins_over_a_generic_one_on_the_same_span() {
    let e = engine();
    // `token = …` wakes the generic rule too; the specific rule's match covers its secret.
    let found = ids(&e, "token = \"tok_Q7wE9rT2yU4iO6pA8sD1\"\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "test.token");
    // Where only the generic rule matches, it reports.
    let found = ids(&e, "secret_value = \"P9oI8uY7tR6eW5qA\"\n");
    assert_eq!(
        found,
        vec![(
            "generic.fixture-secret-assignment".into(),
            "P9oI8uY7tR6eW5qA".into(),
            1,
            17
        )]
    );
}

#[test]
fn entropy_gates_low_variety_values() {
    let e = engine();
    assert!(ids(&e, "pairkey = \"aabbaabbaabbaabb\"\n").is_empty());
    assert!(ids(&e, "secret = \"aaaabbbbccccdddd\"\n").is_empty());
    assert_eq!(ids(&e, "pairkey = \"Zx8Cv7Bn6Mq5Lw4K\"\n").len(), 1);
}

#[test]
fn placeholders_and_references_are_not_findings() {
    let e = engine();
    for text in [
        "tok_xxxxxxxxxxxxxxxxxxxx",
        "secret = ${MY_SECRET_VALUE}",
        "secret_key = \"{{ vault_secret_key }}\"",
        "token: process.env.API_TOKEN_VALUE",
        "secret = settings.SECRET_KEY_BASE",
        "secret = \"MY_SECRET_KEY_NAME\"",
        "secret = \"changeme_please_now\"",
    ] {
        assert!(
            ids(&e, text).is_empty(),
            "{text} should not be a finding: {:?}",
            ids(&e, text)
        );
    }
}

#[test]
fn values_typed_out_in_sequence_are_notes() {
    let e = engine();
    for (text, rule) in [
        ("tok_abcdefghijklmnopqrst", "test.token"),
        (
            "secret = \"a1b2c3d4e5f6g7h8i9j0\"",
            "generic.fixture-secret-assignment",
        ),
    ] {
        let m = e.scan_bytes("app.env", text.as_bytes());
        assert_eq!(m.len(), 1, "{text}: {m:?}");
        assert_eq!(m[0].rule_id, rule);
        assert_eq!(m[0].sample, Some(Sample::Sequence), "{text}");
        assert_eq!(m[0].severity, Severity::Note, "{text}");
        assert_eq!(m[0].confidence, Confidence::Low, "{text}");
    }
    // A password someone chose below the entropy gate is a note; a number or a word is not
    // reported at all.
    let e = crate::default_engine();
    let m = e.scan_bytes("config/database.yml", b"  password: 4ian1234\n");
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        (m[0].rule_id.as_str(), m[0].sample, m[0].severity),
        ("generic.password-assignment", Some(Sample::Weak), Severity::Note)
    );
    assert!(
        e.scan_bytes("config/database.yml", b"  password: 12345\n")
            .is_empty()
    );
    let e = engine();
    // A value with a short run of sequence is no sample.
    let m = e.scan_bytes("app.env", b"tok_Q7w1234Zx9Lm3Np5Rt8K");
    assert_eq!((m.len(), m[0].sample, m[0].severity), (1, None, Severity::Error));
}

#[test]
fn multi_line_rules_see_past_the_keyword_line() {
    let e = engine();
    let text = "key:\n-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\nQw3XK5sOlF7Gv2Hs8RtYzPc1\n-----END TEST KEY-----\n";
    let m = e.scan_bytes("k.pem", text.as_bytes());
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].rule_id.as_str(), m[0].line, m[0].column),
        ("test.pem", 3, 1)
    );
    assert_eq!((m[0].end_line, m[0].end_column), (4, 25));
}

#[test]
fn bytes_that_are_not_utf8_are_scanned() {
    let e = engine();
    let mut bytes = b"\xff\xfe garbage \xc3\x28 ".to_vec();
    bytes.extend_from_slice("é = tok_Q7wE9rT2yU4iO6pA8sD1\n".as_bytes());
    let m = e.scan_bytes("blob", &bytes);
    assert_eq!(m.len(), 1);
    // Columns count characters: 2 invalid bytes, " garbage ", 2 bytes, " ", "é = ".
    assert_eq!((m[0].line, m[0].column), (1, 19));
}

#[test]
fn a_rule_whose_regex_does_not_compile_fails_the_scan_with_its_id_and_line() {
    let e = engine();
    assert!(e.compile_failure().is_ok(), "nothing compiled yet");
    assert!(ids(&e, "brokenkw=abc tok_Q7wE9rT2yU4iO6pA8sD1").len() == 1);
    let errors = e.regex_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "test.broken");
    let failure = e.compile_failure().unwrap_err();
    assert!(
        failure
            .message()
            .starts_with("broken.yaml:3: rule `test.broken` has a regex that does not compile"),
        "{}",
        failure.message()
    );
}

#[test]
fn allowlists_drop_values_regexes_and_paths() {
    let hash = launchgate_core::secret::sha256_hex(b"tok_Z1xC2vB3nM4aS5dF6gH7");
    let e = engine_with(&EngineConfig {
        allow_paths: vec!["fixtures/**".into()],
        allow_regexes: vec!["^tok_Q7w".into()],
        allow_values: vec![format!("sha256:{hash}"), "Zx8Cv7Bn6Mq5Lw4K".into()],
    });
    let text = b"tok_Q7wE9rT2yU4iO6pA8sD1 tok_Z1xC2vB3nM4aS5dF6gH7 pairkey = \"Zx8Cv7Bn6Mq5Lw4K\" tok_P0oL9iK8uJ7yH6tG5rF4";
    let m = e.scan_bytes("src/a.rs", text);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].secret.expose(), "tok_P0oL9iK8uJ7yH6tG5rF4");
    assert!(e.scan_bytes("fixtures/keys.txt", text).is_empty());
    assert!(
        Engine::new(
            RuleSet::default(),
            &EngineConfig {
                allow_regexes: vec!["(".into()],
                ..EngineConfig::default()
            }
        )
        .unwrap_err()
        .message()
        .contains("secrets.allow.regexes")
    );
}

#[test]
fn inline_allow_comments() {
    let text = b"a = 1\nx = tok_Q7wE9rT2yU4iO6pA8sD1 # launchgate:allow\ny = tok_Z1xC2vB3nM4aS5dF6gH7 // gitleaks:allow\nz = tok_P0oL9iK8uJ7yH6tG5rF4\n";
    let e = engine();
    let allowed: Vec<bool> = e.scan_bytes("f", text).iter().map(|m| m.inline_allowed).collect();
    assert_eq!(allowed, vec![true, true, false]);
}

#[test]
fn recognise_a_value_on_its_own() {
    let e = engine();
    let (id, confidence) = e.recognise("tok_Q7wE9rT2yU4iO6pA8sD1").unwrap();
    assert_eq!((id.as_str(), confidence), ("test.token", crate::Confidence::High));
    assert!(e.recognise("hello world").is_none());
}

/// A single line of `count` distinct key-shaped tokens, after `prefix`, each followed by
/// `gap` bytes of filler.
pub(crate) fn token_line(prefix: &str, count: usize, gap: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut line = String::from(prefix);
    for _ in 0..count {
        line.push_str("tok_");
        for _ in 0..20 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            line.push(ALPHABET[(state % ALPHABET.len() as u64) as usize] as char);
        }
        line.push(' ');
        line.extend(std::iter::repeat_n('-', gap));
    }
    line
}

#[test]
fn placing_the_matches_of_one_long_line_reads_it_a_bounded_number_of_times() {
    let e = engine();
    // 1.2 MB, one line, 15,000 matches, and an allow comment at its start that every match
    // has to find.
    let line = token_line("é launchgate:allow ", 15_000, 55);
    let mut examined = 0;
    let found = e.scan_bytes_counting("bundle.min.js", line.as_bytes(), &mut examined);
    assert!(found.len() > 14_950, "{}", found.len());
    assert!(found.iter().all(|m| m.inline_allowed && m.line == 1));
    let last = found.last().unwrap();
    let expected_column = line[..last.secret_range.start].chars().count() as u32 + 1;
    assert_eq!(last.column, expected_column);
    assert!(
        examined <= 4 * line.len() as u64,
        "{examined} bytes examined for a {}-byte line",
        line.len()
    );
}

#[test]
fn a_generic_match_beside_many_specific_ones_is_dropped_without_pairing_them() {
    let e = engine();
    let mut line = token_line("", 10_000, 0);
    line.push_str("token = \"P9oI8uY7tR6eW5qAzx\" secret = tok_Q7wE9rT2yU4iO6pA8sD1\n");
    let found = e.scan_bytes("a.js", line.as_bytes());
    assert!(
        found
            .iter()
            .any(|m| m.rule_id == "generic.fixture-secret-assignment")
    );
    assert_eq!(found.iter().filter(|m| m.rule_id == "test.token").count(), 10_001);
    assert!(
        !found.iter().any(
            |m| m.rule_id == "generic.fixture-secret-assignment" && m.secret.expose().starts_with("tok_")
        ),
        "the generic rule loses to the specific one on the same span"
    );
}

#[test]
fn rules_that_share_a_pattern_compile_it_once() {
    let e = Engine::new(RuleSet::embedded(), &EngineConfig::default()).unwrap();
    // Provider-context rules woken by their names, with the same key and token shapes.
    let text = "twilio_api_key = x\ndatadog_api_key = x\nsendgrid_api_key = x\nmailgun_api_key = x\nalgolia_api_key = x\n";
    e.scan_bytes("settings.env", text.as_bytes());
    let rules = e.compiled_regex_count();
    let patterns = e.compiled_pattern_count();
    assert!(rules >= 3, "{rules} rules compiled");
    assert!(patterns < 3 * rules, "{patterns} patterns for {rules} rules");
}

#[test]
fn a_rule_with_alternatives_reports_the_group_that_took_part() {
    let mut set = RuleSet::default();
    set.add_source(
        "alternatives.yaml",
        r#"rules:
  - id: demo.either
    name: Either form
    description: A secret after `first=` or inside `second(…)`.
    keywords: ['first=', 'second(']
    regex: 'first=([A-Za-z0-9]{16})|second\("([A-Za-z0-9]{16})"\)'
    severity: error
    confidence: high
    examples:
      - input: 'first=Qz8nV2wLx5Tr9Ka3'
        secret: Qz8nV2wLx5Tr9Ka3
    negative_examples: ['first=short']
"#,
    );
    let e = Engine::new(set, &EngineConfig::default()).unwrap();
    let found = ids(&e, "first=Qz8nV2wLx5Tr9Ka3\nsecond(\"Lm4Qx8Rz2Wv6Nk0T\")\n");
    let secrets: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(secrets, ["Qz8nV2wLx5Tr9Ka3", "Lm4Qx8Rz2Wv6Nk0T"]);
}
