//! Latency: sequential samples per route after a warm-up, and a bounded burst. The figures
//! come from [`Stats`], which takes any list of durations so it is tested without timing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::Url;

use crate::cookies::CookieJar;
use crate::http::{HttpClient, Prepared};

/// min, median, p95 and max of a set of samples; percentiles by nearest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub samples: usize,
    pub min: Duration,
    pub median: Duration,
    pub p95: Duration,
    pub max: Duration,
}

impl Stats {
    pub fn of(samples: &[Duration]) -> Option<Stats> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort();
        Some(Stats {
            samples: sorted.len(),
            min: sorted[0],
            median: nearest_rank(&sorted, 50.0),
            p95: nearest_rank(&sorted, 95.0),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The nearest-rank percentile of sorted samples: the smallest value with at least `p`
/// percent of the samples at or below it.
pub fn nearest_rank(sorted: &[Duration], p: f64) -> Duration {
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// The samples of one route, and the failures among them.
#[derive(Debug, Clone)]
pub struct RouteSamples {
    pub route: String,
    pub durations: Vec<Duration>,
    /// Requests that failed or answered 4xx/5xx, in words (first few only).
    pub errors: Vec<String>,
    pub error_count: usize,
}

/// Warm-up requests, then `samples` sequential requests, timing each one.
pub async fn sample_route(
    client: &HttpClient,
    url: Url,
    route: &str,
    warmup: usize,
    samples: usize,
) -> RouteSamples {
    let mut jar = CookieJar::default();
    let request = Prepared::get(url);
    for _ in 0..warmup {
        let _ = client.send(&request, &mut jar, false, None).await;
    }
    let mut out = RouteSamples {
        route: route.to_string(),
        durations: Vec::new(),
        errors: Vec::new(),
        error_count: 0,
    };
    for _ in 0..samples {
        match client.send(&request, &mut jar, false, None).await {
            Ok(r) if r.status < 400 => out.durations.push(r.elapsed),
            Ok(r) => out.note_error(format!("status {}", r.status)),
            Err(e) => out.note_error(e.to_string()),
        }
    }
    out
}

impl RouteSamples {
    fn note_error(&mut self, what: String) {
        self.error_count += 1;
        if self.errors.len() < 3 && !self.errors.contains(&what) {
            self.errors.push(what);
        }
    }
}

/// `requests` GETs at most `concurrency` at a time; durations of the answered ones, and
/// errors (no answer, or a 5xx) counted.
pub async fn burst(client: &HttpClient, url: Url, concurrency: usize, requests: usize) -> RouteSamples {
    let next = Arc::new(AtomicUsize::new(0));
    let request = Arc::new(Prepared::get(url.clone()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(requests).max(1) {
        let client = client.clone();
        let next = next.clone();
        let request = request.clone();
        workers.spawn(async move {
            let mut part = RouteSamples {
                route: String::new(),
                durations: Vec::new(),
                errors: Vec::new(),
                error_count: 0,
            };
            let mut jar = CookieJar::default();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                match client.send(&request, &mut jar, false, None).await {
                    Ok(r) if r.status < 500 => part.durations.push(r.elapsed),
                    Ok(r) => part.note_error(format!("status {}", r.status)),
                    Err(e) => part.note_error(e.to_string()),
                }
            }
            part
        });
    }
    let mut all = RouteSamples {
        route: url.path().to_string(),
        durations: Vec::new(),
        errors: Vec::new(),
        error_count: 0,
    };
    while let Some(joined) = workers.join_next().await {
        if let Ok(part) = joined {
            all.durations.extend(part.durations);
            all.error_count += part.error_count;
            for e in part.errors {
                if all.errors.len() < 3 && !all.errors.contains(&e) {
                    all.errors.push(e);
                }
            }
        }
    }
    all
}

/// Milliseconds with one decimal, for tables.
pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms_list(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[test]
    fn nearest_rank_p95_of_twenty_is_the_nineteenth() {
        let samples = ms_list(&(1..=20).rev().collect::<Vec<_>>());
        let s = Stats::of(&samples).unwrap();
        assert_eq!(s.p95, Duration::from_millis(19));
        assert_eq!(s.median, Duration::from_millis(10));
        assert_eq!(
            (s.min, s.max),
            (Duration::from_millis(1), Duration::from_millis(20))
        );
    }

    #[test]
    fn one_slow_sample_in_twenty_stays_under_p95() {
        let mut v = vec![100; 19];
        v.push(5000);
        assert_eq!(Stats::of(&ms_list(&v)).unwrap().p95, Duration::from_millis(100));
        v.push(5000);
        assert_eq!(Stats::of(&ms_list(&v)).unwrap().p95, Duration::from_millis(5000));
    }

    #[test]
    fn few_samples_make_p95_the_max() {
        let s = Stats::of(&ms_list(&[10, 300, 20])).unwrap();
        assert_eq!(s.p95, Duration::from_millis(300));
        assert!(Stats::of(&[]).is_none());
    }
}
