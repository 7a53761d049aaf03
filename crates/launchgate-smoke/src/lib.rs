//! launchgate-smoke proves right after a deploy that the product is live and healthy, and
//! keeps proving it on a schedule.
//!
//! The spec is the `smoke:` section of launchgate.yml ([`spec::SmokeSpec`]). A [`Suite`]
//! validates it, reads the environment variables it names (every value is treated as a
//! secret and redacted from all output), and runs:
//!
//! * checks: requests with expectations, multi-step flows with a cookie jar and captures;
//! * site checks: aliases and redirects, TLS on every host, security headers, mixed content;
//! * edge checks (`site.edge`): caching and compression of the page and its assets, the
//!   CDN in front, HTTP versions;
//! * latency samples with a p95 budget, a bounded burst, and a bounded series of failed
//!   logins that must be throttled (`rate_limit`);
//! * a live-version wait, so a run right after a deploy tests the new release;
//! * domain registration expiry, read from RDAP.
//!
//! [`watch`] holds the uptime mode: consecutive-failure counting; [`alerts`] sends its
//! alerts and recoveries to the providers under `smoke.alerts`.

mod alerts;
mod capture;
pub mod cli;
mod client_cert;
pub mod cookies;
pub mod edge;
mod expect;
mod expect_json;
pub mod http;
mod latency;
mod limits;
mod measure;
mod multipart;
mod quantify;
mod rate_limit;
pub mod rdap;
mod rules;
pub mod run;
mod site;
pub mod spec;
mod templates;
pub mod tls;
pub mod vars;
pub mod watch;

use std::path::Path;
use std::sync::Arc;

use launchgate_core::config::ConfigFile;
use launchgate_core::{Error, Report};

pub use run::{RunOptions, SpecSource, Suite};
pub use spec::SmokeSpec;

/// What `launchgate check` runs: the `smoke:` section once, with default options. A file
/// without the section gives a report that says so.
pub fn check_configured(config: &ConfigFile, _root: &Path) -> Result<Report, Error> {
    let Some(spec) = config.section::<SmokeSpec>("smoke")? else {
        let mut report = Report::new("smoke");
        report.notes.push(format!(
            "{} has no `smoke:` section; nothing to check",
            config.display_name()
        ));
        return Ok(report);
    };
    let name = config.display_name();
    // Alerts belong to the uptime mode, which counts runs; say so rather than drop them.
    let alerts_note = spec.alerts.as_ref().filter(|a| !a.is_empty()).map(|_| {
        "smoke.alerts is configured: alerts are sent by `launchgate smoke` (with --state or watch), not by `launchgate check`".to_string()
    });
    let source = SpecSource {
        file_name: &name,
        text: &config.source,
    };
    let suite = Arc::new(Suite::prepare(spec, &RunOptions::default(), Some(source))?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))?;
    let mut report = runtime.block_on(suite.run());
    report.notes.extend(alerts_note);
    Ok(report)
}
