//! Test fixtures: files a test suite reads (recorded responses, sample configurations,
//! snapshots) are full of credential-shaped values written for the test. A secret found in
//! one is still reported, at most as a warning, with the reason in its message: it does not
//! fail a scan at the default `--fail-on error`, and a real key committed there is still
//! seen.

use launchgate_core::Severity;

/// Folders that hold test fixtures wherever they are.
const FIXTURE_DIRS: &[&str] = &[
    "testdata",
    "test-data",
    "test_data",
    "__fixtures__",
    "__snapshots__",
];
/// Test folders whose `fixtures` folder holds fixtures (`tests/fixtures/`, `spec/fixtures/`).
const TEST_DIRS: &[&str] = &["test", "tests", "spec", "__tests__", "e2e"];

/// The part of `path` that marks it as a test fixture (`tests/fixtures/`, `testdata/`,
/// `*.snap`, `*.test.*`), or `None`. Paths are split on `/` and `\`.
pub fn fixture_marker(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let (file, dirs) = parts.split_last()?;
    for (i, dir) in dirs.iter().enumerate() {
        let lower = dir.to_ascii_lowercase();
        if FIXTURE_DIRS.contains(&lower.as_str()) {
            return Some(format!("{dir}/"));
        }
        if (lower == "fixtures" || lower == "fixture")
            && i > 0
            && TEST_DIRS.contains(&dirs[i - 1].to_ascii_lowercase().as_str())
        {
            return Some(format!("{}/{dir}/", dirs[i - 1]));
        }
    }
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".snap") {
        return Some("*.snap".to_string());
    }
    // `app.test.js`, `client.spec.ts`, `handler.test.js.snap`: a name part, never the
    // extension alone (`x.test` is not a test file name).
    let segments: Vec<&str> = lower.split('.').collect();
    if segments.len() >= 3 {
        for marker in ["test", "spec"] {
            if segments[1..segments.len() - 1].contains(&marker) {
                return Some(format!("*.{marker}.*"));
            }
        }
    }
    None
}

/// The severity of a finding at `path`, and the sentence its message gains when the path
/// is a test fixture: an error becomes a warning there; a warning or note stays.
pub fn relieve(path: &str, severity: Severity) -> (Severity, Option<String>) {
    let Some(marker) = fixture_marker(path) else {
        return (severity, None);
    };
    let lowered = severity.min(Severity::Warning);
    let sentence = if lowered == severity {
        format!("in a test fixture ({marker})")
    } else {
        format!(
            "in a test fixture ({marker}), so reported as a warning: rotate it if it is a real credential"
        )
    };
    (lowered, Some(sentence))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_folders_and_snapshot_files_are_recognised() {
        for (path, marker) in [
            ("tests/fixtures/stripe.json", "tests/fixtures/"),
            ("crates/api/tests/fixtures/keys.env", "tests/fixtures/"),
            ("spec/fixtures/vcr/charge.yml", "spec/fixtures/"),
            ("pkg/auth/testdata/token.golden", "testdata/"),
            ("src/__fixtures__/config.json", "__fixtures__/"),
            ("src/__snapshots__/login.tsx.snap", "__snapshots__/"),
            ("web/Login.test.tsx.snap", "*.snap"),
            ("web/client.test.ts", "*.test.*"),
            ("web\\client.spec.js", "*.spec.*"),
        ] {
            assert_eq!(fixture_marker(path).as_deref(), Some(marker), "{path}");
        }
        for path in [
            "src/fixtures.rs",
            "app/fixtures/seed.yml",
            "config/test.env",
            "deploy/latest.json",
            "src/testing/keys.go",
            ".env",
            "",
        ] {
            assert_eq!(fixture_marker(path), None, "{path}");
        }
    }

    #[test]
    fn an_error_in_a_fixture_becomes_a_warning_with_the_reason() {
        let (severity, why) = relieve("tests/fixtures/a.env", Severity::Error);
        assert_eq!(severity, Severity::Warning);
        assert!(why.unwrap().contains("tests/fixtures/"));
        assert_eq!(relieve("tests/fixtures/a.env", Severity::Note).0, Severity::Note);
        assert_eq!(relieve("src/a.env", Severity::Error), (Severity::Error, None));
    }
}
