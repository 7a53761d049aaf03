//! What an alert says, built from a run and redacted once, before any provider sees it.

use crate::vars::Redactor;
use crate::watch::{Event, WatchState};

/// Failure lines an alert lists; the rest are counted.
pub const MAX_LISTED_FAILURES: usize = 5;

/// One alert or recovery. Every text in it has passed through the redactor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEvent {
    /// True for an alert, false for a recovery.
    pub firing: bool,
    /// The base URL under test.
    pub url: String,
    /// Names of the checks that failed in the last run.
    pub checks: Vec<String>,
    /// Failure messages of the last run, at most [`MAX_LISTED_FAILURES`].
    pub failures: Vec<String>,
    /// Failure messages left out of `failures`.
    pub more_failures: usize,
    pub consecutive_failures: u32,
}

impl AlertEvent {
    /// The alert for an event, or `None` for a quiet run.
    pub fn new(
        event: Event,
        base_url: &str,
        state: &WatchState,
        checks: &[String],
        failures: &[String],
        redactor: &Redactor,
    ) -> Option<AlertEvent> {
        let firing = match event {
            Event::Quiet => return None,
            Event::Alert => true,
            Event::Recovered => false,
        };
        let redact = |list: &[String]| list.iter().map(|t| redactor.redact(t)).collect::<Vec<_>>();
        let listed = failures.len().min(MAX_LISTED_FAILURES);
        Some(AlertEvent {
            firing,
            url: redactor.redact(base_url),
            // A recovery lists nothing: the last run passed.
            checks: if firing { redact(checks) } else { Vec::new() },
            failures: if firing {
                redact(&failures[..listed])
            } else {
                Vec::new()
            },
            more_failures: if firing { failures.len() - listed } else { 0 },
            consecutive_failures: state.consecutive_failures,
        })
    }

    /// "alert" or "recovery", for warnings.
    pub fn kind(&self) -> &'static str {
        if self.firing { "alert" } else { "recovery" }
    }

    /// "failing" or "recovered", as `${alert.status}`.
    pub fn status(&self) -> &'static str {
        if self.firing { "failing" } else { "recovered" }
    }

    /// One line, used as a subject, a title or a summary.
    pub fn title(&self) -> String {
        if self.firing {
            format!(
                "launchgate smoke: {} failed {} runs in a row",
                self.url, self.consecutive_failures
            )
        } else {
            format!("launchgate smoke: {} recovered", self.url)
        }
    }

    /// The failure lines, one per line with a bullet, and how many more there were.
    pub fn failure_lines(&self) -> String {
        let mut text = self
            .failures
            .iter()
            .map(|f| format!("• {f}"))
            .collect::<Vec<_>>()
            .join("\n");
        if self.more_failures > 0 {
            text.push_str(&format!("\n… and {} more", self.more_failures));
        }
        text
    }

    /// The title and the failure lines.
    pub fn message(&self) -> String {
        let lines = self.failure_lines();
        if lines.is_empty() {
            self.title()
        } else {
            format!("{}\n{lines}", self.title())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_redacted_and_the_list_is_bounded() {
        let redactor = Redactor::default();
        redactor.add("tok_live_secret_value");
        let state = WatchState {
            consecutive_failures: 3,
            ..WatchState::default()
        };
        let failures: Vec<String> = (0..8)
            .map(|i| format!("check {i}: got tok_live_secret_value"))
            .collect();
        let event = AlertEvent::new(
            Event::Alert,
            "https://u:tok_live_secret_value@example.com/",
            &state,
            &["login tok_live_secret_value".into()],
            &failures,
            &redactor,
        )
        .unwrap();
        let all = format!("{event:?}{}", event.message());
        assert!(!all.contains("tok_live_secret_value"), "{all}");
        assert_eq!(event.failures.len(), MAX_LISTED_FAILURES);
        assert!(event.message().ends_with("… and 3 more"), "{}", event.message());
        assert!(event.title().contains("failed 3 runs in a row"));
        assert!(AlertEvent::new(Event::Quiet, "x", &state, &[], &[], &redactor).is_none());
    }
}
