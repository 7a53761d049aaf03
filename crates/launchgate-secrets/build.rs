//! Embeds every `rules/secrets/*.yaml` of the repository into the binary.
//!
//! The files are only listed and included here; they are parsed at run time, so a rule file
//! that is half-written or invalid never breaks the build (`rules check` reports it).

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("../../rules/secrets");
    println!("cargo:rerun-if-changed={}", rules_dir.display());

    let mut files: Vec<PathBuf> = match std::fs::read_dir(&rules_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();

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
