//! The membership-app example, run the way `cargo run --example membership-app` runs it:
//! its web server and DNS zone on their fixed ports of 127.0.0.1, then every gate through
//! the umbrella's library. Each gate must find its planted problems, the run must fail
//! (exit 1, not 2), and no planted secret may appear in clear in any format.

#[path = "../../examples/membership-app/demo.rs"]
mod demo;
#[path = "../../examples/membership-app/http_server.rs"]
mod http_server;
#[path = "../../examples/membership-app/mail.rs"]
mod mail;
#[path = "../../examples/membership-app/zone.rs"]
mod zone;

mod report;

use launchgate_core::render::{Format, RenderOptions, render};
use launchgate_core::{ExitStatus, Finding, Report, Severity};

/// Every value planted in the example that must never be printed whole.
const PLANTED_SECRETS: &[&str] = &[
    // src/lib/mailer.ts
    "re_Vb7kQ2mX_p9Lt4Rz8Nc1Hd6Wj3Fs5Ga0Y",
    // .env.production
    "Zr8vQ2xLm4Tn7Kp1",
    "sk_test_51QmX8dKp2Lr7Vn4Ty6Hb9Jc3Fw1Zs5Ag0Ne8Uq2Yo7Ix4Rk",
    "q3mN8vT2xKp7Lr4Zs1Yc6Hb9Fw0Jd5Ae2Gt8Uo3Ik7",
    // the session cookie the smoke gate captures
    http_server::SESSION_TOKEN,
    // the password-reset link of the saved email
    "demo-reset-token",
];

/// The example's servers listen on fixed ports: one test at a time holds them.
fn lock_ports() -> std::sync::MutexGuard<'static, ()> {
    static PORTS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    PORTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn gate<'a>(reports: &'a [Report], name: &str) -> &'a Report {
    let report = reports
        .iter()
        .find(|r| r.gate == name)
        .unwrap_or_else(|| panic!("no {name} report"));
    assert_eq!(report.error, None, "the {name} gate could not run");
    report
}

fn with_rule<'a>(report: &'a Report, rule_id: &str) -> Vec<&'a Finding> {
    let found: Vec<&Finding> = report.findings.iter().filter(|f| f.rule_id == rule_id).collect();
    assert!(
        !found.is_empty(),
        "{}: no {rule_id} among {:#?}",
        report.gate,
        report.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
    );
    found
}

/// The one finding of `rule_id` whose message contains `text`.
fn finding<'a>(report: &'a Report, rule_id: &str, text: &str) -> &'a Finding {
    with_rule(report, rule_id)
        .into_iter()
        .find(|f| f.message.contains(text))
        .unwrap_or_else(|| panic!("{}: no {rule_id} mentioning `{text}`", report.gate))
}

fn position(f: &Finding) -> (String, Option<u32>, Option<u32>) {
    let location = f.location.as_ref().expect("a file location");
    (location.path.replace('\\', "/"), location.line, location.column)
}

#[test]
fn every_gate_finds_the_planted_problems_and_no_secret_leaks() {
    let _ports = lock_ports();
    // A taken port is a clear error naming it, not a run against someone else's server.
    {
        let squatter = std::net::TcpListener::bind(demo::HTTP_ADDR).expect("the example's HTTP port is free");
        let error = demo::start_servers().expect_err("the HTTP port is taken");
        assert!(error.message().contains("127.0.0.1:47080"), "{}", error.message());
        drop(squatter);
        let squatter = std::net::UdpSocket::bind(demo::DNS_ADDR).expect("the example's DNS port is free");
        let error = demo::start_servers().expect_err("the DNS port is taken");
        assert!(
            error.message().contains("UDP 127.0.0.1:47053"),
            "{}",
            error.message()
        );
        drop(squatter);
    }

    let servers = demo::start_servers().expect("the example's ports are free");
    assert_eq!(servers.http.addr.to_string(), demo::HTTP_ADDR);
    assert_eq!(servers.dns.addr.to_string(), demo::DNS_ADDR);
    let reports = demo::run_gates(&demo::example_root()).expect("the example's launchgate.yml is valid");
    drop(servers);

    let gates: Vec<&str> = reports.iter().map(|r| r.gate.as_str()).collect();
    assert_eq!(gates, ["secrets", "env", "budget", "smoke", "dns", "mail"]);
    assert_eq!(ExitStatus::of(&reports, Severity::Error), ExitStatus::Failed);

    let secrets = gate(&reports, "secrets");
    let resend = with_rule(secrets, "resend.api-key");
    assert_eq!(resend.len(), 1);
    assert_eq!(
        position(resend[0]),
        ("src/lib/mailer.ts".into(), Some(5), Some(28))
    );
    assert_eq!(resend[0].severity, Severity::Error);
    with_rule(secrets, "stripe.test-secret-key");

    let env = gate(&reports, "env");
    let public = finding(
        env,
        "env.public-secret-value",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
    );
    assert_eq!(position(public), (".env.production".into(), Some(5), Some(39)));
    finding(
        env,
        "env.public-secret-schema",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
    );
    let test_key = finding(env, "env.test-key-in-production", "STRIPE_SECRET_KEY");
    assert_eq!(position(test_key), (".env.production".into(), Some(2), Some(19)));
    finding(env, "env.invalid-value", "NEXT_PUBLIC_SITE_URL uses http");
    let duplicate = finding(env, "env.duplicate-key", "LOG_LEVEL");
    assert_eq!(position(duplicate), (".env.production".into(), Some(8), Some(1)));
    finding(env, "env.missing-required", "RESEND_API_KEY");

    let budget = gate(&reports, "budget");
    let bundle = finding(
        budget,
        "budget.bundle",
        "assets/index-a41f9c3d.js (gzip) is over budget",
    );
    assert_eq!(bundle.severity, Severity::Error);
    let hero = finding(budget, "budget.bundle", "assets/hero-7c1d4e2a.png");
    assert_eq!(hero.severity, Severity::Warning);
    finding(
        budget,
        "budget.category",
        "categories:performance is below budget: 51",
    );
    finding(budget, "budget.metric", "largest-contentful-paint is over budget");
    let inlined = finding(
        budget,
        "budget.shipped-env-secret",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
    );
    assert_eq!(inlined.severity, Severity::Error);
    assert_eq!(
        position(inlined),
        (
            "examples/membership-app/dist/assets/index-a41f9c3d.js".into(),
            Some(7),
            Some(94)
        )
    );

    let smoke = gate(&reports, "smoke");
    finding(smoke, "smoke.check", "expected status 200, got 500");
    finding(smoke, "smoke.check", "cookie `session` lacks Secure");
    finding(smoke, "smoke.check", "X-Content-Type-Options");
    let hsts = with_rule(smoke, "smoke.headers.hsts");
    assert_eq!(hsts[0].subject.as_deref(), Some("http://127.0.0.1:47080/"));
    finding(smoke, "smoke.latency.p95", "/pricing");
    let css = finding(
        smoke,
        "smoke.edge.cache.hashed",
        "/assets/index-5e0b7f31.css has a hashed name but is cacheable for only 0 s (Cache-Control: public, max-age=0), under 30 days",
    );
    assert_eq!(css.severity, Severity::Error);
    let bundle = finding(
        smoke,
        "smoke.edge.compression",
        "/assets/index-a41f9c3d.js is sent uncompressed: 174493 bytes, which gzip would cut to",
    );
    assert_eq!(bundle.severity, Severity::Error);
    let login = finding(
        smoke,
        "smoke.rate-limit",
        "rate limit POST /api/login: 20 failed logins in ",
    );
    assert!(
        login.message.contains("none was throttled (answers: 401 ×20)"),
        "{}",
        login.message
    );
    // The hero photo is cached right and is not text: no finding names it.
    assert!(
        !smoke
            .findings
            .iter()
            .any(|f| f.message.contains("hero-7c1d4e2a.png"))
    );
    // The routes that work pass: the redirect to login and the login flow with its cookie.
    for name in [
        "homepage",
        "dashboard needs login",
        "login then dashboard",
        "health",
    ] {
        let check = smoke
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no smoke check `{name}`"));
        assert_eq!(
            check.status,
            launchgate_core::report::CheckStatus::Passed,
            "{name}: {:?}",
            check.detail
        );
    }

    let dns = gate(&reports, "dns");
    finding(
        dns,
        "dns.record-mismatch",
        "answers 203.0.113.10, expected 76.76.21.21",
    );
    finding(dns, "dns.dangling-cname", "status.membership-app.test");
    with_rule(dns, "spf.plus-all");
    finding(dns, "dmarc.policy-too-weak", "p=none");
    finding(dns, "dkim.short-key", "RSA-1024");

    // The reset email: signed by the provider's domain only, so DMARC fails, and in Spam.
    let mail = gate(&reports, "mail");
    let dmarc = finding(mail, "mail.dmarc-fail", "DKIM d=resend.test (pass, not aligned)");
    assert!(position(dmarc).0.ends_with("target/membership-app/reset.eml"));
    finding(mail, "mail.junk", "X-Gmail-Labels: Spam");
    finding(mail, "mail.message-id", "email.resend.test");
    assert_eq!(
        mail.checks.last().map(|c| c.status),
        Some(launchgate_core::report::CheckStatus::Skipped)
    );

    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::Junit,
        Format::Html,
    ] {
        let text = render(format, &reports, &RenderOptions::default());
        assert!(text.contains("resend.api-key"), "{format:?} lacks the findings");
        for secret in PLANTED_SECRETS {
            assert!(
                !text.contains(secret),
                "{format:?} shows a planted secret in clear"
            );
        }
    }
}
