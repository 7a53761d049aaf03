//! URLs as reports show them. A Lighthouse run of a preview deploy or a signed link
//! carries credentials in its URL (`https://ci:pass@…`, `?token=…`, `#access_token=…`), and
//! reports are posted in job summaries and pull-request comments, so only the parts that
//! name the page are kept in clear.

/// Query parameters kept in clear: campaign tags and the ones that select a page's
/// content, never credentials. Every other value is redacted.
const PUBLIC_PARAMS: [&str; 5] = ["page", "lang", "locale", "hl", "ref"];

/// The prefix of campaign tags (`utm_source`, `utm_campaign`, …), public by design.
const PUBLIC_PREFIX: &str = "utm_";

/// What a redacted part becomes.
const REDACTED: &str = "…";

fn is_public(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    PUBLIC_PARAMS.contains(&key.as_str()) || key.starts_with(PUBLIC_PREFIX)
}

/// A parameter name shown as-is: short and plain. Anything else may be a token used as a
/// bare key (`?sk_live_…`), so the whole pair goes.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'))
        && launchgate_detect::redact_secrets(key) == key
}

fn redact_param(pair: &str) -> String {
    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
    if is_public(key) && launchgate_detect::redact_secrets(value) == value {
        pair.to_string()
    } else if !is_plain_key(key) {
        REDACTED.to_string()
    } else if value.is_empty() && !pair.contains('=') {
        key.to_string()
    } else {
        format!("{key}={REDACTED}")
    }
}

/// `url` with credentials taken out: the user info dropped, the values of query
/// parameters other than `utm_*`, `page`, `lang`, `locale`, `hl` and `ref` redacted, the
/// fragment redacted, and known token formats in the path redacted. The scheme, host, port
/// and path stay, so the page is still recognisable.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let (tail, fragment) = match tail.split_once('#') {
        Some((t, f)) => (t, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let mut out = format!("{scheme}{host}{}", launchgate_detect::redact_secrets(path));
    if let Some(query) = query {
        let params: Vec<String> = query.split('&').map(redact_param).collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        if !fragment.is_empty() {
            out.push_str(REDACTED);
        }
    }
    out
}

/// `text` (a message another tool wrote) with every `http://` and `https://` URL in it
/// redacted as [`redact`] does, and any other credential the secrets gate knows.
pub fn redact_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = ["https://", "http://"].iter().filter_map(|s| rest.find(s)).min() {
        out.push_str(&launchgate_detect::redact_secrets(&rest[..start]));
        let end = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')'))
            .map_or(rest.len(), |e| start + e);
        out.push_str(&redact(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(&launchgate_detect::redact_secrets(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_query_values_and_fragments_leave() {
        assert_eq!(
            redact(
                "https://ci:hunter2hunter2@shop.dev/cart?token=abc123def456&page=2&utm_source=ci#access_token=eyJhbGciOi"
            ),
            "https://shop.dev/cart?token=…&page=2&utm_source=ci#…"
        );
        assert_eq!(redact("http://127.0.0.1:4174/"), "http://127.0.0.1:4174/");
        assert_eq!(redact("https://a.dev/?debug"), "https://a.dev/?debug");
        assert_eq!(redact("https://a.dev/#"), "https://a.dev/#");
        assert_eq!(redact("https://a.dev/?q=x#top"), "https://a.dev/?q=…#…");
    }

    #[test]
    fn a_token_used_as_a_key_or_in_the_path_leaves() {
        let key = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
        let redacted = redact(&format!("https://a.dev/x?{key}"));
        assert!(!redacted.contains(key), "{redacted}");
        let redacted = redact(&format!("https://a.dev/hooks/{key}/run"));
        assert!(!redacted.contains(key), "{redacted}");
        assert!(redacted.starts_with("https://a.dev/hooks/"), "{redacted}");
    }

    #[test]
    fn urls_inside_messages_are_redacted() {
        assert_eq!(
            redact_in("could not load https://a.dev/?sig=s3cr3t-value (status 404)"),
            "could not load https://a.dev/?sig=… (status 404)"
        );
    }
}
