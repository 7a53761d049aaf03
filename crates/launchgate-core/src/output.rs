//! The one writer for every gate's output: `--format FORMAT[=FILE]` (repeatable; the older
//! `--format FORMAT --output FILE` pairs the same way), and `--fail-on`. Renders, writes (files
//! atomically), appends the GitHub job summary, and returns the exit status.
//!
//! The command line is read into [`OutputArgs`] once, by clap; gates take the typed value and
//! never see clap's matches.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{ArgMatches, Args, FromArgMatches};

use crate::atomic::write_atomic;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::finding::Severity;
use crate::launch::Launch;
use crate::render::{Format, RenderOptions, render, step_summary};
use crate::report::Report;

/// The flags as clap declares them; [`OutputArgs`] reads them with their order.
#[derive(Debug, Clone, Args)]
struct OutputFlags {
    /// Report format, and optionally the file it goes to (`--format sarif=report.sarif`,
    /// written atomically); repeat for several. Default: human on standard output.
    #[arg(long = "format", value_name = "FORMAT[=FILE]", global = true, value_parser = FormatParser)]
    formats: Vec<OutputTarget>,

    /// Write the preceding `--format` to FILE (the older spelling of `--format FORMAT=FILE`).
    /// Without a preceding `--format`, the format comes from the extension (.json, .sarif,
    /// .md, .xml, .html).
    #[arg(long = "output", short = 'o', value_name = "FILE", global = true)]
    outputs: Vec<PathBuf>,

    /// Fail (exit 1) on findings at or above this severity.
    #[arg(long = "fail-on", value_name = "SEVERITY", default_value = "error", global = true,
          value_parser = parse_severity)]
    fail_on: Severity,
}

/// The output flags every gate takes, with `--format` and `--output` kept in the order they
/// were given, so each `--output` belongs to the `--format` before it.
#[derive(Debug, Clone, Default)]
pub struct OutputArgs {
    /// What was asked for, in command-line order: a format (maybe with its file), or a file.
    requests: Vec<OutputRequest>,
    /// Fail (exit 1) on findings at or above this severity.
    pub fail_on: Severity,
}

/// One `--format` or `--output` as given.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OutputRequest {
    /// `--format F` or `--format F=FILE`.
    Format(OutputTarget),
    File(PathBuf),
}

fn parse_format(text: &str) -> Result<OutputTarget, String> {
    let (name, path) = match text.split_once('=') {
        Some((name, "")) => {
            return Err(format!(
                "`{name}=` names no file; write `{name}=FILE`, or `{name}` for standard output"
            ));
        }
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (text, None),
    };
    let format = Format::ALL
        .into_iter()
        .find(|f| f.as_str().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown format `{name}`; the formats are {}", names.join(", "))
        })?;
    Ok(OutputTarget { format, path })
}

/// Parses `FORMAT[=FILE]`, and lists the formats in `--help` and completions.
#[derive(Debug, Clone, Copy)]
struct FormatParser;

impl clap::builder::TypedValueParser for FormatParser {
    type Value = OutputTarget;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<OutputTarget, clap::Error> {
        let text = value.to_str().ok_or_else(|| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidUtf8,
                "the --format value is not UTF-8\n",
            )
        })?;
        parse_format(text).map_err(|why| {
            let arg = arg.map(|a| a.to_string()).unwrap_or_else(|| "--format".into());
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{text}' for '{arg}': {why}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::ValueEnum;
        Some(Box::new(
            Format::ALL.into_iter().filter_map(|f| f.to_possible_value()),
        ))
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

impl Args for OutputArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        OutputFlags::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        OutputFlags::augment_args_for_update(cmd)
    }
}

impl FromArgMatches for OutputArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        // The order lives in clap's indices, read before the derived code takes the values.
        let requests = requests_in_order(matches);
        let flags = OutputFlags::from_arg_matches_mut(matches)?;
        Ok(OutputArgs {
            requests,
            fail_on: flags.fail_on,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// Every `--format` and `--output`, in command-line order. Global flags are recorded on the
/// deepest subcommand, where they were given.
fn requests_in_order(matches: &ArgMatches) -> Vec<OutputRequest> {
    let mut matches = matches;
    while let Some((_, sub)) = matches.subcommand() {
        matches = sub;
    }
    let mut events: Vec<(usize, OutputRequest)> = Vec::new();
    if let (Some(idx), Some(vals)) = (
        matches.indices_of("formats"),
        matches.get_many::<OutputTarget>("formats"),
    ) {
        events.extend(idx.zip(vals).map(|(i, f)| (i, OutputRequest::Format(f.clone()))));
    }
    if let (Some(idx), Some(vals)) = (
        matches.indices_of("outputs"),
        matches.get_many::<PathBuf>("outputs"),
    ) {
        events.extend(idx.zip(vals).map(|(i, p)| (i, OutputRequest::File(p.clone()))));
    }
    events.sort_by_key(|e| e.0);
    events.into_iter().map(|(_, r)| r).collect()
}

/// One rendering of the run: a format and where it goes (`None` is stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl OutputArgs {
    /// The renderings asked for: each format with its file (`--format F=FILE`, or the
    /// `--output` that follows it), a lone `--output` by its extension, human on stdout when
    /// nothing is asked for.
    pub fn targets(&self) -> Result<Vec<OutputTarget>, Error> {
        pair(self.requests.iter().cloned())
    }
}

fn pair(requests: impl Iterator<Item = OutputRequest>) -> Result<Vec<OutputTarget>, Error> {
    let mut targets: Vec<OutputTarget> = Vec::new();
    for request in requests {
        match request {
            OutputRequest::Format(target) => targets.push(target),
            OutputRequest::File(path) => match targets.last_mut() {
                Some(last) if last.path.is_none() => last.path = Some(path),
                _ => {
                    let format = Format::from_extension(&path).ok_or_else(|| {
                        Error::input(format!("--output {} has no --format before it", path.display()))
                            .with_help("write `--format json=report.json`, or use a .json, .sarif, .md, .xml or .html file name")
                    })?;
                    targets.push(OutputTarget {
                        format,
                        path: Some(path),
                    });
                }
            },
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
        cli.output.targets()
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

    #[test]
    fn a_format_names_its_file_after_an_equals_sign_beside_the_older_spelling() {
        assert_eq!(
            targets(&[
                "--format",
                "sarif=a.sarif",
                "--format",
                "json",
                "--output",
                "b.json",
                "--format=html=r=1.html"
            ])
            .unwrap(),
            vec![
                t(Format::Sarif, Some("a.sarif")),
                t(Format::Json, Some("b.json")),
                t(Format::Html, Some("r=1.html"))
            ]
        );
        // A format that already has its file does not take the next --output: that one is
        // read by its extension.
        assert_eq!(
            targets(&["--format", "sarif=a.sarif", "-o", "b.md"]).unwrap(),
            vec![
                t(Format::Sarif, Some("a.sarif")),
                t(Format::Markdown, Some("b.md"))
            ]
        );
    }

    #[test]
    fn a_bad_format_value_names_the_formats() {
        for (arg, says) in [
            (
                "yaml",
                "unknown format `yaml`; the formats are human, json, sarif, github, markdown, junit, html",
            ),
            ("json=", "`json=` names no file"),
        ] {
            let err = Cli::command()
                .try_get_matches_from(["x", "--format", arg])
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{err}");
        }
    }

    /// Flags given after a subcommand keep their order when the flags belong to the parent.
    #[test]
    fn the_order_is_read_where_the_flags_were_given() {
        #[derive(Parser, Debug)]
        struct Gate {
            #[command(flatten)]
            output: OutputArgs,
            #[command(subcommand)]
            command: Sub,
        }
        #[derive(clap::Subcommand, Debug)]
        enum Sub {
            Scan,
        }
        let gate = Gate::try_parse_from([
            "x", "scan", "--format", "json", "-o", "a.json", "--format", "human",
        ])
        .unwrap();
        assert!(matches!(gate.command, Sub::Scan));
        assert_eq!(
            gate.output.targets().unwrap(),
            vec![t(Format::Json, Some("a.json")), t(Format::Human, None)]
        );
    }
}
