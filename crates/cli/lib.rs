//! The `launchgate` umbrella: every gate behind one command.
//!
//! The gates are linked as libraries; nothing here shells out to the gate binaries.
//! [`check`] runs every gate configured in launchgate.yml, [`init`] writes a starter file,
//! [`hook`] installs plain git hooks.

pub mod check;
pub mod handover;
pub mod hook;
pub mod init;
pub mod map;
