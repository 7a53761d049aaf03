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
fn html_snapshot() {
    let html = render(Format::Html, &reports(), &options());
    insta::assert_snapshot!(html.replace(launchgate_core::VERSION, "[version]"));
}

#[test]
fn launch_markdown_snapshot() {
    let options = RenderOptions {
        launch: Some(Default::default()),
        ..options()
    };
    insta::assert_snapshot!(render(Format::Markdown, &reports(), &options));
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
    for format in Format::ALL {
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

/// A report whose every user-derived field tries to break out of its format.
fn hostile() -> Vec<Report> {
    const EVIL: &str = "a\n::error file=x::pwned\r\n##[error]legacy \x1b[2J\x7f\u{9b}31m \u{202e}txt.exe\u{2066}\u{2028}|<img src=x>`";
    let mut r = Report::new("secrets");
    r.push(
        Finding::new(format!("rule{EVIL}"), Severity::Error, format!("message{EVIL}"))
            .at(Location::at(format!("src/{EVIL}.ts"), 1, 1))
            .subject(format!("subject{EVIL}"))
            .help(format!("help{EVIL}")),
    );
    r.checks.push(Check {
        name: format!("check{EVIL}"),
        status: CheckStatus::Failed,
        duration_ms: Some(1),
        detail: Some(format!("detail{EVIL}")),
    });
    r.tables.push(Table {
        title: format!("table{EVIL}"),
        columns: vec![format!("col{EVIL}"), "n".into()],
        rows: vec![vec![String::new(), format!("::error::cell{EVIL}")]],
    });
    r.notes.push(format!("note{EVIL}"));
    let mut failed = Report::failed_to_run("env", format!("could not read {EVIL}"));
    failed.notes.push("::warning::from a note".into());
    vec![r, failed]
}

/// Every line the GitHub runner would take as a workflow command: `::name` after leading
/// blanks, or a legacy `##[name]` anywhere.
fn commands(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
        .collect()
}

#[test]
fn user_text_cannot_inject_commands_or_control_characters() {
    let forbidden = |c: char| launchgate_core::render::is_unsafe(c) && c != '\n';
    for format in Format::ALL {
        let text = render(format, &hostile(), &options());
        assert!(
            !text.chars().any(forbidden),
            "{format:?} wrote a raw control or bidi character:\n{text}"
        );
        let found = commands(&text);
        if format == Format::Github {
            // One annotation per finding and one for the gate that could not run; nothing else.
            assert_eq!(found.len(), 2, "{found:#?}");
            assert!(
                found[0].starts_with(
                    "::error file=src/a%0A%3A%3Aerror file=x%3A%3Apwned%0D%0A##[error]legacy \\x1b[2J"
                ),
                "{}",
                found[0]
            );
            assert!(
                found[1].starts_with("::error title=launchgate env::the gate could not run"),
                "{}",
                found[1]
            );
            // The injected text stays inside the properties and the message, escaped: the
            // runner reads only the properties launchgate wrote.
            for line in &found {
                let head = &line[2..2 + line[2..].find("::").unwrap()];
                let props = head.split_once(' ').map(|(_, p)| p).unwrap_or("");
                for prop in props.split(',') {
                    let key = prop.split('=').next().unwrap();
                    assert!(["file", "line", "col", "title"].contains(&key), "{key} in {line}");
                }
            }
        } else {
            assert!(
                found.is_empty(),
                "{format:?} wrote a command line: {found:#?}\n{text}"
            );
        }
    }
}

#[test]
fn escaped_text_stays_readable_and_json_keeps_the_value() {
    let human = render(Format::Human, &hostile(), &options());
    assert!(human.contains("--> src/a\\n::error file=x::pwned\\r\\n#\\x23[error]legacy \\x1b[2J\\x7f\\x9b31m \\u{202e}txt.exe\\u{2066}\\u{2028}|<img src=x>`.ts:1:1"), "{human}");
    let markdown = render(Format::Markdown, &hostile(), &options());
    // Outside code spans HTML is escaped; inside them it is literal text anyway.
    assert!(markdown.contains("\\|&lt;img src=x&gt;`"), "{markdown}");
    assert!(
        markdown.contains("| messagea<br>::error file=x::pwned<br>#\\x23[error]legacy \\x1b[2J"),
        "{markdown}"
    );
    let junit = render(Format::Junit, &hostile(), &options());
    // Line breaks stay (XML readers fold them in attributes); a command at a line's start is
    // inert and every other unsafe character is a visible escape.
    assert!(
        junit.contains("detaila\n\\x3a:error file=x::pwned\\r\n#\\x23[error]legacy \\x1b[2J"),
        "{junit}"
    );
    assert!(
        !junit.contains('\u{1b}') && !junit.contains('\u{202e}'),
        "{junit}"
    );
    let json = render(Format::Json, &hostile(), &options());
    let parsed = ReportFile::parse("report.json", &json).unwrap();
    assert_eq!(parsed.reports, hostile());
}
