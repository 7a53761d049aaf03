//! The example's launch report, read as a person reads it: rendered by headless Chromium
//! (Debian's `chromium`, which `.ci/run` installs) with every request sent to a local trap,
//! then screenshotted; its HTML checked by html5lib (PyPI). The page has no script, so what
//! Chromium shows is what a reader without JavaScript sees.
//!
//! Chromium is found as `chromium` on PATH or as `LAUNCHGATE_CHROMIUM`; the Python with
//! html5lib as `LAUNCHGATE_PYTHON` (default `python3`).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use launchgate_core::output::OutputTarget;
use launchgate_core::render::{Format, RenderOptions, render};

use crate::{PLANTED_SECRETS, demo, lock_ports};

/// Records the first line of every connection made to it: a browser told to use it as its
/// proxy sends each request for the network here.
struct NetworkTrap {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl NetworkTrap {
    fn start() -> NetworkTrap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        // Stops with the test process; each connection is read for one line and dropped.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut line = String::new();
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let _ = BufReader::new(&stream).read_line(&mut line);
                seen.lock().unwrap().push(line.trim_end().to_string());
            }
        });
        NetworkTrap { port, requests }
    }

    /// The requests the page made. Chromium's own update, clock and account checks go to
    /// Google's service hosts even with background networking off; they are left out. A
    /// page asking those hosts would be missed here, but the static check of the HTML
    /// refuses every attribute and style that could fetch anything.
    fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|line| !is_browser_service(line))
            .cloned()
            .collect()
    }
}

/// `CONNECT update.googleapis.com:443 …` or `GET http://clients2.google.com/… …`.
fn is_browser_service(request_line: &str) -> bool {
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let target = target.split_once("://").map_or(target, |(_, rest)| rest);
    let host = target.split(['/', ':']).next().unwrap_or("");
    ["google.com", "googleapis.com", "gvt1.com"]
        .iter()
        .any(|service| host == *service || host.ends_with(&format!(".{service}")))
}

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("LAUNCHGATE_CHROMIUM") {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!("Chromium is needed to render the launch report: `apt-get install chromium` (as .ci/run does), or set LAUNCHGATE_CHROMIUM")
    })
}

/// Runs headless Chromium on `page` with a fresh profile, scripts off and every request
/// through `trap`; `action` is `--screenshot=FILE` or `--dump-dom`. Returns standard output.
fn run_chromium(page: &Path, profile: &Path, trap: &NetworkTrap, action: &str) -> String {
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
        // Loopback too: nothing the page asks for may bypass the trap.
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("Chromium starts");
    assert!(
        output.status.success(),
        "Chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The share of pixels that are not white, and how many distinct colours there are.
fn ink(png_file: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_file).unwrap()));
    let mut reader = decoder.read_info().expect("a PNG screenshot");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut inked = 0usize;
    let mut colours = std::collections::HashSet::new();
    for px in pixels.chunks(channels) {
        let rgb = [px[0], px[1 % channels], px[2 % channels]];
        if rgb.iter().any(|&c| c < 0xf0) {
            inked += 1;
        }
        colours.insert(rgb);
    }
    (inked as f64 / (pixels.len() / channels) as f64, colours.len())
}

/// html5lib's parse errors for `page`, empty when the structure is sound.
fn html5lib_errors(page: &Path) -> Vec<String> {
    const SCRIPT: &str = "import sys, html5lib\n\
        p = html5lib.HTMLParser(strict=False)\n\
        p.parse(open(sys.argv[1], 'rb').read().decode('utf-8'))\n\
        for (line, col), code, data in p.errors: print(f'{line}:{col}: {code} {data}')\n";
    let python = std::env::var("LAUNCHGATE_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .args(["-c", SCRIPT])
        .arg(page)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python}: {e}; set LAUNCHGATE_PYTHON to a Python with html5lib")
        });
    assert!(
        output.status.success(),
        "{python} could not check the HTML (pip install html5lib, or set LAUNCHGATE_PYTHON): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The fix-order entries in the order the browser shows them: (risk class, text).
fn fix_entries(dom: &str) -> Vec<(String, String)> {
    dom.split("<li class=\"fix risk-")
        .skip(1)
        .map(|entry| {
            let class = entry.split('"').next().unwrap().to_string();
            let body = entry.split("</li>").next().unwrap().to_string();
            (class, body)
        })
        .collect()
}

#[test]
fn the_launch_report_renders_offline_in_chromium_with_revenue_and_live_keys_first() {
    let html_target = OutputTarget {
        format: Format::Html,
        path: None,
    };
    let (reports, launch) = {
        let _ports = lock_ports();
        let servers = demo::start_servers().expect("the example's ports are free");
        let reports = demo::run_gates(&demo::example_root()).expect("the example's launchgate.yml is valid");
        let launch =
            demo::launch(&demo::example_root(), &[html_target]).expect("the report section is valid");
        drop(servers);
        (reports, launch)
    };
    assert_eq!(launch.settings.product.as_deref(), Some("Makers Circle"));
    let map = &launch.maps[0];
    assert_eq!(map.domain, "membership-app.test");
    assert_eq!(map.dns.provider.as_deref(), Some("Namecheap"));
    let status = map
        .hosts
        .iter()
        .find(|h| h.name == "status.membership-app.test")
        .unwrap();
    assert!(!status.resolves, "the dangling status CNAME resolves: {status:?}");
    let options = RenderOptions {
        launch: Some(launch),
        ..RenderOptions::default()
    };
    let html = render(Format::Html, &reports, &options);
    for secret in PLANTED_SECRETS {
        assert!(!html.contains(secret), "the HTML report shows a planted secret");
    }
    assert!(
        html.contains("…Ga0Y"),
        "the Resend key's redacted form is missing"
    );
    for fetches in [
        "<script", "<link", "<img", "<iframe", "<object", "src=", "href=", "@import",
    ] {
        assert!(!html.contains(fetches), "the report holds `{fetches}`");
    }
    // The map's arrowheads refer to a marker inside the page, and nothing else does.
    assert_eq!(html.matches("url(").count(), html.matches("url(#arrow)").count());
    assert!(html.contains("<svg class=\"map\""), "no deployment map");

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("launch-report.html");
    std::fs::write(&page, &html).unwrap();
    let broken = dir.path().join("broken.html");
    std::fs::write(&broken, "<!DOCTYPE html><title>x</title><p>a</div>").unwrap();
    assert!(
        !html5lib_errors(&broken).is_empty(),
        "html5lib accepts a stray end tag"
    );
    let errors = html5lib_errors(&page);
    assert!(
        errors.is_empty(),
        "html5lib found broken structure:\n{}",
        errors.join("\n")
    );

    // The trap catches a page that does fetch something, so its silence below means something.
    let trap = NetworkTrap::start();
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><title>x</title><img src=\"http://cdn.example.com/pixel.png\" alt=\"\">",
    )
    .unwrap();
    run_chromium(&control, &dir.path().join("profile-control"), &trap, "--dump-dom");
    assert!(
        trap.requests().iter().any(|r| r.contains("cdn.example.com")),
        "the trap saw no request from the control page: {:?}",
        trap.requests()
    );

    let trap = NetworkTrap::start();
    let shot = dir.path().join("launch-report.png");
    run_chromium(
        &page,
        &dir.path().join("profile-shot"),
        &trap,
        &format!("--screenshot={}", shot.display()),
    );
    let dom = run_chromium(&page, &dir.path().join("profile-dom"), &trap, "--dump-dom");
    assert_eq!(trap.requests(), Vec::<String>::new(), "the report made requests");

    let (inked, colours) = ink(&shot);
    assert!(
        inked > 0.02 && colours > 16,
        "the screenshot looks blank: {inked:.3} inked, {colours} colours"
    );
    assert!(
        dom.contains("<strong>Not ready</strong>"),
        "no verdict in the rendered page"
    );

    let entries = fix_entries(&dom);
    let first_other = entries
        .iter()
        .position(|(class, _)| class == "other")
        .expect("the example has findings outside revenue and exposure");
    let members = entries
        .iter()
        .position(|(class, text)| class == "revenue" && text.contains("/api/members"))
        .expect("the failing members API is in the fix order as a revenue path");
    let resend = entries
        .iter()
        .position(|(class, text)| {
            class == "live-secret"
                && text.contains("resend.api-key")
                && text.contains("src/lib/mailer.ts:5:28")
        })
        .expect("the Resend key in src/lib/mailer.ts is in the fix order as a live secret");
    assert!(
        members < resend && resend < first_other,
        "{members} {resend} {first_other}"
    );
    for (class, _) in &entries[first_other..] {
        assert_eq!(class, "other", "a revenue or exposure finding after the rest");
    }
    // Gates that passed would be folded; in the example every gate fails (mail included), so all are open.
    assert_eq!(dom.matches("<details class=\"gate\"").count(), 6);
    assert_eq!(
        dom.matches("<details class=\"gate\" id=\"gate-smoke\" open")
            .count(),
        1
    );
}
