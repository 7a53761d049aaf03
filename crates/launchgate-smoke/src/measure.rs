//! The latency and burst phases of a run: sample, judge against the budgets, and tabulate
//! min, median, p95 and max.

use std::time::Duration;

use launchgate_core::{CheckStatus, Finding, Severity, Table};
use reqwest::Url;

use crate::http::HttpClient;
use crate::latency::{Stats, ms};
use crate::spec::{BurstSpec, LatencySpec};
use launchgate_core::CheckRun;

pub async fn latency(
    client: &HttpClient,
    base: &Url,
    spec: Option<&LatencySpec>,
) -> (Vec<CheckRun>, Option<Table>) {
    let Some(spec) = spec else {
        return (Vec::new(), None);
    };
    let mut outcomes = Vec::new();
    let mut table = Table {
        title: format!(
            "Latency ({} samples per route, p95 budget {} ms)",
            spec.samples, spec.p95_ms
        ),
        columns: [
            "route",
            "samples",
            "min ms",
            "median ms",
            "p95 ms",
            "max ms",
            "result",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for route in &spec.routes {
        let mut outcome = CheckRun::new(format!("latency {route}"));
        let Ok(url) = base.join(route) else {
            outcomes.push(outcome.fail("smoke.latency", format!("`{route}` is not a path"), route));
            continue;
        };
        let samples =
            crate::latency::sample_route(client, url.clone(), route, spec.warmup, spec.samples).await;
        let judged = judge_latency(&samples, spec.p95_ms, url.as_str());
        outcome.findings = judged.findings;
        outcome.duration_ms = judged.stats.map(|s| s.p95.as_millis() as u64);
        outcome.detail = Some(judged.detail);
        table
            .rows
            .push(stats_row(route, &samples, judged.stats, outcome.status()));
        outcomes.push(outcome);
    }
    (outcomes, Some(table))
}

pub async fn burst(client: &HttpClient, base: &Url, spec: Option<&BurstSpec>) -> Option<(CheckRun, Table)> {
    let spec = spec?;
    let mut outcome = CheckRun::new(format!("burst {}", spec.get));
    let url = base.join(&spec.get).ok()?;
    let samples = crate::latency::burst(client, url.clone(), spec.concurrency, spec.requests).await;
    let stats = Stats::of(&samples.durations);
    let rate = samples.error_count as f64 / spec.requests as f64;
    if let Some(max) = spec.max_error_rate
        && rate > max
    {
        outcome.push(
            Finding::new(
                "smoke.burst.errors",
                Severity::Error,
                format!(
                    "{}: {} of {} requests failed ({:.1}%, limit {:.1}%): {}",
                    spec.get,
                    samples.error_count,
                    spec.requests,
                    rate * 100.0,
                    max * 100.0,
                    samples.errors.join("; ")
                ),
            )
            .subject(url.as_str()),
        );
    }
    if let (Some(budget), Some(s)) = (spec.p95_ms, stats)
        && s.p95 > Duration::from_millis(budget)
    {
        outcome.push(
            Finding::new(
                "smoke.burst.p95",
                Severity::Error,
                format!(
                    "{} under {} concurrent requests: p95 {} ms, over the {budget} ms budget",
                    spec.get,
                    spec.concurrency,
                    ms(s.p95)
                ),
            )
            .subject(url.as_str()),
        );
    }
    outcome.duration_ms = stats.map(|s| s.p95.as_millis() as u64);
    outcome.detail = Some(format!(
        "{} requests at concurrency {}, {:.1}% errors",
        spec.requests,
        spec.concurrency,
        rate * 100.0
    ));
    let table = Table {
        title: format!("Burst ({} requests, {} at once)", spec.requests, spec.concurrency),
        columns: [
            "route",
            "answered",
            "errors",
            "min ms",
            "median ms",
            "p95 ms",
            "max ms",
            "result",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![{
            let mut row = vec![
                spec.get.clone(),
                samples.durations.len().to_string(),
                samples.error_count.to_string(),
            ];
            row.extend(stat_cells(stats));
            row.push(outcome.status().as_str().to_string());
            row
        }],
    };
    Some((outcome, table))
}

/// The verdict on one route's samples.
#[derive(Debug, Clone)]
pub struct LatencyVerdict {
    pub stats: Option<Stats>,
    pub findings: Vec<Finding>,
    pub detail: String,
}

/// Judges samples against a p95 budget: over budget, or any failed sample, is an error.
pub fn judge_latency(samples: &crate::latency::RouteSamples, p95_ms: u64, subject: &str) -> LatencyVerdict {
    let stats = Stats::of(&samples.durations);
    let mut findings = Vec::new();
    if samples.error_count > 0 {
        findings.push(
            Finding::new(
                "smoke.latency",
                Severity::Error,
                format!(
                    "{}: {} of {} samples failed: {}",
                    samples.route,
                    samples.error_count,
                    samples.error_count + samples.durations.len(),
                    samples.errors.join("; ")
                ),
            )
            .subject(subject),
        );
    }
    let detail = match stats {
        Some(s) => {
            if s.p95 > Duration::from_millis(p95_ms) {
                findings.push(
                    Finding::new(
                        "smoke.latency.p95",
                        Severity::Error,
                        format!(
                            "{}: p95 {} ms over the {p95_ms} ms budget (median {} ms, max {} ms, {} samples)",
                            samples.route,
                            ms(s.p95),
                            ms(s.median),
                            ms(s.max),
                            s.samples
                        ),
                    )
                    .subject(subject)
                    .property("p95_ms", s.p95.as_secs_f64() * 1000.0)
                    .help("profile the route; the launch target for core routes is 300 ms"),
                );
            }
            format!("p95 {} ms (budget {p95_ms} ms)", ms(s.p95))
        }
        None => "no successful sample".to_string(),
    };
    LatencyVerdict {
        stats,
        findings,
        detail,
    }
}

fn stat_cells(stats: Option<Stats>) -> Vec<String> {
    match stats {
        Some(s) => vec![ms(s.min), ms(s.median), ms(s.p95), ms(s.max)],
        None => vec!["-".into(); 4],
    }
}

fn stats_row(
    route: &str,
    samples: &crate::latency::RouteSamples,
    stats: Option<Stats>,
    status: CheckStatus,
) -> Vec<String> {
    let mut row = vec![route.to_string(), samples.durations.len().to_string()];
    row.extend(stat_cells(stats));
    row.push(status.as_str().to_string());
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::RouteSamples;

    fn samples(ms_values: &[u64], errors: usize) -> RouteSamples {
        RouteSamples {
            route: "/".into(),
            durations: ms_values.iter().map(|m| Duration::from_millis(*m)).collect(),
            errors: if errors > 0 {
                vec!["status 500".into()]
            } else {
                Vec::new()
            },
            error_count: errors,
        }
    }

    #[test]
    fn p95_over_budget_fails_with_figures() {
        let mut v = vec![100u64; 18];
        v.extend([450, 460]);
        let verdict = judge_latency(&samples(&v, 0), 300, "https://x/");
        assert_eq!(verdict.findings.len(), 1);
        assert_eq!(verdict.findings[0].rule_id, "smoke.latency.p95");
        assert!(
            verdict.findings[0]
                .message
                .contains("p95 450.0 ms over the 300 ms budget"),
            "{}",
            verdict.findings[0].message
        );
    }

    #[test]
    fn p95_within_budget_passes() {
        let mut v = vec![100u64; 19];
        v.push(2000);
        let verdict = judge_latency(&samples(&v, 0), 300, "https://x/");
        assert!(verdict.findings.is_empty());
        assert_eq!(verdict.detail, "p95 100.0 ms (budget 300 ms)");
    }

    #[test]
    fn failed_samples_are_an_error() {
        let verdict = judge_latency(&samples(&[10, 10], 1), 300, "https://x/");
        assert_eq!(verdict.findings[0].rule_id, "smoke.latency");
        assert!(verdict.findings[0].message.contains("1 of 3 samples failed"));
    }
}
