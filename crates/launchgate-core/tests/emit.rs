//! `output::emit` in a real child process: this test binary runs itself as the child, under a
//! known umask, with its standard output closed before it writes anything.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use launchgate_core::output::{OutputTarget, emit};
use launchgate_core::render::Format;
use launchgate_core::{Finding, Location, Report, Severity};

/// Set in the child: the folder its files go to.
const CHILD_DIR: &str = "LAUNCHGATE_EMIT_TEST_DIR";
const READY: &str = "child ready";

fn targets(dir: &Path) -> Vec<OutputTarget> {
    let to = |format, name: Option<&str>| OutputTarget {
        format,
        path: name.map(|n| dir.join(n)),
    };
    vec![
        to(Format::Human, None),
        to(Format::Json, Some("report.json")),
        to(Format::Github, None),
        to(Format::Sarif, Some("existing.sarif")),
        to(Format::Markdown, None),
        to(Format::Junit, Some("nested/junit.xml")),
    ]
}

/// Says it is ready, waits until the parent has closed the pipe, then emits.
fn run_child(dir: &Path) -> ! {
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{READY}");
    let _ = stdout.flush();
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    let mut report = Report::new("secrets");
    report.push(
        Finding::new("generic.api-key", Severity::Error, "an API key").at(Location::at("src/a.ts", 1, 1)),
    );
    // Big enough that the closed pipe is noticed whatever the pipe buffer holds.
    for i in 0..2000 {
        report.push(
            Finding::new("generic.password", Severity::Note, "a note").at(Location::at(
                format!("src/{i}.ts"),
                1,
                1,
            )),
        );
    }
    let status = emit(&[report], &targets(dir), Severity::Error);
    std::process::exit(i32::from(status.code()));
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_still_writes_every_file_with_the_modes_a_user_expects() {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        run_child(Path::new(&dir));
    }
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("existing.sarif");
    std::fs::write(&existing, "old").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o604)).unwrap();
    let summary = dir.path().join("summary.md");

    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("sh")
        .args(["-c", "umask 027 && exec \"$0\" \"$@\""])
        .arg(&exe)
        .args([
            "--exact",
            "a_closed_stdout_still_writes_every_file_with_the_modes_a_user_expects",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("GITHUB_WORKSPACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains(READY) {
        line.clear();
        assert!(
            lines.read_line(&mut line).unwrap() > 0,
            "the child ended before it was ready"
        );
    }
    // Close the read end, then let the child write.
    drop(lines);
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the verdict of the findings, not an error: {stderr}"
    );
    assert!(
        !stderr.contains("stdout"),
        "a closed stdout is not reported as an error: {stderr}"
    );

    let mode = |p: PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    let json = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(json.contains("generic.api-key"));
    assert_eq!(
        mode(dir.path().join("report.json")),
        0o640,
        "0666 less the umask 027"
    );
    assert!(std::fs::read_to_string(&existing).unwrap().contains("\"2.1.0\""));
    assert_eq!(mode(existing), 0o604, "an existing file keeps its mode");
    assert!(
        std::fs::read_to_string(dir.path().join("nested/junit.xml"))
            .unwrap()
            .contains("<testsuites")
    );
    assert_eq!(mode(dir.path().join("nested/junit.xml")), 0o640);
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("## launchgate")
    );
}
