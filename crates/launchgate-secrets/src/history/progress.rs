//! Progress of a history scan on standard error: objects walked of those in the repository,
//! bytes of blobs scanned, the rate and the time left; then the steps after the blobs, which
//! take seconds of their own on a large history or with many findings (which commit put each
//! secret there, and the secrets' slow fingerprints). A scan of a large history takes
//! seconds to minutes, and without this it prints nothing until the end.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// When to show progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// Only when standard error is a terminal and `CI` is not set.
    #[default]
    Auto,
    Never,
    /// Always; without a terminal, a plain line every few seconds (for a log).
    Always,
}

impl ProgressMode {
    /// Whether progress is shown, given whether standard error is a terminal and whether
    /// the `CI` variable is set.
    pub fn shows(self, stderr_is_terminal: bool, ci: bool) -> bool {
        match self {
            ProgressMode::Auto => stderr_is_terminal && !ci,
            ProgressMode::Never => false,
            ProgressMode::Always => true,
        }
    }
}

/// The steps of a history scan, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// Every blob decoded and scanned.
    Blobs = 0,
    /// The trees and commits read to find which commit introduced each blob with findings.
    Provenance = 1,
    /// The slow fingerprint of each distinct secret.
    Fingerprints = 2,
}

impl Step {
    fn from_u8(value: u8) -> Step {
        match value {
            0 => Step::Blobs,
            1 => Step::Provenance,
            _ => Step::Fingerprints,
        }
    }

    fn next(self) -> Option<Step> {
        match self {
            Step::Blobs => Some(Step::Provenance),
            Step::Provenance => Some(Step::Fingerprints),
            Step::Fingerprints => None,
        }
    }
}

/// What the scan has done so far, updated from every decoding thread.
#[derive(Debug, Default)]
pub struct Counters {
    /// Objects of every kind walked (decoded or skipped by their header).
    pub walked: AtomicU64,
    /// Objects in the packs and loose objects found so far.
    pub total: AtomicU64,
    /// Bytes of blobs scanned.
    pub bytes: AtomicU64,
    /// The step under way (a [`Step`]).
    step: AtomicU8,
    /// Blobs with findings whose first commit is looked for.
    blobs_with_findings: AtomicU64,
    /// Secrets fingerprinted, of `secrets`.
    fingerprinted: AtomicU64,
    secrets: AtomicU64,
}

impl Counters {
    pub(crate) fn walk(&self) {
        self.walked.fetch_add(1, Ordering::Relaxed);
    }

    /// The blobs are scanned: the first commit of `blobs` blobs with findings is looked for.
    pub(crate) fn begin_provenance(&self, blobs: usize) {
        self.blobs_with_findings.store(blobs as u64, Ordering::Relaxed);
        self.step.store(Step::Provenance as u8, Ordering::Release);
    }

    /// `secrets` distinct secrets are fingerprinted next.
    pub(crate) fn begin_fingerprints(&self, secrets: usize) {
        self.secrets.store(secrets as u64, Ordering::Relaxed);
        self.step.store(Step::Fingerprints as u8, Ordering::Release);
    }

    pub(crate) fn fingerprinted_one(&self) {
        self.fingerprinted.fetch_add(1, Ordering::Relaxed);
    }

    fn step(&self) -> Step {
        Step::from_u8(self.step.load(Ordering::Acquire))
    }
}

/// How often a plain progress line is written when standard error is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);
/// How often the terminal bar is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// A running progress display; [`Progress::finish`] stops it.
#[derive(Debug)]
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing `counters` on standard error if `mode` says so.
    pub fn start(mode: ProgressMode, counters: Arc<Counters>) -> Option<Progress> {
        let terminal = std::io::stderr().is_terminal();
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if !mode.shows(terminal, ci) {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("history-progress".into())
            .spawn(move || {
                if terminal {
                    draw_bar(&counters, &stopping);
                } else {
                    write_lines(&counters, &stopping);
                }
            })
            .ok()?;
        Some(Progress {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the display: the bar is cleared, a log gets its last line.
    pub fn finish(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn draw_bar(counters: &Counters, stop: &AtomicBool) {
    let template = |step: Step| match step {
        Step::Blobs => "history {bar:30} {human_pos}/{human_len} objects, {msg}, {elapsed} (~{eta} left)",
        Step::Provenance => "history {spinner} {msg}, {elapsed}",
        Step::Fingerprints => {
            "history {bar:30} {human_pos}/{human_len} secrets fingerprinted, {elapsed} (~{eta} left)"
        }
    };
    // One bar a step: a bar restyled in place would be drawn once with the last step's
    // counts.
    let bar_for = |step: Step| {
        let style =
            ProgressStyle::with_template(template(step)).unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()).with_style(style)
    };
    let mut shown = Step::Blobs;
    let mut bar = bar_for(shown);
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let step = counters.step();
        if step != shown {
            bar.finish_and_clear();
            shown = step;
            bar = bar_for(step);
        }
        match step {
            Step::Blobs => {
                bar.set_message(bytes_and_rate(counters, started));
                bar.set_length(counters.total.load(Ordering::Relaxed));
                bar.set_position(counters.walked.load(Ordering::Relaxed));
            }
            Step::Provenance => {
                bar.set_message(provenance_message(counters));
                bar.tick();
            }
            Step::Fingerprints => {
                bar.set_length(counters.secrets.load(Ordering::Relaxed));
                bar.set_position(counters.fingerprinted.load(Ordering::Relaxed));
            }
        }
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}

fn write_lines(counters: &Counters, stop: &AtomicBool) {
    let started = Instant::now();
    let mut last = Instant::now();
    // The step of the last line written, and when the scan was seen to start it.
    let mut shown = Step::Blobs;
    let mut step_started = started;
    let write = |line: String| {
        // A closed standard error is no reason to stop the scan.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    };
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        let step = counters.step();
        // A log gets each step's last line when the next begins, even a step that began
        // and ended between two looks, and the new step's first line at once.
        let changed = shown < step;
        while shown < step {
            write(status_line(shown, counters, started, step_started));
            shown = shown.next().unwrap_or(step);
            step_started = Instant::now();
        }
        if changed || stopping || last.elapsed() >= LINE_EVERY {
            write(status_line(shown, counters, started, step_started));
            last = Instant::now();
        }
        if stopping {
            return;
        }
        std::thread::sleep(TICK);
    }
}

/// The line a log gets for `step`:
/// `history: 12,345/58,537 objects, 412.3 MB scanned at 103.1 MB/s, 4 s, ~10 s left`,
/// `history: finding the commits that introduced 3 blob(s) with findings, 5 s`,
/// `history: 120/3000 secrets fingerprinted, 6 s, ~140 s left`.
fn status_line(step: Step, counters: &Counters, started: Instant, step_started: Instant) -> String {
    let elapsed = started.elapsed().as_secs_f64();
    let left = |done: u64, of: u64| {
        let spent = step_started.elapsed().as_secs_f64();
        if done > 0 && of > done {
            format!(", ~{:.0} s left", spent * (of - done) as f64 / done as f64)
        } else {
            String::new()
        }
    };
    match step {
        Step::Blobs => {
            let walked = counters.walked.load(Ordering::Relaxed);
            let total = counters.total.load(Ordering::Relaxed).max(walked);
            format!(
                "history: {walked}/{total} objects, {}, {elapsed:.0} s{}",
                bytes_and_rate(counters, started),
                left(walked, total)
            )
        }
        Step::Provenance => format!("history: {}, {elapsed:.0} s", provenance_message(counters)),
        Step::Fingerprints => {
            let done = counters.fingerprinted.load(Ordering::Relaxed);
            let of = counters.secrets.load(Ordering::Relaxed).max(done);
            format!(
                "history: {done}/{of} secrets fingerprinted, {elapsed:.0} s{}",
                left(done, of)
            )
        }
    }
}

fn provenance_message(counters: &Counters) -> String {
    format!(
        "finding the commits that introduced {} blob(s) with findings",
        counters.blobs_with_findings.load(Ordering::Relaxed)
    )
}

fn bytes_and_rate(counters: &Counters, started: Instant) -> String {
    let bytes = counters.bytes.load(Ordering::Relaxed) as f64;
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    format!(
        "{:.1} MB scanned at {:.1} MB/s",
        bytes / 1e6,
        bytes / 1e6 / seconds
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_shows_progress_only_on_a_terminal_outside_ci() {
        assert!(ProgressMode::Auto.shows(true, false));
        assert!(!ProgressMode::Auto.shows(true, true));
        assert!(!ProgressMode::Auto.shows(false, false));
        assert!(!ProgressMode::Never.shows(true, false));
        assert!(ProgressMode::Always.shows(false, true));
    }

    #[test]
    fn the_status_line_counts_objects_bytes_and_time_left() {
        let counters = Counters::default();
        counters.total.store(200, Ordering::Relaxed);
        counters.walked.store(50, Ordering::Relaxed);
        counters.bytes.store(3_000_000, Ordering::Relaxed);
        let now = Instant::now();
        let line = status_line(Step::Blobs, &counters, now, now);
        assert!(
            line.starts_with("history: 50/200 objects, 3.0 MB scanned at "),
            "{line}"
        );
        assert!(line.contains("s left"), "{line}");
    }

    #[test]
    fn the_steps_after_the_blobs_have_lines_of_their_own() {
        let counters = Counters::default();
        assert_eq!(counters.step(), Step::Blobs);
        counters.begin_provenance(3);
        assert_eq!(counters.step(), Step::Provenance);
        let now = Instant::now();
        let line = status_line(Step::Provenance, &counters, now, now);
        assert!(
            line.starts_with("history: finding the commits that introduced 3 blob(s) with findings, "),
            "{line}"
        );
        counters.begin_fingerprints(40);
        for _ in 0..10 {
            counters.fingerprinted_one();
        }
        assert_eq!(counters.step(), Step::Fingerprints);
        let line = status_line(Step::Fingerprints, &counters, now, now);
        assert!(
            line.starts_with("history: 10/40 secrets fingerprinted, "),
            "{line}"
        );
        assert!(line.contains("s left"), "{line}");
    }
}
