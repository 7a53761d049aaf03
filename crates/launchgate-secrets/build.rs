//! Embeds every `rules/secrets/*.yaml` of the repository into the binary.
//!
//! The files are only listed and included here; they are parsed at run time, so a rule file
//! that is half-written or invalid never breaks the build (`rules check` reports it). A
//! rules folder that cannot be read, or holds no rule file, does break it: a binary without
//! rules would pass every scan.

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "build_rules.rs"]
mod build_rules;

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("../../rules/secrets");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    println!("cargo:rerun-if-changed=build_rules.rs");

    let files = build_rules::rule_files(&rules_dir).unwrap_or_else(|e| panic!("{e}"));

    let mut out = String::from("/// Every rule file of `rules/secrets/`: (file name, contents).\n");
    out.push_str("pub static EMBEDDED_RULE_FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .expect("listed files have names")
            .to_string_lossy();
        let absolute = path.canonicalize().unwrap_or_else(|_| path.clone());
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("rules/secrets/{name}"),
            absolute.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("embedded_rules.rs"), out).expect("OUT_DIR is writable");
}
