//! Corrected SPF records for help texts: the value a founder pastes into the DNS provider.

use crate::config::{AllPolicy, SpfConfig};

/// A record to start from: the required includes and the first accepted `all`.
pub(super) fn example_record(config: &SpfConfig) -> String {
    let mut record = String::from("v=spf1");
    for include in &config.must_include {
        record.push_str(" include:");
        record.push_str(include.trim_end_matches('.'));
    }
    if config.must_include.is_empty() {
        record.push_str(" include:<your mail provider's SPF domain>");
    }
    record.push(' ');
    record.push_str(config.all.first().copied().unwrap_or(AllPolicy::Fail).as_str());
    record
}

/// The record with its `all` term replaced (or added).
pub(super) fn replace_all(record: &str, all: &str) -> String {
    let mut terms: Vec<&str> = record
        .split(' ')
        .filter(|t| !t.is_empty())
        .filter(|t| {
            !t.trim_start_matches(['+', '-', '~', '?'])
                .eq_ignore_ascii_case("all")
        })
        .collect();
    terms.push(all);
    terms.join(" ")
}

/// The record with `include:domain` added before its `all`.
pub(super) fn insert_include(record: &str, domain: &str) -> String {
    let include = format!("include:{domain}");
    let mut terms: Vec<&str> = record.split(' ').filter(|t| !t.is_empty()).collect();
    let at = terms
        .iter()
        .position(|t| {
            t.trim_start_matches(['+', '-', '~', '?'])
                .eq_ignore_ascii_case("all")
        })
        .unwrap_or(terms.len());
    terms.insert(at, &include);
    terms.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_all_and_includes() {
        assert_eq!(replace_all("v=spf1 a +all", "-all"), "v=spf1 a -all");
        assert_eq!(replace_all("v=spf1 a", "~all"), "v=spf1 a ~all");
        assert_eq!(
            insert_include("v=spf1 a -all", "_spf.resend.com"),
            "v=spf1 a include:_spf.resend.com -all"
        );
    }
}
