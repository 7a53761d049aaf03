//! Uptime mode: run the suite on an interval for a bounded time, and keep a count of
//! consecutive failed runs (in memory, or in a state file between CI runs) so an alert goes
//! out only after N failed runs in a row, and once more on recovery, declared after M
//! passing runs in a row. A check that passes on a retry inside a run is a flake, not a
//! failed run.

use std::path::Path;
use std::time::Duration;

use launchgate_core::{Error, Report, Severity};
use serde::{Deserialize, Serialize};

/// What survives between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    /// Failed runs in a row, up to and including the last one.
    pub consecutive_failures: u32,
    /// Whether an alert went out and no recovery since.
    pub alerting: bool,
    pub runs: u64,
    /// Unix seconds of the last run.
    #[serde(default)]
    pub last_run: Option<i64>,
    /// Passing runs in a row, up to and including the last one.
    #[serde(default)]
    pub consecutive_successes: u32,
}

/// How many runs in a row make an alert (`--fail-after`) and a recovery (`--success-after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub fail_after: u32,
    pub success_after: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            fail_after: 1,
            success_after: 1,
        }
    }
}

/// What a run's result means for alerting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Nothing to send.
    Quiet,
    /// The failure threshold was reached: alert once.
    Alert,
    /// Enough passing runs in a row after an alert.
    Recovered,
}

impl WatchState {
    /// Records one run and says whether to alert.
    pub fn record(&mut self, failed: bool, thresholds: Thresholds, now: i64) -> Event {
        // A state file kept for years (or edited by hand) may hold counts at the top of
        // their range: they stay there rather than wrap to zero and end an alert.
        self.runs = self.runs.saturating_add(1);
        self.last_run = Some(now);
        if failed {
            self.consecutive_successes = 0;
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            if self.consecutive_failures >= thresholds.fail_after.max(1) && !self.alerting {
                self.alerting = true;
                return Event::Alert;
            }
            Event::Quiet
        } else {
            self.consecutive_failures = 0;
            self.consecutive_successes = self.consecutive_successes.saturating_add(1);
            if self.alerting && self.consecutive_successes >= thresholds.success_after.max(1) {
                self.alerting = false;
                Event::Recovered
            } else {
                Event::Quiet
            }
        }
    }

    /// Whether the gate fails now: the threshold of failed runs is reached.
    pub fn failing(&self, fail_after: u32) -> bool {
        self.consecutive_failures >= fail_after.max(1)
    }

    /// Reads a state file; a missing file is a fresh state.
    pub fn load(path: &Path) -> Result<WatchState, Error> {
        Self::load_for(path, "launchgate-smoke")
    }

    /// Reads the state file of `tool` (the mail gate keeps its runs in the same format),
    /// naming that tool in its errors.
    pub fn load_for(path: &Path, tool: &str) -> Result<WatchState, Error> {
        if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
            return Ok(WatchState::default());
        }
        let read = launchgate_core::bounded::read_file(
            path,
            crate::limits::MAX_STATE_BYTES,
            &format!("a {tool} state file"),
        );
        match read {
            Err(e) => Err(e.with_help("delete the file to start counting afresh")),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::input(format!(
                    "--state {}: not a {tool} state file ({e})",
                    path.display()
                ))
                .with_help("delete the file to start counting afresh")
            }),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let json =
            serde_json::to_vec_pretty(self).map_err(|e| Error::input(format!("cannot encode state: {e}")))?;
        launchgate_core::atomic::write_atomic(path, &json)
    }
}

/// Below the consecutive-failure threshold a failed run is reported, but as warnings.
pub fn apply_threshold(report: &mut Report, failed: bool, consecutive: u32, fail_after: u32) {
    if fail_after <= 1 || !failed {
        return;
    }
    if consecutive < fail_after {
        for f in &mut report.findings {
            if f.severity == Severity::Error {
                f.severity = Severity::Warning;
            }
        }
        report.notes.push(format!(
            "failed run {consecutive} of {fail_after} in a row: reported as warnings; the gate fails at {fail_after}"
        ));
    } else {
        report.notes.push(format!(
            "{consecutive} consecutive failed runs (threshold {fail_after})"
        ));
    }
}

/// Time, injectable so the loop is tested without waiting.
pub trait Clock {
    /// Time since the clock started.
    fn elapsed(&self) -> Duration;
    fn sleep(&mut self, d: Duration);
    fn unix_now(&self) -> i64;
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock(std::time::Instant);

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock(std::time::Instant::now())
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
    fn unix_now(&self) -> i64 {
        crate::tls::unix_now()
    }
}

/// How long to watch: a number of runs, a duration, or both (whichever ends first).
#[derive(Debug, Clone, Copy)]
pub struct WatchPlan {
    pub interval: Duration,
    pub count: Option<u32>,
    pub duration: Option<Duration>,
}

/// Runs `run_once` (which says whether the run failed) on the plan's schedule, recording
/// each run in `state` and calling `on_event` for alerts and recoveries. Returns the runs.
pub fn watch<C: Clock>(
    plan: WatchPlan,
    clock: &mut C,
    state: &mut WatchState,
    thresholds: Thresholds,
    mut run_once: impl FnMut(&WatchState) -> bool,
    mut on_event: impl FnMut(Event, &WatchState),
) -> u32 {
    let mut runs: u32 = 0;
    loop {
        let started = clock.elapsed();
        let failed = run_once(state);
        let event = state.record(failed, thresholds, clock.unix_now());
        runs = runs.saturating_add(1);
        if event != Event::Quiet {
            on_event(event, state);
        }
        if plan.count.is_some_and(|c| runs >= c) {
            return runs;
        }
        let next = started.saturating_add(plan.interval);
        if plan.duration.is_some_and(|d| next > d) {
            return runs;
        }
        let now = clock.elapsed();
        if next > now {
            clock.sleep(next - now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock that moves only when slept on, and counts the sleeps.
    struct FakeClock {
        now: Duration,
        sleeps: Vec<Duration>,
    }

    impl Clock for FakeClock {
        fn elapsed(&self) -> Duration {
            self.now
        }
        fn sleep(&mut self, d: Duration) {
            self.sleeps.push(d);
            self.now += d;
        }
        fn unix_now(&self) -> i64 {
            1_700_000_000 + self.now.as_secs() as i64
        }
    }

    fn run_script(script: &[bool], fail_after: u32) -> (Vec<(u32, Event)>, WatchState) {
        run_script_with(
            script,
            Thresholds {
                fail_after,
                success_after: 1,
            },
        )
    }

    fn run_script_with(script: &[bool], thresholds: Thresholds) -> (Vec<(u32, Event)>, WatchState) {
        let mut clock = FakeClock {
            now: Duration::ZERO,
            sleeps: Vec::new(),
        };
        let mut state = WatchState::default();
        let plan = WatchPlan {
            interval: Duration::from_secs(60),
            count: Some(script.len() as u32),
            duration: None,
        };
        let mut i = 0;
        let mut events = Vec::new();
        watch(
            plan,
            &mut clock,
            &mut state,
            thresholds,
            |_| {
                i += 1;
                script[i - 1]
            },
            |e, s| events.push((s.runs as u32, e)),
        );
        assert_eq!(clock.sleeps.len(), script.len() - 1);
        (events, state)
    }

    #[test]
    fn alerts_once_after_two_failed_runs_and_once_on_recovery() {
        let (events, state) = run_script(&[false, true, true, true, false, false], 2);
        assert_eq!(events, vec![(3, Event::Alert), (5, Event::Recovered)]);
        assert!(!state.alerting);
        assert_eq!(state.consecutive_failures, 0);
    }

    #[test]
    fn one_failed_run_between_passes_never_alerts() {
        let (events, state) = run_script(&[true, false, true, false], 2);
        assert!(events.is_empty());
        assert!(!state.failing(2));
    }

    #[test]
    fn duration_bounds_the_runs() {
        let mut clock = FakeClock {
            now: Duration::ZERO,
            sleeps: Vec::new(),
        };
        let mut state = WatchState::default();
        let plan = WatchPlan {
            interval: Duration::from_secs(60),
            count: None,
            duration: Some(Duration::from_secs(300)),
        };
        let thresholds = Thresholds {
            fail_after: 2,
            success_after: 1,
        };
        let runs = watch(plan, &mut clock, &mut state, thresholds, |_| false, |_, _| {});
        // Runs at 0, 60, 120, 180, 240 and 300 s; the next would start after the window.
        assert_eq!(runs, 6);
        assert_eq!(clock.elapsed(), Duration::from_secs(300));
    }

    #[test]
    fn recovery_waits_for_enough_passing_runs_in_a_row() {
        let thresholds = Thresholds {
            fail_after: 2,
            success_after: 3,
        };
        let script = [true, true, false, false, true, false, false, false, false];
        let (events, state) = run_script_with(&script, thresholds);
        // The alert at run 2; two passes, a failure, then three passes recover at run 8.
        assert_eq!(events, vec![(2, Event::Alert), (8, Event::Recovered)]);
        assert_eq!(state.consecutive_successes, 4);
        assert!(!state.alerting);
    }

    #[test]
    fn counters_at_the_top_of_their_range_stay_failing() {
        let mut s = WatchState {
            consecutive_failures: u32::MAX,
            alerting: true,
            runs: u64::MAX,
            last_run: Some(i64::MAX),
            consecutive_successes: 0,
        };
        let two = Thresholds {
            fail_after: 2,
            success_after: 1,
        };
        assert_eq!(s.record(true, two, 1), Event::Quiet);
        assert_eq!((s.consecutive_failures, s.runs), (u32::MAX, u64::MAX));
        assert!(s.failing(u32::MAX));
        s.consecutive_successes = u32::MAX;
        assert_eq!(s.record(false, two, 2), Event::Recovered);
        assert_eq!(s.consecutive_successes, u32::MAX);
        s.consecutive_successes = u32::MAX;
        assert_eq!(s.record(false, two, 3), Event::Quiet);
        assert_eq!(s.consecutive_successes, u32::MAX);
        assert_eq!(s.consecutive_failures, 0);
    }

    #[test]
    fn state_survives_a_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(WatchState::load(&path).unwrap(), WatchState::default());
        let mut s = WatchState::default();
        let two = Thresholds {
            fail_after: 2,
            success_after: 1,
        };
        assert_eq!(s.record(true, two, 1), Event::Quiet);
        s.save(&path).unwrap();
        let mut again = WatchState::load(&path).unwrap();
        assert_eq!(again.record(true, two, 2), Event::Alert);
        std::fs::write(&path, "{not json").unwrap();
        assert!(
            WatchState::load(&path)
                .unwrap_err()
                .hint()
                .unwrap()
                .contains("delete")
        );
    }
}
