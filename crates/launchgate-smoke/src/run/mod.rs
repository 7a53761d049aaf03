//! Runs a suite: the live-version wait (`live_version.rs`), then request checks
//! (`request.rs`) and site checks concurrently, then latency samples, the edge checks, the
//! rate limit and the burst, and
//! turns it all into a [`Report`] with every secret redacted. `prepare.rs` builds the suite
//! from the spec.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use launchgate_core::{CheckStatus, Report};
use reqwest::Url;
use tokio::sync::Semaphore;

use crate::http::{ClientOptions, HttpClient};
use crate::spec::{RequestSpec, SmokeSpec};
use crate::vars::{Redactor, Sources};
use launchgate_core::CheckRun;

mod live_version;
mod prepare;
mod request;

pub use prepare::SpecSource;
pub use request::check_label;

/// Checks run at once unless the spec or `--jobs` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How to run, beyond the spec: connection settings and concurrency.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub client: ClientOptions,
    /// Overrides the spec's `concurrency`.
    pub concurrency: Option<usize>,
    /// `--variable` values, then the environment.
    pub sources: Sources,
    /// `--check NAME`: run only these checks (and no site, latency or burst).
    pub only_checks: Vec<String>,
}

/// A validated spec with its client and the environment values it needs.
#[derive(Debug)]
pub struct Suite {
    spec: SmokeSpec,
    base: Url,
    client: HttpClient,
    env: Arc<BTreeMap<String, String>>,
    redactor: Redactor,
    concurrency: usize,
    only_checks: Vec<String>,
    /// RDAP answers, reused across the runs of a watch.
    rdap_cache: crate::rdap::LookupCache,
    /// Each `client_cert`'s index among the client's identities.
    identity_slots: BTreeMap<crate::spec::ClientCertSpec, usize>,
}

impl Suite {
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    pub fn client(&self) -> &HttpClient {
        &self.client
    }

    /// The base URL as reports show it.
    pub fn base_url_text(&self) -> String {
        self.redactor.redact(self.base.as_str())
    }

    /// Runs everything once and returns the report, redacted.
    pub async fn run(self: &Arc<Self>) -> Report {
        let started = Instant::now();
        let mut report = Report::new("smoke");
        report.inputs.push(self.base.to_string());
        let mut outcomes: Vec<CheckRun> = Vec::new();
        let live = match &self.spec.live_version {
            Some(_) => {
                let o = self.wait_for_live_version().await;
                let ok = o.status() == CheckStatus::Passed;
                outcomes.push(o);
                ok
            }
            None => true,
        };
        if !self.only_checks.is_empty() {
            let chosen = self
                .spec
                .checks
                .iter()
                .filter(|c| self.only_checks.contains(&check_label(c)))
                .count();
            report.notes.push(format!(
                "--check: ran {chosen} of {} checks; site, latency, burst, rate limit and rdap were skipped",
                self.spec.checks.len()
            ));
        }
        let whole = self.only_checks.is_empty();
        if live {
            outcomes.extend(self.run_concurrent().await);
            let (latency, table) = crate::measure::latency(
                &self.client,
                &self.base,
                self.spec.latency.as_ref().filter(|_| whole),
            )
            .await;
            outcomes.extend(latency);
            if let Some(t) = table {
                report.tables.push(t);
            }
            outcomes.extend(
                crate::rdap::domain_expiry(
                    &self.client,
                    &self.rdap_cache,
                    self.spec.rdap.as_ref().filter(|_| whole),
                    &self.base,
                    crate::tls::unix_now(),
                )
                .await,
            );
            if let Some(edge) = self.edge_spec().filter(|_| whole) {
                let canonical = self.canonical();
                let (checks, table) = crate::edge::check(&self.client, &canonical, &self.base, edge).await;
                outcomes.extend(checks);
                report.tables.push(table);
            }
            if let Some(spec) = self.spec.rate_limit.as_ref().filter(|_| whole) {
                outcomes.push(crate::rate_limit::check(&self.client, &self.base, spec).await);
            }
            if let Some((o, t)) = crate::measure::burst(
                &self.client,
                &self.base,
                self.spec.burst.as_ref().filter(|_| whole),
            )
            .await
            {
                outcomes.push(o);
                report.tables.push(t);
            }
        } else {
            for c in &self.spec.checks {
                outcomes.push(
                    CheckRun::new(c.name.as_deref().unwrap_or("check"))
                        .skip("skipped: the deployed version never answered"),
                );
            }
        }
        for o in outcomes {
            report.add_check(o);
        }
        crate::rules::SET.describe(&mut report);
        report.duration_ms = started.elapsed().as_millis() as u64;
        crate::vars::redact_report(report, &self.redactor)
    }

    fn edge_spec(&self) -> Option<&crate::spec::EdgeSpec> {
        self.spec.site.as_ref().and_then(|s| s.edge.as_ref())
    }

    /// The canonical URL, else the base URL.
    fn canonical(&self) -> Url {
        self.spec
            .site
            .as_ref()
            .and_then(|s| Url::parse(&s.canonical).ok())
            .unwrap_or_else(|| self.base.clone())
    }

    async fn run_concurrent(self: &Arc<Self>) -> Vec<CheckRun> {
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        let mut index = 0usize;
        // Which check each task runs, so a task that panics still has an outcome.
        let mut labels: HashMap<tokio::task::Id, (usize, String)> = HashMap::new();
        let mut spawn = |job: Job| {
            let suite = self.clone();
            let permits = permits.clone();
            let i = index;
            index += 1;
            let label = self.job_label(&job);
            let handle = tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.ok();
                (i, suite.run_job(job).await)
            });
            labels.insert(handle.id(), (i, label));
        };
        let selected =
            |c: &RequestSpec| self.only_checks.is_empty() || self.only_checks.contains(&check_label(c));
        for (i, check) in self.spec.checks.iter().enumerate() {
            if selected(check) {
                spawn(Job::Check(i));
            }
        }
        if let Some(site) = self.spec.site.as_ref().filter(|_| self.only_checks.is_empty()) {
            for a in &site.aliases {
                spawn(Job::Alias(a.clone()));
            }
            for (from, to) in &site.redirects {
                spawn(Job::Mapped(from.clone(), to.clone()));
            }
            if site.tls.is_some() {
                let mut hosts: Vec<Url> = Vec::new();
                for u in std::iter::once(&site.canonical).chain(&site.aliases) {
                    if let Ok(url) = Url::parse(u) {
                        let url = if url.scheme() == "http" { continue } else { url };
                        if !hosts
                            .iter()
                            .any(|h| h.host_str() == url.host_str() && h.port() == url.port())
                        {
                            hosts.push(url);
                        }
                    }
                }
                for h in hosts {
                    spawn(Job::Tls(h));
                }
            }
            spawn(Job::PageSecurity);
        }
        collect_outcomes(tasks, &labels).await
    }

    /// The name a job's outcome carries.
    fn job_label(&self, job: &Job) -> String {
        match job {
            Job::Check(i) => check_label(&self.spec.checks[*i]),
            Job::Alias(a) => format!("alias {a}"),
            Job::Mapped(from, to) => format!("redirect {from} -> {to}"),
            Job::Tls(url) => format!("TLS {}", url.host_str().unwrap_or("")),
            Job::PageSecurity => "security headers".to_string(),
        }
    }

    async fn run_job(&self, job: Job) -> CheckRun {
        let site = self.spec.site.as_ref();
        let canonical = site
            .and_then(|s| Url::parse(&s.canonical).ok())
            .unwrap_or_else(|| self.base.clone());
        match job {
            Job::Check(i) => self.run_check(&self.spec.checks[i]).await,
            Job::Alias(a) => crate::site::check_alias(&self.client, &a, &canonical).await,
            Job::Mapped(from, to) => {
                crate::site::check_mapped_redirect(&self.client, &self.base, &from, &to).await
            }
            Job::Tls(url) => {
                let tls = site.and_then(|s| s.tls.clone());
                let min_days = tls
                    .as_ref()
                    .and_then(|t| t.min_days_left)
                    .unwrap_or(crate::site::DEFAULT_MIN_DAYS_LEFT);
                crate::site::check_tls(&self.client, &url, min_days, tls.and_then(|t| t.min_version)).await
            }
            Job::PageSecurity => match site {
                Some(s) => crate::site::check_page_security(&self.client, s, &canonical).await,
                None => CheckRun::new("security headers"),
            },
        }
    }
}

/// Every task's outcome in spawn order. A task that panicked (or was cancelled) becomes a
/// failed outcome under its label instead of vanishing from the report.
async fn collect_outcomes(
    mut tasks: tokio::task::JoinSet<(usize, CheckRun)>,
    labels: &HashMap<tokio::task::Id, (usize, String)>,
) -> Vec<CheckRun> {
    let mut done: Vec<(usize, CheckRun)> = Vec::new();
    while let Some(r) = tasks.join_next_with_id().await {
        match r {
            Ok((_, pair)) => done.push(pair),
            Err(e) => {
                let (i, label) = labels
                    .get(&e.id())
                    .cloned()
                    .unwrap_or((usize::MAX, "check".to_string()));
                let o = CheckRun::new(label.as_str()).fail(
                    "smoke.check",
                    format!("{label}: the check stopped unexpectedly"),
                    &label,
                );
                done.push((i, o));
            }
        }
    }
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, o)| o).collect()
}

enum Job {
    Check(usize),
    Alias(String),
    Mapped(String, String),
    Tls(Url),
    PageSecurity,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_that_panics_is_reported_failed() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let outcomes = rt.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            let mut labels = HashMap::new();
            let h = tasks.spawn(async { (0, CheckRun::new("fine")) });
            labels.insert(h.id(), (0, "fine".to_string()));
            let h = tasks.spawn(async {
                if std::hint::black_box(true) {
                    panic!("boom");
                }
                (1, CheckRun::new("never"))
            });
            labels.insert(h.id(), (1, "homepage".to_string()));
            collect_outcomes(tasks, &labels).await
        });
        assert_eq!(outcomes.len(), 2);
        assert_eq!(outcomes[0].status(), CheckStatus::Passed);
        assert_eq!(outcomes[1].name, "homepage");
        assert_eq!(outcomes[1].status(), CheckStatus::Failed);
        assert_eq!(
            outcomes[1].findings[0].message,
            "homepage: the check stopped unexpectedly"
        );
    }
}
