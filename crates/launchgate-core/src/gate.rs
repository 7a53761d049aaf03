//! The gates, named once: the umbrella's subcommands, `check --only`, the configuration's
//! sections and the Action's gate list all read this list.

use std::fmt;

/// One gate of launchgate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Gate {
    Secrets,
    Env,
    Budget,
    Smoke,
    Dns,
    Mail,
}

impl Gate {
    /// Every gate, in the order reports and help list them.
    pub const ALL: [Gate; 6] = [
        Gate::Secrets,
        Gate::Env,
        Gate::Budget,
        Gate::Smoke,
        Gate::Dns,
        Gate::Mail,
    ];

    /// The gates' names, as sections of launchgate.yml and values of `--only`, in
    /// [`Gate::ALL`]'s order.
    pub const NAMES: [&'static str; 6] = ["secrets", "env", "budget", "smoke", "dns", "mail"];

    /// The gate's name: its section in launchgate.yml and its subcommand.
    pub const fn name(self) -> &'static str {
        Gate::NAMES[self as usize]
    }

    /// The gate a section or argument names.
    pub fn from_name(name: &str) -> Option<Gate> {
        Gate::ALL.into_iter().find(|g| g.name() == name)
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn names_agree_with_the_command_line_spelling() {
        for gate in Gate::ALL {
            assert_eq!(gate.to_possible_value().unwrap().get_name(), gate.name());
            assert_eq!(Gate::from_name(gate.name()), Some(gate));
        }
        assert_eq!(Gate::from_name("report"), None);
    }
}
