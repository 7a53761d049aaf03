//! Starts the app's servers on their fixed ports and runs every gate on the example
//! through the umbrella's library, as `launchgate check --root examples/membership-app` does.
//! Shared by the example program and its test.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use launchgate::check::run_configured;
use launchgate_core::config::ConfigFile;
use launchgate_core::launch::{Launch, LaunchSettings};
use launchgate_core::output::OutputTarget;
use launchgate_core::{Error, Report};
use launchgate_dns::responder::DnsServer;

use crate::http_server::HttpServer;
use crate::zone;

/// The app's web server; launchgate.yml's `smoke.base_url` names it.
pub const HTTP_ADDR: &str = "127.0.0.1:47080";
/// The DNS responder for `membership-app.test`; launchgate.yml's `dns.resolver` names it.
pub const DNS_ADDR: &str = "127.0.0.1:47053";

/// The example's folder: launchgate.yml and the app's files.
pub fn example_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/membership-app")
}

/// The running servers; both stop when this is dropped.
#[derive(Debug)]
pub struct Servers {
    pub http: HttpServer,
    pub dns: DnsServer,
}

/// Starts the web server and the DNS responder. A taken port is an error naming it.
pub fn start_servers() -> Result<Servers, Error> {
    let http_addr = parse(HTTP_ADDR);
    let dns_addr = parse(DNS_ADDR);
    let http = HttpServer::bind(http_addr).map_err(|e| port_error("HTTP", http_addr, &e))?;
    let mut zone = zone::zone();
    crate::mail::write_signed_message(&mut zone)?;
    let dns = DnsServer::bind(zone, dns_addr).map_err(|e| port_error("DNS", dns_addr, &e))?;
    Ok(Servers { http, dns })
}

fn parse(addr: &str) -> SocketAddr {
    addr.parse()
        .expect("the example's addresses are valid socket addresses")
}

fn port_error(what: &str, addr: SocketAddr, e: &io::Error) -> Error {
    let error = Error::input(format!("cannot serve the example's {what} on {addr}: {e}"));
    if e.kind() == io::ErrorKind::AddrInUse {
        error.with_help(format!(
            "port {} is taken, perhaps by another run of this example; stop that program and run again",
            addr.port()
        ))
    } else {
        error.with_help("the example needs to listen on 127.0.0.1")
    }
}

/// Every gate of the example's launchgate.yml, run against `root`: one report per gate.
pub fn run_gates(root: &Path) -> Result<Vec<Report>, Error> {
    run_configured(&config(root)?, root, &[])
}

/// The launch report's inputs from the example's launchgate.yml: its `report:` section and
/// the deployment map of its zone (asked while the servers run), for `targets`.
pub fn launch(root: &Path, targets: &[OutputTarget]) -> Result<Launch, Error> {
    let config = config(root)?;
    let settings = LaunchSettings::from_config(&config)?;
    Ok(launchgate::check::launch_of(&config, settings, targets))
}

fn config(root: &Path) -> Result<ConfigFile, Error> {
    ConfigFile::discover(None, root)?.ok_or_else(|| {
        Error::input(format!("no launchgate.yml in {}", root.display()))
            .with_help("run the example from the launchgate repository")
    })
}
