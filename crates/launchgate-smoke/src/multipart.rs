//! `multipart/form-data` bodies: the files checked before the run, read (bounded) per
//! request, and the form built for the client.

use std::path::Path;
use std::sync::Arc;

use crate::spec::{FilePart, MultipartField, MultipartSpec};
use crate::vars::Vars;

/// The largest file a multipart field may upload.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;

const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// One part, ready to send.
#[derive(Debug, Clone)]
pub enum PreparedPart {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        filename: String,
        content_type: String,
        bytes: Arc<Vec<u8>>,
    },
}

/// What can be wrong with a file field before the run; the error names the path.
pub fn check_file(part: &FilePart) -> Result<(), String> {
    let path = Path::new(&part.path);
    let meta = std::fs::metadata(path).map_err(|e| format!("multipart file {}: {e}", part.path))?;
    if !meta.is_file() {
        return Err(format!("multipart file {} is not a file", part.path));
    }
    if meta.len() > MAX_UPLOAD_BYTES {
        return Err(format!(
            "multipart file {} is {} bytes, over the {} MiB limit",
            part.path,
            meta.len(),
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ));
    }
    if let Some(ct) = &part.content_type
        && reqwest::multipart::Part::bytes(Vec::new()).mime_str(ct).is_err()
    {
        return Err(format!(
            "multipart file {}: `{ct}` is not a content type such as image/png",
            part.path
        ));
    }
    Ok(())
}

/// Expands the text values and reads the files.
pub fn prepare(spec: &MultipartSpec, vars: &Vars) -> Result<Vec<PreparedPart>, String> {
    spec.0
        .iter()
        .map(|(name, field)| {
            Ok(match field {
                MultipartField::Text(t) => PreparedPart::Text {
                    name: name.clone(),
                    value: vars.expand(t)?,
                },
                MultipartField::File(f) => {
                    let bytes = launchgate_core::bounded::read_file(
                        Path::new(&f.path),
                        MAX_UPLOAD_BYTES,
                        "a multipart file",
                    )
                    .map_err(|e| e.message().to_string())?;
                    let filename = f.filename.clone().unwrap_or_else(|| {
                        Path::new(&f.path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    });
                    PreparedPart::File {
                        name: name.clone(),
                        filename,
                        content_type: f
                            .content_type
                            .clone()
                            .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_string()),
                        bytes: Arc::new(bytes),
                    }
                }
            })
        })
        .collect()
}

/// The form for the client; every part's length is known, so it is sent with a
/// Content-Length.
pub fn form(parts: &[PreparedPart]) -> Result<reqwest::multipart::Form, String> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            PreparedPart::Text { name, value } => form.text(name.clone(), value.clone()),
            PreparedPart::File {
                name,
                filename,
                content_type,
                bytes,
            } => {
                let p = reqwest::multipart::Part::bytes(bytes.as_ref().clone())
                    .file_name(filename.clone())
                    .mime_str(content_type)
                    .map_err(|_| format!("`{content_type}` is not a content type"))?;
                form.part(name.clone(), p)
            }
        };
    }
    Ok(form)
}
