//! Embeds every `rules/secrets/*.yaml` of the repository into the binary.
//!
//! Each file goes in twice: its YAML text, for messages and `rules check`, and the same rules
//! as JSON, which loads many times faster than YAML when a scan starts, with the line each
//! rule starts on as the YAML parser read it. The JSON is a plain
//! translation of the YAML's values, made without knowing the rule format, and the binary
//! reads it with the same rule types as the YAML. A file that cannot be translated (a YAML
//! error, a half-written file) gets no JSON: the binary then reads its YAML, reports the
//! problem with its line, and every scan refuses to run, so such a file never breaks the
//! build and never goes unnoticed. A rules folder that cannot be read, or holds no rule
//! file, does break the build: a binary without rules would pass every scan.

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "build_rules.rs"]
mod build_rules;

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rules_dir = manifest.join("../../rules/secrets");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    println!("cargo:rerun-if-changed=build_rules.rs");

    let files = build_rules::rule_files(&rules_dir).unwrap_or_else(|e| panic!("{e}"));

    let mut out = String::from("/// Every rule file of `rules/secrets/`.\n");
    out.push_str("static EMBEDDED_RULE_FILES: &[EmbeddedRuleFile] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .expect("listed files have names")
            .to_string_lossy()
            .into_owned();
        let absolute = path.canonicalize().unwrap_or_else(|_| path.clone());
        let text = std::fs::read_to_string(path).ok();
        let json = text.as_deref().and_then(build_rules::yaml_to_json);
        let lines = text.as_deref().map(build_rules::rule_lines).unwrap_or_default();
        let json = match json {
            Some(json) => {
                let json_path = out_dir.join(format!("{name}.json"));
                std::fs::write(&json_path, json).expect("OUT_DIR is writable");
                format!("Some(include_str!({:?}))", json_path.display().to_string())
            }
            None => "None".to_string(),
        };
        writeln!(
            out,
            "    EmbeddedRuleFile {{ name: {:?}, yaml: include_str!({:?}), json: {json}, lines: &{lines:?} }},",
            format!("rules/secrets/{name}"),
            absolute.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("embedded_rules.rs"), out).expect("OUT_DIR is writable");
}
