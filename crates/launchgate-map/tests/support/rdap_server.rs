//! An RDAP service on 127.0.0.1 for tests: answers `GET /domain/NAME` from a table, keeps
//! the paths it was asked, and stops when dropped. Shared by the map crate's tests and the
//! CLI's.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A domain object as registries serve it: a registrar entity with its IANA id and an
/// abuse contact, the expiration event, notices.
pub fn domain_object(name: &str, registrar: &str, iana_id: &str, expires: &str) -> String {
    serde_json::json!({
        "objectClassName": "domain",
        "ldhName": name.to_ascii_uppercase(),
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_1"],
        "status": ["client transfer prohibited"],
        "events": [
            { "eventAction": "registration", "eventDate": "2019-03-09T17:00:00Z" },
            { "eventAction": "expiration", "eventDate": expires },
        ],
        "entities": [
            {
                "objectClassName": "entity",
                "roles": ["registrant"],
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "REDACTED FOR PRIVACY"]]]
            },
            {
                "objectClassName": "entity",
                "handle": iana_id,
                "roles": ["registrar"],
                "publicIds": [{ "type": "IANA Registrar ID", "identifier": iana_id }],
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]]],
                "entities": [{ "objectClassName": "entity", "roles": ["abuse"] }]
            }
        ],
        "notices": [{ "title": "Terms of Use", "description": ["Service subject to terms of use."] }]
    })
    .to_string()
}

/// One answer: status and body.
pub type Answer = (u16, String);

pub struct RdapServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl RdapServer {
    /// Serves `answers` by domain name; any other path is a 404.
    pub fn start(answers: Vec<(&str, Answer)>) -> RdapServer {
        let answers: Vec<(String, Answer)> = answers
            .into_iter()
            .map(|(name, answer)| (format!("/domain/{name}"), answer))
            .collect();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stopped, log) = (Arc::clone(&stop), Arc::clone(&seen));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    answer(stream, &answers, &log);
                }
            }
        });
        RdapServer {
            addr,
            stop,
            seen,
            thread: Some(thread),
        }
    }

    /// The base URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The paths asked so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for RdapServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(stream: TcpStream, answers: &[(String, Answer)], seen: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The rest of the head, up to the blank line.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
    seen.lock().unwrap().push(path.clone());
    let (status, body) = answers
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, a)| a.clone())
        .unwrap_or((404, r#"{"errorCode":404,"title":"Not Found"}"#.to_string()));
    let response = format!(
        "HTTP/1.1 {status} RDAP\r\nContent-Type: application/rdap+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = (&stream).write_all(response.as_bytes());
}
