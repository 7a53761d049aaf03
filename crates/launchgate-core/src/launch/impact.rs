//! What breaks for users, in one sentence, and the fix, for each entry of the fix order.
//!
//! The sentence is chosen by the finding's rule family and filled with what the finding
//! names (its route, variable, host or file); the fix is the gate's own help, else the
//! rule's documentation, else what the family calls for.

use super::FixItem;
use super::risk::{RevenuePath, RiskClass, request_path};
use crate::finding::Finding;
use crate::report::Report;

/// One finding with what is known about it.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub report: &'a Report,
    pub finding: &'a Finding,
    pub class: RiskClass,
    /// The revenue path the finding is on.
    pub route: Option<&'a RevenuePath>,
    pub product: Option<&'a str>,
}

impl Context<'_> {
    /// The fix-order entry, with rank 0 until ranked.
    pub fn fix_item(&self) -> FixItem {
        let f = self.finding;
        FixItem {
            rank: 0,
            risk: self.class,
            gate: self.report.gate.clone(),
            rule_id: f.rule_id.clone(),
            severity: f.severity,
            impact: self.impact(),
            location: self.location(),
            fix: self.fix(),
            message: f.message.clone(),
            secret: f.secret.as_ref().map(|s| s.display.clone()),
        }
    }

    fn location(&self) -> String {
        match self.finding.place() {
            place if place.is_empty() => format!("the {} gate", self.report.gate),
            place => place,
        }
    }

    /// What the rule is called: the rule's name, else the message up to " found".
    fn rule_name(&self) -> String {
        if let Some(info) = self.report.rules.get(&self.finding.rule_id) {
            return info.name.clone();
        }
        let message = &self.finding.message;
        message
            .split_once(" found")
            .map_or(message.as_str(), |(name, _)| name)
            .to_string()
    }

    fn variable(&self) -> Option<&str> {
        self.finding.properties.get("variable")?.as_str()
    }

    fn path(&self) -> String {
        self.finding
            .subject
            .as_deref()
            .and_then(request_path)
            .map(str::to_string)
            .unwrap_or_else(|| self.location())
    }

    /// What breaks for users, in one sentence.
    pub fn impact(&self) -> String {
        let f = self.finding;
        let id = f.rule_id.as_str();
        let product = self.product.unwrap_or("the product");
        let detail = trim_message(&f.message);
        let variable = self.variable().unwrap_or("a secret");
        let sentence = match self.class {
            RiskClass::Revenue if self.route.is_some() => format!(
                "People using {} (a revenue path of {product}) hit a failure: {detail}",
                self.path()
            ),
            RiskClass::LiveSecret
                if id.starts_with("env.public-secret") || id == "budget.shipped-env-secret" =>
            {
                format!("Every visitor's browser receives {variable}, so anyone can use it as {product}")
            }
            RiskClass::LiveSecret => format!(
                "Anyone who can read {} holds {} and can act as {product} with it: send, charge or read data in its name",
                self.file_or_subject(),
                self.what_leaked()
            ),
            RiskClass::TestKey => format!(
                "Anyone who can read {} can use this test key; it reaches test data only, but it must not stay there",
                self.file_or_subject()
            ),
            _ => by_family(id, &detail, variable, &self.path(), product),
        };
        let mut sentence = sentence;
        if !sentence.ends_with(['.', '!', '?']) {
            sentence.push('.');
        }
        sentence
    }

    /// "the value of DATABASE_URL" for a variable, else "this Resend API key".
    fn what_leaked(&self) -> String {
        match self.variable() {
            Some(variable) => format!("the value of {variable}"),
            None => format!("this {}", self.rule_name()),
        }
    }

    fn file_or_subject(&self) -> String {
        match (&self.finding.location, &self.finding.subject) {
            (Some(location), _) => location.path.clone(),
            (None, Some(subject)) => subject.clone(),
            (None, None) => "the repository".to_string(),
        }
    }

    /// The fix: the gate's help, else the rule's documentation, else the family's advice.
    pub fn fix(&self) -> String {
        if let Some(help) = &self.finding.help {
            return help.clone();
        }
        if let Some(uri) = self
            .report
            .rules
            .get(&self.finding.rule_id)
            .and_then(|info| info.help_uri.as_deref())
        {
            return format!("see {uri}");
        }
        match family(&self.finding.rule_id) {
            "smoke.check" => format!(
                "make {} answer as the check in launchgate.yml expects, then run the smoke gate again",
                self.path()
            ),
            _ => format!(
                "see the {} section below and run `launchgate {}` again after the change",
                self.report.gate, self.report.gate
            ),
        }
    }
}

/// The rule's family: `smoke.headers` for `smoke.headers.hsts`, the id itself for two parts.
fn family(rule_id: &str) -> &str {
    match rule_id.match_indices('.').nth(1) {
        Some((i, _)) => &rule_id[..i],
        None => rule_id,
    }
}

/// The sentence for findings outside the revenue and exposure classes.
fn by_family(rule_id: &str, detail: &str, variable: &str, path: &str, product: &str) -> String {
    let prefix = rule_id.split('.').next().unwrap_or(rule_id);
    match (prefix, family(rule_id)) {
        (_, "mail.not-delivered" | "mail.trigger-failed") => format!(
            "People waiting for {product}'s email (a sign-up confirmation, a password reset) never get it: {detail}"
        ),
        (_, "mail.junk" | "mail.promotions-tab") => format!(
            "{product}'s email lands where people do not look, so confirmations and resets go unseen: {detail}"
        ),
        (_, "mail.dmarc-fail" | "mail.dkim-fail" | "mail.dkim-missing" | "mail.spf-fail") => format!(
            "Mailbox providers cannot tell {product}'s email from a forgery, so it goes to spam or is refused: {detail}"
        ),
        (_, "env.test-key-in-production") => {
            format!("{product} runs on a test key, so real customers' payments or messages do not go through")
        }
        (_, "env.missing-required") => {
            format!("Whatever reads {variable} fails in production, because it is not set")
        }
        ("env", _) => format!("Production may not run with the value you expect for {variable}: {detail}"),
        (_, "smoke.headers") => format!("Visitors' browsers lack a protection on {path}: {detail}"),
        (_, "smoke.latency") => format!("Visitors wait on {path}: {detail}"),
        ("smoke", _) => format!("{path} does not work as expected: {detail}"),
        (_, "budget.category") | (_, "budget.metric") => {
            format!("Pages are slow or hard to use on a phone, so visitors leave: {detail}")
        }
        (_, "budget.bundle") => {
            format!("Every visitor downloads more than budgeted, so pages load slower: {detail}")
        }
        ("spf" | "dmarc", _) => format!(
            "Anyone can send mail that passes as {product}'s, and your own confirmation emails are trusted less: {detail}"
        ),
        ("dkim", _) => format!("Confirmation and login emails may land in spam: {detail}"),
        (_, "dns.dangling-cname") => {
            format!("Whoever claims the CNAME's target can serve their pages on your name: {detail}")
        }
        ("dns" | "caa" | "mx" | "mta_sts" | "tls_rpt", _) => {
            format!("Visitors or mail may not reach {product}: {detail}")
        }
        _ => detail.to_string(),
    }
}

/// The message as a clause: no trailing full stop.
fn trim_message(message: &str) -> String {
    message.trim().trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity};
    use crate::report::RuleInfo;

    fn context<'a>(report: &'a Report, class: RiskClass, route: Option<&'a RevenuePath>) -> Context<'a> {
        Context {
            report,
            finding: &report.findings[0],
            class,
            route,
            product: Some("Makers Circle"),
        }
    }

    #[test]
    fn a_revenue_route_says_who_cannot_do_what() {
        let mut smoke = Report::new("smoke");
        smoke.push(
            Finding::new(
                "smoke.check",
                Severity::Error,
                "members API: expected status 200, got 500",
            )
            .subject("http://127.0.0.1:47080/api/members"),
        );
        let route = RevenuePath::new("/api/members").unwrap();
        let item = context(&smoke, RiskClass::Revenue, Some(&route)).fix_item();
        assert_eq!(
            item.impact,
            "People using /api/members (a revenue path of Makers Circle) hit a failure: members API: expected status 200, got 500."
        );
        assert_eq!(item.location, "http://127.0.0.1:47080/api/members");
        assert!(
            item.fix.starts_with("make /api/members answer as the check"),
            "{}",
            item.fix
        );
    }

    #[test]
    fn email_that_does_not_arrive_is_a_revenue_path_said_in_the_users_words() {
        let mut mail = Report::new("mail");
        mail.push(Finding::new(
            "mail.junk",
            Severity::Error,
            "`password reset` was delivered to Junk in inbox `seed`",
        ));
        let settings = super::super::LaunchSettings::default();
        let class = super::super::risk::classify(&mail, &mail.findings[0], false, &settings);
        assert_eq!(class, RiskClass::Revenue);
        let item = context(&mail, class, None).fix_item();
        assert_eq!(
            item.impact,
            "Makers Circle's email lands where people do not look, so confirmations and resets go unseen: `password reset` was delivered to Junk in inbox `seed`."
        );
        // The DNS gate's MX rules share the `mail.` prefix and keep their plain sentence.
        let mut dns = Report::new("dns");
        dns.push(Finding::new("mail.mx-missing", Severity::Error, "no MX record"));
        let class = super::super::risk::classify(&dns, &dns.findings[0], false, &settings);
        assert_eq!(class, RiskClass::Other);
        assert_eq!(context(&dns, class, None).fix_item().impact, "no MX record.");
    }

    #[test]
    fn a_live_secret_names_the_file_and_the_key() {
        let mut secrets = Report::new("secrets");
        secrets.rules.insert(
            "resend.api-key".into(),
            RuleInfo {
                name: "Resend API key".into(),
                description: String::new(),
                help_uri: Some("https://resend.com/docs".into()),
            },
        );
        secrets.push(
            Finding::new(
                "resend.api-key",
                Severity::Error,
                "Resend API key found (medium confidence)",
            )
            .at(Location::at("src/lib/mailer.ts", 5, 28)),
        );
        let item = context(&secrets, RiskClass::LiveSecret, None).fix_item();
        assert_eq!(
            item.impact,
            "Anyone who can read src/lib/mailer.ts holds this Resend API key and can act as Makers Circle with it: send, charge or read data in its name."
        );
        assert_eq!(item.location, "src/lib/mailer.ts:5:28");
        assert_eq!(item.fix, "see https://resend.com/docs");
    }

    #[test]
    fn families_fill_in_what_the_finding_names() {
        let mut env = Report::new("env");
        env.push(
            Finding::new(
                "env.missing-required",
                Severity::Error,
                "RESEND_API_KEY is required in production",
            )
            .property("variable", "RESEND_API_KEY")
            .help("set it"),
        );
        let item = context(&env, RiskClass::Other, None).fix_item();
        assert_eq!(
            item.impact,
            "Whatever reads RESEND_API_KEY fails in production, because it is not set."
        );
        assert_eq!(item.fix, "set it");
        assert_eq!(item.location, "the env gate");
        assert_eq!(family("smoke.headers.hsts"), "smoke.headers");
        assert_eq!(family("spf.plus-all"), "spf.plus-all");
    }
}
