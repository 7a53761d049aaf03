//! Captures: values taken from a response to feed later steps.

use crate::cookies::CookieJar;
use crate::http::Exchange;
use crate::spec::CaptureSource;

/// Reads one captured value from a response (or the jar, for cookies).
pub fn capture(source: &CaptureSource, response: &Exchange, jar: &CookieJar) -> Result<String, String> {
    let json = |query: &str| {
        serde_json::from_slice::<serde_json::Value>(&response.body)
            .map_err(|e| format!("cannot capture json:{query}: the body is not JSON ({e})"))
    };
    match source {
        CaptureSource::Json(pointer) => {
            let doc = json(pointer)?;
            json_text(doc.pointer(pointer), pointer)
        }
        CaptureSource::JsonPath(path, query) => {
            let doc = json(query)?;
            let nodes = path.query(&doc).all();
            match nodes.len() {
                0 | 1 => json_text(nodes.first().copied(), query),
                n => Err(format!(
                    "cannot capture json:{query}: it selects {n} values; a capture takes one"
                )),
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

/// A captured JSON value as text: a string as it is, anything else as JSON.
fn json_text(found: Option<&serde_json::Value>, query: &str) -> Result<String, String> {
    match found {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(serde_json::Value::Null) | None => Err(format!("cannot capture json:{query}: not in the body")),
        Some(v) => Ok(v.to_string()),
    }
}
