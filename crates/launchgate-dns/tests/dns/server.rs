//! The responder the tests serve their zones from: the crate's own `responder` module,
//! compiled into this test binary so the tests need no feature flag.

#[allow(
    dead_code,
    reason = "the tests use part of the responder's API; the example uses the rest"
)]
#[path = "../../src/responder.rs"]
mod responder;

pub use responder::{DnsServer, Zone};
