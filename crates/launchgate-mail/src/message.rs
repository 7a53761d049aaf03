//! Reading a saved message within stated limits, and the facts the checks need from it.
//!
//! The header section is measured before any parser sees it, so a header bomb (thousands
//! of fields, one field folded over megabytes) is a finding in bounded time and memory.

use std::net::IpAddr;
use std::path::Path;

use launchgate_core::Error;
use launchgate_core::bounded::{human_size, read_file};
use mail_parser::{Address, HeaderValue, MessageParser};

/// The most read from one message file; a larger file is an input error (exit 2).
pub const MAX_MESSAGE_SIZE: u64 = 25 * 1024 * 1024;
/// The most header fields a message may carry; real mail after many hops has about 100.
pub const MAX_HEADER_FIELDS: usize = 1000;
/// The most bytes the header section may take.
pub const MAX_HEADER_BYTES: usize = 512 * 1024;
/// The most bytes one header field may take once unfolded.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// The most links read from the message's parts.
pub const MAX_LINKS: usize = 500;

/// A saved message: its bytes and where each header field starts.
#[derive(Debug)]
pub struct RawMessage {
    /// The file as given on the command line or in the configuration.
    pub path: String,
    pub bytes: Vec<u8>,
    /// Each header field's lower-case name and 1-based line, in order.
    pub fields: Vec<(String, u32)>,
    /// The 1-based line the body starts on.
    pub body_start: u32,
}

impl RawMessage {
    /// Reads `path` (at most [`MAX_MESSAGE_SIZE`]); a file that cannot be read is an error.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = read_file(path, MAX_MESSAGE_SIZE, "the message")?;
        Ok(RawMessage {
            path: path.display().to_string(),
            bytes,
            fields: Vec::new(),
            body_start: 1,
        })
    }

    /// A message fetched from somewhere else than a file; `path` names where.
    pub fn from_bytes(path: String, bytes: Vec<u8>) -> Self {
        RawMessage {
            path,
            bytes,
            fields: Vec::new(),
            body_start: 1,
        }
    }

    /// The line of the first header field named `name` (any case).
    pub fn line_of(&self, name: &str) -> Option<u32> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, line)| *line)
    }

    /// The line the body starts on, where findings about parts point.
    pub fn body_line(&self) -> u32 {
        self.body_start
    }
}

/// Measures the header section: field count, section size, longest field. `Err` says
/// which limit the message breaks, or why it is not a message at all.
pub fn scan_header(message: &mut RawMessage) -> Result<(), String> {
    let bytes = &message.bytes;
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let mut fields = Vec::new();
    let mut offset = 0usize;
    let mut line_number = 0u32;
    let mut field_start = 0usize;
    let mut ended = false;
    while offset < bytes.len() {
        line_number += 1;
        let end = memchr_newline(&bytes[offset..]).map_or(bytes.len(), |i| offset + i + 1);
        let line = &bytes[offset..end];
        let content = trim_newline(line);
        if content.is_empty() {
            ended = true;
            break;
        }
        if offset > MAX_HEADER_BYTES {
            return Err(format!(
                "the header section is larger than {}",
                human_size(MAX_HEADER_BYTES as u64)
            ));
        }
        if content[0] == b' ' || content[0] == b'\t' {
            if fields.is_empty() {
                return Err("line 1 is a continuation line, not a header field".into());
            }
            if end - field_start > MAX_FIELD_BYTES {
                return Err(format!(
                    "the header field at line {} is folded over more than {}",
                    fields.last().map_or(0, |(_, l)| *l),
                    human_size(MAX_FIELD_BYTES as u64)
                ));
            }
        } else {
            let Some(colon) = content.iter().position(|&b| b == b':') else {
                return Err(format!(
                    "line {line_number} is neither a header field nor the blank line before the body"
                ));
            };
            let name = &content[..colon];
            if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "line {line_number} does not start with a header field name"
                ));
            }
            if fields.len() == MAX_HEADER_FIELDS {
                return Err(format!(
                    "the message has more than {MAX_HEADER_FIELDS} header fields"
                ));
            }
            fields.push((String::from_utf8_lossy(name).to_ascii_lowercase(), line_number));
            field_start = offset;
        }
        offset = end;
    }
    if !ended && offset < bytes.len() {
        return Err("the header section does not end".into());
    }
    if !fields.iter().any(|(n, _)| n == "from") {
        return Err("the message has no From header".into());
    }
    message.fields = fields;
    message.body_start = line_number + 1;
    Ok(())
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// What the checks read from a message.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The first From address, lower-cased.
    pub from: Option<String>,
    pub return_path: Option<String>,
    pub reply_to: Vec<String>,
    pub message_id: Option<String>,
    /// The address the receiving server took the message from (topmost `Received`).
    pub sending_ip: Option<IpAddr>,
    /// The name the sending host gave in HELO/EHLO, per that `Received` header.
    pub helo: Option<String>,
    pub list_unsubscribe: Option<String>,
    pub list_unsubscribe_post: Option<String>,
    /// The topmost `Authentication-Results` header's value.
    pub auth_results: Option<String>,
    pub html_parts: usize,
    pub text_parts: usize,
    /// `http://` and `https://` links of the text and HTML parts, at most [`MAX_LINKS`].
    pub links: Vec<String>,
    pub size: usize,
    /// Every header field as (name, raw value), in order.
    pub headers: Vec<(String, String)>,
}

impl Facts {
    /// The domain of the From address (the author domain DMARC aligns with).
    pub fn author_domain(&self) -> Option<&str> {
        self.from.as_deref().and_then(domain_of)
    }
}

/// The part after the last `@`, lower-cased already by the reader.
pub fn domain_of(address: &str) -> Option<&str> {
    address.rsplit_once('@').map(|(_, d)| d.trim_end_matches('>'))
}

/// Parses the message; only called after [`scan_header`] accepted it.
pub fn facts(message: &RawMessage) -> Result<Facts, String> {
    let parsed = MessageParser::default()
        .parse(&message.bytes)
        .ok_or("the message cannot be parsed")?;
    let received = parsed.received();
    let text_of = |name: &str| parsed.header_raw(name).map(|v| v.trim().to_string());
    let mut links = Vec::new();
    for i in 0..parsed.text_body_count() {
        if let Some(text) = parsed.body_text(i) {
            collect_links(&text, &mut links);
        }
    }
    for i in 0..parsed.html_body_count() {
        if let Some(html) = parsed.body_html(i) {
            collect_links(&html, &mut links);
        }
    }
    Ok(Facts {
        from: parsed.from().and_then(first_address),
        return_path: parsed.return_address().map(|a| a.trim().to_ascii_lowercase()),
        reply_to: parsed.reply_to().map(all_addresses).unwrap_or_default(),
        message_id: parsed.message_id().map(str::to_string),
        sending_ip: received.and_then(|r| r.from_ip),
        helo: received
            .and_then(|r| r.helo.as_ref().or(r.from.as_ref()))
            .map(|h| h.to_string().to_ascii_lowercase()),
        list_unsubscribe: text_of("List-Unsubscribe"),
        list_unsubscribe_post: text_of("List-Unsubscribe-Post"),
        auth_results: match parsed.header("Authentication-Results") {
            Some(HeaderValue::Text(t)) => Some(t.to_string()),
            _ => text_of("Authentication-Results"),
        },
        html_parts: count_parts(&parsed, true),
        text_parts: count_parts(&parsed, false),
        links,
        size: message.bytes.len(),
        headers: parsed
            .headers_raw()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    })
}

/// Parts of the MIME tree (not attachments) whose type is text/html or text/plain.
fn count_parts(parsed: &mail_parser::Message, html: bool) -> usize {
    use mail_parser::PartType;
    parsed
        .parts
        .iter()
        .filter(|p| match &p.body {
            PartType::Html(_) => html,
            PartType::Text(_) => !html,
            _ => false,
        })
        .count()
}

fn first_address(address: &Address) -> Option<String> {
    address
        .first()
        .and_then(|a| a.address())
        .map(str::to_ascii_lowercase)
}

fn all_addresses(address: &Address) -> Vec<String> {
    address
        .iter()
        .filter_map(|a| a.address())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Appends the `http://` and `https://` URLs of `text` (quoted attributes or bare).
fn collect_links(text: &str, links: &mut Vec<String>) {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while links.len() < MAX_LINKS {
        let Some(at) = lower[from..].find("http").map(|i| from + i) else {
            break;
        };
        let rest = &lower[at..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = at + 4;
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ']'))
            .map_or(lower.len(), |i| at + i);
        links.push(text[at..end].to_string());
        from = end;
    }
}

/// The host of an `http(s)://` URL, lower-cased, without user information or port.
pub fn link_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next()?.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawMessage {
        RawMessage {
            path: "m.eml".into(),
            bytes: text.as_bytes().to_vec(),
            fields: Vec::new(),
            body_start: 1,
        }
    }

    #[test]
    fn records_each_field_and_its_line() {
        let mut m = raw("From: a@b.example\r\nSubject: x\r\n  folded\r\nTo: c@d.example\r\n\r\nbody\r\n");
        scan_header(&mut m).unwrap();
        assert_eq!(m.line_of("to"), Some(4));
        assert_eq!(m.line_of("SUBJECT"), Some(2));
    }

    #[test]
    fn refuses_a_header_bomb_and_what_is_not_mail() {
        let many = "X-A: 1\n".repeat(MAX_HEADER_FIELDS + 1);
        let mut m = raw(&format!("From: a@b.example\n{many}\nbody"));
        assert!(
            scan_header(&mut m)
                .unwrap_err()
                .contains("more than 1000 header fields")
        );
        let folded = " x\n".repeat(MAX_FIELD_BYTES / 2);
        let mut m = raw(&format!("From: a@b.example\nX-Long: y\n{folded}\nbody"));
        assert!(scan_header(&mut m).unwrap_err().contains("line 2 is folded"));
        let mut m = raw("%PDF-1.4 binary\n\nx");
        assert!(scan_header(&mut m).unwrap_err().contains("line 1"));
        let mut m = raw("Subject: no sender\n\nx");
        assert!(scan_header(&mut m).unwrap_err().contains("no From"));
    }

    #[test]
    fn finds_links_and_their_hosts() {
        let mut links = Vec::new();
        collect_links(
            "<a href=\"https://App.example/reset?t=1\">x</a> see http://user@track.example:8080/c (old)",
            &mut links,
        );
        assert_eq!(
            links,
            [
                "https://App.example/reset?t=1",
                "http://user@track.example:8080/c"
            ]
        );
        assert_eq!(link_host(&links[0]).as_deref(), Some("app.example"));
        assert_eq!(link_host(&links[1]).as_deref(), Some("track.example"));
    }
}
