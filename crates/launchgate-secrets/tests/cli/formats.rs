use std::fs;

use crate::{STRIPE_KEY, TEST_TOKEN, bin, fixture_rules};

/// A secret planted in a file, a log and stdin never appears in clear in any format, on
/// stdout, stderr or in an output file.
#[test]
fn no_format_prints_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("app.env"),
        format!("STRIPE_SECRET_KEY={STRIPE_KEY}\nTOKEN={TEST_TOKEN}\n"),
    )
    .unwrap();
    fs::write(
        d.join("ci.log"),
        format!("Authorization: Bearer {TEST_TOKEN}\n{STRIPE_KEY}\n"),
    )
    .unwrap();
    fs::write(
        d.join("launchgate.yml"),
        format!("secrets:\n  extra_rules: ['{}']\n", fixture_rules()),
    )
    .unwrap();
    let runs: [&[&str]; 3] = [&["scan", "app.env"], &["logs", "ci.log"], &["scan", "-"]];
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        for args in runs {
            let summary = d.join("summary.md");
            let file = d.join(format!("report.{format}"));
            let out = bin(d)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("TOKEN_VALUE", TEST_TOKEN)
                .args(args)
                .args(
                    ["--known-values-from-env", "TOKEN_VALUE"]
                        .iter()
                        .filter(|_| args[0] == "logs"),
                )
                .args(["--format", format, "--format", format, "--output"])
                .arg(&file)
                .write_stdin(format!("{STRIPE_KEY}\n"))
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(1),
                "{format} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let written = fs::read_to_string(&file).unwrap();
            let summary_text = fs::read_to_string(&summary).unwrap_or_default();
            for (what, text) in [
                ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
                ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
                ("output file", written),
                ("step summary", summary_text),
            ] {
                for secret in [STRIPE_KEY, TEST_TOKEN] {
                    assert!(
                        !text.contains(secret),
                        "{format} {args:?}: {what} holds a secret:\n{text}"
                    );
                }
            }
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("stripe.secret-key"),
                "{format} {args:?}: {stdout}"
            );
        }
    }
}
