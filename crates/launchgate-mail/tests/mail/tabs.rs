//! Gmail's inbox tabs in the round trip: pymap speaking Gmail's IMAP extension (X-GM-EXT-1,
//! answering `X-GM-RAW "category:…"` searches from the tab the harness delivered each
//! message into), and the same host without the extension.

use launchgate_core::Report;
use launchgate_core::config::ConfigFile;

use crate::mailhost::{MailHost, PASSWORD};
use crate::roundtrip::{config, in_process, roundtrip};
use crate::support::World;

/// `launchgate check` with the round trip of the reset message, as `kind` mail.
fn check(world: &World, host: &MailHost, kind: &str) -> Report {
    let (path, yaml) = in_process(world, host);
    let source = yaml.replace("within: 20s }", &format!("within: 20s, kind: {kind} }}"));
    let file = ConfigFile { path, source };
    launchgate_mail::check_configured(&file, world.dir.path()).unwrap()
}

/// Where the "Time to inbox" table says the message landed.
fn placement(report: &Report) -> &str {
    assert_eq!(report.tables[0].title, "Time to inbox");
    &report.tables[0].rows[0][2]
}

fn ids(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

#[test]
fn a_transactional_message_in_promotions_is_a_warning_showing_the_tab() {
    let world = World::start(|_| {});
    let host = MailHost::start_gmail("INBOX", true, Some("promotions"));
    let (code, stdout, stderr) = roundtrip(&config(&world, &host, "20s"), PASSWORD);
    // The message is unsigned (mail.dkim-missing, an error); the tab is a warning.
    assert_eq!(code, Some(1), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let report = &doc["reports"][0];
    assert_eq!(report["tables"][0]["rows"][0][2], "INBOX (Promotions tab)");
    // Promotions is asked first, and the first tab holding the message ends the asking.
    assert_eq!(host.search_log(), "searched: category:promotions\n");
    let findings = report["findings"].as_array().unwrap();
    let tab = findings
        .iter()
        .find(|f| f["rule_id"] == "mail.promotions-tab")
        .unwrap_or_else(|| panic!("a mail.promotions-tab finding in {stdout}"));
    assert_eq!(tab["severity"], "warning");
    assert_eq!(
        tab["message"],
        "`password reset`, a transactional message, was put in the Promotions tab of inbox `seed`"
    );
    let path = tab["location"]["path"].as_str().unwrap();
    assert!(
        path.starts_with("seed/INBOX/UID ") && path["seed/INBOX/UID ".len()..].parse::<u32>().is_ok(),
        "{path}"
    );
    assert!(
        tab["help"].as_str().unwrap().contains("fewer links and images"),
        "{tab}"
    );
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "round trip password reset")
        .unwrap();
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .starts_with("INBOX (Promotions tab) after "),
        "{check}"
    );
}

#[test]
fn a_message_in_primary_is_placed_there_without_a_finding() {
    let world = World::start(|_| {});
    let host = MailHost::start_gmail("INBOX", true, None);
    let report = check(&world, &host, "transactional");
    assert_eq!(placement(&report), "INBOX (Primary tab)");
    assert_eq!(ids(&report), ["mail.dkim-missing"]);
    // One search per tab, Primary last.
    assert_eq!(
        host.search_log(),
        ["promotions", "social", "updates", "forums", "primary"]
            .map(|tab| format!("searched: category:{tab}\n"))
            .concat()
    );
}

#[test]
fn other_tabs_and_bulk_mail_in_promotions_are_shown_without_the_warning() {
    let world = World::start(|_| {});
    for (kind, category, expected) in [
        ("transactional", "updates", "INBOX (Updates tab)"),
        ("transactional", "social", "INBOX (Social tab)"),
        ("bulk", "promotions", "INBOX (Promotions tab)"),
    ] {
        let host = MailHost::start_gmail("INBOX", true, Some(category));
        let report = check(&world, &host, kind);
        assert_eq!(placement(&report), expected, "{kind} in {category}");
        assert!(
            !ids(&report).contains(&"mail.promotions-tab"),
            "{kind} in {category}: {:?}",
            ids(&report)
        );
    }
}

#[test]
fn a_server_without_gmails_extension_is_not_asked_about_tabs() {
    let world = World::start(|_| {});
    // The message carries a category, but the server does not speak X-GM-EXT-1.
    let host = MailHost::start_gmail("INBOX", false, Some("promotions"));
    let report = check(&world, &host, "transactional");
    assert_eq!(placement(&report), "INBOX");
    assert_eq!(host.search_log(), "", "X-GM-RAW asked of a server without it");
    assert_eq!(ids(&report), ["mail.dkim-missing"]);
    let check = report
        .checks
        .iter()
        .find(|c| c.name == "round trip password reset")
        .unwrap();
    assert!(
        check.detail.as_deref().unwrap().starts_with("INBOX after "),
        "{:?}",
        check.detail
    );
}

#[test]
fn a_message_in_spam_is_not_asked_about_tabs() {
    let world = World::start(|_| {});
    let host = MailHost::start_gmail("Junk", true, Some("promotions"));
    let report = check(&world, &host, "transactional");
    assert_eq!(placement(&report), "Junk");
    assert_eq!(host.search_log(), "");
    let mut ids = ids(&report);
    ids.sort();
    assert_eq!(ids, ["mail.dkim-missing", "mail.junk"]);
}
