//! `smoke.rdap`: domain expiry from a real-shaped RDAP server on 127.0.0.1, with parents of
//! the host tried in turn, redirects followed, thresholds, and failures that never pass.

use crate::app::{Site, checks, findings, json_report, run};
use crate::server::{Request, Response, Seen, Server, paths, recording};

const DAY: i64 = 86_400;

/// An RDAP domain object as registries serve it, expiring `days` from now (plus an hour,
/// so the whole-day count is exact).
fn domain_object(name: &str, days: Option<i64>) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let date = |t: i64| {
        time::OffsetDateTime::from_unix_timestamp(t)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let mut events = vec![
        serde_json::json!({ "eventAction": "registration", "eventDate": date(now - 400 * DAY) }),
        serde_json::json!({ "eventAction": "last update of RDAP database", "eventDate": date(now) }),
    ];
    if let Some(d) = days {
        events.push(
            serde_json::json!({ "eventAction": "expiration", "eventDate": date(now + d * DAY + 3600) }),
        );
    }
    serde_json::json!({
        "objectClassName": "domain",
        "handle": "2336799_DOMAIN_TEST-VRSN",
        "ldhName": name.to_ascii_uppercase(),
        "rdapConformance": ["rdap_level_0", "icann_rdap_technical_implementation_guide_1"],
        "status": ["client transfer prohibited"],
        "events": events,
        "nameservers": [{ "objectClassName": "nameserver", "ldhName": "NS1.EXAMPLE.TEST" }],
        "notices": [{ "title": "Terms of Use", "description": ["Service subject to terms of use."] }]
    })
    .to_string()
}

fn rdap_server() -> (Server, Seen) {
    recording(|req: &Request| {
        let rdap = |body: String| Response::new(200, body).header("Content-Type", "application/rdap+json");
        let path = req.path();
        // A bootstrap service answers with a redirect to the registry's server.
        if let Some(name) = path.strip_prefix("/bootstrap/domain/") {
            return Response::redirect(302, &format!("/registry/domain/{name}"));
        }
        let Some(name) = path.strip_prefix("/registry/domain/") else {
            return Response::new(404, "");
        };
        match name {
            "example.test" => rdap(domain_object(name, Some(5))),
            "far.test" => rdap(domain_object(name, Some(100))),
            "soon.test" => rdap(domain_object(name, Some(20))),
            "lapsed.test" => rdap(domain_object(name, Some(-4))),
            "hidden.test" => rdap(domain_object(name, None)),
            "huge.test" => rdap(" ".repeat(700 * 1024)),
            "broken.test" => Response::new(503, "maintenance"),
            _ => Response::new(404, r#"{"errorCode":404,"title":"Not Found"}"#),
        }
    })
}

#[test]
fn the_base_urls_registration_is_found_through_its_parents() {
    let site = Site::start();
    let (rdap, seen) = rdap_server();
    let yaml = format!(
        "base_url: https://www.example.test:{{https}}\nrdap:\n  server: http://127.0.0.1:{}/bootstrap\n  warn_days: 30\n  fail_days: 7\n",
        rdap.port()
    );
    let (code, report) = json_report(&mut site.cmd(&yaml));
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "smoke.domain.expiry");
    assert_eq!(f[0].1, "error");
    assert!(f[0].2.starts_with("example.test expires in 5 days ("), "{f:?}");
    assert!(f[0].2.ends_with("under the 7-day minimum"), "{f:?}");
    let paths = paths(&seen);
    assert_eq!(
        paths,
        [
            "/bootstrap/domain/www.example.test",
            "/registry/domain/www.example.test",
            "/bootstrap/domain/example.test",
            "/registry/domain/example.test"
        ]
    );
    assert_eq!(
        seen.lock().unwrap()[0].header("accept"),
        Some("application/rdap+json")
    );
}

#[test]
fn each_listed_domain_is_judged_and_none_passes_silently() {
    let site = Site::start();
    let (rdap, _) = rdap_server();
    let yaml = format!(
        "base_url: https://example.test:{{https}}\nrdap:\n  server: http://127.0.0.1:{}/registry/\n  domains: [far.test, soon.test, lapsed.test, hidden.test, missing.test, broken.test]\n",
        rdap.port()
    );
    let (code, report) = json_report(&mut site.cmd(&yaml));
    assert_eq!(code, 1, "{report:#}");
    let c = checks(&report);
    let status = |name: &str| c.iter().find(|x| x.0 == name).map(|x| x.1.clone()).unwrap();
    assert_eq!(status("domain expiry far.test"), "passed");
    assert!(
        c.iter()
            .any(|x| x.0 == "domain expiry far.test" && x.2.starts_with("far.test expires in 100 days"))
    );
    assert_eq!(status("domain expiry soon.test"), "warned");
    assert_eq!(status("domain expiry lapsed.test"), "failed");
    assert_eq!(status("domain expiry hidden.test"), "warned");
    assert_eq!(status("domain expiry missing.test"), "failed");
    assert_eq!(status("domain expiry broken.test"), "failed");
    let f = findings(&report);
    let message = |needle: &str| {
        f.iter()
            .find(|x| x.2.contains(needle))
            .cloned()
            .unwrap_or_else(|| panic!("{needle}: {f:?}"))
    };
    assert_eq!(message("soon.test expires in 20 days").1, "warning");
    assert_eq!(message("lapsed.test expired 4 days ago").0, "smoke.domain.expiry");
    assert_eq!(
        message("publishes no expiration date for hidden.test").1,
        "warning"
    );
    assert_eq!(
        message("missing.test has no RDAP record at 127.0.0.1").0,
        "smoke.domain.rdap"
    );
    assert!(
        message("RDAP lookup of broken.test failed")
            .2
            .ends_with("127.0.0.1 answered 503")
    );
}

#[test]
fn an_endless_rdap_answer_is_cut_at_the_body_limit() {
    let site = Site::start();
    let (rdap, _) = rdap_server();
    let yaml = format!(
        "base_url: https://example.test:{{https}}\nrdap:\n  server: http://127.0.0.1:{}/registry\n  domains: [huge.test]\n",
        rdap.port()
    );
    let (code, report) = json_report(site.cmd(&yaml).args(["--max-body", "512KiB"]));
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    assert_eq!(f[0].0, "smoke.domain.rdap");
    assert!(f[0].2.contains("larger than the 512 KiB limit"), "{f:?}");
}

#[test]
fn rdap_settings_are_checked_with_their_position() {
    let site = Site::start();
    let bad = |yaml: &str| {
        let (code, stdout, stderr) = run(&mut site.cmd(yaml));
        assert_eq!(code, 2, "{stdout}{stderr}");
        stderr
    };
    let err = bad("base_url: https://example.test\nrdap:\n  warn_days: 5\n  fail_days: 10\n");
    assert!(
        err.contains("rdap.fail_days (10) is more than warn_days (5)") && err.contains("smoke.yml:4:"),
        "{err}"
    );
    let err = bad("base_url: https://example.test\nrdap:\n  server: rdap.example\n");
    assert!(
        err.contains("smoke.rdap.server `rdap.example` is not an http(s) URL")
            && err.contains("smoke.yml:3:"),
        "{err}"
    );
    let err = bad("base_url: https://example.test\nrdap:\n  domains: [\"exa mple.com\"]\n");
    assert!(
        err.contains("`exa mple.com` is not a domain name") && err.contains("smoke.yml:3:"),
        "{err}"
    );
}

#[test]
fn a_watch_asks_the_registry_once_and_judges_every_run() {
    let site = Site::start();
    let (rdap, seen) = rdap_server();
    let yaml = format!(
        "base_url: https://www.example.test:{{https}}\nrdap:\n  server: http://127.0.0.1:{}/registry\n  domains: [soon.test, broken.test]\n",
        rdap.port()
    );
    let mut cmd = site.cmd(&yaml);
    let (code, stdout, stderr) = run(cmd.args(["watch", "--interval", "10ms", "--count", "3"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout.matches("warn domain expiry soon.test").count(),
        3,
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("FAIL domain expiry broken.test").count(),
        3,
        "{stdout}"
    );
    assert!(
        stdout.contains("broken.test failed: 127.0.0.1 answered 503"),
        "{stdout}"
    );
    let paths = paths(&seen);
    // The answer is reused; the failed lookup is asked again each run.
    assert_eq!(
        paths.iter().filter(|p| p.ends_with("/soon.test")).count(),
        1,
        "{paths:?}"
    );
    assert_eq!(
        paths.iter().filter(|p| p.ends_with("/broken.test")).count(),
        3,
        "{paths:?}"
    );
}
