//! Progress of a history scan on standard error: objects walked of those in the repository,
//! bytes of blobs scanned, the rate and the time left. A scan of a large history takes
//! seconds to minutes, and without this it prints nothing until the end.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

/// What the scan has done so far, updated from every decoding thread.
#[derive(Debug, Default)]
pub struct Counters {
    /// Objects of every kind walked (decoded or skipped by their header).
    pub walked: AtomicU64,
    /// Objects in the packs and loose objects found so far.
    pub total: AtomicU64,
    /// Bytes of blobs scanned.
    pub bytes: AtomicU64,
}

impl Counters {
    pub(crate) fn walk(&self) {
        self.walked.fetch_add(1, Ordering::Relaxed);
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
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "history {bar:30} {human_pos}/{human_len} objects, {msg}, {elapsed} (~{eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        bar.set_length(counters.total.load(Ordering::Relaxed));
        bar.set_position(counters.walked.load(Ordering::Relaxed));
        bar.set_message(bytes_and_rate(counters, started));
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}

fn write_lines(counters: &Counters, stop: &AtomicBool) {
    let started = Instant::now();
    let mut last = Instant::now();
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        if stopping || last.elapsed() >= LINE_EVERY {
            let line = status_line(counters, started);
            // A closed standard error is no reason to stop the scan.
            let _ = writeln!(std::io::stderr().lock(), "{line}");
            last = Instant::now();
        }
        if stopping {
            return;
        }
        std::thread::sleep(TICK);
    }
}

/// `history: 12,345/58,537 objects, 412.3 MB scanned at 103.1 MB/s, 4 s, ~10 s left`.
fn status_line(counters: &Counters, started: Instant) -> String {
    let walked = counters.walked.load(Ordering::Relaxed);
    let total = counters.total.load(Ordering::Relaxed).max(walked);
    let elapsed = started.elapsed().as_secs_f64();
    let left = if walked > 0 && total > walked {
        format!(
            ", ~{:.0} s left",
            elapsed * (total - walked) as f64 / walked as f64
        )
    } else {
        String::new()
    };
    format!(
        "history: {walked}/{total} objects, {}, {elapsed:.0} s{left}",
        bytes_and_rate(counters, started)
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
        let line = status_line(&counters, Instant::now());
        assert!(
            line.starts_with("history: 50/200 objects, 3.0 MB scanned at "),
            "{line}"
        );
        assert!(line.contains("s left"), "{line}");
    }
}
