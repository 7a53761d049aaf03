//! What the handover document says: the accounts the product depends on, how to rotate each
//! secret, the smoke suite to run after a deploy and the first hour after launch, from the
//! configuration and the deployment map. Each part is a block regenerated on every run;
//! owners and recovery contacts written into the accounts table are carried over.

use std::collections::BTreeMap;

use launchgate_core::deployment::DeploymentMap;
use launchgate_env::schema::VarSpec;
use launchgate_secrets::RuleSet;

use super::markers;

/// A blank for a person to fill in.
pub const BLANK: &str = "…";

/// Services recognised by a variable's name (its first word after a public prefix), with
/// what they are for.
const SERVICES: &[(&str, &str, &str)] = &[
    ("STRIPE", "Stripe", "payments"),
    ("RESEND", "Resend", "email sending"),
    ("SENDGRID", "SendGrid", "email sending"),
    ("POSTMARK", "Postmark", "email sending"),
    ("MAILGUN", "Mailgun", "email sending"),
    ("SUPABASE", "Supabase", "database and auth"),
    ("DATABASE", "database host", "database"),
    ("REDIS", "Redis host", "cache"),
    ("SENTRY", "Sentry", "error tracking"),
    ("BUGSNAG", "Bugsnag", "error tracking"),
    ("ROLLBAR", "Rollbar", "error tracking"),
    ("HONEYBADGER", "Honeybadger", "error tracking"),
    ("DATADOG", "Datadog", "monitoring"),
    ("DD", "Datadog", "monitoring"),
    ("NEW_RELIC", "New Relic", "monitoring"),
    ("BETTERSTACK", "Better Stack", "monitoring"),
    ("LOGTAIL", "Better Stack", "logs"),
    ("POSTHOG", "PostHog", "product analytics"),
    ("CLERK", "Clerk", "auth"),
    ("AUTH0", "Auth0", "auth"),
    ("OPENAI", "OpenAI", "AI API"),
    ("ANTHROPIC", "Anthropic", "AI API"),
    ("TWILIO", "Twilio", "SMS"),
    ("AWS", "AWS", "cloud"),
];

const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "PUBLIC_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
];

/// Everything the document is made from.
#[derive(Debug, Default)]
pub struct Inputs<'a> {
    pub product: Option<&'a str>,
    pub maps: &'a [DeploymentMap],
    pub vars: Option<&'a BTreeMap<String, VarSpec>>,
    pub smoke_base_url: Option<&'a str>,
    pub smoke_checks: Vec<String>,
    pub revenue_paths: Vec<String>,
    /// For each secret variable whose value a secrets rule recognises, that rule's id.
    pub recognised: BTreeMap<String, String>,
}

fn service_of(variable: &str) -> Option<(&'static str, &'static str)> {
    let name = PUBLIC_PREFIXES
        .iter()
        .find_map(|p| variable.strip_prefix(p))
        .unwrap_or(variable);
    SERVICES
        .iter()
        .filter(|(prefix, _, _)| name == *prefix || name.starts_with(&format!("{prefix}_")))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map(|(_, service, purpose)| (*service, *purpose))
}

fn cell(text: &str) -> String {
    launchgate_core::render::visible(text)
        .replace('|', "\\|")
        .replace('<', "&lt;")
}

/// The accounts table, keeping what a person wrote in the owner and recovery columns of a
/// row with the same account and provider in `previous` (the block's old body).
fn accounts(inputs: &Inputs, previous: Option<&str>) -> String {
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut add = |account: String, provider: String, found: String| {
        if !rows.iter().any(|r| r[0] == account && r[1] == provider) {
            rows.push([account, provider, found]);
        }
    };
    let known = |p: &Option<String>| p.clone().unwrap_or_else(|| "unknown".to_string());
    if inputs.maps.is_empty() {
        add(
            "domain registrar".into(),
            BLANK.into(),
            "not discovered: look the domain up in its registry's RDAP or WHOIS".into(),
        );
    }
    for map in inputs.maps {
        let (provider, found) = match &map.registration {
            Some(registration) => (known(&registration.registrar), registration.summary()),
            None => (
                BLANK.into(),
                "not looked up (report.map is dns): look the domain up in its registry's RDAP or WHOIS"
                    .into(),
            ),
        };
        add(format!("domain registrar of {}", map.domain), provider, found);
    }
    for map in inputs.maps {
        let servers = if map.dns.name_servers.is_empty() {
            map.dns
                .problem
                .clone()
                .unwrap_or_else(|| "no name servers found".into())
        } else {
            format!("name servers {}", map.dns.name_servers.join(", "))
        };
        add(
            format!("DNS host of {}", map.domain),
            known(&map.dns.provider),
            servers,
        );
        for host in map.hosts.iter().filter(|h| h.resolves) {
            add(
                format!("hosting or CDN of {}", host.name),
                known(&host.platform),
                host.platform_evidence
                    .clone()
                    .unwrap_or_else(|| host.addresses.join(", ")),
            );
        }
        for mx in &map.mail.mx {
            add(
                "email receiving".into(),
                known(&mx.provider),
                format!("MX {}", mx.host),
            );
        }
        for sender in &map.mail.senders {
            add(
                "email sending".into(),
                known(&sender.provider),
                format!("SPF include {}", sender.name),
            );
        }
    }
    for name in inputs.vars.into_iter().flat_map(|v| v.keys()) {
        if let Some((service, purpose)) = service_of(name) {
            add(
                purpose.to_string(),
                service.to_string(),
                format!("env variable {name}"),
            );
        }
    }
    let kept = previous.map(kept_cells).unwrap_or_default();
    let mut out = String::from(
        "| account | provider | found from | owner | recovery contact |\n| --- | --- | --- | --- | --- |\n",
    );
    for [account, provider, found] in rows {
        let key = (cell(&account), cell(&provider));
        // A provider found since the last run keeps what was written when it was not known.
        let written = [key.1.as_str(), BLANK, "unknown"]
            .iter()
            .find_map(|provider| kept.get(&(key.0.clone(), provider.to_string())))
            .cloned()
            .unwrap_or_else(|| format!("{BLANK} | {BLANK}"));
        out.push_str(&format!(
            "| {} | {} | {} | {written} |\n",
            key.0,
            key.1,
            cell(&found)
        ));
    }
    out
}

/// What a person wrote in each row of an accounts table (the owner and recovery cells,
/// everything after the third cell), by (account, provider). The first three cells are
/// generated with their pipes escaped, so the split after them is certain; an unescaped `|`
/// in what the person wrote stays as written instead of losing the row.
fn kept_cells(table: &str) -> BTreeMap<(String, String), String> {
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| account ") && !l.starts_with("| ---"))
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
            let mut cells = inner.splitn(4, " | ");
            let account = cells.next()?.trim().to_string();
            let provider = cells.next()?.trim().to_string();
            let _found = cells.next()?;
            let written = cells.next()?.trim().to_string();
            Some(((account, provider), written))
        })
        .collect()
}

/// How to rotate each secret of the env schema: its `docs:` link, else the rotation page of
/// the secrets rule that recognises its value, else that of the rule for its service.
fn secrets(inputs: &Inputs, rules: &RuleSet) -> String {
    let Some(vars) = inputs.vars else {
        return "No env schema: list the secrets and how to rotate them here.".into();
    };
    let mut out = String::from("| variable | what it is | how to rotate |\n| --- | --- | --- |\n");
    let mut any = false;
    for (name, spec) in vars.iter().filter(|(_, s)| s.secret) {
        any = true;
        let service = service_of(name).map(|(s, _)| s);
        let by_value = inputs
            .recognised
            .get(name)
            .and_then(|id| rules.rules.iter().find(|r| r.id() == id));
        let by_service = || {
            let prefix = format!("{}.", service?.to_ascii_lowercase());
            rules.rules.iter().find(|r| r.id().starts_with(&prefix))
        };
        let page = spec.docs.first().cloned().or_else(|| {
            by_value
                .or_else(by_service)
                .and_then(|r| r.spec.references.first().cloned())
        });
        let how = match page {
            Some(page) => format!(
                "create a new value at {page}, set it where production reads {name}, deploy, then revoke the old one"
            ),
            None => format!("no rotation page known: write the steps for {name} here"),
        };
        let what = spec
            .description
            .clone()
            .or_else(|| by_value.map(|r| r.spec.name.clone()))
            .or_else(|| service.map(|s| format!("{s} credential")))
            .unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            cell(name),
            cell(&what),
            cell(&how)
        ));
    }
    if !any {
        out = "The env schema marks no variable `secret: true`.".into();
    }
    out
}

fn smoke(inputs: &Inputs) -> String {
    match inputs.smoke_base_url {
        None => "No smoke suite is configured: add a `smoke:` section and run `launchgate smoke` after each deploy.".into(),
        Some(base) => {
            let mut out = format!(
                "Run `launchgate smoke --base-url <the deploy's URL>` after each deploy (configured against {}); it checks:\n\n",
                cell(base)
            );
            for name in &inputs.smoke_checks {
                out.push_str(&format!("- {}\n", cell(name)));
            }
            out
        }
    }
}

fn first_hour(inputs: &Inputs) -> String {
    let mut items = vec!["`launchgate check` passes on the commit that was deployed".to_string()];
    if inputs.smoke_base_url.is_some() {
        items.push("the smoke suite passes against production".into());
    }
    if !inputs.revenue_paths.is_empty() {
        items.push(format!(
            "go through each revenue path once as a customer would: {}",
            inputs.revenue_paths.join(", ")
        ));
    }
    let services: Vec<&str> = inputs
        .vars
        .into_iter()
        .flat_map(|v| v.keys())
        .filter_map(|name| service_of(name))
        .filter(|(_, purpose)| matches!(*purpose, "error tracking" | "monitoring" | "logs"))
        .map(|(service, _)| service)
        .collect();
    if services.is_empty() {
        items.push("watch the hosting platform's logs for errors (no error tracking is configured)".into());
    } else {
        items.push(format!("watch new errors in {}", services.join(", ")));
    }
    for map in inputs.maps {
        if !map.mail.mx.is_empty() || !map.mail.senders.is_empty() {
            items.push(format!(
                "sign up with a fresh address and check the confirmation email from {} arrives, signed (DKIM selectors: {})",
                map.domain,
                if map.mail.dkim_selectors.is_empty() { "none found".to_string() } else { map.mail.dkim_selectors.join(", ") }
            ));
        }
        for host in map.hosts.iter().filter(|h| !h.resolves) {
            items.push(format!(
                "{} does not resolve: fix or remove its record",
                host.name
            ));
        }
    }
    items.push("the rollback step below was tried once, so it is known to work".into());
    items.iter().map(|i| format!("- [ ] {}\n", cell(i))).collect()
}

/// The generated blocks, by name, in document order.
pub fn blocks(inputs: &Inputs, rules: &RuleSet, previous: Option<&str>) -> Vec<(String, String)> {
    vec![
        (
            "accounts".into(),
            accounts(inputs, previous.and_then(|p| markers::body(p, "accounts"))),
        ),
        ("secrets".into(), secrets(inputs, rules)),
        ("smoke".into(), smoke(inputs)),
        ("first-hour".into(), first_hour(inputs)),
    ]
}

/// A new document: the blocks and the parts a person writes.
pub fn new_document(inputs: &Inputs, blocks: &[(String, String)]) -> String {
    let block = |name: &str| {
        let body = blocks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_str())
            .unwrap_or("");
        markers::block(name, body)
    };
    format!(
        "# Handover: {}\n\n\
         `launchgate handover` rewrites the parts between `launchgate:begin` and `launchgate:end`\n\
         markers and keeps everything else, and the owners and recovery contacts written in the\n\
         accounts table. Fill in every {BLANK}.\n\n\
         ## Accounts the product depends on\n\n{}\n\
         ## Rotating secrets\n\n{}\n\
         ## Rollback\n\nThe command or clicks that put the previous deploy back, and who may do it:\n\n{BLANK}\n\n\
         ## Logs\n\nWhere the logs of the hosting, functions, database and email provider live:\n\n{BLANK}\n\n\
         ## After each deploy\n\n{}\n\
         ## The first hour after launch\n\n{}",
        cell(inputs.product.unwrap_or("the product")),
        block("accounts"),
        block("secrets"),
        block("smoke"),
        block("first-hour"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_named_by_the_variable_after_its_public_prefix() {
        assert_eq!(service_of("STRIPE_SECRET_KEY"), Some(("Stripe", "payments")));
        assert_eq!(
            service_of("NEXT_PUBLIC_SUPABASE_URL"),
            Some(("Supabase", "database and auth"))
        );
        assert_eq!(service_of("SENTRY_DSN"), Some(("Sentry", "error tracking")));
        assert_eq!(service_of("STRIPEY"), None);
        assert_eq!(service_of("PORT"), None);
    }

    #[test]
    fn a_registrar_found_since_the_last_run_keeps_its_owner() {
        use launchgate_core::deployment::{DnsHosting, Mail, Registration};
        let map = DeploymentMap {
            domain: "shop.test".into(),
            dns: DnsHosting::default(),
            hosts: Vec::new(),
            mail: Mail::default(),
            registration: Some(Registration {
                rdap_server: "https://rdap.test/".into(),
                registrar: Some("Gandi SAS".into()),
                iana_id: Some("81".into()),
                expires: Some("2027-03-09T17:00:00Z".into()),
                problem: None,
            }),
        };
        let maps = [map];
        let inputs = Inputs {
            maps: &maps,
            ..Inputs::default()
        };
        let previous = "| account | provider | found from | owner | recovery contact |\n| --- | --- | --- | --- | --- |\n| domain registrar of shop.test | unknown | RDAP https://rdap.test/: registrar not found (timed out) | Ada | ada@example.test |\n";
        let table = accounts(&inputs, Some(previous));
        assert!(
            table.contains("| domain registrar of shop.test | Gandi SAS | RDAP https://rdap.test/: registrar Gandi SAS (IANA id 81), expires 2027-03-09 | Ada | ada@example.test |"),
            "{table}"
        );
    }

    #[test]
    fn owner_and_recovery_cells_are_read_back_by_account_and_provider() {
        let table = "| account | provider | found from | owner | recovery contact |\n| --- | --- | --- | --- | --- |\n| payments | Stripe | env variable STRIPE_SECRET_KEY | Ada | ada@example.test |\n";
        let kept = kept_cells(table);
        assert_eq!(
            kept.get(&("payments".to_string(), "Stripe".to_string()))
                .map(String::as_str),
            Some("Ada | ada@example.test")
        );
    }

    /// A pipe typed into the owner cell used to make the row unreadable, and a re-run put
    /// blanks back where the person had written.
    #[test]
    fn an_unescaped_pipe_in_what_a_person_wrote_keeps_the_row() {
        let table = "| payments | Stripe | env variable STRIPE_SECRET_KEY | Ada | Bob (backup) | ops@example.test |\n";
        let kept = kept_cells(table);
        assert_eq!(
            kept.get(&("payments".to_string(), "Stripe".to_string()))
                .map(String::as_str),
            Some("Ada | Bob (backup) | ops@example.test")
        );
    }
}
