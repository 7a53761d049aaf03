//! Judging a predicate over several values: a header sent more than once, a JSONPath
//! query that selects several nodes. One value passing is enough by default; with
//! `values: all` every value must pass. Failure sentences quote the values, cut short.

use crate::spec::Quantifier;

/// Values quoted in one failure sentence.
const QUOTED_VALUES: usize = 5;
/// Characters quoted of one value.
const QUOTED_CHARS: usize = 200;

/// `None` when the values satisfy `pass` under `quantifier`, else the sentence
/// "expected {expectation}, got …". `values` are the values as the sentence shows them;
/// an empty list never passes.
pub fn judge(
    values: &[String],
    quantifier: Quantifier,
    expectation: &str,
    pass: impl Fn(usize) -> bool,
) -> Option<String> {
    let n = values.len();
    let failing: Vec<usize> = (0..n).filter(|i| !pass(*i)).collect();
    match (n, quantifier) {
        (0, _) => Some(format!("expected {expectation}, got nothing")),
        (1, _) if failing.is_empty() => None,
        (1, _) => Some(format!("expected {expectation}, got {}", cut(&values[0]))),
        (_, Quantifier::Any) if failing.len() < n => None,
        (_, Quantifier::Any) => Some(format!(
            "expected {expectation} in one of its {n} values, got {}",
            list(values, &failing)
        )),
        (_, Quantifier::All) if failing.is_empty() => None,
        (_, Quantifier::All) => Some(format!(
            "expected {expectation} in every one of its {n} values; {} of them fail: {}",
            failing.len(),
            list(values, &failing)
        )),
    }
}

fn list(values: &[String], which: &[usize]) -> String {
    let mut shown: Vec<String> = which
        .iter()
        .take(QUOTED_VALUES)
        .map(|i| cut(&values[*i]))
        .collect();
    if which.len() > QUOTED_VALUES {
        shown.push(format!("and {} more", which.len() - QUOTED_VALUES));
    }
    shown.join(", ")
}

/// A value cut to [`QUOTED_CHARS`] characters.
pub fn cut(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn any_and_all() {
        let vals = v(&["`a`", "`b`"]);
        let is_b = |i: usize| i == 1;
        assert_eq!(judge(&vals, Quantifier::Any, "x", is_b), None);
        assert_eq!(
            judge(&vals, Quantifier::All, "x", is_b).unwrap(),
            "expected x in every one of its 2 values; 1 of them fail: `a`"
        );
        assert_eq!(
            judge(&vals, Quantifier::Any, "x", |_| false).unwrap(),
            "expected x in one of its 2 values, got `a`, `b`"
        );
        assert_eq!(
            judge(&v(&["1"]), Quantifier::All, "y", |_| false).unwrap(),
            "expected y, got 1"
        );
        assert!(judge(&[], Quantifier::Any, "z", |_| true).is_some());
        assert_eq!(cut(&"é".repeat(300)).chars().count(), QUOTED_CHARS + 1);
    }
}
