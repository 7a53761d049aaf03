//! `launchgate handover`: the handover document (default HANDOVER.md) from the deployment
//! map and the configuration. A re-run rewrites the generated parts between their markers
//! and keeps everything a person wrote; a file whose markers were removed is refused and
//! left as it is. The file is written atomically.

mod document;
mod markers;

use std::path::{Path, PathBuf};

use clap::Args;

use launchgate_core::config::ConfigFile;
use launchgate_core::launch::LaunchSettings;
use launchgate_core::{Error, ExitStatus};
use launchgate_env::Schema;
use launchgate_secrets::RuleSet;
use launchgate_smoke::spec::SmokeSpec;

#[derive(Debug, Args)]
pub struct HandoverArgs {
    /// The configuration file (default: launchgate.yml or launchgate.yaml in --root).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,

    /// The repository root.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    /// The document to write or update (default: HANDOVER.md in --root).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: HandoverArgs) -> ExitStatus {
    ExitStatus::or_printed_error(run_inner(&args))
}

fn run_inner(args: &HandoverArgs) -> Result<ExitStatus, Error> {
    let config = crate::check::required_config(args.config.as_deref(), &args.root)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.root.join("HANDOVER.md"));
    let text = handover_text(&config, &args.root, &output)?;
    launchgate_core::atomic::write_atomic(&output, text.as_bytes())?;
    eprintln!("launchgate handover: wrote {}", output.display());
    Ok(ExitStatus::Passed)
}

/// The document for `config`: new, or `output`'s text with its generated parts updated.
pub fn handover_text(config: &ConfigFile, root: &Path, output: &Path) -> Result<String, Error> {
    let existing = read_existing(output)?;
    let settings = LaunchSettings::from_config(config)?;
    let schema = Schema::from_config(config)?;
    let smoke = config.section::<SmokeSpec>("smoke")?;
    let maps = launchgate_map::for_launch_report(config, settings.map)?;
    // The rule that recognises each secret's value, read as `env check` reads values; only
    // the rule id is kept, never the value.
    let recognised = launchgate_env::secret_values(config, root, std::env::vars_os())?
        .into_iter()
        .filter_map(|(name, value)| {
            launchgate_env::secret_values::recognise(value.expose()).map(|r| (name, r.rule_id))
        })
        .collect();
    let inputs = document::Inputs {
        product: settings.product.as_deref(),
        maps: &maps,
        vars: schema.as_ref().map(|s| &s.config.vars),
        smoke_base_url: smoke.as_ref().map(|s| s.base_url.as_str()),
        smoke_checks: smoke
            .iter()
            .flat_map(|s| &s.checks)
            .filter_map(|c| c.name.clone())
            .collect(),
        revenue_paths: settings
            .revenue_paths
            .iter()
            .map(|p| p.as_str().to_string())
            .collect(),
        recognised,
    };
    let blocks = document::blocks(&inputs, &RuleSet::embedded(), existing.as_deref());
    match existing {
        None => Ok(document::new_document(&inputs, &blocks)),
        Some(text) => markers::replace_blocks(&output.display().to_string(), &text, &blocks),
    }
}

/// The file's text, `None` when it does not exist yet; bounded like every file read.
fn read_existing(path: &Path) -> Result<Option<String>, Error> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    launchgate_core::bounded::read_file_text(
        path,
        launchgate_core::bounded::MAX_CONFIG_FILE_SIZE,
        "the handover document",
    )
    .map(Some)
}
