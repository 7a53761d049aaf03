//! Kubernetes Secret manifests: every entry under a Secret's `data:` (base64) or
//! `stringData:` (plain text) is a secret whatever its key is called, since base64 hides
//! nothing. The rule's regex finds `key: value` lines near `kind: Secret`; this module
//! decides from the YAML around a value whether it is one of those entries. JSON as
//! `kubectl get -o json` writes it, one member a line, is read the same way: its
//! indentation says the same as YAML's.

use std::ops::Range;

use launchgate_core::encoding::{Base64, decode_base64};

use crate::{filter, words};

/// How far from a value the structure around it is read: its parent key, and its
/// document's `kind`. Bounded, so that a scan stays linear in its input.
const LOOK: usize = 8 * 1024;

/// Last words of entry keys whose values are not credentials: who, where, which.
const NOT_SECRET: &[&str] = &[
    "user",
    "username",
    "host",
    "hostname",
    "port",
    "database",
    "db",
    "dbname",
    "namespace",
    "region",
    "email",
    "name",
    "endpoint",
    "bucket",
    "id",
    "crt",
    "cert",
    "certificate",
    "ca",
];

/// Texts a decoded value starts with when it is public: certificates and public keys.
const PUBLIC: &[&[u8]] = &[
    b"-----BEGIN CERTIFICATE",
    b"-----BEGIN PUBLIC KEY",
    b"-----BEGIN RSA PUBLIC KEY",
    b"-----BEGIN X509 CRL",
    b"ssh-rsa ",
    b"ssh-ed25519 ",
    b"ecdsa-sha2-",
];

/// Which block of a Secret an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// `data:`: values in base64.
    Data,
    /// `stringData:`: values as they are.
    StringData,
}

/// What the last entry judged in one input found out: the entries of one block, judged in
/// order, share its parent and document, so each reads only the lines since the last one
/// and a block of any length is read once.
#[derive(Debug, Default)]
pub struct Memo {
    last: Option<Judged>,
    document: Option<Document>,
}

#[derive(Debug, Clone, Copy)]
struct Judged {
    entry: usize,
    indent: usize,
    /// The Secret block the entry sits in; `None` outside a Secret's `data:` or `stringData:`.
    block: Option<Block>,
}

/// Whether the value at `secret` in `bytes` is an entry of a Kubernetes Secret's `data:` or
/// `stringData:` holding a credential: its key does not name a user, host or certificate,
/// and a `data:` value decodes from base64 to something that is neither public nor a
/// placeholder. `memo` is shared by the judgements of one input, in order.
pub fn is_secret_entry(bytes: &[u8], secret: Range<usize>, memo: &mut Memo) -> bool {
    let Some(entry) = entry_line(bytes, secret.start) else {
        return false;
    };
    let line = line_at(bytes, entry);
    let indent = indentation(line);
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    let judged = match memo.last {
        Some(last)
            if last.indent == indent
                && last.entry < entry
                && same_block(bytes, last.entry, entry, indent) =>
        {
            Judged { entry, ..last }
        }
        _ => {
            let block = parent_block(bytes, entry, indent).and_then(|(block, at)| {
                let indent = indentation(line_at(bytes, at));
                let document = match memo.document {
                    Some(d) if d.indent == indent && d.start <= at && at < d.end => d,
                    _ => document_around(bytes, at, indent),
                };
                memo.document = Some(document);
                document.is_secret.then_some(block)
            });
            Judged { entry, indent, block }
        }
    };
    memo.last = Some(judged);
    let Some(block) = judged.block else {
        return false;
    };
    let key = String::from_utf8_lossy(line[indent..colon].trim_ascii());
    let key = words::normalise(key.trim_matches(['"', '\'']));
    if key.is_empty() || NOT_SECRET.contains(&key.rsplit('_').next().unwrap_or(&key)) {
        return false;
    }
    let value = &bytes[secret];
    match block {
        Block::StringData => true,
        Block::Data => {
            let Some(decoded) = decode_base64(&String::from_utf8_lossy(value), Base64::Standard) else {
                return false;
            };
            let decoded = decoded.trim_ascii();
            // The placeholder test reads one value; a decoded document (a registry's
            // `{"auths":…}`, a config file) is not one.
            let one_value = !decoded.starts_with(b"{") && !decoded.iter().any(u8::is_ascii_whitespace);
            let placeholder = one_value && std::str::from_utf8(decoded).is_ok_and(filter::is_placeholder);
            let public = PUBLIC.iter().any(|p| decoded.starts_with(p));
            !decoded.is_empty() && !public && !placeholder
        }
    }
}

/// The start of the line holding the entry's key: the value's own line, or for a block
/// scalar (`key: |` and the value below) the line above it.
fn entry_line(bytes: &[u8], at: usize) -> Option<usize> {
    let start = line_start(bytes, at);
    if !bytes[start..at].iter().all(|b| matches!(b, b' ' | b'\t')) {
        return Some(start);
    }
    let above = previous_line(bytes, start)?;
    let text = line_at(bytes, above).trim_ascii_end();
    let indicator = text
        .strip_suffix(b"-")
        .or_else(|| text.strip_suffix(b"+"))
        .unwrap_or(text);
    (indicator.ends_with(b"|") || indicator.ends_with(b">")).then_some(above)
}

/// Whether the entry at `later` sits in the same block as the one at `earlier`: no line
/// between them is indented less or starts a new document. Only a short gap is read.
fn same_block(bytes: &[u8], earlier: usize, later: usize, indent: usize) -> bool {
    if later - earlier > LOOK {
        return false;
    }
    let mut at = earlier;
    while let Some(nl) = memchr::memchr(b'\n', &bytes[at..later]) {
        at += nl + 1;
        if at >= later {
            break;
        }
        let line = line_at(bytes, at);
        let content = line.trim_ascii();
        if is_document_marker(line)
            || (!content.is_empty() && !content.starts_with(b"#") && indentation(line) < indent)
        {
            return false;
        }
    }
    true
}

/// The block an entry indented by `indent` sits in, and where that block's line starts:
/// the first line above with less indentation, which must be `data:` or `stringData:`.
fn parent_block(bytes: &[u8], entry: usize, indent: usize) -> Option<(Block, usize)> {
    let floor = entry.saturating_sub(LOOK);
    let mut at = entry;
    while let Some(above) = previous_line(bytes, at).filter(|&l| l >= floor) {
        at = above;
        let line = line_at(bytes, above);
        if is_document_marker(line) {
            return None;
        }
        let content = line.trim_ascii();
        if content.is_empty() || content.starts_with(b"#") || indentation(line) >= indent {
            continue;
        }
        let key = content
            .split(|&b| b == b'#')
            .next()
            .unwrap_or(content)
            .trim_ascii();
        // JSON opens the block's object on its key's line: `"data": {`.
        let key = key.strip_suffix(b"{").map_or(key, <[u8]>::trim_ascii_end);
        return match key {
            b"data:" | b"\"data\":" | b"'data':" => Some((Block::Data, above)),
            b"stringData:" | b"\"stringData\":" | b"'stringData':" => Some((Block::StringData, above)),
            _ => None,
        };
    }
    None
}

/// The object around a `data:` block: the lines from the one after the previous `---` to
/// the one before the next, at most `LOOK` bytes either side of the block, and within the
/// lines indented at least as far as the block (a YAML or JSON list holds one object per
/// item, a ConfigMap beside a Secret).
#[derive(Debug, Clone, Copy)]
struct Document {
    start: usize,
    end: usize,
    /// The indentation of the block, where the document's `kind:` is looked for.
    indent: usize,
    is_secret: bool,
}

/// Reads the document around the block whose line starts at `from`, indented by `indent`:
/// whether it says `kind: Secret` at that indentation.
fn document_around(bytes: &[u8], from: usize, indent: usize) -> Document {
    let floor = from.saturating_sub(LOOK);
    let mut start = from;
    while let Some(above) = previous_line(bytes, start).filter(|&l| l >= floor) {
        let line = line_at(bytes, above);
        if is_document_marker(line) {
            break;
        }
        if is_outside(line, indent) {
            // A YAML list item's first key shares the line of its `- `.
            if item_content(line, indent).is_some() {
                start = above;
            }
            break;
        }
        start = above;
    }
    let ceiling = (from + LOOK).min(bytes.len());
    let mut end = ceiling;
    let mut at = from;
    while let Some(nl) = memchr::memchr(b'\n', &bytes[at..ceiling]) {
        at += nl + 1;
        if at < ceiling {
            let line = line_at(bytes, at);
            if is_document_marker(line) || is_outside(line, indent) {
                end = at;
                break;
            }
        }
    }
    let mut is_secret = false;
    let mut at = start;
    while at < end {
        if is_kind_secret(line_at(bytes, at), indent) {
            is_secret = true;
            break;
        }
        match memchr::memchr(b'\n', &bytes[at..end]) {
            Some(nl) => at += nl + 1,
            None => break,
        }
    }
    Document {
        start,
        end,
        indent,
        is_secret,
    }
}

/// Whether a line is indented less than `indent`, so that an object at `indent` ends
/// before it: a JSON `}`, the next YAML list item. Blank lines and comments are not.
fn is_outside(line: &[u8], indent: usize) -> bool {
    let content = line.trim_ascii();
    !content.is_empty() && !content.starts_with(b"#") && indentation(line) < indent
}

/// What a YAML list item's line holds after its `- `, when that starts at `indent`.
fn item_content(line: &[u8], indent: usize) -> Option<&[u8]> {
    let dash = indentation(line);
    let rest = line[dash..].strip_prefix(b"-")?;
    let spaces = rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    (spaces > 0 && dash + 1 + spaces == indent).then(|| &rest[spaces..])
}

/// Whether a line says `kind: Secret` (YAML or JSON, quoted or not, in any case) at
/// `indent`, on its own or as a list item's first key.
fn is_kind_secret(line: &[u8], indent: usize) -> bool {
    let content = if indentation(line) == indent {
        &line[indent..]
    } else if let Some(content) = item_content(line, indent) {
        content
    } else {
        return false;
    };
    let content = content.trim_ascii();
    let content = content
        .split(|&b| b == b'#')
        .next()
        .unwrap_or(content)
        .trim_ascii();
    let value = content
        .strip_prefix(b"kind:")
        .or_else(|| content.strip_prefix(b"\"kind\":"))
        .or_else(|| content.strip_prefix(b"'kind':"));
    value.is_some_and(|value| {
        let value = value.trim_ascii();
        let value = value.strip_suffix(b",").map_or(value, <[u8]>::trim_ascii_end);
        let value = value
            .strip_prefix(b"\"")
            .and_then(|v| v.strip_suffix(b"\""))
            .or_else(|| value.strip_prefix(b"'").and_then(|v| v.strip_suffix(b"'")))
            .unwrap_or(value);
        value.eq_ignore_ascii_case(b"secret")
    })
}

fn is_document_marker(line: &[u8]) -> bool {
    line.starts_with(b"---") || line.starts_with(b"...")
}

fn indentation(line: &[u8]) -> usize {
    line.iter().take_while(|b| matches!(b, b' ' | b'\t')).count()
}

fn line_start(bytes: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |nl| nl + 1)
}

/// The line starting at `start`, without its line break.
fn line_at(bytes: &[u8], start: usize) -> &[u8] {
    let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |nl| start + nl);
    let line = &bytes[start..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The start of the line before the one starting at `start`.
fn previous_line(bytes: &[u8], start: usize) -> Option<usize> {
    (start > 0).then(|| line_start(bytes, start - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(text: &str, value: &str) -> bool {
        let at = text.find(value).expect("the value is in the text");
        is_secret_entry(text.as_bytes(), at..at + value.len(), &mut Memo::default())
    }

    /// Every value of a manifest, judged in order with one memo, as the engine does.
    fn judged_in_order(text: &str, values: &[&str]) -> Vec<bool> {
        let mut memo = Memo::default();
        values
            .iter()
            .map(|value| {
                let at = text.find(value).expect("the value is in the text");
                is_secret_entry(text.as_bytes(), at..at + value.len(), &mut memo)
            })
            .collect()
    }

    #[test]
    fn entries_judged_in_order_share_their_block_until_it_ends() {
        let text = format!(
            "kind: Secret\ndata:\n  a: {PASSWORD}\n  # a comment\n\n  b: aDN2cSFSNHpYOHduMnBN\nmetadata:\n  name: cDRzc3cwcmQtUmFuZG9tLVg5cQ==\n---\nkind: ConfigMap\ndata:\n  c: aDN2cSFSNHpYOHduMnBO\n"
        );
        assert_eq!(
            judged_in_order(
                &text,
                &[
                    PASSWORD,
                    "aDN2cSFSNHpYOHduMnBN",
                    "cDRzc3cwcmQtUmFuZG9tLVg5cQ==",
                    "aDN2cSFSNHpYOHduMnBO"
                ]
            ),
            [true, true, false, false]
        );
    }

    const PASSWORD: &str = "aDN2cSFSNHpYOHduMnBM"; // h3vq!R4zX8wn2pL

    #[test]
    fn entries_of_a_secret_data_block_are_secrets() {
        let manifest = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  DB_PASSWORD: {PASSWORD}\n  username: YWRtaW5pc3RyYXRvcg==\n"
        );
        assert!(judged(&manifest, PASSWORD));
        assert!(!judged(&manifest, "YWRtaW5pc3RyYXRvcg=="), "a user name");
        let kind_last =
            format!("apiVersion: v1\ndata:\n\tapi-key: '{PASSWORD}'\nmetadata:\n\tname: x\nkind: 'secret'\n");
        assert!(judged(&kind_last, PASSWORD));
        let block = format!("kind: Secret\ndata:\n  .dockerconfigjson: |\n    {PASSWORD}\n");
        assert!(judged(&block, PASSWORD));
        let plain = "kind: Secret\nstringData:\n  token: h3vq!R4zX8wn2pL\n";
        assert!(judged(plain, "h3vq!R4zX8wn2pL"));
    }

    #[test]
    fn values_outside_a_secret_data_block_are_not() {
        let config_map = format!("kind: ConfigMap\ndata:\n  DB_PASSWORD: {PASSWORD}\n");
        assert!(!judged(&config_map, PASSWORD));
        let metadata =
            format!("kind: Secret\nmetadata:\n  annotations:\n    checksum: {PASSWORD}\ndata: {{}}\n");
        assert!(!judged(&metadata, PASSWORD));
        let other_document = format!(
            "kind: Secret\ndata:\n  a: YWJj\n---\nkind: ConfigMap\ndata:\n  DB_PASSWORD: {PASSWORD}\n"
        );
        assert!(!judged(&other_document, PASSWORD));
        let nested_kind = format!(
            "kind: ExternalSecret\nspec:\n  target:\n    kind: Secret\n  data:\n    key: {PASSWORD}\n"
        );
        assert!(!judged(&nested_kind, PASSWORD));
    }

    #[test]
    fn kubectl_json_is_read_by_its_indentation() {
        let secret = format!(
            "{{\n    \"apiVersion\": \"v1\",\n    \"data\": {{\n        \"password\": \"{PASSWORD}\",\n        \"username\": \"YWRtaW5pc3RyYXRvcg==\"\n    }},\n    \"kind\": \"Secret\",\n    \"metadata\": {{\n        \"name\": \"db\"\n    }}\n}}\n"
        );
        assert!(judged(&secret, PASSWORD));
        assert!(!judged(&secret, "YWRtaW5pc3RyYXRvcg=="), "a user name");
        let config_map = secret.replace("\"Secret\"", "\"ConfigMap\"");
        assert!(!judged(&config_map, PASSWORD));
    }

    #[test]
    fn a_list_item_is_its_own_document() {
        // `kubectl get secrets,configmaps -o json`: a ConfigMap item beside a Secret item.
        let json = format!(
            "{{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {{\n            \"data\": {{\n                \"token\": \"{PASSWORD}\"\n            }},\n            \"kind\": \"ConfigMap\"\n        }},\n        {{\n            \"data\": {{\n                \"token\": \"aDN2cSFSNHpYOHduMnBN\"\n            }},\n            \"kind\": \"Secret\"\n        }}\n    ],\n    \"kind\": \"List\"\n}}\n"
        );
        assert!(!judged(&json, PASSWORD));
        assert!(judged(&json, "aDN2cSFSNHpYOHduMnBN"));
        let yaml = format!(
            "apiVersion: v1\nkind: List\nitems:\n  - kind: ConfigMap\n    data:\n      token: {PASSWORD}\n  - kind: Secret\n    data:\n      token: aDN2cSFSNHpYOHduMnBN\n"
        );
        assert!(!judged(&yaml, PASSWORD));
        assert!(judged(&yaml, "aDN2cSFSNHpYOHduMnBN"));
    }

    #[test]
    fn public_and_placeholder_data_is_not_a_secret() {
        // -----BEGIN CERTIFICATE-----\n…
        let cert = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUR4RENDQXF5Z0F3SUJBZ0lV";
        assert!(!judged(
            &format!("kind: Secret\ndata:\n  tls.key-bundle: {cert}\n"),
            cert
        ));
        // "changeme"
        assert!(!judged(
            "kind: Secret\ndata:\n  password: Y2hhbmdlbWU=\n",
            "Y2hhbmdlbWU="
        ));
        // Not base64 at all.
        assert!(!judged(
            "kind: Secret\ndata:\n  password: not*base64*at*all\n",
            "not*base64*at*all"
        ));
    }
}
