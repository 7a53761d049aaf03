//! A hostile or broken server on 127.0.0.1: a body that never ends, a body that drips one
//! byte at a time, a head with thousands of headers, an endless redirect chain. Every one
//! must end in a finding within the limits, never in an unbounded read.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::app::{checks, findings, json_report, run};

/// The most any one response of this server writes, and the longest it keeps writing,
/// so a client that never stops reading still ends the test.
const WRITE_CAP: u64 = 512 * 1024 * 1024;
const WRITE_TIME_CAP: Duration = Duration::from_secs(30);

pub struct Hostile {
    pub port: u16,
    /// Body bytes written so far, by every response.
    pub written: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    pub dir: tempfile::TempDir,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Hostile {
    pub fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let written = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (w, s) = (written.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let w = w.clone();
                std::thread::spawn(move || serve(stream, port, &w));
            }
        });
        Hostile {
            port,
            written,
            stop,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// The binary with a bare spec whose `{port}` is this server's.
    pub fn cmd(&self, yaml: &str) -> assert_cmd::Command {
        let path = self.dir.path().join("smoke.yml");
        std::fs::write(&path, yaml.replace("{port}", &self.port.to_string())).expect("spec");
        let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").expect("binary");
        cmd.current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .arg("--spec")
            .arg(path);
        cmd
    }
}

fn serve(stream: TcpStream, port: u16, written: &AtomicU64) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
    }
    let mut out = stream;
    let started = Instant::now();
    let mut send = |bytes: &[u8]| -> bool {
        if written.load(Ordering::SeqCst) > WRITE_CAP || started.elapsed() > WRITE_TIME_CAP {
            return false;
        }
        written.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        out.write_all(bytes).is_ok()
    };
    match path.as_str() {
        "/endless" => {
            let _ =
                send(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n");
            let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
            chunk.extend(std::iter::repeat_n(b'x', 64 * 1024));
            chunk.extend_from_slice(b"\r\n");
            while send(&chunk) {}
        }
        "/endless-declared" => {
            let _ = send(b"HTTP/1.1 200 OK\r\ncontent-length: 10737418240\r\n\r\n");
            let block = vec![b'x'; 64 * 1024];
            while send(&block) {}
        }
        "/big-head" => {
            // The answer to a HEAD: the length of a body that is not sent.
            let _ = send(b"HTTP/1.1 200 OK\r\ncontent-length: 10737418240\r\nconnection: close\r\n\r\n");
        }
        "/drip" => {
            let _ = send(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n");
            while send(b"x") {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        "/many-headers" => {
            let mut head = String::from("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n");
            for i in 0..5000 {
                head.push_str(&format!("x-pad-{i}: v\r\n"));
            }
            head.push_str("\r\nok");
            let _ = send(head.as_bytes());
        }
        "/huge-header" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-big: {}\r\n\r\nok",
                "v".repeat(1024 * 1024)
            );
            let _ = send(head.as_bytes());
        }
        p if p.starts_with("/hop/") => {
            let n: u64 = p[5..].parse().unwrap_or(0);
            let head = format!(
                "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/hop/{}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                n + 1
            );
            let _ = send(head.as_bytes());
        }
        _ => {
            let _ = send(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    }
}

fn only_finding(cmd: &mut assert_cmd::Command) -> String {
    let (code, report) = json_report(cmd);
    assert_eq!(code, 1, "{report:#}");
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1.as_str()), ("smoke.check", "error"));
    f[0].2.clone()
}

#[test]
fn an_endless_body_fails_at_the_cap_and_reading_stops() {
    let server = Hostile::start();
    let mut cmd = server.cmd(
        "base_url: http://127.0.0.1:{port}\ndefaults: { timeout: 20s, max_body: 1MiB }\nchecks:\n  - { name: endless, get: /endless }\n",
    );
    let (code, report) = json_report(&mut cmd);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        checks(&report)[0]
            .2
            .starts_with("HTTP 200: the response body is larger than the 1 MiB limit"),
        "{report:#}"
    );
    let message = findings(&report)[0].2.clone();
    assert_eq!(
        message,
        "endless: the response body is larger than the 1 MiB limit; reading stopped there \
         (raise `defaults.max_body` or --max-body if the body is meant to be this large)"
    );
    // The server could write only what the client read plus the sockets' buffers: the
    // client closed the connection at the limit instead of reading on.
    let written = server.written.load(Ordering::SeqCst);
    assert!(written < 64 * 1024 * 1024, "{written} bytes were written");
}

#[test]
fn the_default_cap_is_ten_mib_and_the_flag_replaces_the_spec() {
    let server = Hostile::start();
    let spec = "base_url: http://127.0.0.1:{port}\ndefaults: { timeout: 20s }\nchecks:\n  - { name: endless, get: /endless }\n";
    let message = only_finding(&mut server.cmd(spec));
    assert!(message.contains("larger than the 10 MiB limit"), "{message}");

    let mut cmd = server.cmd(
        "base_url: http://127.0.0.1:{port}\ndefaults: { max_body: 1GiB }\nchecks:\n  - { name: declared, get: /endless-declared }\n",
    );
    let message = only_finding(cmd.args(["--max-body", "2MiB"]));
    assert!(message.contains("larger than the 2 MiB limit"), "{message}");
}

#[test]
fn a_head_answer_announcing_a_huge_body_is_fine() {
    let server = Hostile::start();
    let (code, report) = json_report(&mut server.cmd(
        "base_url: http://127.0.0.1:{port}\nchecks:\n  - { name: head, head: /big-head, expect: { status: 200 } }\n",
    ));
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_dripping_body_ends_at_the_timeout() {
    let server = Hostile::start();
    let message = only_finding(
        &mut server
            .cmd("base_url: http://127.0.0.1:{port}\nchecks:\n  - { name: drip, get: /drip, timeout: 1s }\n"),
    );
    assert_eq!(message, "drip: timeout after 1 s");
}

#[test]
fn oversized_heads_fail_in_words() {
    let server = Hostile::start();
    let (code, report) = json_report(&mut server.cmd(
        "base_url: http://127.0.0.1:{port}\ndefaults: { timeout: 20s }\nchecks:\n  - { name: many, get: /many-headers }\n  - { name: huge, get: /huge-header }\n",
    ));
    assert_eq!(code, 1);
    let f = findings(&report);
    let head = "the response head is too large: more than 100 header fields or about 400 KiB \
                of status line and headers; nothing more was read";
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].2, format!("many: {head}"));
    assert_eq!(f[1].2, format!("huge: {head}"));
}

#[test]
fn an_endless_redirect_chain_stops_after_ten_hops() {
    let server = Hostile::start();
    let message = only_finding(&mut server.cmd(
        "base_url: http://127.0.0.1:{port}\nchecks:\n  - { name: hops, get: /hop/0, follow_redirects: true }\n",
    ));
    let port = server.port;
    assert!(
        message.starts_with(&format!(
            "hops: more than 10 redirects: http://127.0.0.1:{port}/hop/0 (302) -> "
        )),
        "{message}"
    );
    assert!(
        message.ends_with(&format!("/hop/9 (302) -> http://127.0.0.1:{port}/hop/10")),
        "{message}"
    );
}

/// A spec that is a named pipe: opening it would wait for a writer forever.
#[cfg(unix)]
#[test]
fn a_spec_that_is_a_named_pipe_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("smoke.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").expect("binary");
    cmd.current_dir(dir.path()).args(["--spec", "smoke.yml"]);
    let (code, _, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("smoke.yml is a named pipe, not a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_spec_over_the_limit_is_refused_from_a_file_and_from_standard_input() {
    let server = Hostile::start();
    let big = format!(
        "base_url: http://127.0.0.1:1\nchecks:\n  - {{ get: / }}\n#{}\n",
        "x".repeat(5 * 1024 * 1024)
    );
    let mut cmd = server.cmd(&big);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("smoke.yml is larger than 4 MiB, the most launchgate reads for a spec"),
        "{stderr}"
    );

    let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").expect("binary");
    cmd.current_dir(server.dir.path())
        .args(["--spec", "-"])
        .write_stdin(big);
    let (code, _, stderr) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("standard input holds more than 4 MiB, the most launchgate reads as a spec"),
        "{stderr}"
    );

    let mut cmd = assert_cmd::Command::cargo_bin("launchgate-smoke").expect("binary");
    cmd.current_dir(server.dir.path())
        .args(["--spec", "-", "--format", "json"])
        .write_stdin(format!(
            "base_url: http://127.0.0.1:{}\nchecks:\n  - {{ name: fine, get: /fine }}\n",
            server.port
        ));
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 0, "{stdout}{stderr}");
}
