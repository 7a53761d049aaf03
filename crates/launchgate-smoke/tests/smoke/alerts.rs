//! `smoke.alerts`: Discord, Teams, PagerDuty, a templated webhook and email, each sent to a
//! real server on 127.0.0.1 on alert and on recovery, with no secret in any payload.

use std::sync::atomic::Ordering;

use crate::app::{PASSWORD, Site, run};
use crate::server::{Request, Response, Seen, Server, paths, recording};
use crate::smtp::{Mode, SmtpServer};

const ROUTING_KEY: &str = "R0UT1NGKEY0123456789abcdefABCDEF";
const HOOK_TOKEN: &str = "hooktoken-5f1e9c2d7a";
const SMTP_PASSWORD: &str = "smtp-pass-8d3b61f0";

/// A server that records every request and answers as the providers do.
fn recorder() -> (Server, Seen) {
    recording(|req: &Request| match req.path() {
        "/v2/enqueue" => Response::new(202, r#"{"status":"success"}"#),
        "/discord/123/secretpart" => Response::new(204, ""),
        _ => Response::new(200, "1"),
    })
}

fn spec(hooks: u16, smtp: u16, tls: &str) -> String {
    format!(
        r#"
base_url: https://example.test:{{https}}
checks:
  - {{ name: health, get: /health }}
  - {{ name: echoing login, post: /api/login, json: {{ email: "nobody@example.test", password: "${{SMOKE_PASSWORD}}" }}, expect: {{ status: 200 }} }}
alerts:
  discord: {{ webhook_url: "${{DISCORD_URL}}" }}
  teams: {{ webhook_url: "http://127.0.0.1:{hooks}/teams" }}
  pagerduty:
    routing_key: "${{PD_ROUTING_KEY}}"
    events_url: "http://127.0.0.1:{hooks}/v2/enqueue"
  webhook:
    url: "http://127.0.0.1:{hooks}/custom"
    headers: {{ X-Token: "${{HOOK_TOKEN}}" }}
    json: {{ text: "${{alert.status}}: ${{alert.check}} at ${{alert.url}}", details: "${{alert.message}}" }}
  email:
    host: localhost
    port: {smtp}
    tls: {tls}
    from: "launchgate <smoke@example.test>"
    to: [ops@example.test, oncall@example.test]
    username: "${{SMTP_USER}}"
    password: "${{SMTP_PASSWORD}}"
"#
    )
}

fn alert_cmd(site: &Site, yaml: &str, hooks: u16, state: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = site.cmd(yaml);
    cmd.env(
        "DISCORD_URL",
        format!("http://127.0.0.1:{hooks}/discord/123/secretpart"),
    )
    .env("PD_ROUTING_KEY", ROUTING_KEY)
    .env("HOOK_TOKEN", HOOK_TOKEN)
    .env("SMTP_USER", "mailer")
    .env("SMTP_PASSWORD", SMTP_PASSWORD)
    .arg("--state")
    .arg(state);
    cmd
}

fn body(req: &Request) -> serde_json::Value {
    serde_json::from_slice(&req.body).unwrap_or_else(|e| panic!("{} sent no JSON ({e})", req.target))
}

#[test]
fn every_provider_gets_the_alert_and_the_recovery_with_no_secret() {
    let site = Site::start();
    let (hooks, seen) = recorder();
    let smtp = SmtpServer::start(Mode::Starttls, site.server_tls.clone());
    let yaml = spec(hooks.port(), smtp.port, "starttls");
    let state = site.dir.path().join("state.json");
    site.state.health_down.store(true, Ordering::SeqCst);

    let (code, stdout, stderr) = run(&mut alert_cmd(&site, &yaml, hooks.port(), &state));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let requests = seen.lock().unwrap().clone();
    let by_path = |p: &str| -> Vec<Request> { requests.iter().filter(|r| r.path() == p).cloned().collect() };
    let discord = body(&by_path("/discord/123/secretpart")[0]);
    let embed = &discord["embeds"][0];
    assert!(
        embed["title"]
            .as_str()
            .unwrap()
            .ends_with("failed 1 runs in a row"),
        "{discord}"
    );
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("health: expected status 2xx, got 500; body: database unreachable"),
        "{discord}"
    );
    let teams = body(&by_path("/teams")[0]);
    assert_eq!(
        teams["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let trigger = body(&by_path("/v2/enqueue")[0]);
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["routing_key"], ROUTING_KEY);
    assert_eq!(trigger["payload"]["severity"], "critical");
    let dedup_key = trigger["dedup_key"].as_str().unwrap().to_string();
    let custom = &by_path("/custom")[0];
    assert_eq!(custom.header("x-token"), Some(HOOK_TOKEN));
    let custom_body = body(custom);
    let text = custom_body["text"].as_str().unwrap();
    assert!(
        text.starts_with("failing: health, echoing login at https://example.test:"),
        "{text}"
    );
    let mails = smtp.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].encrypted, "the message went in clear");
    assert_eq!(
        mails[0].credentials,
        Some(("mailer".to_string(), SMTP_PASSWORD.to_string()))
    );
    assert_eq!(mails[0].to.len(), 2);
    assert!(
        mails[0].from.starts_with("<smoke@example.test>"),
        "{}",
        mails[0].from
    );
    assert!(
        mails[0].data.contains("Subject: launchgate smoke:"),
        "{}",
        mails[0].data
    );
    assert!(
        mails[0].data.contains("database unreachable"),
        "{}",
        mails[0].data
    );

    // The login check's failure quotes the password the server echoed: every payload
    // carries it redacted, none in clear.
    let redacted = launchgate_core::secret::redact(PASSWORD);
    let mut payloads: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    payloads.extend(mails.iter().map(|m| m.data.clone()));
    assert_eq!(payloads.len(), 5);
    for p in &payloads {
        assert!(!p.contains(PASSWORD) && !p.contains("correct-horse"), "{p}");
        assert!(!p.contains(SMTP_PASSWORD) && !p.contains(HOOK_TOKEN), "{p}");
    }
    assert!(
        payloads.iter().filter(|p| p.contains(&redacted)).count() >= 4,
        "{payloads:#?}"
    );
    for text in [&stdout, &stderr] {
        for secret in [ROUTING_KEY, HOOK_TOKEN, SMTP_PASSWORD, "secretpart"] {
            assert!(!text.contains(secret), "{secret} in output: {text}");
        }
    }

    // Recovery: one more message to each, PagerDuty resolving the same incident.
    site.state.health_down.store(false, Ordering::SeqCst);
    let mut cmd = alert_cmd(&site, &yaml, hooks.port(), &state);
    let (code, stdout, stderr) = run(cmd.args(["--check", "health"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 8, "{requests:#?}");
    let resolve = body(
        &requests
            .iter()
            .rfind(|r| r.path() == "/v2/enqueue")
            .unwrap()
            .clone(),
    );
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["dedup_key"], dedup_key.as_str());
    let recovered = body(&requests.iter().rfind(|r| r.path() == "/custom").unwrap().clone());
    assert!(
        recovered["text"].as_str().unwrap().starts_with("recovered: "),
        "{recovered}"
    );
    let mails = smtp.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    assert!(mails[1].data.contains("recovered"), "{}", mails[1].data);
}

#[test]
fn email_over_implicit_tls_and_no_credentials_without_starttls() {
    let site = Site::start();
    let (hooks, _seen) = recorder();
    site.state.health_down.store(true, Ordering::SeqCst);

    let implicit = SmtpServer::start(Mode::Implicit, site.server_tls.clone());
    let state = site.dir.path().join("implicit.json");
    let yaml = spec(hooks.port(), implicit.port, "implicit");
    let (code, _, stderr) = run(&mut alert_cmd(&site, &yaml, hooks.port(), &state));
    assert_eq!(code, 1);
    assert!(!stderr.contains("warning"), "{stderr}");
    let mails = implicit.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].encrypted);

    // A server that offers no STARTTLS gets neither the password nor the message.
    let plain = SmtpServer::start(Mode::Plain, site.server_tls.clone());
    let state = site.dir.path().join("plain.json");
    let yaml = spec(hooks.port(), plain.port, "starttls");
    let (code, stdout, stderr) = run(&mut alert_cmd(&site, &yaml, hooks.port(), &state));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("warning: could not send the alert to email: localhost:"),
        "{stderr}"
    );
    assert!(plain.mails.lock().unwrap().is_empty());
    let commands = plain.commands.lock().unwrap().join("\n");
    assert!(!commands.to_ascii_uppercase().contains("AUTH"), "{commands}");
    assert!(!stderr.contains(SMTP_PASSWORD) && !stdout.contains(SMTP_PASSWORD));

    // `tls: none` is for a relay on this machine, which gets the message in clear.
    let state = site.dir.path().join("local.json");
    let yaml = spec(hooks.port(), plain.port, "none");
    let (code, _, stderr) = run(&mut alert_cmd(&site, &yaml, hooks.port(), &state));
    assert_eq!(code, 1);
    assert!(!stderr.contains("warning"), "{stderr}");
    let mails = plain.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].encrypted);
    assert_eq!(
        mails[0].credentials.as_ref().map(|c| c.0.as_str()),
        Some("mailer")
    );
}

#[test]
fn a_provider_that_fails_is_a_warning_that_names_no_secret() {
    let site = Site::start();
    site.state.health_down.store(true, Ordering::SeqCst);
    let closed = crate::app::closed_port();
    let yaml = format!(
        "base_url: https://example.test:{{https}}\nchecks:\n  - {{ name: health, get: /health }}\nalerts:\n  discord: {{ webhook_url: \"http://127.0.0.1:{closed}/api/webhooks/1/${{DISCORD_TOKEN}}\" }}\n"
    );
    let mut cmd = site.cmd(&yaml);
    cmd.env("DISCORD_TOKEN", "discordtoken-77aa");
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("warning: could not send the alert to discord: connection refused by 127.0.0.1:"),
        "{stderr}"
    );
    assert!(!stderr.contains("discordtoken-77aa") && !stdout.contains("discordtoken-77aa"));
}

fn config_error(yaml: &str, env: &[(&str, &str)]) -> String {
    let site = Site::start();
    let mut cmd = site.cmd(yaml);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stdout}{stderr}");
    stderr
}

#[test]
fn alert_settings_are_checked_with_their_position() {
    let head = "base_url: https://example.test\nchecks:\n  - { get: / }\nalerts:\n";
    let err = config_error(&format!("{head}  {{}}\n"), &[]);
    assert!(
        err.contains("smoke.alerts names no provider") && err.contains("smoke.yml:4:"),
        "{err}"
    );

    let err = config_error(&format!("{head}  opsgenie: {{ api_key: x }}\n"), &[]);
    assert!(
        err.contains("smoke.yml:5:") && err.contains("`opsgenie`"),
        "{err}"
    );

    let err = config_error(
        &format!("{head}  pagerduty: {{ routing_key: \"${{PD_KEY_UNSET}}\" }}\n"),
        &[],
    );
    assert!(
        err.contains("PD_KEY_UNSET not set") && err.contains("smoke.yml:5:"),
        "{err}"
    );

    let err = config_error(
        &format!(
            "{head}  email:\n    host: smtp.example.com\n    from: a@example.com\n    to: b@example.com\n    username: u\n    password: hunter2hunter2\n"
        ),
        &[],
    );
    assert!(
        err.contains("must be a variable such as \"${SMTP_PASSWORD}\""),
        "{err}"
    );
    assert!(
        err.contains("smoke.yml:10:") && !err.contains("hunter2hunter2"),
        "{err}"
    );

    let err = config_error(
        &format!(
            "{head}  email:\n    host: smtp.example.com\n    tls: none\n    from: a@example.com\n    to: b@example.com\n"
        ),
        &[],
    );
    assert!(
        err.contains("`tls: none` sends mail in clear to smtp.example.com"),
        "{err}"
    );
    assert!(err.contains("smoke.yml:7:"), "{err}");

    let err = config_error(
        &format!("{head}  email:\n    host: localhost\n    from: not an address\n    to: b@example.com\n"),
        &[],
    );
    assert!(
        err.contains("`not an address` is not an email address") && err.contains("smoke.yml:7:"),
        "{err}"
    );

    let err = config_error(
        &format!("{head}  webhook: {{ url: \"http://127.0.0.1:9/x\", body: \"${{alert.nope}}\" }}\n"),
        &[],
    );
    assert!(
        err.contains("`${alert.nope}` is not an alert field") && err.contains("smoke.yml:5:"),
        "{err}"
    );

    let err = config_error(
        &format!("{head}  slack: {{ webhook_url: \"${{SLACK_URL}}\" }}\n"),
        &[("SLACK_URL", "hooks.slack.example/T0/B0/slacksecret99")],
    );
    assert!(
        err.contains("smoke.alerts.slack.webhook_url is not an http(s) URL"),
        "{err}"
    );
    assert!(
        err.contains("smoke.yml:5:") && !err.contains("slacksecret99"),
        "{err}"
    );
}

#[test]
fn launchgate_check_says_it_sends_no_alert() {
    let (hooks, seen) = recorder();
    let port = hooks.port();
    let source = format!(
        "smoke:\n  base_url: http://127.0.0.1:{port}\n  checks:\n    - {{ get: /status }}\n  alerts:\n    discord: {{ webhook_url: \"http://127.0.0.1:{port}/discord/123/secretpart\" }}\n"
    );
    let config = launchgate_core::config::ConfigFile {
        path: "launchgate.yml".into(),
        source,
    };
    let report = launchgate_smoke::check_configured(&config, std::path::Path::new(".")).unwrap();
    assert!(
        report.notes.iter().any(|n| n.contains(
            "alerts are sent by `launchgate smoke` (with --state or watch), not by `launchgate check`"
        )),
        "{:?}",
        report.notes
    );
    let paths = paths(&seen);
    assert_eq!(paths, ["/status"]);
}
