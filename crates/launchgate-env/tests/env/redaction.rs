//! A planted secret never appears in any output format, on stdout, stderr or in files.

use crate::{bin, git_repo, write};

const PLANTED: [&str; 4] = [
    "sk_live_51PlantedSecretValue0001",
    "Sup3rS3cretPassw0rd",
    "whsec_PlantedWebhookSecret0002xyz",
    "hunter2hunter2",
];

#[test]
fn secrets_never_appear_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    STRIPE_SECRET_KEY: { starts_with: sk_test_, secret: true }\n    DATABASE_URL: { type: url, schemes: [mysql], secret: true }\n    SESSION_SECRET: { type: int, secret: true }\n",
    );
    let env_file = format!(
        "STRIPE_SECRET_KEY={}\nDATABASE_URL=postgres://app:{}@db.acme.io/app\nNEXT_PUBLIC_HOOK={}\nSESSION_SECRET={}\nLEAKED_TOKEN={}\n",
        PLANTED[0], PLANTED[1], PLANTED[2], PLANTED[3], PLANTED[0]
    );
    write(dir.path(), ".env.production", &env_file);
    git_repo(dir.path(), &[".env.production", "launchgate.yml"]);
    let commands: [&[&str]; 3] = [
        &["check", "--env", "development", "--file", ".env.production"],
        &["check", "--env", "development"],
        &["lint"],
    ];
    for args in commands {
        for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
            let report = dir.path().join(format!("report.{format}"));
            let summary = dir.path().join("summary.md");
            let out = bin(dir.path())
                .args(args)
                .args(["--format", format, "--format", format, "--output"])
                .arg(&report)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("STRIPE_SECRET_KEY", PLANTED[0])
                .env("DATABASE_URL", format!("mysql://u:{}@db.acme.io/x", PLANTED[1]))
                .env("NEXT_PUBLIC_HOOK", PLANTED[2])
                .env("SESSION_SECRET", PLANTED[3])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(1),
                "{args:?} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut texts = vec![
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ];
            texts.push(std::fs::read_to_string(&report).unwrap());
            texts.push(std::fs::read_to_string(&summary).unwrap_or_default());
            assert!(texts[0].len() > 100, "{args:?} {format}: {}", texts[0]);
            for text in &texts {
                for secret in PLANTED {
                    assert!(
                        !text.contains(secret),
                        "{args:?} --format {format} printed a secret:\n{text}"
                    );
                }
            }
        }
    }
}

#[test]
fn errors_about_bad_files_do_not_print_values() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    A: { secret: true }\n",
    );
    write(
        dir.path(),
        ".env",
        &format!("A=\"{}\nB={}\n", PLANTED[1], PLANTED[0]),
    );
    let out = bin(dir.path())
        .args(["check", "--env", "production", "--file", ".env"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("env.unterminated-quote"), "{text}");
    for secret in PLANTED {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn lines_that_are_not_key_value_pairs_are_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let token = "ghp_R7mK2xQ9vL4tN8pZ1cW6hB3jF5dG0sY2aE7u";
    let password = "Hunter2SecretPw";
    write(
        dir.path(),
        ".env",
        &format!("STRIPE_KEY: {token}\npostgres://admin:{password}@db.acme.io/app?ssl=1\n{token}\n"),
    );
    let out = bin(dir.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("key-without-value") && text.contains("invalid-key"),
        "{text}"
    );
    assert!(
        !text.contains(token) && !text.contains("R7mK2xQ9vL4tN8pZ"),
        "{text}"
    );
    assert!(!text.contains(password), "{text}");
}

#[test]
fn a_secret_url_that_fails_validation_is_not_quoted_in_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    API_URL: { type: url, secret: true, required: all }\n",
    );
    let out = bin(dir.path())
        .args(["check", "--env", "production", "--format", "json"])
        .env("API_URL", "ghsecretvalue9f8e7d6c5b4a:zz")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("env.invalid-value"), "{text}");
    assert!(!text.contains("ghsecretvalue9f8e7d6c5b4a"), "{text}");
    assert!(!text.contains("secretvalue"), "{text}");
}
