//! What every launchgate parser keeps on any input, written once for the fuzz targets under
//! `fuzz/`, the replay of their corpora (`tests/corpus.rs`) and the property tests
//! (`tests/properties.rs`).
//!
//! Each function takes raw bytes, runs one parser the way the gate runs it, and panics when
//! an invariant breaks: the parser must not panic, every position it reports must lie inside
//! the input, and what it returns is bounded by the input's size (no finding, entry or term
//! without bytes behind it).

use std::path::Path;
use std::sync::OnceLock;

use launchgate_core::Error;

/// A fuzz target: its name (the folder of its corpus under `fuzz/corpus/`) and its check.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, as `fuzz/fuzz_targets/` and `fuzz/corpus/` name them.
pub const TARGETS: &[Target] = &[
    ("dotenv", dotenv),
    ("env_schema", env_schema),
    ("config_yaml", config_yaml),
    ("lhr_json", lhr_json),
    ("webpack_stats", webpack_stats),
    ("smoke_spec", smoke_spec),
    ("spf", spf),
    ("dmarc", dmarc),
    ("dkim", dkim),
    ("mta_sts", mta_sts),
    ("smtp_reply", smtp_reply),
    ("secrets_scan", secrets_scan),
    ("range_patch", range_patch),
];

/// The lines of a text, as the parsers count them: a last line without a newline counts.
fn line_count(text: &[u8]) -> usize {
    text.split(|&b| b == b'\n').count()
}

/// An error's position, when it has one, names a line of the input.
fn error_inside(error: &Error, text: &str) {
    if let Some((line, column)) = error.position() {
        assert!(
            line >= 1 && line <= line_count(text.as_bytes()) && column >= 1,
            "error at {line}:{column} outside a {}-line input: {}",
            line_count(text.as_bytes()),
            error.message()
        );
    }
}

/// A `.env.schema` (@env-spec) read as the env gate's schema: an error points into the
/// input, and every variable it declares is at a line and column of it.
pub fn env_schema(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match launchgate_env::Schema::from_env_spec_text(".env.schema".into(), text.to_string()) {
        Err(e) => error_inside(&e, text),
        Ok(schema) => {
            let lines = line_count(bytes);
            assert!(schema.config.vars.len() <= lines);
            for name in schema.config.vars.keys() {
                let (line, column) = schema.position_of(name).expect("every variable has a position");
                assert!(
                    line >= 1 && line as usize <= lines && column >= 1,
                    "{name} at {line}:{column}"
                );
            }
        }
    }
}

/// The dotenv parser: entries and problems on lines of the input, at most one entry a line.
pub fn dotenv(bytes: &[u8]) {
    let parsed = launchgate_env::dotenv::parse(bytes);
    let lines = line_count(bytes) as u32;
    assert!(
        parsed.line_count <= lines,
        "{} lines counted in {lines}",
        parsed.line_count
    );
    assert!(parsed.entries.len() <= lines as usize);
    for e in &parsed.entries {
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert!(e.line <= e.value_line && e.value_line <= e.end_line, "{e:?}");
        assert!(
            e.end_line <= lines,
            "entry ends on line {} of {lines}",
            e.end_line
        );
        // Characters, not bytes: an invalid byte is read as one U+FFFD.
        assert!(
            e.key.chars().count() + e.raw_value.chars().count() <= bytes.len(),
            "{e:?}"
        );
    }
    for p in &parsed.problems {
        assert!(
            p.line >= 1 && p.line <= lines.max(1) && p.column >= 1,
            "{p:?} in {lines} lines"
        );
    }
}

/// launchgate.yml: its sections, each read as YAML; errors point into the file.
pub fn config_yaml(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let file = launchgate_core::config::ConfigFile {
        path: "launchgate.yml".into(),
        source: text.to_string(),
    };
    match file.sections() {
        Ok(sections) => assert!(sections.len() <= bytes.len()),
        Err(e) => error_inside(&e, text),
    }
    for name in launchgate_core::Gate::NAMES {
        if let Err(e) = file.section::<serde::de::IgnoredAny>(name) {
            error_inside(&e, text);
        }
    }
}

/// A Lighthouse report (LHR) as `--lighthouse` reads it.
pub fn lhr_json(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match launchgate_budget::lhr::LighthouseRun::parse("lhr.json", Path::new("lhr.json"), text) {
        Ok(run) => assert!(run.audits.len() <= bytes.len()),
        Err(e) => error_inside(&e, text),
    }
}

/// A webpack stats file as `--stats` reads it, from a file in an empty folder.
///
/// Inputs naming an `outputPath` are skipped: the reader measures the files the stats list
/// under that folder, and a fuzzer must not read the machine's files.
pub fn webpack_stats(bytes: &[u8]) {
    if bytes.windows(b"outputPath".len()).any(|w| w == b"outputPath") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("stats.json");
    std::fs::write(&path, bytes).expect("writing the input");
    if let Ok(stats) = launchgate_budget::bundler_stats::webpack(&path) {
        assert!(stats.files.len() <= bytes.len());
    }
}

/// A smoke spec file: deserialised, then validated as `smoke run --spec` does before any
/// request.
pub fn smoke_spec(bytes: &[u8]) {
    use launchgate_smoke::run::{RunOptions, SpecSource, Suite};
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match launchgate_core::config::from_yaml_str::<launchgate_smoke::SmokeSpec>("smoke.yml", text) {
        Ok(spec) => {
            let source = SpecSource {
                file_name: "smoke.yml",
                text,
            };
            if let Err(e) = Suite::prepare(spec, &RunOptions::default(), Some(source)) {
                error_inside(&e, text);
            }
        }
        Err(e) => error_inside(&e, text),
    }
}

/// An SPF record, parsed as the gate parses the TXT records it recognises.
pub fn spf(bytes: &[u8]) {
    use launchgate_dns::spf::parse;
    let text = String::from_utf8_lossy(bytes);
    if parse::is_spf(&text) {
        let record = parse::parse(&text);
        assert!(record.terms.len() + record.errors.len() <= bytes.len());
        let _ = (record.all(), record.redirect(), record.after_all());
    }
}

/// A DMARC record.
pub fn dmarc(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let record = launchgate_dns::dmarc::parse(&text);
    assert!(record.tags.len() <= bytes.len() && record.errors.len() <= bytes.len() + 1);
}

/// A DKIM key record and its public key.
pub fn dkim(bytes: &[u8]) {
    use launchgate_dns::dkim::{self, key};
    let text = String::from_utf8_lossy(bytes);
    let record = dkim::parse(&text);
    assert!(record.tags.len() <= bytes.len());
    if let Some(der) = record.get("p").and_then(|p| {
        launchgate_core::encoding::decode_base64(p, launchgate_core::encoding::Base64::Standard)
    }) {
        assert!(der.len() <= bytes.len());
        if let Some(bits) = key::rsa_modulus_bits(&der) {
            assert!(bits <= der.len() * 8, "{bits} bits in {} bytes", der.len());
        }
    }
}

/// An MTA-STS policy body.
pub fn mta_sts(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let policy = launchgate_dns::mta_sts::parse_policy(&text);
    assert!(policy.mx.len() <= line_count(bytes));
    for mx in &policy.mx {
        let _ = launchgate_dns::mta_sts::mx_matches(mx, "mail.example.com");
    }
}

/// An SMTP reply as an MX host sends it, read as the STARTTLS probe reads it: bounded in
/// lines and line length, and never reading past the reply's last line.
pub fn smtp_reply(bytes: &[u8]) {
    use launchgate_dns::smtp::session::{MAX_LINE_BYTES, MAX_REPLY_LINES, read_reply};
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a Tokio runtime")
    });
    let mut rest: &[u8] = bytes;
    let outcome = runtime.block_on(read_reply(&mut rest));
    let consumed = bytes.len() - rest.len();
    assert!(consumed <= MAX_REPLY_LINES * MAX_LINE_BYTES);
    if let Ok((code, lines)) = outcome {
        assert!(code <= 999 && !lines.is_empty() && lines.len() <= MAX_REPLY_LINES);
        assert!(lines.iter().all(|l| l.len() <= 3 * MAX_LINE_BYTES));
        // A complete reply ends at a line feed: nothing after it was read.
        assert_eq!(bytes[consumed - 1], b'\n');
    }
}

/// The secrets engine with the built-in rules, built once.
fn engine() -> &'static launchgate_detect::Engine {
    static ENGINE: OnceLock<launchgate_detect::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        launchgate_detect::Engine::new(
            launchgate_detect::RuleSet::embedded(),
            &launchgate_detect::EngineConfig::default(),
        )
        .expect("the built-in rules compile")
    })
}

/// The engine's scan of a file's bytes: every match and its secret lie inside the input, at
/// the line and column their offsets give.
pub fn secrets_scan(bytes: &[u8]) {
    let matches = engine().scan_bytes("fuzz/input.txt", bytes);
    assert!(matches.len() <= bytes.len());
    for m in &matches {
        assert!(
            m.range.start <= m.range.end && m.range.end <= bytes.len(),
            "{}: {:?}",
            m.rule_id,
            m.range
        );
        assert!(
            m.secret_range.start <= m.secret_range.end && m.secret_range.end <= bytes.len(),
            "{}: secret {:?}",
            m.rule_id,
            m.secret_range
        );
        let (line, column) = launchgate_detect::position::line_column(bytes, m.secret_range.start);
        assert_eq!((m.line, m.column), (line, column), "{}", m.rule_id);
        assert!(
            (m.end_line, m.end_column) >= (m.line, m.column),
            "{}: ends before it starts",
            m.rule_id
        );
    }
}

/// The patch reader of `secrets scan --range` on `git log -p --cc` output: every added line
/// is a line of the input (its content follows its `+` prefix there), numbered from 1, and
/// the lines, files and commits it returns are bounded by the input's lines and bytes.
pub fn range_patch(bytes: &[u8]) {
    use launchgate_secrets::history::added::{Limits, read_log_patch};
    let unlimited = Limits {
        per_file: u64::MAX,
        total: u64::MAX,
    };
    let patch = read_log_patch(&mut &bytes[..], unlimited, &|_| true, "BASE..HEAD")
        .expect("reading bytes within no limit cannot fail");
    let (files, commits, merges) = (patch.files, patch.commits, patch.merges);
    let lines = line_count(bytes);
    let headers = bytes
        .split(|&b| b == b'\n')
        .filter(|l| l.first() == Some(&0x01))
        .count();
    assert!(
        merges <= commits && commits == headers,
        "{merges} merges, {commits} commits, {headers} headers"
    );
    assert!(files.len() <= lines, "{} files in {lines} lines", files.len());
    let mut added_bytes = 0usize;
    let mut added_lines = 0usize;
    for file in &files {
        assert!(
            !file.lines.is_empty(),
            "{}: a file without added lines",
            file.intro.path
        );
        for (number, content) in &file.lines {
            assert!(*number >= 1, "{}: added line numbered {number}", file.intro.path);
            // Behind each content at least one `+` in the input, and a newline unless last.
            added_bytes += content.len() + 1;
            added_lines += 1;
            let mut with_prefix = b"+".to_vec();
            with_prefix.extend_from_slice(content);
            assert!(
                memchr::memmem::find(bytes, &with_prefix).is_some(),
                "{}:{number}: an added line that is not in the input",
                file.intro.path
            );
        }
    }
    assert!(added_lines <= lines, "{added_lines} added lines in {lines} lines");
    assert!(
        added_bytes <= bytes.len(),
        "{added_bytes} bytes of added lines from {} bytes",
        bytes.len()
    );
}
