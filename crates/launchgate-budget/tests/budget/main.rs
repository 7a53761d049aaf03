//! End-to-end tests of the budget gate on the real fixtures (tests/fixtures, see its README).

mod bad_input;
mod baseline;
mod bundles;
mod discovery;
mod lighthouse;
mod shipped;
mod size_cache;

use std::path::PathBuf;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("launchgate-budget").unwrap();
    // No test writes to the user's size cache; the cache's own tests name a folder.
    cmd.env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("LAUNCHGATE_SIZE_CACHE", "off");
    cmd
}
