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
    let database_url = format!("mysql://u:{}@db.acme.io/x", PLANTED[1]);
    let env = [
        ("STRIPE_SECRET_KEY", PLANTED[0]),
        ("DATABASE_URL", database_url.as_str()),
        ("NEXT_PUBLIC_HOOK", PLANTED[2]),
        ("SESSION_SECRET", PLANTED[3]),
    ];
    for args in commands {
        for (format, code, texts) in outputs_in_every_format(dir.path(), args, &env) {
            assert_eq!(code, Some(1), "{args:?} {format}: {}", texts[1]);
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

/// What `args` writes in each format: the format, the exit code, and the texts (standard
/// output, standard error, the `--output` file, the job summary).
pub fn outputs_in_every_format(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Vec<(&'static str, Option<i32>, Vec<String>)> {
    let mut all = Vec::new();
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        let report = dir.join(format!("report.{format}"));
        let summary = dir.join("summary.md");
        let _ = std::fs::remove_file(&summary);
        let out = bin(dir)
            .args(args)
            .args(["--format", format, "--format", format, "--output"])
            .arg(&report)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let texts = vec![
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            std::fs::read_to_string(&report).unwrap_or_default(),
            std::fs::read_to_string(&summary).unwrap_or_default(),
        ];
        all.push((format, out.status.code(), texts));
    }
    all
}

/// A password in a variable whose name lacks the secret words, and the schema says nothing
/// about secrecy: a failed check never prints it, in any format. Values the schema calls
/// public (`secret: false`, a port number) are printed.
#[test]
fn values_not_declared_public_are_never_printed() {
    let password = "Pl4ntedSmtpPassw0rd";
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "launchgate.yml",
        "env:\n  vars:\n    SMTP_PASS: { type: url, required: all }\n    SMTP_LOGIN: { type: email }\n    SHORT: { type: int }\n    PORT: { type: port, max: 1000 }\n    REGION: { type: string, secret: false, regex: '[a-z]+-[0-9]' }\n",
    );
    write(
        dir.path(),
        ".env",
        &format!("SMTP_PASS={password}\nSMTP_LOGIN={password}\nSHORT=pw1\nPORT=8080\nREGION=eu-west\n"),
    );
    let env = [
        ("SMTP_PASS", password),
        ("SMTP_LOGIN", password),
        ("SHORT", "pw1"),
        ("PORT", "8080"),
        ("REGION", "eu-west"),
    ];
    let commands: [&[&str]; 2] = [
        &["check", "--env", "production", "--file", ".env"],
        &["check", "--env", "production"],
    ];
    for args in commands {
        for (format, code, texts) in outputs_in_every_format(dir.path(), args, &env) {
            assert_eq!(code, Some(1), "{args:?} {format}: {}", texts[1]);
            let all = texts.concat();
            for part in [password, "Pl4nted", "pw1"] {
                assert!(
                    !all.contains(part),
                    "{args:?} --format {format} printed {part}:\n{all}"
                );
            }
            if format == "json" {
                assert!(all.contains("SMTP_PASS is not a URL"), "{all}");
                assert!(
                    all.contains(r#"PORT is more than the maximum 1000 (value \"8080\")"#),
                    "{all}"
                );
                assert!(all.contains(r#"(value \"eu-west\")"#), "{all}");
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

/// A password pasted on a line of its own, or before `=`, is not shaped like a variable
/// name, so lint messages redact it; names like `API_V2_URL` are shown.
#[test]
fn lint_messages_show_only_name_shaped_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "hunter2hunter2\nTr0ub4dor3=x\nAPI_V2_URL\ns3_bucket=x\n",
    );
    let out = bin(dir.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "warnings only: {text}");
    assert!(text.contains("`API_V2_URL` has no `=`"), "{text}");
    assert!(text.contains("the key `s3_bucket` is not upper-case"), "{text}");
    for part in ["hunter2", "Tr0ub4dor", "ub4d"] {
        assert!(!text.contains(part), "{part}: {text}");
    }
}
