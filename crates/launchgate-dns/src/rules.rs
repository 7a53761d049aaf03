//! Every rule this gate reports, with a name and a description for SARIF and `--list-rules`.

use launchgate_core::{Rule, RuleSet, Severity};

/// Every rule this gate reports.
pub const RULES: &[Rule] = &[
    Rule::new(
        "dns.record-missing",
        "RecordMissing",
        "An expected record does not exist (NXDOMAIN or no record of that type).",
        Severity::Error,
    ),
    Rule::new(
        "dns.record-mismatch",
        "RecordMismatch",
        "An expected record answers with other values than configured: stale or wrong infrastructure.",
        Severity::Error,
    ),
    Rule::new(
        "dns.apex-cname",
        "ApexCname",
        "The apex domain is a CNAME, which breaks MX, NS and SOA at the apex.",
        Severity::Error,
    ),
    Rule::new(
        "dns.dangling-cname",
        "DanglingCname",
        "A CNAME points at a name that does not exist: a subdomain takeover risk.",
        Severity::Error,
    ),
    Rule::new(
        "dns.cname-target-no-address",
        "CnameTargetNoAddress",
        "A CNAME target exists but has no A or AAAA record.",
        Severity::Warning,
    ),
    Rule::new(
        "dns.site-host-unresolved",
        "SiteHostUnresolved",
        "A host name of the smoke gate's site section does not resolve.",
        Severity::Error,
    ),
    Rule::new(
        "dns.dnssec-incomplete",
        "DnssecIncomplete",
        "Half a DNSSEC chain: a DS record at the parent without DNSKEY records, or DNSKEY records without a DS record (a note).",
        Severity::Note,
    ),
    Rule::new(
        "mail.mx-host-unresolved",
        "MxHostUnresolved",
        "An MX host has no A or AAAA record, so mail to the domain cannot be delivered.",
        Severity::Error,
    ),
    Rule::new(
        "mail.mx-host-cname",
        "MxHostCname",
        "An MX host is a CNAME, which RFC 2181 forbids.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.null-mx-mixed",
        "NullMxMixed",
        "A null MX (RFC 7505) stands beside other MX records.",
        Severity::Error,
    ),
    Rule::new(
        "mail.mx-reverse-dns",
        "MxReverseDns",
        "An MX address has no PTR record, or its PTR name does not resolve back to it (forward-confirmed reverse DNS).",
        Severity::Warning,
    ),
    Rule::new(
        "smtp.unreachable",
        "SmtpUnreachable",
        "An MX address does not accept a connection on the SMTP port (often port 25 blocked from CI: a warning).",
        Severity::Warning,
    ),
    Rule::new(
        "smtp.no-starttls",
        "SmtpNoStarttls",
        "An MX host does not offer STARTTLS: mail to the domain travels unencrypted.",
        Severity::Error,
    ),
    Rule::new(
        "smtp.tls-handshake-failed",
        "SmtpTlsHandshakeFailed",
        "The TLS handshake after STARTTLS fails.",
        Severity::Error,
    ),
    Rule::new(
        "smtp.certificate-expired",
        "SmtpCertificateExpired",
        "An MX host's certificate has expired.",
        Severity::Error,
    ),
    Rule::new(
        "smtp.certificate-untrusted",
        "SmtpCertificateUntrusted",
        "An MX host's certificate does not chain to a trusted root (or the configured CA).",
        Severity::Error,
    ),
    Rule::new(
        "smtp.certificate-name-mismatch",
        "SmtpCertificateNameMismatch",
        "An MX host's certificate does not carry the MX host name.",
        Severity::Error,
    ),
    Rule::new(
        "smtp.bad-reply",
        "SmtpBadReply",
        "An MX host ends the SMTP conversation before TLS: a refusal, a timeout or a reply that is not SMTP.",
        Severity::Warning,
    ),
    Rule::new(
        "mail.no-mail-domain",
        "NoMailDomain",
        "The domain neither sends nor receives mail; DKIM, MTA-STS and TLS-RPT do not apply.",
        Severity::Note,
    ),
    Rule::new(
        "dns.timeout",
        "Timeout",
        "No name server answered a query in time.",
        Severity::Error,
    ),
    Rule::new(
        "dns.server-error",
        "ServerError",
        "A name server answered with an error (SERVFAIL, REFUSED).",
        Severity::Error,
    ),
    Rule::new(
        "dns.lookup-failed",
        "LookupFailed",
        "A query failed for a reason other than the name being absent.",
        Severity::Error,
    ),
    Rule::new(
        "spf.missing",
        "SpfMissing",
        "The domain has no SPF record.",
        Severity::Error,
    ),
    Rule::new(
        "spf.multiple-records",
        "SpfMultipleRecords",
        "More than one SPF record: SPF fails with permerror.",
        Severity::Error,
    ),
    Rule::new(
        "spf.syntax",
        "SpfSyntax",
        "An SPF term is invalid (RFC 7208).",
        Severity::Error,
    ),
    Rule::new(
        "spf.string-join",
        "SpfStringJoin",
        "A term spans two of a TXT record's 255-character strings, which are joined without a space.",
        Severity::Error,
    ),
    Rule::new(
        "spf.term-after-all",
        "SpfTermAfterAll",
        "Terms after `all` are never evaluated.",
        Severity::Warning,
    ),
    Rule::new(
        "spf.too-many-lookups",
        "SpfTooManyLookups",
        "SPF needs more than 10 DNS lookups through includes and redirects.",
        Severity::Error,
    ),
    Rule::new(
        "spf.too-many-void-lookups",
        "SpfTooManyVoidLookups",
        "SPF meets more than 2 lookups that return nothing.",
        Severity::Error,
    ),
    Rule::new(
        "spf.void-lookup",
        "SpfVoidLookup",
        "An SPF term looks up a name without records.",
        Severity::Note,
    ),
    Rule::new(
        "spf.too-many-mx",
        "SpfTooManyMx",
        "An `mx` term names more than 10 MX hosts.",
        Severity::Error,
    ),
    Rule::new(
        "spf.loop",
        "SpfLoop",
        "An include or redirect leads back to a record already being evaluated.",
        Severity::Error,
    ),
    Rule::new(
        "spf.include-not-found",
        "SpfIncludeNotFound",
        "An include or redirect names a domain without an SPF record.",
        Severity::Error,
    ),
    Rule::new(
        "spf.lookup-failed",
        "SpfLookupFailed",
        "An SPF lookup timed out or failed.",
        Severity::Error,
    ),
    Rule::new(
        "spf.plus-all",
        "SpfPlusAll",
        "`+all` authorises every server on the internet.",
        Severity::Error,
    ),
    Rule::new(
        "spf.neutral-all",
        "SpfNeutralAll",
        "`?all` protects nothing.",
        Severity::Warning,
    ),
    Rule::new(
        "spf.missing-all",
        "SpfMissingAll",
        "The SPF record has no `all` term.",
        Severity::Warning,
    ),
    Rule::new(
        "spf.all-not-allowed",
        "SpfAllNotAllowed",
        "The `all` term is not one the configuration accepts.",
        Severity::Error,
    ),
    Rule::new(
        "spf.ptr",
        "SpfPtr",
        "The deprecated `ptr` mechanism (RFC 7208 §5.5).",
        Severity::Warning,
    ),
    Rule::new(
        "spf.record-too-large",
        "SpfRecordTooLarge",
        "The SPF record is over 512 bytes.",
        Severity::Warning,
    ),
    Rule::new(
        "spf.must-include-missing",
        "SpfMustIncludeMissing",
        "A required include is absent from the SPF include tree.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.missing",
        "DmarcMissing",
        "No DMARC record at _dmarc.<domain> or above it.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.multiple-records",
        "DmarcMultipleRecords",
        "More than one DMARC record: receivers ignore DMARC.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.syntax",
        "DmarcSyntax",
        "The DMARC record is invalid.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.inherited",
        "DmarcInherited",
        "The DMARC record applying to the domain sits at a parent (RFC 9989 tree walk).",
        Severity::Note,
    ),
    Rule::new(
        "dmarc.policy-none",
        "DmarcPolicyNone",
        "A DMARC policy of `none` leaves the domain unprotected.",
        Severity::Warning,
    ),
    Rule::new(
        "dmarc.policy-too-weak",
        "DmarcPolicyTooWeak",
        "A DMARC policy (p, sp or np) is weaker than the configured minimum.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.missing-rua",
        "DmarcMissingRua",
        "The DMARC record asks for no aggregate reports.",
        Severity::Note,
    ),
    Rule::new(
        "dmarc.bad-report-uri",
        "DmarcBadReportUri",
        "A rua or ruf entry is not a mailto: URI with an address.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.external-report-unauthorized",
        "DmarcExternalReportUnauthorized",
        "Reports go to another domain that has not published its authorisation record.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.bad-alignment",
        "DmarcBadAlignment",
        "adkim or aspf is not `r` or `s`.",
        Severity::Error,
    ),
    Rule::new(
        "dmarc.removed-tag",
        "DmarcRemovedTag",
        "pct, rf and ri were removed in RFC 9989.",
        Severity::Warning,
    ),
    Rule::new(
        "dmarc.unknown-tag",
        "DmarcUnknownTag",
        "A tag DMARC does not define.",
        Severity::Note,
    ),
    Rule::new(
        "dmarc.lookup-failed",
        "DmarcLookupFailed",
        "A DMARC lookup timed out or failed.",
        Severity::Error,
    ),
    Rule::new(
        "dkim.missing",
        "DkimMissing",
        "A configured DKIM selector has no key record.",
        Severity::Error,
    ),
    Rule::new(
        "dkim.revoked",
        "DkimRevoked",
        "A DKIM key record has an empty `p=`: the key is revoked.",
        Severity::Error,
    ),
    Rule::new(
        "dkim.weak-key",
        "DkimWeakKey",
        "An RSA DKIM key under 1024 bits (RFC 8301).",
        Severity::Error,
    ),
    Rule::new(
        "dkim.short-key",
        "DkimShortKey",
        "An RSA DKIM key under 2048 bits.",
        Severity::Warning,
    ),
    Rule::new(
        "dkim.sha1",
        "DkimSha1",
        "A DKIM key that allows only SHA-1.",
        Severity::Warning,
    ),
    Rule::new(
        "dkim.syntax",
        "DkimSyntax",
        "A DKIM key record that cannot be read.",
        Severity::Error,
    ),
    Rule::new(
        "dkim.not-configured",
        "DkimNotConfigured",
        "No selectors configured; common ones were probed.",
        Severity::Note,
    ),
    Rule::new(
        "dkim.lookup-failed",
        "DkimLookupFailed",
        "A DKIM lookup timed out or failed.",
        Severity::Error,
    ),
    Rule::new(
        "bimi.syntax",
        "BimiSyntax",
        "The BIMI record is invalid: its logo is not an SVG over HTTPS, or a tag is wrong.",
        Severity::Error,
    ),
    Rule::new(
        "bimi.dmarc-not-enforced",
        "BimiDmarcNotEnforced",
        "A BIMI record under a DMARC policy that is not enforced: no logo shows.",
        Severity::Warning,
    ),
    Rule::new(
        "mta-sts.missing",
        "MtaStsMissing",
        "No MTA-STS record.",
        Severity::Note,
    ),
    Rule::new(
        "mta-sts.record-syntax",
        "MtaStsRecordSyntax",
        "The _mta-sts TXT record is invalid.",
        Severity::Error,
    ),
    Rule::new(
        "mta-sts.policy-unreachable",
        "MtaStsPolicyUnreachable",
        "The MTA-STS policy file cannot be fetched over HTTPS.",
        Severity::Error,
    ),
    Rule::new(
        "mta-sts.policy-content-type",
        "MtaStsPolicyContentType",
        "The MTA-STS policy is not served as text/plain.",
        Severity::Error,
    ),
    Rule::new(
        "mta-sts.policy-syntax",
        "MtaStsPolicySyntax",
        "The MTA-STS policy file is invalid.",
        Severity::Error,
    ),
    Rule::new(
        "mta-sts.mode-testing",
        "MtaStsModeTesting",
        "The MTA-STS policy is in testing mode.",
        Severity::Note,
    ),
    Rule::new(
        "mta-sts.mode-none",
        "MtaStsModeNone",
        "The MTA-STS policy has mode none.",
        Severity::Warning,
    ),
    Rule::new(
        "mta-sts.max-age-short",
        "MtaStsMaxAgeShort",
        "The MTA-STS max_age is under a day.",
        Severity::Warning,
    ),
    Rule::new(
        "mta-sts.mx-mismatch",
        "MtaStsMxMismatch",
        "A real MX host is not covered by the MTA-STS policy.",
        Severity::Warning,
    ),
    Rule::new(
        "tls-rpt.missing",
        "TlsRptMissing",
        "No TLS-RPT record.",
        Severity::Note,
    ),
    Rule::new(
        "tls-rpt.syntax",
        "TlsRptSyntax",
        "The TLS-RPT record is invalid.",
        Severity::Error,
    ),
    Rule::new(
        "caa.missing",
        "CaaMissing",
        "No CAA records: any CA may issue.",
        Severity::Note,
    ),
    Rule::new(
        "caa.issuer-missing",
        "CaaIssuerMissing",
        "A configured CA is not allowed by CAA.",
        Severity::Error,
    ),
    Rule::new(
        "caa.no-iodef",
        "CaaNoIodef",
        "No CAA iodef contact.",
        Severity::Note,
    ),
];

/// The rules as a set, to describe a report's findings and list them.
pub const SET: RuleSet<'static> = RuleSet::new(RULES);

#[cfg(test)]
mod tests {
    use super::*;

    /// What `--list-rules` prints: every rule, its default severity and what it finds.
    #[test]
    fn the_rule_list() {
        insta::assert_snapshot!(SET.list());
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id.as_ref()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before);
    }
}
