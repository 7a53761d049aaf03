//! `launchgate init`: looks at the repository and writes a commented starter launchgate.yml.
//!
//! Sections the repository gives enough to fill (secrets always; env from .env.example and
//! the code's reads; budget from build folders, lighthouserc and size-limit files) are live;
//! the ones that need facts only the team knows (the site's URL, the domain) are written
//! commented out, ready to fill in.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use launchgate_core::atomic::write_atomic;
use launchgate_core::output::write_stdout;
use launchgate_core::{Error, ExitStatus};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository root to look at and write into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    /// Print the file instead of writing it.
    #[arg(long)]
    stdout: bool,
}

pub fn run(args: InitArgs) -> ExitStatus {
    ExitStatus::or_printed_error(run_inner(&args).map(|()| ExitStatus::Passed))
}

fn run_inner(args: &InitArgs) -> Result<(), Error> {
    if !args.root.is_dir() {
        return Err(Error::input(format!("{} is not a folder", args.root.display()))
            .with_help("pass the repository root with --root"));
    }
    let detected = Detected::scan(&args.root);
    let text = starter(&args.root, &detected)?;
    if args.stdout {
        write_stdout(text.as_bytes())?;
        return Ok(());
    }
    for name in launchgate_core::config::FILE_NAMES {
        let existing = args.root.join(name);
        if existing.exists() {
            return Err(Error::input(format!(
                "{} already exists; init never overwrites it",
                existing.display()
            ))
            .with_help("remove it first, or print a fresh starter with `launchgate init --stdout`"));
        }
    }
    let target = args.root.join("launchgate.yml");
    write_atomic(&target, text.as_bytes())?;
    let shown = if args.root == Path::new(".") {
        PathBuf::from("launchgate.yml")
    } else {
        target.clone()
    };
    eprintln!("wrote {} ({})", shown.display(), detected.summary());
    eprintln!("next: run `launchgate check` and adjust the file until it passes for the right reasons");
    Ok(())
}

/// What the repository holds that a section can be built from.
#[derive(Debug, Default)]
struct Detected {
    env_example: Option<PathBuf>,
    env_files: Vec<PathBuf>,
    build_dir: Option<PathBuf>,
    lighthouserc: Option<PathBuf>,
    lighthouse_results: Option<PathBuf>,
    size_limit: Option<PathBuf>,
    fixture_dirs: Vec<PathBuf>,
    homepage: Option<String>,
}

impl Detected {
    fn scan(root: &Path) -> Detected {
        let first = |names: &[&str]| names.iter().map(PathBuf::from).find(|p| root.join(p).exists());
        let mut env_files: Vec<PathBuf> = std::fs::read_dir(root)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(PathBuf::from))
            .filter(|n| n.to_string_lossy().starts_with(".env"))
            .collect();
        env_files.sort();
        let package_json: Option<serde_json::Value> = std::fs::read_to_string(root.join("package.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let homepage = package_json
            .as_ref()
            .and_then(|p| p.get("homepage"))
            .and_then(|h| h.as_str())
            .filter(|h| h.starts_with("https://") || h.starts_with("http://"))
            .map(str::to_string);
        Detected {
            env_example: first(&[".env.example", ".env.sample", ".env.template"]),
            env_files,
            build_dir: first(&["dist", "build", "out", ".next/static", "public/build"]),
            lighthouserc: first(&launchgate_budget::lhci::FILE_NAMES),
            lighthouse_results: first(&[".lighthouseci"]),
            size_limit: first(&[".size-limit.json", ".size-limit.js", ".size-limit.cjs"]),
            fixture_dirs: ["tests/fixtures", "test/fixtures", "__fixtures__", "spec/fixtures"]
                .iter()
                .map(PathBuf::from)
                .filter(|p| root.join(p).is_dir())
                .collect(),
            homepage,
        }
    }

    fn summary(&self) -> String {
        let mut found = Vec::new();
        if let Some(p) = &self.env_example {
            found.push(p.display().to_string());
        }
        if let Some(p) = &self.build_dir {
            found.push(format!("{}/", p.display()));
        }
        for p in [&self.lighthouserc, &self.size_limit, &self.lighthouse_results]
            .into_iter()
            .flatten()
        {
            found.push(p.display().to_string());
        }
        if found.is_empty() {
            "found no env, build or budget files; those sections are commented out".into()
        } else {
            format!("from {}", found.join(", "))
        }
    }
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn starter(root: &Path, d: &Detected) -> Result<String, Error> {
    let mut out = String::from(
        "# launchgate: the checks that block a broken launch. Docs: `launchgate --help`.\n\
         # Each section configures one gate; `launchgate check` runs every section present.\n\n",
    );
    out.push_str("# Exposed keys in the working tree, staged changes and pull requests.\n");
    out.push_str("secrets:\n  allow:\n");
    if d.fixture_dirs.is_empty() {
        out.push_str(
            "    # Globs of files whose keys are known fakes, e.g. \"tests/fixtures/**\".\n    paths: []\n",
        );
    } else {
        let globs: Vec<String> = d
            .fixture_dirs
            .iter()
            .map(|p| format!("\"{}/**\"", slash(p)))
            .collect();
        let _ = writeln!(
            out,
            "    # Test fixtures hold fake keys.\n    paths: [{}]",
            globs.join(", ")
        );
    }
    out.push('\n');

    if d.env_example.is_some() || !d.env_files.is_empty() {
        out.push_str("# Required variables per environment; secrets behind public prefixes; .env hygiene.\n");
        let (section, _) = launchgate_env::init::schema_text(root, d.env_example.as_deref())?;
        out.push_str(&section);
    } else {
        out.push_str(
            "# Required variables per environment (no .env.example found to start from):\n\
             # env:\n\
             #   environments: [development, preview, staging, production]\n\
             #   vars:\n\
             #     DATABASE_URL: { type: url, schemes: [postgres, postgresql], required: [staging, production], secret: true }\n",
        );
    }
    out.push('\n');

    let budget_inputs = d.build_dir.is_some() || d.lighthouserc.is_some() || d.size_limit.is_some();
    if budget_inputs {
        out.push_str(
            "# Page weight and speed budgets, from the reports your tools already write.\nbudget:\n",
        );
        if let Some(build) = &d.build_dir {
            let _ = writeln!(out, "  build: {}", slash(build));
            let _ = writeln!(
                out,
                "  bundles:\n    - {{ path: \"{}/**/*.js\", max: \"170 kB\", compression: gzip }}\n    - {{ path: \"{}/**/*.css\", max: \"50 kB\", compression: gzip }}",
                slash(build),
                slash(build)
            );
        }
        if let Some(rc) = &d.lighthouserc {
            let _ = writeln!(out, "  lighthouserc: {}", slash(rc));
        }
        if let Some(results) = &d.lighthouse_results {
            let _ = writeln!(out, "  lighthouse: [{}]", slash(results));
        }
        if let Some(sl) = &d.size_limit {
            let _ = writeln!(out, "  size_limit: {}", slash(sl));
        }
    } else {
        out.push_str(
            "# Page weight and speed budgets (no build folder or Lighthouse config found):\n\
             # budget:\n\
             #   build: dist\n\
             #   bundles:\n\
             #     - { path: \"dist/**/*.js\", max: \"170 kB\", compression: gzip }\n",
        );
    }
    out.push('\n');

    let base = d.homepage.as_deref().unwrap_or("https://example.com");
    let _ = write!(
        out,
        "# Post-deploy smoke tests: uncomment and set your site's URL.\n\
         # smoke:\n\
         #   base_url: {base}\n\
         #   checks:\n\
         #     - {{ name: homepage, get: /, expect: {{ status: 200 }} }}\n\
         #   site:\n\
         #     canonical: {base}\n\
         #     edge: {{}}   # caching and compression of the page and its assets; `require: cdn` to demand a CDN\n\
         #   # Failed logins to your login route must be throttled (at most 100 attempts, to base_url only):\n\
         #   rate_limit: {{ post: /api/login, json: {{ email: probe@example.com, password: wrong }}, requests: 30 }}\n\n\
         # DNS and email authentication: uncomment and set your domain.\n\
         # dns:\n\
         #   domain: example.com\n\
         #   email:\n\
         #     dmarc: {{ min_policy: quarantine }}\n\n\
         # Mail that arrives authenticated: save a message as the inbox received it\n\
         # (Show original, Download original) and set your sending domain.\n\
         # mail:\n\
         #   sending_domain: example.com\n\
         #   messages:\n\
         #     - {{ name: password reset, kind: transactional, saved: mail/reset.eml }}\n\
         #   roundtrip: {{ enabled: false }}   # sending real mail is opt-in\n"
    );
    Ok(out)
}
