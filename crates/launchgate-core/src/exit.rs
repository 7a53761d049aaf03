//! The exit codes every launchgate binary shares.

use crate::finding::Severity;
use crate::report::Report;

/// 0 passed, 1 the gate failed, 2 usage, configuration or input error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    Passed = 0,
    Failed = 1,
    Error = 2,
}

impl ExitStatus {
    /// The status of a set of reports: 2 if any gate could not run, else 1 if any has a
    /// finding at or above `fail_on`, else 0.
    pub fn of(reports: &[Report], fail_on: Severity) -> Self {
        if reports.iter().any(|r| r.error.is_some()) {
            ExitStatus::Error
        } else if reports.iter().any(|r| r.fails(fail_on)) {
            ExitStatus::Failed
        } else {
            ExitStatus::Passed
        }
    }

    /// The status of a run that may have stopped on an error: the error is printed (with its
    /// position and hint) and gives exit 2.
    pub fn or_printed_error(result: Result<ExitStatus, crate::Error>) -> ExitStatus {
        result.unwrap_or_else(|e| {
            e.eprint();
            ExitStatus::Error
        })
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExitStatus::Passed => "passed",
            ExitStatus::Failed => "failed",
            ExitStatus::Error => "error",
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s.code())
    }
}
