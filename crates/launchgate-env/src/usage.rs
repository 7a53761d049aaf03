//! `usage`: which variables the code reads, found in the source with the `ignore` walker.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use regex::Regex;

use crate::columns::Columns;

/// Source files larger than this are generated bundles, not code to read.
pub const MAX_SOURCE_FILE_SIZE: u64 = 4 << 20;

/// A language's ways of reading a variable; each pattern's first group is the name.
struct Language {
    name: &'static str,
    extensions: &'static [&'static str],
    /// A literal every match contains, to skip files cheaply.
    needles: &'static [&'static str],
    regex: Regex,
}

const NAME: &str = r"([A-Za-z_][A-Za-z0-9_]*)";

fn language(
    name: &'static str,
    extensions: &'static [&'static str],
    needles: &'static [&'static str],
    patterns: &[&str],
) -> Language {
    let alternation = patterns
        .iter()
        .map(|p| format!("(?:{})", p.replace("NAME", NAME)))
        .collect::<Vec<_>>()
        .join("|");
    Language {
        name,
        extensions,
        needles,
        regex: Regex::new(&alternation).unwrap_or_else(|e| panic!("usage pattern for {name}: {e}")),
    }
}

static LANGUAGES: LazyLock<Vec<Language>> = LazyLock::new(|| {
    let q = r#"["'`]"#;
    vec![
        language(
            "javascript",
            &[
                "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue", "svelte", "astro",
            ],
            &["env"],
            &[
                r"process\.env\.NAME",
                &format!(r"process\.env\[\s*{q}NAME{q}\s*\]"),
                r"import\.meta\.env\.NAME",
                &format!(r"Deno\.env\.get\(\s*{q}NAME{q}"),
                r"Bun\.env\.NAME",
            ],
        ),
        language(
            "python",
            &["py"],
            &["environ", "getenv"],
            &[
                &format!(r"os\.environ\[\s*{q}NAME{q}\s*\]"),
                &format!(r"os\.environ\.get\(\s*{q}NAME{q}"),
                &format!(r"os\.getenv\(\s*{q}NAME{q}"),
            ],
        ),
        language(
            "rust",
            &["rs"],
            &["env"],
            &[r#"env::var(?:_os)?\(\s*"NAME""#, r#"(?:option_)?env!\(\s*"NAME""#],
        ),
        language(
            "go",
            &["go"],
            &["Getenv", "LookupEnv"],
            &[r#"os\.(?:Getenv|LookupEnv)\(\s*"NAME""#],
        ),
        language(
            "ruby",
            &["rb", "rake", "erb"],
            &["ENV"],
            &[
                &format!(r"\bENV\[\s*{q}NAME{q}\s*\]"),
                &format!(r"\bENV\.fetch\(\s*{q}NAME{q}"),
            ],
        ),
        language(
            "php",
            &["php"],
            &["getenv", "_ENV", "env("],
            &[
                &format!(r"\bgetenv\(\s*{q}NAME{q}"),
                &format!(r"\$_ENV\[\s*{q}NAME{q}\s*\]"),
                &format!(r"\benv\(\s*{q}NAME{q}"),
            ],
        ),
    ]
});

/// One place the code reads a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub language: &'static str,
}

/// Every variable read under `root`, by name, with each place it is read. Honours
/// `.gitignore` and `.ignore`; skips files over 4 MiB (generated bundles).
pub fn scan(root: &Path) -> (BTreeMap<String, Vec<Use>>, usize) {
    let (used, files, _) = scan_counting_skipped(root);
    (used, files)
}

/// [`scan`], and how many source files were left out for their size, so a report can say so.
pub fn scan_counting_skipped(root: &Path) -> (BTreeMap<String, Vec<Use>>, usize, usize) {
    let found: Mutex<BTreeMap<String, Vec<Use>>> = Mutex::new(BTreeMap::new());
    let files = std::sync::atomic::AtomicUsize::new(0);
    let too_large = std::sync::atomic::AtomicUsize::new(0);
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git" && e.file_name() != "node_modules")
        .build_parallel();
    walker.run(|| {
        let found = &found;
        let files = &files;
        let too_large = &too_large;
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return ignore::WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let path = entry.path();
            let Some(lang) = path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(|ext| LANGUAGES.iter().find(|l| l.extensions.contains(&ext)))
            else {
                return ignore::WalkState::Continue;
            };
            let skip_large = || {
                too_large.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ignore::WalkState::Continue
            };
            match entry.metadata() {
                Ok(m) if m.len() > MAX_SOURCE_FILE_SIZE => return skip_large(),
                Ok(_) => {}
                Err(_) => return ignore::WalkState::Continue,
            }
            // Bounded again while reading: the file may have grown since its size was read.
            let mut bytes = Vec::new();
            let read = std::fs::File::open(path)
                .and_then(|f| f.take(MAX_SOURCE_FILE_SIZE + 1).read_to_end(&mut bytes));
            if read.is_err() {
                return ignore::WalkState::Continue;
            }
            if bytes.len() as u64 > MAX_SOURCE_FILE_SIZE {
                return skip_large();
            }
            files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let rel = path.strip_prefix(root).unwrap_or(path);
            let uses = scan_text(
                &String::from_utf8_lossy(&bytes),
                lang,
                &crate::files::display(rel),
            );
            if !uses.is_empty() {
                let mut map = found.lock().unwrap_or_else(|e| e.into_inner());
                for (name, u) in uses {
                    map.entry(name).or_default().push(u);
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut map = found.into_inner().unwrap_or_else(|e| e.into_inner());
    for uses in map.values_mut() {
        uses.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    }
    (map, files.into_inner(), too_large.into_inner())
}

fn scan_text(text: &str, lang: &Language, display: &str) -> Vec<(String, Use)> {
    if !lang
        .needles
        .iter()
        .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut line_start = 0usize;
    let mut counted_to = 0usize;
    // Many reads on one line (a minified bundle) share one count of its characters.
    let mut columns = Columns::new(text);
    for caps in lang.regex.captures_iter(text) {
        let Some(name) = caps.iter().skip(1).flatten().next() else {
            continue;
        };
        let whole = caps.get(0).map(|m| m.start()).unwrap_or(0);
        for nl in memchr::memchr_iter(b'\n', &text.as_bytes()[counted_to..whole]) {
            line += 1;
            line_start = counted_to + nl + 1;
            columns = Columns::new(&text[line_start..]);
        }
        counted_to = whole;
        let column = columns.at(whole - line_start);
        out.push((
            name.as_str().to_string(),
            Use {
                path: display.to_string(),
                line,
                column,
                language: lang.name,
            },
        ));
    }
    out
}

/// Whether a name is set by the platform rather than by the project (`NODE_ENV`, `CI` …).
pub fn is_platform_variable(name: &str) -> bool {
    const NAMES: [&str; 14] = [
        "NODE_ENV", "CI", "HOME", "PATH", "PWD", "USER", "SHELL", "TMPDIR", "LANG", "TZ", "HOSTNAME", "MODE",
        "DEV", "PROD",
    ];
    const PREFIXES: [&str; 8] = [
        "VERCEL_", "NETLIFY", "GITHUB_", "RUNNER_", "CARGO_", "npm_", "RENDER_", "FLY_",
    ];
    NAMES.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
        || name == "SSR"
        || name == "BASE_URL"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: &str, src: &str) -> Vec<(String, u32, u32)> {
        let l = LANGUAGES.iter().find(|l| l.name == lang).unwrap();
        scan_text(src, l, "f")
            .into_iter()
            .map(|(n, u)| (n, u.line, u.column))
            .collect()
    }

    #[test]
    fn each_language() {
        assert_eq!(
            names(
                "javascript",
                "const a = process.env.API_URL;\nconst b = process.env[\"SECRET\"];\nimport.meta.env.VITE_X; Deno.env.get('DENO_Y')\n"
            ),
            vec![
                ("API_URL".into(), 1, 11),
                ("SECRET".into(), 2, 11),
                ("VITE_X".into(), 3, 1),
                ("DENO_Y".into(), 3, 25)
            ]
        );
        assert_eq!(
            names(
                "python",
                "os.environ['A']\nos.environ.get(\"B\")\nos.getenv('C')\n"
            )
            .len(),
            3
        );
        assert_eq!(
            names("rust", "std::env::var(\"A\")\nenv::var_os(\"B\")\nenv!(\"C\")\n").len(),
            3
        );
        assert_eq!(names("go", "os.Getenv(\"A\")\nos.LookupEnv(\"B\")\n").len(), 2);
        assert_eq!(names("ruby", "ENV['A']\nENV.fetch(\"B\")\n").len(), 2);
        assert_eq!(names("php", "getenv('A'); $_ENV['B']; env('C')\n").len(), 3);
        assert!(names("javascript", "process.env[name]\n").is_empty());
    }

    /// A minified bundle: every read on one long line. Columns are counted once per line.
    #[test]
    fn columns_of_many_reads_on_one_line_are_counted_once() {
        let js = LANGUAGES.iter().find(|l| l.name == "javascript").expect("js");
        let line = "é;process.env.API_URL;".repeat(20_000);
        let text = format!("// bundle\n{line}\nprocess.env.LAST\n");
        let before = crate::columns::work::counted();
        let uses = scan_text(&text, js, "b.js");
        let counted = crate::columns::work::counted() - before;
        assert_eq!(uses.len(), 20_001);
        assert_eq!((uses[1].1.line, uses[1].1.column), (2, 25));
        assert_eq!((uses[20_000].1.line, uses[20_000].1.column), (3, 1));
        assert!(
            counted <= 2 * text.len(),
            "counted {counted} bytes for {} bytes",
            text.len()
        );
    }
}
