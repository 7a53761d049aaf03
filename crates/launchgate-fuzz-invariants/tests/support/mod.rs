//! What the property tests share.

use proptest::test_runner::Config as ProptestConfig;

/// `cases` a test, or `PROPTEST_CASES` when set, for a longer run by hand.
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
