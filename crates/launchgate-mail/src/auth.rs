//! Authenticating a received message on its own: every DKIM signature, SPF for the
//! address that delivered it, DMARC for its From domain, and ARC when present, all by
//! mail-auth over the gate's resolver.

use std::net::IpAddr;

use launchgate_core::encoding::{Base64, decode_base64};
use launchgate_core::{Finding, Location, Severity};
use launchgate_dns::dkim::key::rsa_modulus_bits;
use launchgate_dns::resolve::{Answer, Dns};
use mail_auth::dkim::DkimError;
use mail_auth::dmarc::Alignment;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimOutput, DkimResult, DmarcResult, DnsError, Error as AuthError,
    MessageAuthenticator, SpfResult,
};

use crate::alignment::{Identity, aligned};
use crate::message::{Facts, RawMessage};

/// What this verification concluded, in Authentication-Results words, for the comparison
/// with the receiving server's header.
#[derive(Debug, Default, Clone)]
pub struct Verdict {
    /// `pass` when any signature passes, else the first signature's result, `none` without one.
    pub dkim: String,
    pub spf: String,
    pub dmarc: String,
    /// `None` without an ARC chain.
    pub arc: Option<String>,
}

/// What [`authenticate`] returns: findings, the identities for the alignment table, and
/// the verdict.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub identities: Vec<Identity>,
    pub verdict: Verdict,
}

/// Authenticates `message`. DNS failures become `mail.dns-timeout` findings.
pub async fn authenticate(dns: &Dns, message: &RawMessage, facts: &Facts) -> Outcome {
    let mut out = Outcome::default();
    // Not strict: a signature with `l=` is verified, then reported on its own.
    let Some(parsed) = AuthenticatedMessage::parse_with_opts(&message.bytes, None, false) else {
        out.findings.push(
            Finding::new(
                "mail.malformed",
                Severity::Error,
                "the message's header cannot be read for authentication",
            )
            .at(Location::at(message.path.clone(), 1, 1)),
        );
        return out;
    };
    let authenticator = MessageAuthenticator(dns.resolver().clone());
    let from_domain = facts.author_domain().unwrap_or_default().to_string();
    let at = |header: &str| Location::at(message.path.clone(), message.line_of(header).unwrap_or(1), 1);

    let dkim = authenticator.verify_dkim(&parsed).await;
    if dkim.is_empty() {
        out.findings.push(
            Finding::new("mail.dkim-missing", Severity::Error, "the message has no DKIM-Signature header")
                .at(Location::at(message.path.clone(), 1, 1))
                .subject("DKIM-Signature")
                .help(format!("turn on DKIM signing for {from_domain} at the mail provider and publish its selector record in DNS")),
        );
    }
    for output in &dkim {
        dkim_findings(dns, output, message, &mut out).await;
    }
    out.verdict.dkim = dkim_verdict(&dkim);

    let mail_from = facts
        .return_path
        .clone()
        .filter(|a| a.contains('@'))
        .or_else(|| facts.helo.as_ref().map(|h| format!("postmaster@{h}")));
    let mail_from_domain = mail_from
        .as_deref()
        .and_then(|a| a.rsplit_once('@'))
        .map(|(_, d)| d.to_string())
        .unwrap_or_default();
    let spf = match (facts.sending_ip, mail_from.as_deref()) {
        (Some(ip), Some(sender)) => {
            let helo = facts.helo.clone().unwrap_or_else(|| mail_from_domain.clone());
            let output = authenticator
                .verify_spf(SpfParameters::verify_mail_from(
                    ip,
                    &helo,
                    "launchgate.invalid",
                    sender,
                ))
                .await;
            spf_findings(output.result(), ip, &mail_from_domain, message, &mut out);
            Some(output)
        }
        _ => {
            out.findings.push(
                Finding::new(
                    "mail.spf-unknown",
                    Severity::Warning,
                    if facts.sending_ip.is_none() {
                        "no Received header names the address that delivered the message, so SPF was not evaluated"
                    } else {
                        "the message has no Return-Path, so SPF was not evaluated"
                    },
                )
                .at(at("received"))
                .subject("Received")
                .help("verify the message as the receiving mailbox saved it (\"Show original\" / \"View source\"), with its Received and Return-Path headers"),
            );
            out.verdict.spf = "none".into();
            None
        }
    };

    let spf_for_dmarc = spf
        .clone()
        .unwrap_or_else(|| mail_auth::SpfOutput::new(mail_from_domain.clone()));
    let dmarc = authenticator
        .verify_dmarc(DmarcParameters::new(
            &parsed,
            &dkim,
            &mail_from_domain,
            &spf_for_dmarc,
        ))
        .await;
    let (dkim_mode, spf_mode) = dmarc
        .dmarc_record()
        .map_or((Alignment::Relaxed, Alignment::Relaxed), |r| (r.adkim, r.aspf));
    for output in &dkim {
        if let Some(signature) = output.signature() {
            out.identities.push(Identity {
                kind: "DKIM",
                domain: signature.d.to_ascii_lowercase(),
                result: dkim_word(output.result()).to_string(),
                aligned: aligned(&signature.d, &from_domain, dkim_mode),
                mode: dkim_mode,
            });
        }
    }
    if spf.is_some() {
        out.identities.push(Identity {
            kind: "SPF",
            domain: mail_from_domain.clone(),
            result: out.verdict.spf.clone(),
            aligned: aligned(&mail_from_domain, &from_domain, spf_mode),
            mode: spf_mode,
        });
    }
    dmarc_findings(&dmarc, &from_domain, &out.identities.clone(), message, &mut out);

    if !parsed.ams_headers.is_empty() || !parsed.as_headers.is_empty() {
        let arc = authenticator.verify_arc(&parsed).await;
        let word = dkim_word(arc.result()).to_string();
        if !matches!(arc.result(), DkimResult::Pass) {
            let (rule, severity) = match arc.result() {
                DkimResult::TempError(_) => ("mail.dns-timeout", Severity::Error),
                _ => ("mail.arc-fail", Severity::Warning),
            };
            out.findings.push(
                Finding::new(rule, severity, format!("the ARC chain does not verify: arc={word} ({})", reason(arc.result())))
                    .at(at("arc-seal"))
                    .subject("ARC-Seal")
                    .help("a forwarder or mailing list changed the message after sealing; ask whoever adds this ARC set to fix its sealing"),
            );
        }
        out.verdict.arc = Some(word);
    }
    out
}

async fn dkim_findings(dns: &Dns, output: &DkimOutput<'_>, message: &RawMessage, out: &mut Outcome) {
    let at = Location::at(
        message.path.clone(),
        message.line_of("dkim-signature").unwrap_or(1),
        1,
    );
    let Some(signature) = output.signature() else {
        out.findings.push(
            Finding::new(
                "mail.dkim-fail",
                Severity::Error,
                format!("a DKIM-Signature cannot be read: {}", reason(output.result())),
            )
            .at(at)
            .subject("DKIM-Signature")
            .help("the signer wrote an invalid header; check the mail provider's DKIM settings"),
        );
        return;
    };
    let who = format!("d={} s={}", signature.d, signature.s);
    let record = format!("{}._domainkey.{}", signature.s, signature.d);
    let finding = |rule: &str, severity: Severity, text: String, help: String| {
        Finding::new(rule, severity, text)
            .at(at.clone())
            .subject(format!("DKIM-Signature {who}"))
            .help(help)
    };
    match output.result() {
        DkimResult::Pass | DkimResult::None => {}
        DkimResult::Fail(AuthError::Dkim(DkimError::FailedBodyHashMatch))
        | DkimResult::Neutral(AuthError::Dkim(DkimError::FailedBodyHashMatch)) => {
            out.findings.push(finding(
                "mail.dkim-fail",
                Severity::Error,
                format!("DKIM signature {who} fails: the body changed after signing (body hash mismatch)"),
                "find what rewrites the body after the provider signs (a footer, link tracking, a line-ending change) and sign after it".into(),
            ));
        }
        DkimResult::TempError(e) => out.findings.push(finding(
            "mail.dns-timeout",
            Severity::Error,
            format!("the key for DKIM signature {who} could not be fetched from {record}: {e}"),
            "retry, or check that the resolver given with --nameserver answers".into(),
        )),
        DkimResult::PermError(e) => out.findings.push(finding(
            "mail.dkim-key",
            Severity::Error,
            format!("DKIM signature {who} cannot be checked: {} at {record}", key_problem(e)),
            format!("publish the selector record the mail provider gives you at {record} (TXT `v=DKIM1; k=rsa; p=…`)"),
        )),
        result @ (DkimResult::Fail(_) | DkimResult::Neutral(_)) => out.findings.push(finding(
            "mail.dkim-fail",
            Severity::Error,
            format!("DKIM signature {who} fails: {}", reason(result)),
            format!("a signed header changed after signing, or {record} holds another key than the one the provider signs with: compare them at the provider"),
        )),
    }
    if signature.a == mail_auth::common::crypto::Algorithm::RsaSha1 {
        out.findings.push(finding(
            "mail.dkim-weak-algorithm",
            Severity::Error,
            format!("DKIM signature {who} uses rsa-sha1"),
            "switch the provider's DKIM signing to rsa-sha256 (or ed25519-sha256 beside it)".into(),
        ));
    }
    if signature.l > 0 {
        out.findings.push(finding(
            "mail.dkim-body-length",
            Severity::Warning,
            format!(
                "DKIM signature {who} covers only the first {} bytes of the body (l=)",
                signature.l
            ),
            "turn off the body length limit (l=) in the signer: content appended after it passes as signed"
                .into(),
        ));
    }
    if let Some(bits) = rsa_key_bits(dns, &record).await
        && bits < 2048
    {
        let severity = if bits < 1024 {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.findings.push(finding(
            "mail.dkim-weak-key",
            severity,
            format!("DKIM signature {who} uses a {bits}-bit RSA key"),
            format!(
                "rotate to a 2048-bit key at the provider and publish it at a new selector under {}",
                signature.d
            ),
        ));
    }
}

/// The size of the RSA key published at `record`, when it is one that parses.
async fn rsa_key_bits(dns: &Dns, record: &str) -> Option<usize> {
    let (answer, texts) = dns.txt(record).await;
    if !matches!(answer, Answer::Records(_)) {
        return None;
    }
    let key = launchgate_dns::dkim::parse(texts.first()?);
    if key.get("k").is_some_and(|k| !k.eq_ignore_ascii_case("rsa")) {
        return None;
    }
    rsa_modulus_bits(&decode_base64(key.get("p")?, Base64::Standard)?)
}

fn spf_findings(result: SpfResult, ip: IpAddr, domain: &str, message: &RawMessage, out: &mut Outcome) {
    let word = spf_word(result);
    out.verdict.spf = word.to_string();
    let (rule, severity, text, help) = match result {
        SpfResult::Pass => return,
        SpfResult::TempError => (
            "mail.dns-timeout",
            Severity::Error,
            format!("SPF for {domain} could not be evaluated: a DNS lookup failed"),
            "retry, or check that the resolver answers".to_string(),
        ),
        SpfResult::PermError => (
            "mail.spf-fail",
            Severity::Error,
            format!("the SPF record of {domain} is invalid (permerror)"),
            format!(
                "fix the TXT record `v=spf1 …` of {domain}; `launchgate dns` shows what is wrong with it"
            ),
        ),
        SpfResult::None => (
            "mail.spf-fail",
            Severity::Error,
            format!("{domain}, the envelope sender's domain, has no SPF record"),
            format!("publish `v=spf1 include:<provider> -all` at {domain} as the mail provider documents"),
        ),
        SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => (
            "mail.spf-fail",
            if result == SpfResult::Fail {
                Severity::Error
            } else {
                Severity::Warning
            },
            format!("SPF {word} for {ip} sending as {domain}: the address is not in {domain}'s SPF record"),
            format!(
                "add the provider's include (or {ip}) to the SPF record of {domain}, or have the provider use its own bounce domain under yours"
            ),
        ),
    };
    let header = if message.line_of("return-path").is_some() {
        "return-path"
    } else {
        "received"
    };
    out.findings.push(
        Finding::new(rule, severity, text)
            .at(Location::at(
                message.path.clone(),
                message.line_of(header).unwrap_or(1),
                1,
            ))
            .subject(if header == "received" {
                "Received"
            } else {
                "Return-Path"
            })
            .help(help),
    );
}

fn dmarc_findings(
    dmarc: &mail_auth::DmarcOutput,
    from_domain: &str,
    identities: &[Identity],
    message: &RawMessage,
    out: &mut Outcome,
) {
    let at = Location::at(message.path.clone(), message.line_of("from").unwrap_or(1), 1);
    let passes = |r: &DmarcResult| matches!(r, DmarcResult::Pass);
    let temp = |r: &DmarcResult| matches!(r, DmarcResult::TempError(_));
    let shown: Vec<String> = identities
        .iter()
        .map(|i| {
            format!(
                "{} {}={} ({}, {})",
                i.kind,
                if i.kind == "DKIM" { "d" } else { "domain" },
                i.domain,
                i.result,
                if i.aligned { "aligned" } else { "not aligned" }
            )
        })
        .collect();
    let help = format!(
        "have the mail provider sign with d={from_domain} (its custom-domain DKIM setting) and use a bounce domain under {from_domain}"
    );
    if dmarc.dmarc_record().is_none() {
        if temp(dmarc.dkim_result()) || temp(dmarc.spf_result()) {
            out.verdict.dmarc = "temperror".into();
            out.findings.push(
                Finding::new(
                    "mail.dns-timeout",
                    Severity::Error,
                    format!("the DMARC record of {from_domain} could not be fetched"),
                )
                .at(at)
                .subject("From"),
            );
            return;
        }
        out.verdict.dmarc = "none".into();
        out.findings.push(
            Finding::new(
                "mail.dmarc-missing",
                Severity::Warning,
                format!("{from_domain} has no DMARC record"),
            )
            .at(at.clone())
            .subject("From")
            .help(format!(
                "publish `v=DMARC1; p=none; rua=mailto:…` at _dmarc.{from_domain}, then tighten it"
            )),
        );
        if !identities.iter().any(|i| i.aligned && i.result == "pass") {
            out.findings.push(
                Finding::new(
                    "mail.dmarc-fail",
                    Severity::Error,
                    format!(
                        "no passing identity is aligned with From {from_domain}: {}",
                        shown.join("; ")
                    ),
                )
                .at(at)
                .subject("From")
                .help(help),
            );
        }
        return;
    }
    if passes(dmarc.dkim_result()) || passes(dmarc.spf_result()) {
        out.verdict.dmarc = "pass".into();
        return;
    }
    out.verdict.dmarc = "fail".into();
    out.findings.push(
        Finding::new(
            "mail.dmarc-fail",
            Severity::Error,
            format!(
                "DMARC fails for From {from_domain}: {}",
                if shown.is_empty() {
                    "no DKIM signature and no SPF result".into()
                } else {
                    shown.join("; ")
                }
            ),
        )
        .at(at)
        .subject("From")
        .help(help),
    );
}

fn dkim_verdict(dkim: &[DkimOutput]) -> String {
    if dkim.iter().any(|d| matches!(d.result(), DkimResult::Pass)) {
        return "pass".into();
    }
    dkim.first().map_or("none", |d| dkim_word(d.result())).to_string()
}

/// [`result_word`], except that a body hash mismatch (DKIM or ARC) is `fail` as receivers
/// write it (RFC 6376 §6.3, RFC 8617 §5.2), where mail-auth says neutral.
fn dkim_word(result: &DkimResult) -> &'static str {
    match result {
        DkimResult::Neutral(AuthError::Dkim(DkimError::FailedBodyHashMatch))
        | DkimResult::Neutral(AuthError::Arc(mail_auth::arc::ArcError::FailedBodyHashMatch)) => "fail",
        other => result_word(other),
    }
}

/// The Authentication-Results word for a DKIM or ARC result.
pub fn result_word(result: &DkimResult) -> &'static str {
    match result {
        DkimResult::Pass => "pass",
        DkimResult::Neutral(_) => "neutral",
        DkimResult::Fail(_) => "fail",
        DkimResult::PermError(_) => "permerror",
        DkimResult::TempError(_) => "temperror",
        DkimResult::None => "none",
    }
}

fn spf_word(result: SpfResult) -> &'static str {
    match result {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

fn reason(result: &DkimResult) -> String {
    match result {
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => e.to_string(),
        DkimResult::Pass => "pass".into(),
        DkimResult::None => "no result".into(),
    }
}

fn key_problem(error: &AuthError) -> String {
    match error {
        AuthError::Dkim(DkimError::RevokedPublicKey) => "the key is revoked (empty p=)".into(),
        AuthError::Dns(DnsError::InvalidRecordType) | AuthError::ParseError | AuthError::Base64 => {
            "the key record does not parse".into()
        }
        AuthError::Dns(e) => format!("no key record ({e})"),
        AuthError::Dkim(DkimError::UnsupportedKeyType) => {
            "the key record names an unsupported key type".into()
        }
        other => format!("the key record does not parse ({other})"),
    }
}
