//! Compression: text assets asked for with `Accept-Encoding: br, gzip` must come back
//! compressed; an uncompressed one over the threshold is an error naming what gzip would
//! save. Compressed bodies are decoded (within the body limit) so pages and stylesheets can
//! still be read for the assets they name.

use std::io::{Read, Write};

use launchgate_core::{ByteSize, Finding, Severity};

use crate::http::Exchange;

/// What the checks ask for.
pub const ACCEPT_ENCODING: &str = "br, gzip";

/// The `Content-Encoding` of a response, lower-case; `None` for none or `identity`.
pub fn encoding(exchange: &Exchange) -> Option<String> {
    exchange
        .header("content-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
}

/// Whether a response is text that compresses: HTML, CSS, JavaScript, JSON, SVG, XML, plain
/// text; by its Content-Type, else by its file extension.
pub fn is_text(exchange: &Exchange) -> bool {
    match exchange.header("content-type") {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            essence.starts_with("text/")
                || essence.ends_with("javascript")
                || essence.ends_with("json")
                || essence.ends_with("+xml")
                || essence.ends_with("/xml")
        }
        None => {
            let path = exchange.url.path().to_ascii_lowercase();
            [
                ".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map",
            ]
            .iter()
            .any(|ext| path.ends_with(ext))
        }
    }
}

/// The body as the server meant it: decoded when it came gzip, deflate or br, at most
/// `limit` bytes. zstd is not decoded (the checks never ask for it).
pub fn decoded(exchange: &Exchange, limit: ByteSize) -> Result<Vec<u8>, String> {
    let body = exchange.body.as_slice();
    let reader: Box<dyn Read + '_> = match encoding(exchange).as_deref() {
        None => return Ok(body.to_vec()),
        Some("gzip" | "x-gzip") => Box::new(flate2::read::MultiGzDecoder::new(body)),
        Some("deflate") => Box::new(flate2::read::ZlibDecoder::new(body)),
        Some("br") => Box::new(brotli::Decompressor::new(body, 4096)),
        Some(other) => return Err(format!("sent in `{other}`, which is not decoded here")),
    };
    let mut out = Vec::new();
    reader
        .take(limit.bytes().saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| format!("its compressed body does not decode: {e}"))?;
    if out.len() as u64 > limit.bytes() {
        return Err(format!("it decodes to more than the {limit} body limit"));
    }
    Ok(out)
}

/// The gzip size of `body` at the default level, as most servers compress.
pub fn gzip_size(body: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    if encoder.write_all(body).is_err() {
        return body.len();
    }
    encoder.finish().map_or(body.len(), |v| v.len())
}

/// An error when a text response over `min` came uncompressed.
pub fn judge(subject: &str, exchange: &Exchange, min: ByteSize) -> Option<Finding> {
    if encoding(exchange).is_some() || !is_text(exchange) {
        return None;
    }
    let size = exchange.body.len();
    if (size as u64) <= min.bytes() {
        return None;
    }
    let gzipped = gzip_size(&exchange.body);
    let saved = size.saturating_sub(gzipped);
    let percent = saved as f64 * 100.0 / size as f64;
    Some(
        Finding::new(
            "smoke.edge.compression",
            Severity::Error,
            format!(
                "{} is sent uncompressed: {size} bytes, which gzip would cut to {gzipped} (saving {saved} bytes, {percent:.0}%)",
                exchange.url.path()
            ),
        )
        .subject(subject)
        .property("bytes", size)
        .property("saved_bytes", saved)
        .help(format!(
            "turn on brotli or gzip for text responses over {min} at the server or CDN"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::cache::tests::exchange;

    #[test]
    fn gzip_and_br_bodies_decode_within_the_limit() {
        let text = "body { margin: 0 }\n".repeat(200);
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(text.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let br = {
            let mut out = Vec::new();
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            w.write_all(text.as_bytes()).unwrap();
            drop(w);
            out
        };
        for (encoding, body) in [("gzip", gz), ("br", br)] {
            let ex = exchange("https://x.test/a.css", &[("Content-Encoding", encoding)], &body);
            assert_eq!(
                decoded(&ex, ByteSize(1 << 20)).unwrap(),
                text.as_bytes(),
                "{encoding}"
            );
            // A small body that inflates past the limit stops at the limit.
            let err = decoded(&ex, ByteSize(100)).unwrap_err();
            assert_eq!(
                err, "it decodes to more than the 100 bytes body limit",
                "{encoding}"
            );
            assert!(
                judge("x", &ex, ByteSize(1024)).is_none(),
                "{encoding} counts as compressed"
            );
        }
        let zstd = exchange(
            "https://x.test/a.css",
            &[("Content-Encoding", "zstd")],
            b"\x28\xb5",
        );
        assert!(decoded(&zstd, ByteSize(100)).unwrap_err().contains("`zstd`"));
    }

    #[test]
    fn only_text_over_the_threshold_must_be_compressed() {
        let big = vec![b'a'; 2000];
        let js = exchange(
            "https://x.test/a.js",
            &[("Content-Type", "text/javascript; charset=utf-8")],
            &big,
        );
        let finding = judge("x", &js, ByteSize(1024)).expect("an uncompressed script");
        assert!(
            finding
                .message
                .starts_with("/a.js is sent uncompressed: 2000 bytes"),
            "{}",
            finding.message
        );
        assert!(judge("x", &js, ByteSize(4096)).is_none());
        let png = exchange("https://x.test/a.png", &[("Content-Type", "image/png")], &big);
        assert!(judge("x", &png, ByteSize(1024)).is_none());
        let svg = exchange("https://x.test/logo", &[("Content-Type", "image/svg+xml")], &big);
        assert!(judge("x", &svg, ByteSize(1024)).is_some());
        let untyped = exchange("https://x.test/data.json", &[], &big);
        assert!(judge("x", &untyped, ByteSize(1024)).is_some());
    }
}
