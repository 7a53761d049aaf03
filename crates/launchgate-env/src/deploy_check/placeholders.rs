//! Values that stand in for a real one: `changeme`, `<your key>`, `xxx`, a localhost or
//! example-domain URL.

/// Why a value looks like a placeholder, if it does.
pub fn placeholder(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    for marker in [
        "changeme",
        "change_me",
        "change-me",
        "replace_me",
        "replace-me",
        "replaceme",
        "your_",
        "your-",
        "placeholder",
    ] {
        if lower.contains(marker) {
            return Some("is a placeholder value");
        }
    }
    if lower.starts_with('<') && lower.ends_with('>') {
        return Some("is a placeholder value");
    }
    let segments = lower.split(|c: char| !c.is_ascii_alphanumeric());
    for seg in segments {
        if seg == "todo"
            || seg == "fixme"
            || seg == "tbd"
            || (seg.len() >= 3 && seg.bytes().all(|b| b == b'x'))
        {
            return Some("is a placeholder value");
        }
    }
    if let Ok(url) = url::Url::parse(value)
        && let Some(host) = url.host_str()
    {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "::1") || host.ends_with(".localhost") {
            return Some("points at localhost");
        }
        if ["example.com", "example.org", "example.net"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        {
            return Some("points at an example domain");
        }
    }
    None
}
