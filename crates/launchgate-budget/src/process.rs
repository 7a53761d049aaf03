//! The one place the gate runs another program (Node for JavaScript configs, the project's
//! esbuild): standard output and standard error are read at the same time on their own
//! threads, each up to a cap, and the program is stopped when it runs past its time. A
//! program that hangs or prints without end cannot stall or exhaust the gate.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The bounds of one run.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub timeout: Duration,
    /// Standard output past this is an error ([`Failure::TooMuchOutput`]).
    pub max_stdout: u64,
    /// Standard error past this is dropped (it only explains a failure).
    pub max_stderr: u64,
}

/// What a finished run printed.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Why a run gave no usable result.
#[derive(Debug)]
pub enum Failure {
    /// The program could not be started (not installed, not executable).
    Start(std::io::Error),
    /// It ran past `Bounds::timeout` and was stopped.
    TimedOut,
    /// It printed more than `Bounds::max_stdout` and was stopped.
    TooMuchOutput,
}

/// Reads up to `cap` bytes, then drains the rest so the program never blocks on a full
/// pipe; `overflow` is set as soon as there is more.
fn read_capped(mut pipe: impl Read, cap: u64, overflow: &AtomicBool) -> Vec<u8> {
    let mut kept = Vec::new();
    let _ = pipe.by_ref().take(cap).read_to_end(&mut kept);
    let mut one = [0u8; 1];
    if matches!(pipe.read(&mut one), Ok(n) if n > 0) {
        overflow.store(true, Ordering::Relaxed);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
    }
    kept
}

/// Runs `command` within `bounds`, with standard input closed.
pub fn run(command: &mut Command, bounds: Bounds) -> Result<Finished, Failure> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Failure::Start)?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (max_out, max_err) = (bounds.max_stdout, bounds.max_stderr);
    let overflow = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&overflow);
    let out_reader = thread::spawn(move || read_capped(stdout, max_out, &flag));
    let err_reader = thread::spawn(move || read_capped(stderr, max_err, &AtomicBool::new(false)));
    let deadline = Instant::now() + bounds.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline && !overflow.load(Ordering::Relaxed) => {
                thread::sleep(Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if overflow.load(Ordering::Relaxed) {
        return Err(Failure::TooMuchOutput);
    }
    let Some(status) = status else {
        return Err(Failure::TimedOut);
    };
    Ok(Finished {
        status,
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn bounds(ms: u64, max_stdout: u64) -> Bounds {
        Bounds {
            timeout: Duration::from_millis(ms),
            max_stdout,
            max_stderr: 100,
        }
    }

    #[test]
    fn a_program_past_its_time_is_stopped() {
        let started = Instant::now();
        let run = run(Command::new("sleep").arg("30"), bounds(200, 1000));
        assert!(matches!(run, Err(Failure::TimedOut)), "{run:?}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn endless_output_is_stopped_at_the_cap() {
        let run = run(&mut Command::new("yes"), bounds(60_000, 10_000));
        assert!(matches!(run, Err(Failure::TooMuchOutput)), "{run:?}");
    }

    #[test]
    fn both_streams_are_read_together() {
        // 1 MiB on standard error before anything on standard output: a runner that read
        // one stream after the other would block on the full pipe.
        let done = run(
            Command::new("sh").args(["-c", "head -c 1048576 /dev/zero >&2; echo done"]),
            bounds(60_000, 1000),
        )
        .unwrap();
        assert_eq!(done.stdout, b"done\n");
        assert_eq!(done.stderr.len(), 100);
        assert!(done.status.success());
    }
}
