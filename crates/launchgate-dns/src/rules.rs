//! Every rule this gate reports, with a name and a description for SARIF and `--list-rules`.

use std::collections::BTreeMap;

use launchgate_core::RuleInfo;

/// `(id, name, description)` for every rule.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "dns.record-missing",
        "RecordMissing",
        "An expected record does not exist (NXDOMAIN or no record of that type).",
    ),
    (
        "dns.record-mismatch",
        "RecordMismatch",
        "An expected record answers with other values than configured: stale or wrong infrastructure.",
    ),
    (
        "dns.apex-cname",
        "ApexCname",
        "The apex domain is a CNAME, which breaks MX, NS and SOA at the apex.",
    ),
    (
        "dns.dangling-cname",
        "DanglingCname",
        "A CNAME points at a name that does not exist: a subdomain takeover risk.",
    ),
    (
        "dns.cname-target-no-address",
        "CnameTargetNoAddress",
        "A CNAME target exists but has no A or AAAA record.",
    ),
    (
        "dns.site-host-unresolved",
        "SiteHostUnresolved",
        "A host name of the smoke gate's site section does not resolve.",
    ),
    (
        "dns.dnssec-incomplete",
        "DnssecIncomplete",
        "Half a DNSSEC chain: a DS record at the parent without DNSKEY records, or DNSKEY records without a DS record (a note).",
    ),
    (
        "mail.mx-host-unresolved",
        "MxHostUnresolved",
        "An MX host has no A or AAAA record, so mail to the domain cannot be delivered.",
    ),
    (
        "mail.mx-host-cname",
        "MxHostCname",
        "An MX host is a CNAME, which RFC 2181 forbids.",
    ),
    (
        "mail.null-mx-mixed",
        "NullMxMixed",
        "A null MX (RFC 7505) stands beside other MX records.",
    ),
    (
        "mail.mx-reverse-dns",
        "MxReverseDns",
        "An MX address has no PTR record, or its PTR name does not resolve back to it (forward-confirmed reverse DNS).",
    ),
    (
        "smtp.unreachable",
        "SmtpUnreachable",
        "An MX address does not accept a connection on the SMTP port (often port 25 blocked from CI: a warning).",
    ),
    (
        "smtp.no-starttls",
        "SmtpNoStarttls",
        "An MX host does not offer STARTTLS: mail to the domain travels unencrypted.",
    ),
    (
        "smtp.tls-handshake-failed",
        "SmtpTlsHandshakeFailed",
        "The TLS handshake after STARTTLS fails.",
    ),
    (
        "smtp.certificate-expired",
        "SmtpCertificateExpired",
        "An MX host's certificate has expired.",
    ),
    (
        "smtp.certificate-untrusted",
        "SmtpCertificateUntrusted",
        "An MX host's certificate does not chain to a trusted root (or the configured CA).",
    ),
    (
        "smtp.certificate-name-mismatch",
        "SmtpCertificateNameMismatch",
        "An MX host's certificate does not carry the MX host name.",
    ),
    (
        "smtp.bad-reply",
        "SmtpBadReply",
        "An MX host ends the SMTP conversation before TLS: a refusal, a timeout or a reply that is not SMTP.",
    ),
    (
        "mail.no-mail-domain",
        "NoMailDomain",
        "The domain neither sends nor receives mail; DKIM, MTA-STS and TLS-RPT do not apply.",
    ),
    (
        "dns.timeout",
        "Timeout",
        "No name server answered a query in time.",
    ),
    (
        "dns.server-error",
        "ServerError",
        "A name server answered with an error (SERVFAIL, REFUSED).",
    ),
    (
        "dns.lookup-failed",
        "LookupFailed",
        "A query failed for a reason other than the name being absent.",
    ),
    ("spf.missing", "SpfMissing", "The domain has no SPF record."),
    (
        "spf.multiple-records",
        "SpfMultipleRecords",
        "More than one SPF record: SPF fails with permerror.",
    ),
    ("spf.syntax", "SpfSyntax", "An SPF term is invalid (RFC 7208)."),
    (
        "spf.string-join",
        "SpfStringJoin",
        "A term spans two of a TXT record's 255-character strings, which are joined without a space.",
    ),
    (
        "spf.term-after-all",
        "SpfTermAfterAll",
        "Terms after `all` are never evaluated.",
    ),
    (
        "spf.too-many-lookups",
        "SpfTooManyLookups",
        "SPF needs more than 10 DNS lookups through includes and redirects.",
    ),
    (
        "spf.too-many-void-lookups",
        "SpfTooManyVoidLookups",
        "SPF meets more than 2 lookups that return nothing.",
    ),
    (
        "spf.void-lookup",
        "SpfVoidLookup",
        "An SPF term looks up a name without records.",
    ),
    (
        "spf.too-many-mx",
        "SpfTooManyMx",
        "An `mx` term names more than 10 MX hosts.",
    ),
    (
        "spf.loop",
        "SpfLoop",
        "An include or redirect leads back to a record already being evaluated.",
    ),
    (
        "spf.include-not-found",
        "SpfIncludeNotFound",
        "An include or redirect names a domain without an SPF record.",
    ),
    (
        "spf.lookup-failed",
        "SpfLookupFailed",
        "An SPF lookup timed out or failed.",
    ),
    (
        "spf.plus-all",
        "SpfPlusAll",
        "`+all` authorises every server on the internet.",
    ),
    ("spf.neutral-all", "SpfNeutralAll", "`?all` protects nothing."),
    (
        "spf.missing-all",
        "SpfMissingAll",
        "The SPF record has no `all` term.",
    ),
    (
        "spf.all-not-allowed",
        "SpfAllNotAllowed",
        "The `all` term is not one the configuration accepts.",
    ),
    (
        "spf.ptr",
        "SpfPtr",
        "The deprecated `ptr` mechanism (RFC 7208 §5.5).",
    ),
    (
        "spf.record-too-large",
        "SpfRecordTooLarge",
        "The SPF record is over 512 bytes.",
    ),
    (
        "spf.must-include-missing",
        "SpfMustIncludeMissing",
        "A required include is absent from the SPF include tree.",
    ),
    (
        "dmarc.missing",
        "DmarcMissing",
        "No DMARC record at _dmarc.<domain> or above it.",
    ),
    (
        "dmarc.multiple-records",
        "DmarcMultipleRecords",
        "More than one DMARC record: receivers ignore DMARC.",
    ),
    ("dmarc.syntax", "DmarcSyntax", "The DMARC record is invalid."),
    (
        "dmarc.inherited",
        "DmarcInherited",
        "The DMARC record applying to the domain sits at a parent (RFC 9989 tree walk).",
    ),
    (
        "dmarc.policy-none",
        "DmarcPolicyNone",
        "A DMARC policy of `none` leaves the domain unprotected.",
    ),
    (
        "dmarc.policy-too-weak",
        "DmarcPolicyTooWeak",
        "A DMARC policy (p, sp or np) is weaker than the configured minimum.",
    ),
    (
        "dmarc.missing-rua",
        "DmarcMissingRua",
        "The DMARC record asks for no aggregate reports.",
    ),
    (
        "dmarc.bad-report-uri",
        "DmarcBadReportUri",
        "A rua or ruf entry is not a mailto: URI with an address.",
    ),
    (
        "dmarc.external-report-unauthorized",
        "DmarcExternalReportUnauthorized",
        "Reports go to another domain that has not published its authorisation record.",
    ),
    (
        "dmarc.bad-alignment",
        "DmarcBadAlignment",
        "adkim or aspf is not `r` or `s`.",
    ),
    (
        "dmarc.removed-tag",
        "DmarcRemovedTag",
        "pct, rf and ri were removed in RFC 9989.",
    ),
    (
        "dmarc.unknown-tag",
        "DmarcUnknownTag",
        "A tag DMARC does not define.",
    ),
    (
        "dmarc.lookup-failed",
        "DmarcLookupFailed",
        "A DMARC lookup timed out or failed.",
    ),
    (
        "dkim.missing",
        "DkimMissing",
        "A configured DKIM selector has no key record.",
    ),
    (
        "dkim.revoked",
        "DkimRevoked",
        "A DKIM key record has an empty `p=`: the key is revoked.",
    ),
    (
        "dkim.weak-key",
        "DkimWeakKey",
        "An RSA DKIM key under 1024 bits (RFC 8301).",
    ),
    (
        "dkim.short-key",
        "DkimShortKey",
        "An RSA DKIM key under 2048 bits.",
    ),
    ("dkim.sha1", "DkimSha1", "A DKIM key that allows only SHA-1."),
    (
        "dkim.syntax",
        "DkimSyntax",
        "A DKIM key record that cannot be read.",
    ),
    (
        "dkim.not-configured",
        "DkimNotConfigured",
        "No selectors configured; common ones were probed.",
    ),
    (
        "dkim.lookup-failed",
        "DkimLookupFailed",
        "A DKIM lookup timed out or failed.",
    ),
    (
        "bimi.syntax",
        "BimiSyntax",
        "The BIMI record is invalid: its logo is not an SVG over HTTPS, or a tag is wrong.",
    ),
    (
        "bimi.dmarc-not-enforced",
        "BimiDmarcNotEnforced",
        "A BIMI record under a DMARC policy that is not enforced: no logo shows.",
    ),
    ("mta-sts.missing", "MtaStsMissing", "No MTA-STS record."),
    (
        "mta-sts.record-syntax",
        "MtaStsRecordSyntax",
        "The _mta-sts TXT record is invalid.",
    ),
    (
        "mta-sts.policy-unreachable",
        "MtaStsPolicyUnreachable",
        "The MTA-STS policy file cannot be fetched over HTTPS.",
    ),
    (
        "mta-sts.policy-content-type",
        "MtaStsPolicyContentType",
        "The MTA-STS policy is not served as text/plain.",
    ),
    (
        "mta-sts.policy-syntax",
        "MtaStsPolicySyntax",
        "The MTA-STS policy file is invalid.",
    ),
    (
        "mta-sts.mode-testing",
        "MtaStsModeTesting",
        "The MTA-STS policy is in testing mode.",
    ),
    (
        "mta-sts.mode-none",
        "MtaStsModeNone",
        "The MTA-STS policy has mode none.",
    ),
    (
        "mta-sts.max-age-short",
        "MtaStsMaxAgeShort",
        "The MTA-STS max_age is under a day.",
    ),
    (
        "mta-sts.mx-mismatch",
        "MtaStsMxMismatch",
        "A real MX host is not covered by the MTA-STS policy.",
    ),
    ("tls-rpt.missing", "TlsRptMissing", "No TLS-RPT record."),
    ("tls-rpt.syntax", "TlsRptSyntax", "The TLS-RPT record is invalid."),
    ("caa.missing", "CaaMissing", "No CAA records: any CA may issue."),
    (
        "caa.issuer-missing",
        "CaaIssuerMissing",
        "A configured CA is not allowed by CAA.",
    ),
    ("caa.no-iodef", "CaaNoIodef", "No CAA iodef contact."),
];

/// The descriptions of the rules among `ids`.
pub fn infos<'a>(ids: impl Iterator<Item = &'a str>) -> BTreeMap<String, RuleInfo> {
    let mut map = BTreeMap::new();
    for id in ids {
        if let Some((id, name, description)) = RULES.iter().find(|(r, _, _)| *r == id) {
            map.insert(
                id.to_string(),
                RuleInfo {
                    name: name.to_string(),
                    description: description.to_string(),
                    help_uri: None,
                },
            );
        }
    }
    map
}
