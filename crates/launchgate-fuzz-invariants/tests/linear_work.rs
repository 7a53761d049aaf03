//! Work linear in the input, proved by counting rather than timing: each parser that keeps a
//! work counter is fed a generated input of size n and the same pattern at size
//! [`GROWTH`]·n, and the counted work of both stays within a fixed multiple of the input.
//! A quadratic path (a rescan of the line per match, a value expanded again per reference)
//! breaks the bound at the larger size.

use std::path::PathBuf;

use launchgate_env::deploy_check::{MAX_EXPANDED_LEN, MAX_EXPANDED_TOTAL, Values};
use launchgate_env::lint::{LintOptions, lint_bytes};
use proptest::prelude::*;
use proptest::string::string_regex;

mod support;
use support::config;

/// How much larger the second input is than the first.
const GROWTH: usize = 8;

fn text(pattern: &str) -> impl Strategy<Value = String> {
    string_regex(pattern).expect("a valid pattern")
}

/// `unit` repeated `times` times, after `prefix` and before `suffix`.
fn repeated(prefix: &str, unit: &str, times: usize, suffix: &str) -> Vec<u8> {
    let mut out = String::with_capacity(prefix.len() + unit.len() * times + suffix.len());
    out.push_str(prefix);
    for _ in 0..times {
        out.push_str(unit);
    }
    out.push_str(suffix);
    out.into_bytes()
}

/// Bytes the secrets engine read to place its matches in `input` (lines, columns, allow
/// comments).
fn secrets_work(input: &[u8]) -> u64 {
    let mut examined = 0;
    launchgate_detect::default_engine().scan_bytes_counting("bundle.min.js", input, &mut examined);
    examined
}

/// Bytes counted for the columns of the findings `env lint` reports on `input`.
fn lint_work(input: &[u8]) -> usize {
    let before = launchgate_env::columns::work::counted();
    lint_bytes(".env", input, &LintOptions::default());
    launchgate_env::columns::work::counted() - before
}

/// Bytes `env check` read and wrote expanding the references of `input`.
fn expansion_work(input: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join(".env"), input).expect("writing the input");
    let before = launchgate_env::columns::work::expanded();
    // Either the values, or an error naming the limit they crossed: both end the work.
    let _ = Values::from_files_with_keys(dir.path(), &[PathBuf::from(".env")], |_| None);
    launchgate_env::columns::work::expanded() - before
}

proptest! {
    #![proptest_config(config(24))]

    /// One long line of key-shaped tokens (a minified bundle), with or without allow
    /// comments, as text or behind a NUL (scanned as binary).
    #[test]
    fn placing_secrets_is_linear_in_the_line(
        unit in text(r#"(sk_live_[A-Za-z0-9]{24}|ghp_[A-Za-z0-9]{36}|AKIA[A-Z2-7]{16}|xoxb-[0-9]{10}-[A-Za-z0-9]{24}|api_key="[A-Za-z0-9]{20,32}"|glpat-[A-Za-z0-9_-]{20})( /\* launchgate:allow \*/| // gitleaks:allow)?[ ;,]"#),
        times in 40usize..160,
        binary in any::<bool>(),
    ) {
        let prefix = if binary { "\0" } else { "" };
        for input in [repeated(prefix, &unit, times, "\n"), repeated(prefix, &unit, times * GROWTH, "\n")] {
            let work = secrets_work(&input);
            prop_assert!(
                work <= 6 * input.len() as u64,
                "{work} bytes read to place the matches of a {}-byte line", input.len()
            );
        }
    }

    /// One value with many bad substitutions (`${!`, `${` left open, `$}`), quoted or not.
    #[test]
    fn columns_of_bad_substitutions_are_linear_in_the_value(
        unit in text(r"(\$\{!|\$\{[A-Z]{0,3}[!@ ]|\$\}|é|€|[a-z ]){1,6}"),
        times in 200usize..800,
        quote in prop::sample::select(vec!["", "\"", "`"]),
    ) {
        let prefix = format!("APP_URL={quote}");
        let suffix = format!("{quote}\n");
        for input in [repeated(&prefix, &unit, times, &suffix), repeated(&prefix, &unit, times * GROWTH, &suffix)] {
            let work = lint_work(&input);
            prop_assert!(work <= 3 * input.len(), "{work} bytes counted for a {}-byte file", input.len());
        }
    }

    /// Values built from references to earlier, long values: one level (many keys naming
    /// the same long value) or chains of a few levels.
    #[test]
    fn expanding_references_is_linear_in_the_file(
        long in 1_000usize..24_000,
        lines in 8usize..40,
        per_line in 1usize..4,
        chain in 1usize..6,
    ) {
        for count in [lines, lines * GROWTH] {
            let mut input = format!("LONG={}\n", "x".repeat(long));
            for i in 0..count {
                // Line i names the value `chain` lines before it, or LONG.
                let target = if i >= chain && i % chain != 0 { format!("K{}", i - 1) } else { "LONG".to_string() };
                input.push_str(&format!("K{i}={}\n", format!("${{{target}}}").repeat(per_line)));
            }
            let work = expansion_work(input.as_bytes());
            // What each value may add on its own, and what all of them may add together.
            let bound = 2 * input.len() + MAX_EXPANDED_TOTAL + MAX_EXPANDED_LEN + 8 * input.len();
            prop_assert!(work <= bound, "{work} bytes read and written expanding a {}-byte file (bound {bound})", input.len());
        }
    }
}
