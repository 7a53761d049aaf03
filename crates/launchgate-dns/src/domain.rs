//! One domain's checks, run concurrently: its records, its mail (MX hosts and their reverse
//! DNS, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI), CAA, the SMTP probe when enabled, and
//! the DNSSEC note. Several domains run this one after another.

use crate::config::{self, DnsConfig};
use crate::resolve::Dns;
use crate::{CheckOptions, bimi, caa, dkim, dmarc, dnssec, mail, mta_sts, records, reverse, smtp, spf};
use hickory_resolver::proto::rr::RecordType;
use launchgate_core::Report;

/// Everything the configuration asks about `domain` (lower case, no trailing dot).
/// `smtp` is the SMTP probe's settings when it is enabled.
pub async fn check(
    dns: &Dns,
    domain: &str,
    config: &DnsConfig,
    options: &CheckOptions,
    smtp: Option<&smtp::Settings>,
) -> Report {
    let email = config.email.clone();
    let records_part = records::check(dns, domain, &config.records, &options.site_hosts);
    let email_part = async {
        let mut out = Report::default();
        if let Some(email) = &email {
            let (role, mail_out) = mail::check(dns, domain).await;
            out.merge(mail_out);
            // A domain that sends no mail needs no DKIM key (unless selectors are named);
            // one that receives none needs no MTA-STS or TLS-RPT; one that does neither
            // needs DMARC p=reject, so nobody can send in its name.
            let mut dmarc_config = email.dmarc.clone();
            if !role.sends && !role.receives {
                dmarc_config.min_policy = config::DmarcPolicy::Reject;
            }
            let not_sending = !role.sends && email.dkim.selectors.is_empty();
            let dkim_part = async {
                match not_sending {
                    true => not_applicable("DKIM", "the domain sends no mail (`v=spf1 -all`)"),
                    false => dkim::check(dns, domain, &email.dkim).await,
                }
            };
            let sts_part = async {
                match role.receives {
                    false => not_applicable("MTA-STS", "the domain accepts no mail (null MX)"),
                    true => mta_sts::check(dns, domain, email.mta_sts, &options.https).await,
                }
            };
            let rpt_part = async {
                match role.receives {
                    false => not_applicable("TLS-RPT", "the domain accepts no mail (null MX)"),
                    true => mta_sts::check_tls_rpt(dns, domain, email.tls_rpt).await,
                }
            };
            let bimi_part = async {
                match role.sends {
                    false => not_applicable("BIMI", "the domain sends no mail (`v=spf1 -all`)"),
                    true => bimi::check(dns, domain).await,
                }
            };
            let reverse_part = async {
                match role.receives {
                    false => Report::default(),
                    true => reverse::check(dns, domain, &role.hosts).await,
                }
            };
            let (spf, dmarc, dkim, sts, rpt, bimi, reverse) = tokio::join!(
                spf::check(dns, domain, &email.spf),
                dmarc::check(dns, domain, &dmarc_config),
                dkim_part,
                sts_part,
                rpt_part,
                bimi_part,
                reverse_part,
            );
            for part in [spf, dmarc, dkim, sts, rpt, bimi, reverse] {
                out.merge(part);
            }
        } else {
            out.notes
                .push("no dns.email section: SPF, DKIM, DMARC, MTA-STS and TLS-RPT were not checked".into());
        }
        out
    };
    let caa_part = async {
        match &config.caa {
            Some(caa) => caa::check(dns, domain, caa).await,
            None => Report::default(),
        }
    };
    let smtp_part = async {
        match smtp {
            Some(settings) => probe_mx_hosts(dns, domain, settings).await,
            None => Report::default(),
        }
    };
    let (records_out, email_out, caa_out, smtp_out, dnssec_out) = tokio::join!(
        records_part,
        email_part,
        caa_part,
        smtp_part,
        dnssec::check(dns, domain)
    );
    let mut all = Report::default();
    all.merge(records_out);
    all.merge(email_out);
    all.merge(caa_out);
    all.merge(smtp_out);
    all.merge(dnssec_out);
    all
}

/// The SMTP probe of the domain's MX hosts; with or without `email:`, since it is asked for
/// on its own.
async fn probe_mx_hosts(dns: &Dns, domain: &str, settings: &smtp::Settings) -> Report {
    let hosts = mail::exchanges(&dns.query(domain, RecordType::MX).await);
    if hosts.contains(&None) {
        return not_applicable("SMTP STARTTLS", "the domain accepts no mail (null MX)");
    }
    let hosts: Vec<String> = hosts.into_iter().flatten().collect();
    smtp::check(dns, domain, &hosts, settings).await
}

/// A check that does not apply to this domain, with the reason.
fn not_applicable(name: &str, why: &str) -> Report {
    let mut out = Report::default();
    out.skip_check(name, format!("not needed: {why}"));
    out
}
