//! Captures: values taken from a response to feed later steps.

use crate::cookies::CookieJar;
use crate::http::Exchange;
use crate::spec::CaptureSource;

/// Reads one captured value from a response (or the jar, for cookies).
pub fn capture(source: &CaptureSource, response: &Exchange, jar: &CookieJar) -> Result<String, String> {
    match source {
        CaptureSource::Json(pointer) => {
            let doc: serde_json::Value = serde_json::from_slice(&response.body)
                .map_err(|e| format!("cannot capture json:{pointer}: the body is not JSON ({e})"))?;
            match doc.pointer(pointer) {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(serde_json::Value::Null) | None => {
                    Err(format!("cannot capture json:{pointer}: not in the body"))
                }
                Some(v) => Ok(v.to_string()),
            }
        }
        CaptureSource::Header(name) => response
            .header(name)
            .ok_or_else(|| format!("cannot capture header:{name}: the response has no such header")),
        CaptureSource::Cookie(name) => response
            .set_cookies
            .iter()
            .rev()
            .find(|c| &c.name == name)
            .map(|c| c.value.clone())
            .or_else(|| jar.value(name).map(str::to_string))
            .ok_or_else(|| format!("cannot capture cookie:{name}: no such cookie was set")),
        CaptureSource::Regex(re) => {
            let body = response.text();
            let caps =
                re.0.captures(&body)
                    .ok_or_else(|| format!("cannot capture regex:{}: no match in the body", re.0))?;
            Ok(caps
                .get(1)
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default())
        }
    }
}
