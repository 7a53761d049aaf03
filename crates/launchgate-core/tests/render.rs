//! Every renderer on one fixed set of reports: snapshots, redaction, escaping, and SARIF files
//! left in the target folder for the SARIF validator that `.ci/run` runs.

use launchgate_core::render::{Format, RenderOptions, ReportFile, render, step_summary};
use launchgate_core::{Check, CheckStatus, Finding, Location, Report, RuleInfo, Secret, Severity, Table};

const PLANTED: &str = "sk_live_51PlantedSecretValueAbcDefGhiJkl0123";

fn reports() -> Vec<Report> {
    let mut secrets = Report::new("secrets");
    secrets.inputs.push(".".into());
    secrets.rules.insert(
        "stripe.secret-key".into(),
        RuleInfo {
            name: "Stripe secret key".into(),
            description: "A Stripe secret key grants full access to the account.".into(),
            help_uri: Some("https://docs.stripe.com/keys".into()),
        },
    );
    secrets.push(
        Finding::new(
            "stripe.secret-key",
            Severity::Error,
            "Stripe secret key in source",
        )
        .at(Location::at("src/billing/config.ts", 12, 18).to(12, 50))
        .secret(Secret::new(PLANTED).to_redacted())
        .help("Rotate the key at https://dashboard.stripe.com/apikeys, then remove it.")
        .property("confidence", "high"),
    );
    secrets.push(
        Finding::new(
            "generic.password",
            Severity::Warning,
            "password assigned in a 100% plain, readable file",
        )
        .at(Location::at("deploy/a,b:c.env", 3, 1)),
    );
    secrets.suppressed = 1;
    secrets.duration_ms = 12;
    secrets.notes.push("skipped 2 binary files".into());

    let mut smoke = Report::new("smoke");
    smoke.checks = vec![
        Check {
            name: "homepage".into(),
            status: CheckStatus::Passed,
            duration_ms: Some(84),
            detail: None,
        },
        Check {
            name: "login then dashboard".into(),
            status: CheckStatus::Failed,
            duration_ms: Some(230),
            detail: Some("expected status 200, got 500 <html>".into()),
        },
    ];
    smoke.push(
        Finding::new(
            "smoke.status",
            Severity::Error,
            "login then dashboard: expected status 200, got 500",
        )
        .subject("https://example.com/api/login"),
    );
    smoke.tables.push(Table {
        title: "latency".into(),
        columns: vec!["route".into(), "p95 ms".into(), "budget ms".into()],
        rows: vec![vec!["/".into(), "120".into(), "300".into()]],
    });
    smoke.duration_ms = 400;
    vec![secrets, smoke]
}

fn options() -> RenderOptions {
    RenderOptions::default()
}

#[test]
fn human_snapshot() {
    insta::assert_snapshot!(render(Format::Human, &reports(), &options()));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(render(Format::Markdown, &reports(), &options()));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(render(Format::Github, &reports(), &options()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(render(Format::Junit, &reports(), &options()));
}

#[test]
fn json_snapshot_and_round_trip() {
    let text = render(Format::Json, &reports(), &options());
    let text = text.replace(launchgate_core::VERSION, "[version]");
    insta::assert_snapshot!(text.clone());
    let parsed = ReportFile::parse("report.json", &text).unwrap();
    assert_eq!(parsed.status, "failed");
    assert_eq!(parsed.summary.error, 2);
    assert_eq!(parsed.reports, reports());
}

#[test]
fn sarif_snapshot_and_file_for_the_validator() {
    let text = render(Format::Sarif, &reports(), &options());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("core-renderer.sarif"), &text).unwrap();
    insta::assert_snapshot!(text.replace(launchgate_core::VERSION, "[version]"));
}

#[test]
fn no_format_prints_the_planted_secret() {
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::Junit,
    ] {
        let text = render(format, &reports(), &options());
        assert!(!text.contains(PLANTED), "{format:?} printed the secret");
        assert!(
            !text.contains("PlantedSecretValue"),
            "{format:?} printed part of the secret"
        );
        assert!(text.contains("…0123"), "{format:?} lost the redacted form");
        // No fast hash a reader could test guesses against.
        for hash in [
            launchgate_core::secret::sha256_hex(PLANTED.as_bytes()),
            launchgate_core::finding::fingerprint_of(&["stripe.secret-key", PLANTED]),
        ] {
            assert!(
                !text.contains(&hash[..16]),
                "{format:?} printed a SHA-256 of the secret"
            );
        }
    }
    let summary = step_summary(&reports(), &options());
    assert!(!summary.contains(PLANTED));
}

#[test]
fn github_escapes_paths_and_messages() {
    let text = render(Format::Github, &reports(), &options());
    assert!(
        text.contains("::warning file=deploy/a%2Cb%3Ac.env,line=3,col=1,title=generic.password::password assigned in a 100%25 plain, readable file"),
        "{text}"
    );
    let mut r = Report::new("env");
    r.push(Finding::new("env.x", Severity::Note, "first\r\nsecond").at(Location::file("C:\\repo\\.env")));
    let text = render(Format::Github, &[r], &options());
    assert!(
        text.contains("::notice file=C%3A/repo/.env,title=env.x::first%0D%0Asecond"),
        "{text}"
    );
}

#[test]
fn step_summary_stays_under_the_cap() {
    let mut r = Report::new("secrets");
    for i in 0..20_000 {
        r.push(
            Finding::new(
                "generic.api-key",
                Severity::Error,
                "an API key assigned in source ".repeat(3),
            )
            .at(Location::at(format!("src/file_{i}.ts"), i, 1)),
        );
    }
    let summary = step_summary(&[r], &options());
    assert!(summary.len() < 1024 * 1024, "{}", summary.len());
    assert!(summary.contains("more findings not shown"), "no omission line");
}

#[test]
fn human_colour_only_when_asked() {
    let plain = render(Format::Human, &reports(), &options());
    assert!(!plain.contains('\u{1b}'));
    let colored = render(
        Format::Human,
        &reports(),
        &RenderOptions {
            color: true,
            ..options()
        },
    );
    assert!(colored.contains('\u{1b}'));
}
