//! Bundler outputs that describe a build: an esbuild metafile, a webpack stats.json and a
//! Vite manifest. Each yields the output files and, per entry, the files it loads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use launchgate_core::Error;
use serde_json::Value;

use crate::build_files::{BuildFile, Compression, measure, normalize_name};

/// An entry point and the files it loads up front (its imported chunks and CSS).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub files: Vec<String>,
}

/// The files and entries of one build description.
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    pub files: Vec<BuildFile>,
    pub entries: Vec<Entry>,
}

fn read(path: &Path, what: &str, hint: &str) -> Result<Value, Error> {
    let text = crate::read::text(path, crate::read::BUILD_DESCRIPTION)?;
    let name = path.display().to_string();
    let value: Value = serde_json::from_str(&text).map_err(|e| crate::lhr::json_error(&name, &text, &e))?;
    if !value.is_object() {
        return Err(Error::input(format!("{name} is not {what}")).with_help(hint.to_string()));
    }
    Ok(value)
}

/// Files with sizes from the stats; compressed sizes too when the file exists under `root`.
fn files_from(root: &Path, listed: Vec<(String, u64)>) -> Result<Vec<BuildFile>, Error> {
    let on_disk: Vec<PathBuf> = listed
        .iter()
        .map(|(p, _)| PathBuf::from(p))
        .filter(|p| root.join(p).is_file())
        .collect();
    let mut measured = measure(root, &on_disk, &[Compression::Gzip, Compression::Brotli])?;
    for (path, size) in listed {
        if !measured.iter().any(|f| f.path == path) {
            measured.push(BuildFile {
                name: normalize_name(&path),
                path,
                raw: size,
                gzip: None,
                brotli: None,
            });
        }
    }
    measured.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(measured)
}

/// An esbuild metafile (`--metafile`): outputs with their bytes; entries follow static
/// imports and the CSS bundle. Output paths are relative to where esbuild ran, taken to
/// be the metafile's folder.
pub fn esbuild(path: &Path) -> Result<BuildStats, Error> {
    let value = read(
        path,
        "an esbuild metafile",
        "pass the file esbuild writes with --metafile=meta.json",
    )?;
    let outputs = value.get("outputs").and_then(Value::as_object).ok_or_else(|| {
        Error::input(format!(
            "{} is not an esbuild metafile: it has no `outputs`",
            path.display()
        ))
        .with_help("pass the file esbuild writes with --metafile=meta.json")
    })?;
    let listed = outputs
        .iter()
        .filter(|(p, _)| !p.ends_with(".map"))
        .map(|(p, o)| (p.clone(), o.get("bytes").and_then(Value::as_u64).unwrap_or(0)))
        .collect();
    let mut entries = Vec::new();
    for (out_path, output) in outputs {
        if output.get("entryPoint").is_none() {
            continue;
        }
        let mut files = BTreeSet::new();
        let mut stack = vec![out_path.clone()];
        while let Some(p) = stack.pop() {
            if !files.insert(p.clone()) {
                continue;
            }
            let Some(o) = outputs.get(&p) else { continue };
            if let Some(css) = o.get("cssBundle").and_then(Value::as_str) {
                files.insert(css.to_string());
            }
            for import in o.get("imports").and_then(Value::as_array).into_iter().flatten() {
                let static_import = import.get("kind").and_then(Value::as_str) == Some("import-statement");
                let external = import.get("external").and_then(Value::as_bool).unwrap_or(false);
                if let (true, false, Some(ip)) = (
                    static_import,
                    external,
                    import.get("path").and_then(Value::as_str),
                ) {
                    stack.push(ip.to_string());
                }
            }
        }
        let name = output
            .get("entryPoint")
            .and_then(Value::as_str)
            .unwrap_or(out_path)
            .to_string();
        entries.push(Entry {
            name,
            files: files.into_iter().collect(),
        });
    }
    let root = path.parent().unwrap_or(Path::new("."));
    Ok(BuildStats {
        files: files_from(root, listed)?,
        entries,
    })
}

/// A webpack stats.json: `assets` with sizes and `entrypoints` with their assets. Files
/// are looked up under `outputPath` (or next to the stats file) for compressed sizes.
pub fn webpack(path: &Path) -> Result<BuildStats, Error> {
    let value = read(
        path,
        "a webpack stats file",
        "pass the file `webpack --json=stats.json` writes",
    )?;
    let assets = value.get("assets").and_then(Value::as_array).ok_or_else(|| {
        Error::input(format!(
            "{} is not a webpack stats file: it has no `assets`",
            path.display()
        ))
        .with_help("pass the file `webpack --json=stats.json` writes")
    })?;
    let listed = assets
        .iter()
        .filter_map(|a| Some((a.get("name")?.as_str()?.to_string(), a.get("size")?.as_u64()?)))
        .filter(|(n, _)| !n.ends_with(".map"))
        .collect();
    let mut entries = Vec::new();
    if let Some(points) = value.get("entrypoints").and_then(Value::as_object) {
        for (name, point) in points {
            let files = point
                .get("assets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    a.get("name")
                        .and_then(Value::as_str)
                        .or_else(|| a.as_str())
                        .map(str::to_string)
                })
                .filter(|n| !n.ends_with(".map"))
                .collect();
            entries.push(Entry {
                name: name.clone(),
                files,
            });
        }
    }
    let root = value
        .get("outputPath")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).to_path_buf());
    Ok(BuildStats {
        files: files_from(&root, listed)?,
        entries,
    })
}

/// A Vite/Rollup manifest (`.vite/manifest.json`): each entry totals its file, its static
/// imports (recursively) and their CSS. Sizes come from the files in the output folder,
/// the manifest's grandparent for `.vite/manifest.json`.
pub fn vite(path: &Path) -> Result<BuildStats, Error> {
    let value = read(
        path,
        "a Vite manifest",
        "pass dist/.vite/manifest.json (build.manifest: true)",
    )?;
    let chunks = value.as_object().cloned().ok_or_else(|| {
        Error::input(format!(
            "{} is not a Vite manifest: expected a JSON object of chunks",
            path.display()
        ))
        .with_help("pass dist/.vite/manifest.json (build.manifest: true)")
    })?;
    if chunks.is_empty() {
        return Err(Error::input(format!(
            "{} is an empty Vite manifest: it lists no chunks, so nothing would be measured",
            path.display()
        ))
        .with_help(
            "build with `build.manifest: true` and pass the dist/.vite/manifest.json that build writes",
        ));
    }
    if chunks
        .values()
        .any(|c| c.get("file").and_then(Value::as_str).is_none())
    {
        return Err(Error::input(format!(
            "{} is not a Vite manifest: every entry needs a `file`",
            path.display()
        ))
        .with_help("pass dist/.vite/manifest.json (build.manifest: true)"));
    }
    let parent = path.parent().unwrap_or(Path::new("."));
    let root = if parent.file_name().is_some_and(|n| n == ".vite") {
        parent.parent().unwrap_or(parent)
    } else {
        parent
    };
    let mut listed: BTreeSet<String> = BTreeSet::new();
    for chunk in chunks.values() {
        listed.extend(chunk.get("file").and_then(Value::as_str).map(str::to_string));
        for key in ["css", "assets"] {
            for f in chunk.get(key).and_then(Value::as_array).into_iter().flatten() {
                listed.extend(f.as_str().map(str::to_string));
            }
        }
    }
    let mut missing = Vec::new();
    for f in &listed {
        if !root.join(f).is_file() {
            missing.push(f.clone());
        }
    }
    if !missing.is_empty() {
        return Err(Error::input(format!(
            "{} lists {} that is not in {}",
            path.display(),
            missing.join(", "),
            root.display()
        ))
        .with_help("keep the manifest with the build output it describes (a Vite manifest has no sizes)"));
    }
    let paths: Vec<PathBuf> = listed.iter().map(PathBuf::from).collect();
    let files = measure(root, &paths, &[Compression::Gzip, Compression::Brotli])?;
    let mut entries = Vec::new();
    for (key, chunk) in &chunks {
        if chunk.get("isEntry") != Some(&Value::Bool(true)) {
            continue;
        }
        let mut seen = BTreeSet::new();
        let mut files_of = BTreeSet::new();
        let mut stack = vec![key.clone()];
        while let Some(k) = stack.pop() {
            if !seen.insert(k.clone()) {
                continue;
            }
            let Some(c) = chunks.get(&k) else { continue };
            files_of.extend(c.get("file").and_then(Value::as_str).map(str::to_string));
            for f in c.get("css").and_then(Value::as_array).into_iter().flatten() {
                files_of.extend(f.as_str().map(str::to_string));
            }
            for i in c.get("imports").and_then(Value::as_array).into_iter().flatten() {
                stack.extend(i.as_str().map(str::to_string));
            }
        }
        let name = chunk
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string();
        entries.push(Entry {
            name,
            files: files_of.into_iter().collect(),
        });
    }
    Ok(BuildStats { files, entries })
}
