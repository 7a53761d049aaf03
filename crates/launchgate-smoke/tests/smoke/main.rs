//! End-to-end tests of launchgate-smoke against real servers on 127.0.0.1.

mod alerts;
mod app;
mod checks;
mod edge;
mod example;
mod hostile;
mod mtls;
mod multipart;
mod queries;
mod rate_limit;
mod rdap;
mod review;
mod secrets;
mod server;
mod site;
mod smtp;
mod spec_errors;
mod timing;
mod uptime;
mod variables;
