//! A planted secret (an environment value, and a token captured at run time) never appears
//! in any output format, file, job summary or error.

use crate::app::{PASSWORD, Site, TOKEN, run};

const SPEC: &str = r#"
base_url: https://example.test:{https}
checks:
  - name: echoing login
    steps:
      - { post: /api/login, json: { email: "nobody@example.test", password: "${SMOKE_PASSWORD}" }, expect: { status: 200 } }
  - { name: password on page, get: /, expect: { body_contains: "${SMOKE_PASSWORD}" } }
  - name: token mismatch
    steps:
      - { post: /api/login, json: { email: "${SMOKE_USER}", password: "${SMOKE_PASSWORD}" }, capture: { token: "json:/token" } }
      - { get: /api/me, headers: { Authorization: "Bearer ${token}" }, expect: { json: { /email: "${token}" }, headers: { X-Token: "${token}" } } }
  - { name: secret in url, get: "/nope?key=${SMOKE_PASSWORD}", expect: { status: 200 } }
"#;

#[test]
fn no_output_format_carries_a_planted_secret() {
    let site = Site::start();
    let summary = site.dir.path().join("summary.md");
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        let file = site.dir.path().join(format!("report.{format}"));
        let mut cmd = site.cmd(SPEC);
        cmd.env("GITHUB_STEP_SUMMARY", &summary)
            .args(["--format", format, "--format", format, "--output"])
            .arg(&file);
        let (code, stdout, stderr) = run(&mut cmd);
        assert_eq!(code, 1, "{format}: {stdout}{stderr}");
        let written = std::fs::read_to_string(&file).unwrap();
        for (place, text) in [("stdout", &stdout), ("stderr", &stderr), ("file", &written)] {
            assert!(
                !text.contains(PASSWORD),
                "{format} {place} shows the password:\n{text}"
            );
            assert!(!text.contains(TOKEN), "{format} {place} shows the token:\n{text}");
            assert!(
                !text.contains("correct-horse"),
                "{format} {place} shows part of the password"
            );
        }
        // The failures are still there, just redacted.
        assert!(stdout.contains("echoing login"), "{format}: {stdout}");
    }
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(!summary.contains(PASSWORD) && !summary.contains(TOKEN));
    assert!(summary.contains("token mismatch"));
}

#[test]
fn a_failing_run_names_the_redacted_value() {
    let site = Site::start();
    let mut cmd = site.cmd(SPEC);
    let (_, stdout, _) = run(cmd.args(["--format", "json"]));
    // "wrong password <PASSWORD>" echoed by the server shows as its redacted form.
    let password = launchgate_core::secret::redact(PASSWORD);
    let token = launchgate_core::secret::redact(TOKEN);
    assert!(stdout.contains(&format!("wrong password {password}")), "{stdout}");
    assert!(
        stdout.contains(&format!("expected JSON /email = \\\"{token}\\\"")),
        "{stdout}"
    );
}
