//! SPF (RFC 7208): one record, valid terms, at most 10 DNS-querying terms and 2 void lookups
//! counted through every include and redirect, no loops, and an `all` that protects.

mod edit;
pub mod parse;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;

use hickory_resolver::proto::rr::{RData, RecordType};
use launchgate_core::{Severity, Table};
use serde_json::json;

use crate::advice::{RecordFindings, add_record, change_record};
use crate::config::{AllPolicy, SpfConfig};
use crate::resolve::{Answer, Dns, txt_string};
use edit::{example_record, insert_include, replace_all};
use launchgate_core::Report;
use parse::{Mechanism, Qualifier, SpfRecord, Term, is_spf};

/// RFC 7208 §4.6.4: DNS-querying terms allowed per evaluation.
pub const MAX_LOOKUPS: usize = 10;
/// RFC 7208 §4.6.4: lookups that may return nothing.
pub const MAX_VOID_LOOKUPS: usize = 2;
/// Above this the record no longer fits a classic 512-byte UDP answer.
pub const MAX_UDP_BYTES: usize = 512;
/// How far the walk goes before it stops counting (far past the limit, so the count shown
/// still says how bad it is, yet a hostile tree cannot make the gate run forever).
const WALK_BUDGET: usize = 60;

/// Checks the SPF record at `domain`.
pub async fn check(dns: &Dns, domain: &str, config: &SpfConfig) -> Report {
    let mut out = Report::default();
    let subject = format!("{domain} TXT (SPF)");
    let example = example_record(config);
    let (answer, texts) = dns.txt(domain).await;
    if answer.is_failure() {
        out.add(
            "spf.lookup-failed",
            Severity::Error,
            &subject,
            format!("the TXT lookup for {domain} ended in {}", answer.describe()),
            "check that the domain's name servers answer; receivers treat this as a temporary error and may defer mail",
        );
        out.check_since("SPF", 0, None);
        return out;
    }
    for text in &texts {
        if text.starts_with(char::is_whitespace) && is_spf(text) {
            out.add(
                "spf.syntax",
                Severity::Error,
                &subject,
                "the SPF record starts with whitespace, so receivers do not see it as SPF",
                change_record("TXT", domain, domain, text.trim_start()),
            );
        }
    }
    let records: Vec<&String> = texts
        .iter()
        .filter(|t| is_spf(t) && !t.starts_with(char::is_whitespace))
        .collect();
    let record = match records.as_slice() {
        [] => {
            out.add(
                "spf.missing",
                Severity::Error,
                &subject,
                format!("{domain} has no SPF record, so anyone can send mail that claims to be from it"),
                add_record("TXT", domain, domain, &example),
            );
            out.check_since("SPF", 0, None);
            return out;
        }
        [one] => one.as_str(),
        many => {
            out.add(
                "spf.multiple-records",
                Severity::Error,
                &subject,
                format!(
                    "{domain} has {} SPF records; receivers treat that as a permanent error and SPF fails for every message",
                    many.len()
                ),
                "merge them into one TXT record starting with `v=spf1` (combine the include: terms) and delete the others",
            )
            .properties
            .insert("records".into(), json!(many));
            out.check_since("SPF", 0, None);
            return out;
        }
    };

    if record.len() > MAX_UDP_BYTES {
        out.add(
            "spf.record-too-large",
            Severity::Warning,
            &subject,
            format!(
                "the SPF record is {} bytes, over {MAX_UDP_BYTES}: answers need TCP or EDNS and some receivers give up",
                record.len()
            ),
            "shorten it: replace long ip4:/ip6: lists by an include: your provider publishes, and drop unused terms",
        );
    }

    let parsed = parse::parse(record);
    split_strings(&mut out, &answer, record, &parsed, &subject);
    let mut walk = Walk {
        dns,
        root: domain.to_string(),
        subject: subject.clone(),
        lookups: 0,
        voids: 0,
        stack: vec![domain.to_ascii_lowercase()],
        included: BTreeSet::new(),
        records: HashMap::new(),
        rows: Vec::new(),
        loop_reported: false,
        out: Report::default(),
    };
    walk.syntax(&parsed, domain, "");
    walk.terms(parsed.clone(), domain.to_string(), String::new())
        .await;
    let Walk {
        lookups,
        voids,
        included,
        records: nested,
        rows,
        out: walk_out,
        ..
    } = walk;
    out.merge(walk_out);

    if lookups > MAX_LOOKUPS {
        out.add(
            "spf.too-many-lookups",
            Severity::Error,
            &subject,
            format!(
                "SPF needs {lookups} DNS lookups, over the limit of {MAX_LOOKUPS}: receivers return permerror and SPF fails for every message"
            ),
            "flatten or remove include: terms (see the SPF lookups table for which include costs most), or move a sender to a subdomain with its own SPF record",
        )
        .properties
        .insert("lookups".into(), json!(lookups));
    }
    if voids > MAX_VOID_LOOKUPS {
        out.add(
            "spf.too-many-void-lookups",
            Severity::Error,
            &subject,
            format!(
                "SPF evaluation meets {voids} lookups that return nothing, over the limit of {MAX_VOID_LOOKUPS}: receivers return permerror"
            ),
            "remove the include:, a: or mx: terms that name domains without records",
        );
    }

    let effective_all = parsed.all().or_else(|| {
        parsed
            .redirect()
            .and_then(|r| nested.get(&r.to_ascii_lowercase()))
            .and_then(SpfRecord::all)
    });
    check_all(
        &mut out,
        domain,
        &subject,
        record,
        effective_all,
        parsed.redirect().is_some(),
        config,
    );

    for required in &config.must_include {
        let want = required.trim_end_matches('.').to_ascii_lowercase();
        if !included.contains(&want) {
            out.add(
                "spf.must-include-missing",
                Severity::Error,
                &subject,
                format!("the SPF record does not include {want}, so mail sent through it fails SPF"),
                change_record("TXT", domain, domain, &insert_include(record, &want)),
            );
        }
    }

    out.tables.push(Table {
        title: format!("SPF lookups for {domain} ({lookups} of {MAX_LOOKUPS})"),
        columns: vec!["record".into(), "DNS lookups in it".into()],
        rows,
    });
    out.check_since(
        "SPF",
        0,
        Some(format!(
            "{lookups}/{MAX_LOOKUPS} lookups, {voids}/{MAX_VOID_LOOKUPS} void"
        )),
    );
    out
}

fn check_all(
    out: &mut Report,
    domain: &str,
    subject: &str,
    record: &str,
    all: Option<Qualifier>,
    has_redirect: bool,
    config: &SpfConfig,
) {
    let allowed: Vec<&str> = config.all.iter().map(|a| a.as_str()).collect();
    let suggested = config.all.first().copied().unwrap_or(AllPolicy::Fail).as_str();
    let fixed = replace_all(record, suggested);
    match all {
        None if !has_redirect => {
            out.add(
                "spf.missing-all",
                Severity::Warning,
                subject,
                "the SPF record has no `all` term, so mail from unlisted servers gets a neutral result",
                change_record("TXT", domain, domain, &fixed),
            );
        }
        None => {}
        Some(Qualifier::Pass) => {
            out.add(
                "spf.plus-all",
                Severity::Error,
                subject,
                "the SPF record ends in `+all`, which authorises every server on the internet to send as this domain",
                change_record("TXT", domain, domain, &fixed),
            );
        }
        Some(Qualifier::Neutral) => {
            out.add(
                "spf.neutral-all",
                Severity::Warning,
                subject,
                "the SPF record ends in `?all`, which protects nothing: mail from any server gets a neutral result",
                change_record("TXT", domain, domain, &fixed),
            );
        }
        Some(q) => {
            let text = format!("{}all", q.symbol());
            if !allowed.contains(&text.as_str()) {
                out.add(
                    "spf.all-not-allowed",
                    Severity::Error,
                    subject,
                    format!(
                        "the SPF record ends in `{text}`, but the configuration accepts only {}",
                        allowed.join(", ")
                    ),
                    change_record("TXT", domain, domain, &fixed),
                );
            }
        }
    }
}

/// A TXT record longer than 255 characters is stored as several strings, which receivers
/// join without adding a space (RFC 7208 §3.3). A term that spans a join usually means the
/// value was split by hand in the wrong place.
fn split_strings(out: &mut Report, answer: &Answer, record: &str, parsed: &SpfRecord, subject: &str) {
    let Some(strings) = answer.records().iter().find_map(|r| match r {
        RData::TXT(txt) if txt_string(r).as_deref() == Some(record) => Some(&txt.txt_data),
        _ => None,
    }) else {
        return;
    };
    let mut joins = Vec::new();
    let mut offset = 0;
    for s in strings.iter().take(strings.len().saturating_sub(1)) {
        offset += s.len();
        joins.push(offset);
    }
    for (term, _) in &parsed.errors {
        let Some(start) = record.find(term.as_str()) else {
            continue;
        };
        if joins.iter().any(|j| *j > start && *j < start + term.len()) {
            out.add(
                "spf.string-join",
                Severity::Error,
                subject,
                format!(
                    "`{term}` spans two of the record's {} strings, which receivers join without a space",
                    strings.len()
                ),
                "enter the whole value in one field and let your DNS provider split it, or end each string with a space (each string holds at most 255 characters)",
            );
        }
    }
}

/// The recursive count through include and redirect.
struct Walk<'a> {
    dns: &'a Dns,
    root: String,
    subject: String,
    lookups: usize,
    voids: usize,
    /// The chain of domains being evaluated, to find loops.
    stack: Vec<String>,
    /// Every include and redirect target met.
    included: BTreeSet<String>,
    records: HashMap<String, SpfRecord>,
    rows: Vec<Vec<String>>,
    loop_reported: bool,
    out: Report,
}

impl<'a> Walk<'a> {
    fn syntax(&mut self, record: &SpfRecord, domain: &str, via: &str) {
        for (term, reason) in &record.errors {
            let at = if via.is_empty() {
                String::new()
            } else {
                format!(" (in {domain}, reached through {via})")
            };
            let help = if via.is_empty() {
                format!("fix or remove `{term}` in the TXT record at host `@`")
            } else {
                format!(
                    "the record at {domain} is not yours to edit: tell its owner, or remove the include that reaches it"
                )
            };
            self.out
                .add(
                    "spf.syntax",
                    Severity::Error,
                    &self.subject,
                    format!("invalid SPF term `{term}`{at}: {reason}"),
                    help,
                )
                .properties
                .insert("term".into(), json!(term));
        }
        for term in record.after_all() {
            self.out.add(
                "spf.term-after-all",
                Severity::Warning,
                &self.subject,
                format!("`{term}` comes after `all` in {domain}'s SPF record and is never evaluated"),
                "move it before the `all` term, or remove it",
            );
        }
    }

    /// Walks one record's terms, counting lookups and following include and redirect.
    fn terms(
        &mut self,
        record: SpfRecord,
        domain: String,
        via: String,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let before = self.lookups;
            let row = self.rows.len();
            // The root row is the domain; a nested row is the chain of terms reaching it.
            let label = if via.is_empty() {
                domain.clone()
            } else {
                via.clone()
            };
            self.rows.push(vec![label, String::new()]);
            let has_all = record.all().is_some();
            for term in &record.terms {
                if self.lookups >= WALK_BUDGET {
                    break;
                }
                match term {
                    Term::Mechanism {
                        qualifier,
                        mechanism,
                        text,
                    } => {
                        if mechanism.queries_dns() {
                            self.lookups += 1;
                        }
                        self.mechanism(*qualifier, mechanism, text, &domain, &via).await;
                        // `all` always matches: evaluation never reaches what follows it.
                        if *mechanism == Mechanism::All {
                            break;
                        }
                    }
                    Term::Redirect(target) if !has_all => {
                        self.lookups += 1;
                        self.follow(target, &domain, &via, "redirect=").await;
                    }
                    _ => {}
                }
            }
            self.rows[row][1] = (self.lookups - before).to_string();
        })
    }

    async fn mechanism(
        &mut self,
        qualifier: Qualifier,
        mechanism: &Mechanism,
        text: &str,
        domain: &str,
        via: &str,
    ) {
        match mechanism {
            Mechanism::Include(target) => self.follow(target, domain, via, "include:").await,
            Mechanism::A(target) => {
                let name = target.as_deref().unwrap_or(domain);
                if !name.contains('%') {
                    let a = self.dns.query(name, RecordType::A).await;
                    let aaaa = self.dns.query(name, RecordType::AAAA).await;
                    if a.records().is_empty() && aaaa.records().is_empty() && !a.is_failure() {
                        self.void(text, name);
                    }
                }
            }
            Mechanism::Mx(target) => {
                let name = target.as_deref().unwrap_or(domain);
                if !name.contains('%') {
                    let mx = self.dns.query(name, RecordType::MX).await;
                    if mx.records().len() > MAX_LOOKUPS {
                        self.out.add(
                            "spf.too-many-mx",
                            Severity::Error,
                            &self.subject,
                            format!(
                                "`{text}` names {} MX hosts; SPF looks at no more than {MAX_LOOKUPS}",
                                mx.records().len()
                            ),
                            "replace `mx` by the ip4:/ip6: ranges or the include: of your mail provider",
                        );
                    }
                    if mx.records().is_empty() && !mx.is_failure() {
                        self.void(text, name);
                    }
                }
            }
            Mechanism::Exists(target) if !target.contains('%') => {
                let a = self.dns.query(target, RecordType::A).await;
                if a.records().is_empty() && !a.is_failure() {
                    self.void(text, target);
                }
            }
            Mechanism::Ptr(_) => {
                self.out.add(
                    "spf.ptr",
                    Severity::Warning,
                    &self.subject,
                    format!("`{text}` in {domain}'s SPF record uses the deprecated ptr mechanism (RFC 7208 §5.5): slow, unreliable, and some receivers ignore it"),
                    "replace it by the ip4:/ip6: ranges or the include: of the servers that send your mail",
                );
            }
            Mechanism::All if qualifier == Qualifier::Pass && !via.is_empty() => {
                self.out.add(
                    "spf.plus-all",
                    Severity::Error,
                    &self.subject,
                    format!("{domain}, reached through {via}, ends in `+all`: that include matches every server on the internet"),
                    format!("remove the include that reaches {domain} from the TXT record at host `@`"),
                );
            }
            _ => {}
        }
    }

    fn void(&mut self, term: &str, name: &str) {
        self.voids += 1;
        self.out
            .add(
                "spf.void-lookup",
                Severity::Note,
                &self.subject,
                format!("`{term}` looks up {name}, which has no records (a void lookup)"),
                "remove the term if the name is no longer used",
            )
            .properties
            .insert("name".into(), json!(name));
    }

    async fn follow(&mut self, target: &str, domain: &str, via: &str, how: &str) {
        let target = target.to_ascii_lowercase();
        let chain = if via.is_empty() {
            format!("{how}{target}")
        } else {
            format!("{via} → {how}{target}")
        };
        self.included.insert(target.clone());
        if target.contains('%') {
            return;
        }
        if self.stack.contains(&target) {
            if !self.loop_reported {
                self.loop_reported = true;
                self.out.add(
                    "spf.loop",
                    Severity::Error,
                    &self.subject,
                    format!(
                        "SPF loop: {} → {how}{target} leads back to a record already being evaluated",
                        self.stack.join(" → ")
                    ),
                    format!("remove `{how}{target}` from the record at {domain}"),
                );
            }
            return;
        }
        let (answer, texts) = self.dns.txt(&target).await;
        let spf: Vec<&String> = texts.iter().filter(|t| is_spf(t)).collect();
        let root = self.root.clone();
        match (&answer, spf.as_slice()) {
            (a, _) if a.is_failure() => {
                self.out.add(
                    "spf.lookup-failed",
                    Severity::Error,
                    &self.subject,
                    format!("the TXT lookup for {target} ({chain}) ended in {}", a.describe()),
                    "receivers treat this as a temporary error; check that the included domain still exists and answers",
                );
            }
            (_, []) => {
                if matches!(answer, Answer::NxDomain | Answer::NoData) {
                    self.voids += 1;
                }
                self.out.add(
                    "spf.include-not-found",
                    Severity::Error,
                    &self.subject,
                    format!("{chain} names {target}, which has no SPF record ({}): receivers return permerror", answer.describe()),
                    format!("remove `{how}{target}` from the TXT record of {root} (at {domain}), or fix the name; your provider's documentation gives the right include"),
                );
            }
            (_, [text]) => {
                let record = parse::parse(text);
                self.syntax(&record, &target, &chain);
                self.records.insert(target.clone(), record.clone());
                self.stack.push(target.clone());
                self.terms(record, target.clone(), chain).await;
                self.stack.pop();
            }
            (_, many) => {
                self.out.add(
                    "spf.multiple-records",
                    Severity::Error,
                    &self.subject,
                    format!(
                        "{target} ({chain}) has {} SPF records: receivers return permerror",
                        many.len()
                    ),
                    format!(
                        "{target} is not yours to edit: tell its owner, or remove the include that reaches it"
                    ),
                );
            }
        }
    }
}
