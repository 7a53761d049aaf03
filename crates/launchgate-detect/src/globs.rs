//! Path globs as configured (`secrets.allow.paths`, `--include`), compiled once.

use globset::{Glob, GlobSet, GlobSetBuilder};
use launchgate_core::Error;

/// The globs as one set, `None` when there are none; `what` names their source in errors.
pub fn glob_set(globs: &[String], what: &str) -> Result<Option<GlobSet>, Error> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        builder.add(Glob::new(g).map_err(|e| {
            Error::input(format!("{what} has an invalid glob `{g}`: {e}"))
                .with_help("use globs such as `src/**` or `**/*.min.js`")
        })?);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| Error::input(format!("{what}: {e}")))
}
