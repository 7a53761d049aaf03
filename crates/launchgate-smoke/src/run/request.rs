//! One request check: its attempts (a retried check runs its whole flow again), each
//! attempt's steps with their cookies and captures, and each request built from its spec.

use std::time::{Duration, Instant};

use launchgate_core::{CheckRun, Finding, Severity};
use reqwest::Method;

use super::Suite;
use crate::cookies::CookieJar;
use crate::expect::{evaluate, expand_json};
use crate::http::{Prepared, PreparedBody};
use crate::spec::{Body, RequestSpec};
use crate::vars::Vars;

impl Suite {
    /// Runs a check, retrying the whole flow on failure up to its attempts.
    pub async fn run_check(&self, check: &RequestSpec) -> CheckRun {
        let name = check_label(check);
        let retries = check.retries.or(self.spec.defaults.retries);
        let attempts = retries.map(|r| r.attempts).unwrap_or(1).max(1);
        let delay = retries
            .and_then(|r| r.delay)
            .map(|d| d.0)
            .unwrap_or(Duration::from_secs(1));
        let mut outcome = CheckRun::new(name.as_str());
        for attempt in 1..=attempts {
            let result = self.attempt(check).await;
            outcome.duration_ms = Some(result.elapsed.as_millis() as u64);
            let status = result
                .status
                .map(|s| format!("HTTP {s}"))
                .unwrap_or_else(|| "no response".into());
            match result.failure {
                None => {
                    let retried = if attempt > 1 {
                        format!(" (passed on attempt {attempt} of {attempts})")
                    } else {
                        String::new()
                    };
                    outcome.detail = Some(format!("{status}{retried}"));
                    outcome.findings = result.findings;
                    return outcome;
                }
                Some(failure) if attempt == attempts => {
                    let tries = if attempts > 1 {
                        format!(" (after {attempts} attempts)")
                    } else {
                        String::new()
                    };
                    outcome.detail = Some(format!("{status}: {failure}{tries}"));
                    outcome.findings = result.findings;
                    outcome.push(
                        Finding::new(
                            "smoke.check",
                            Severity::Error,
                            format!("{name}: {failure}{tries}"),
                        )
                        .subject(result.url.as_deref().unwrap_or(&check.url)),
                    );
                    return outcome;
                }
                Some(_) => tokio::time::sleep(delay).await,
            }
        }
        outcome
    }

    async fn attempt(&self, check: &RequestSpec) -> Attempt {
        let started = Instant::now();
        let mut vars = Vars::new(self.env.clone(), self.redactor.clone());
        let mut jar = CookieJar::default();
        let steps = check.requests();
        let many = steps.len() > 1;
        let mut result = Attempt {
            elapsed: Duration::ZERO,
            status: None,
            url: None,
            failure: None,
            findings: Vec::new(),
        };
        for (i, step) in steps.iter().enumerate() {
            let label = if many {
                format!("step {} ({} {}): ", i + 1, step.method, step.url)
            } else {
                String::new()
            };
            let request = match self.prepare_request(step, &vars) {
                Ok(r) => r,
                Err(e) => {
                    result.failure = Some(format!("{label}{e}"));
                    break;
                }
            };
            result.url = Some(request.url.to_string());
            let timeout = step.timeout.or(check.timeout).map(|d| d.0);
            let response = match self
                .client
                .send(&request, &mut jar, step.follow_redirects, timeout)
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    result.status = e.status();
                    result.failure = Some(format!("{label}{e}"));
                    break;
                }
            };
            result.status = Some(response.status);
            // Captured values are secrets from the moment they arrive: register them before
            // the expectations, whose failure texts quote the body.
            for source in step.capture.values() {
                if let Ok(v) = crate::capture::capture(source, &response, &jar) {
                    self.redactor.add(&v);
                }
            }
            match evaluate(&step.expect, &response, &vars) {
                Err(e) => {
                    result.failure = Some(format!("{label}{e}"));
                    break;
                }
                Ok(f) if !f.is_empty() => {
                    result.failure = Some(format!("{label}{}", f.join("; ")));
                    break;
                }
                Ok(_) => {}
            }
            result.findings.extend(crate::site::mixed_content(&response));
            for (var, source) in &step.capture {
                match crate::capture::capture(source, &response, &jar) {
                    Ok(v) => vars.capture(var, v),
                    Err(e) => {
                        result.failure = Some(format!("{label}{e}"));
                        break;
                    }
                }
            }
            if result.failure.is_some() {
                break;
            }
        }
        result.elapsed = started.elapsed();
        result
    }

    fn prepare_request(&self, step: &RequestSpec, vars: &Vars) -> Result<Prepared, String> {
        let target = vars.expand(&step.url)?;
        let mut url = self
            .base
            .join(&target)
            .map_err(|e| format!("`{target}` is not a URL or path: {e}"))?;
        if !step.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &step.query {
                pairs.append_pair(k, &vars.expand(v)?);
            }
        }
        let method = Method::from_bytes(step.method.as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", step.method))?;
        let mut headers = step
            .headers
            .iter()
            .map(|(k, v)| Ok((k.clone(), vars.expand(v)?)))
            .collect::<Result<Vec<_>, String>>()?;
        if let Some(auth) = &step.basic_auth {
            use base64::Engine;
            let (user, password) = (vars.expand(&auth.user)?, vars.expand(&auth.password)?);
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            // The password is a secret even when written in the spec, and so is its encoding.
            self.redactor.add(&password);
            self.redactor.add(&token);
            headers.push(("authorization".to_string(), format!("Basic {token}")));
        }
        let body = match &step.body {
            None => None,
            Some(Body::Json(v)) => Some(PreparedBody::Json(expand_json(v, vars)?)),
            Some(Body::Form(f)) => Some(PreparedBody::Form(
                f.iter()
                    .map(|(k, v)| Ok((k.clone(), vars.expand(v)?)))
                    .collect::<Result<_, String>>()?,
            )),
            Some(Body::Raw(s)) => Some(PreparedBody::Raw(vars.expand(s)?)),
            Some(Body::Multipart(m)) => Some(PreparedBody::Multipart(crate::multipart::prepare(m, vars)?)),
        };
        Ok(Prepared {
            method,
            url,
            headers,
            body,
            identity: step
                .client_cert
                .as_ref()
                .and_then(|c| self.identity_slots.get(c).copied()),
        })
    }
}

/// The name a check goes by: its `name`, else its method and URL.
pub fn check_label(check: &RequestSpec) -> String {
    check
        .name
        .clone()
        .unwrap_or_else(|| format!("{} {}", check.method, check.url))
}

struct Attempt {
    elapsed: Duration,
    status: Option<u16>,
    url: Option<String>,
    failure: Option<String>,
    findings: Vec<Finding>,
}
