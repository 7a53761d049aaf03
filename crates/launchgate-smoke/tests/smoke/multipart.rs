//! `multipart:` uploads to a server on 127.0.0.1 that takes the body apart and checks
//! every part: names, file names, content types, bytes and order.

use crate::app::{PASSWORD, Site, checks, findings, json_report, run};
use crate::server::{Request, Response, Seen, Server, recording};

/// A received part: its headers (lowercased names) and content.
#[derive(Debug, Clone)]
struct Part {
    headers: Vec<(String, String)>,
    content: Vec<u8>,
}

impl Part {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a `multipart/form-data` body (RFC 7578) at its boundary.
fn parse_multipart(req: &Request) -> Result<Vec<Part>, String> {
    let ct = req.header("content-type").ok_or("no content type")?;
    let boundary = ct
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .ok_or_else(|| format!("no boundary in `{ct}`"))?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut rest = &req.body[..];
    let start = find(rest, &delimiter).ok_or("no first boundary")?;
    rest = &rest[start + delimiter.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or("no CRLF after a boundary")?;
        let head_end = find(rest, b"\r\n\r\n").ok_or("no end of part headers")?;
        let headers = String::from_utf8_lossy(&rest[..head_end])
            .split("\r\n")
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        rest = &rest[head_end + 4..];
        let mut end_marker = b"\r\n".to_vec();
        end_marker.extend_from_slice(&delimiter);
        let end = find(rest, &end_marker).ok_or("no closing boundary")?;
        parts.push(Part {
            headers,
            content: rest[..end].to_vec(),
        });
        rest = &rest[end + end_marker.len()..];
    }
}

fn upload_server() -> (Server, Seen) {
    recording(|req: &Request| {
        match parse_multipart(req) {
            Ok(parts) => {
                let names: Vec<String> = parts
                    .iter()
                    .map(|p| p.header("content-disposition").unwrap_or("").to_string())
                    .collect();
                Response::new(
                    200,
                    serde_json::json!({ "parts": parts.len(), "dispositions": names }).to_string(),
                )
                .header("Content-Type", "application/json")
            }
            // A careless server echoing what it could not parse.
            Err(why) => Response::new(400, format!("{why}: {}", String::from_utf8_lossy(&req.body))),
        }
    })
}

#[test]
fn fields_and_files_arrive_whole_and_in_order() {
    let site = Site::start();
    let (server, seen) = upload_server();
    let binary: Vec<u8> = (0..=255u8).chain([0, 0, 13, 10, 45, 45]).collect();
    std::fs::write(site.dir.path().join("logo.png"), &binary).unwrap();
    std::fs::write(site.dir.path().join("notes.txt"), "release notes\n").unwrap();
    let yaml = format!(
        r#"
base_url: http://127.0.0.1:{port}
checks:
  - name: upload
    post: /upload
    multipart:
      title: "release ${{SMOKE_USER}}"
      count: 3
      logo: {{ path: logo.png, content_type: image/png, filename: brand.png }}
      notes: {{ path: notes.txt }}
    expect: {{ json: {{ /parts: 4 }} }}
"#,
        port = server.port()
    );
    let (code, report) = json_report(&mut site.cmd(&yaml));
    assert_eq!(code, 0, "{report:#}");
    let req = seen.lock().unwrap()[0].clone();
    assert!(
        req.header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(
        req.header("content-length").unwrap().parse::<usize>().unwrap(),
        req.body.len()
    );
    let parts = parse_multipart(&req).unwrap();
    let dispositions: Vec<&str> = parts
        .iter()
        .map(|p| p.header("content-disposition").unwrap())
        .collect();
    assert_eq!(
        dispositions,
        [
            "form-data; name=\"title\"",
            "form-data; name=\"count\"",
            "form-data; name=\"logo\"; filename=\"brand.png\"",
            "form-data; name=\"notes\"; filename=\"notes.txt\"",
        ]
    );
    assert_eq!(parts[0].content, b"release smoke@example.test");
    assert_eq!(parts[1].content, b"3");
    assert_eq!(parts[2].header("content-type"), Some("image/png"));
    assert_eq!(parts[2].content, binary);
    assert_eq!(parts[3].header("content-type"), Some("application/octet-stream"));
    assert_eq!(parts[3].content, b"release notes\n");
}

#[test]
fn a_secret_in_a_field_is_redacted_when_the_server_echoes_it() {
    let site = Site::start();
    let (server, _) = upload_server();
    let yaml = format!(
        "base_url: http://127.0.0.1:{}\nchecks:\n  - {{ name: up, post: /upload, multipart: {{ password: \"${{SMOKE_PASSWORD}}\" }}, headers: {{ Content-Type: text/plain }} }}\n",
        server.port()
    );
    let (code, stdout, stderr) = run(site.cmd(&yaml).args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(checks(&report)[0].1, "failed");
    let message = &findings(&report)[0].2;
    assert!(message.contains("got 400"), "{message}");
    assert!(
        message.contains(&launchgate_core::secret::redact(PASSWORD)),
        "{message}"
    );
}

#[test]
fn missing_or_oversized_files_and_bad_types_are_errors_at_their_line() {
    let site = Site::start();
    let bad = |fields: &str| {
        let yaml =
            format!("base_url: https://example.test\nchecks:\n  - post: /upload\n    multipart:\n{fields}");
        let (code, stdout, stderr) = run(&mut site.cmd(&yaml));
        assert_eq!(code, 2, "{stdout}{stderr}");
        stderr
    };
    let err = bad("      a: x\n      f: { path: nowhere.bin }\n");
    assert!(
        err.contains("multipart file nowhere.bin") && err.contains("smoke.yml:6:"),
        "{err}"
    );

    let big = site.dir.path().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10 * 1024 * 1024 + 1)
        .unwrap();
    let err = bad("      f: { path: big.bin }\n");
    assert!(
        err.contains("over the 10 MiB limit") && err.contains("smoke.yml:5:"),
        "{err}"
    );

    std::fs::write(site.dir.path().join("ok.txt"), "x").unwrap();
    let err = bad("      f: { path: ok.txt, content_type: \"not a type\" }\n");
    assert!(err.contains("`not a type` is not a content type"), "{err}");

    let err = bad("      f: { path: ok.txt, mime: text/plain }\n");
    assert!(
        err.contains("a multipart field is a text value, or `{ path, content_type, filename }`"),
        "{err}"
    );
    assert!(err.contains("smoke.yml:5:"), "{err}");

    let err = bad("      f: x\n    body: raw\n");
    assert!(
        err.contains("2 bodies: use one of `json`, `form`, `body` or `multipart`"),
        "{err}"
    );
}
