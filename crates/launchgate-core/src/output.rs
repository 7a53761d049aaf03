//! The one writer for every gate's output: `--format` (repeatable), each optionally followed
//! by `--output FILE`, and `--fail-on`. Renders, writes (files atomically), appends the GitHub
//! job summary, and returns the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{ArgMatches, Args};

use crate::atomic::write_atomic;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::finding::Severity;
use crate::launch::Launch;
use crate::render::{Format, RenderOptions, render, step_summary};
use crate::report::Report;

/// The output flags every gate takes.
#[derive(Debug, Clone, Args, Default)]
pub struct OutputArgs {
    /// Report format; repeat for several. Each `--output` that follows a `--format` names
    /// that format's file. Default: human on stdout.
    #[arg(long = "format", value_enum, value_name = "FORMAT", global = true)]
    pub formats: Vec<Format>,

    /// Write the preceding `--format` to FILE instead of stdout (atomically). Without a
    /// preceding `--format`, the format comes from the extension (.json, .sarif, .md, .xml,
    /// .html).
    #[arg(long = "output", short = 'o', value_name = "FILE", global = true)]
    pub outputs: Vec<PathBuf>,

    /// Fail (exit 1) on findings at or above this severity.
    #[arg(long = "fail-on", value_name = "SEVERITY", default_value = "error", global = true,
          value_parser = parse_severity)]
    pub fail_on: Severity,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// One rendering of the run: a format and where it goes (`None` is stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl OutputArgs {
    /// Pairs formats and outputs by their order on the command line, read from the
    /// matches of the (sub)command that holds them.
    pub fn targets(&self, matches: &ArgMatches) -> Result<Vec<OutputTarget>, Error> {
        let matches = deepest_with_formats(matches);
        let mut events: Vec<(usize, Option<Format>, Option<PathBuf>)> = Vec::new();
        if let (Some(idx), Some(vals)) = (
            matches.indices_of("formats"),
            matches.get_many::<Format>("formats"),
        ) {
            events.extend(idx.zip(vals).map(|(i, f)| (i, Some(*f), None)));
        }
        if let (Some(idx), Some(vals)) = (
            matches.indices_of("outputs"),
            matches.get_many::<PathBuf>("outputs"),
        ) {
            events.extend(idx.zip(vals).map(|(i, p)| (i, None, Some(p.clone()))));
        }
        events.sort_by_key(|e| e.0);
        pair(events.into_iter().map(|(_, f, p)| (f, p)))
    }

    /// Pairs formats and outputs given as lists, for callers without clap matches: the i-th
    /// output belongs to the i-th format.
    pub fn targets_in_order(&self) -> Result<Vec<OutputTarget>, Error> {
        let mut events = Vec::new();
        for (i, f) in self.formats.iter().enumerate() {
            events.push((Some(*f), None));
            if let Some(p) = self.outputs.get(i) {
                events.push((None, Some(p.clone())));
            }
        }
        for p in self.outputs.iter().skip(self.formats.len()) {
            events.push((None, Some(p.clone())));
        }
        pair(events.into_iter())
    }
}

fn deepest_with_formats(matches: &ArgMatches) -> &ArgMatches {
    let mut current = matches;
    while let Some((_, sub)) = current.subcommand() {
        current = sub;
    }
    current
}

fn pair(events: impl Iterator<Item = (Option<Format>, Option<PathBuf>)>) -> Result<Vec<OutputTarget>, Error> {
    let mut targets: Vec<OutputTarget> = Vec::new();
    for (format, path) in events {
        match (format, path) {
            (Some(format), _) => targets.push(OutputTarget { format, path: None }),
            (None, Some(path)) => match targets.last_mut() {
                Some(last) if last.path.is_none() => last.path = Some(path),
                _ => {
                    let format = Format::from_extension(&path).ok_or_else(|| {
                        Error::input(format!("--output {} has no --format before it", path.display()))
                            .with_help("write `--format json --output report.json`, or use a .json, .sarif, .md, .xml or .html file name")
                    })?;
                    targets.push(OutputTarget {
                        format,
                        path: Some(path),
                    });
                }
            },
            (None, None) => {}
        }
    }
    if targets.is_empty() {
        targets.push(OutputTarget {
            format: Format::Human,
            path: None,
        });
    }
    Ok(targets)
}

/// Renders the reports to every target and returns the exit status. A file that cannot be
/// written makes the status 2. A closed stdout (`| head`) is not an error: nothing more goes
/// to stdout, every file and the job summary are still written, and the status is still the
/// verdict of the findings.
pub fn emit(reports: &[Report], targets: &[OutputTarget], fail_on: Severity) -> ExitStatus {
    emit_with(reports, targets, fail_on, None)
}

/// [`emit`] for a whole launch: with the `report:` settings and the deployment maps,
/// Markdown and JSON carry the launch report (see [`RenderOptions::launch`]).
pub fn emit_with(
    reports: &[Report],
    targets: &[OutputTarget],
    fail_on: Severity,
    launch: Option<&Launch>,
) -> ExitStatus {
    let stdout_color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
    let mut status = ExitStatus::of(reports, fail_on);
    let mut stdout_closed = false;
    for target in targets {
        let options = RenderOptions {
            fail_on,
            color: target.path.is_none() && stdout_color,
            workspace: workspace.clone(),
            launch: launch.cloned(),
        };
        let text = render(target.format, reports, &options);
        match &target.path {
            Some(path) => {
                if let Err(e) = write_atomic(path, text.as_bytes()) {
                    e.eprint();
                    status = ExitStatus::Error;
                }
            }
            None if stdout_closed => {}
            None => match write_stdout(text.as_bytes()) {
                Ok(open) => stdout_closed = !open,
                Err(e) => {
                    e.eprint();
                    status = ExitStatus::Error;
                }
            },
        }
        let summary_file = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty());
        if let (Format::Github, Some(summary)) = (target.format, summary_file)
            && let Err(e) = append_summary(Path::new(&summary), &step_summary(reports, &options))
        {
            e.eprint();
            status = ExitStatus::Error;
        }
    }
    status
}

/// Writes `bytes` to standard output and flushes it. Every binary prints through here, never
/// with `print!`, which panics when the reader has gone. A closed standard output (`| head`)
/// is not an error: the bytes are dropped and `Ok(false)` says to write nothing more there,
/// so the run keeps its exit code. Any other failure is an error.
pub fn write_stdout(bytes: &[u8]) -> Result<bool, Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Error::input(format!("cannot write to standard output: {e}"))
            .with_help("check where standard output is redirected (a full disk, a closed file)")),
    }
}

fn append_summary(path: &Path, text: &str) -> Result<(), Error> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, &e).with_help("GITHUB_STEP_SUMMARY must name a writable file"))?;
    file.write_all(text.as_bytes()).map_err(|e| Error::io(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        output: OutputArgs,
    }

    fn targets(args: &[&str]) -> Result<Vec<OutputTarget>, Error> {
        let m = Cli::command()
            .try_get_matches_from(std::iter::once("x").chain(args.iter().copied()))
            .unwrap();
        let cli = Cli::from_arg_matches(&m).unwrap();
        cli.output.targets(&m)
    }

    fn t(format: Format, path: Option<&str>) -> OutputTarget {
        OutputTarget {
            format,
            path: path.map(PathBuf::from),
        }
    }

    #[test]
    fn pairs_outputs_with_the_preceding_format() {
        assert_eq!(
            targets(&[
                "--format", "human", "--format", "sarif", "--output", "a.sarif", "--format", "json"
            ])
            .unwrap(),
            vec![
                t(Format::Human, None),
                t(Format::Sarif, Some("a.sarif")),
                t(Format::Json, None)
            ]
        );
        assert_eq!(targets(&[]).unwrap(), vec![t(Format::Human, None)]);
        assert_eq!(
            targets(&["-o", "r.json"]).unwrap(),
            vec![t(Format::Json, Some("r.json"))]
        );
        assert!(
            targets(&["-o", "report.bin"])
                .unwrap_err()
                .message()
                .contains("report.bin")
        );
    }
}
