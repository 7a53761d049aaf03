//! Every bound on what the gate reads: response bodies and heads, the spec, certificate
//! and state files. A server or a file can be hostile or broken; none of them decides how
//! much memory or time a run takes.

pub use launchgate_core::ByteSize;
use serde::Deserialize;
use serde::de::{self, Deserializer};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// A response body longer than this fails the check, unless `defaults.max_body` or
/// `--max-body` says otherwise.
pub const DEFAULT_MAX_BODY: ByteSize = ByteSize(10 * MIB);
/// The largest `max_body` accepted: bodies are held in memory.
pub const MAX_BODY_CEILING: ByteSize = ByteSize(GIB);
/// Header fields in one response head; more fail the request.
pub const MAX_RESPONSE_HEADERS: usize = 100;
/// A spec or configuration file, or a spec read from standard input.
pub const MAX_SPEC_BYTES: u64 = 4 * MIB;
/// A `--ca-cert` PEM file.
pub const MAX_CA_FILE_BYTES: u64 = MIB;
/// Attempts of one check in one run, the first included.
pub const MAX_ATTEMPTS: u32 = 100;
/// Warm-up and measured samples per latency route.
pub const MAX_SAMPLES: usize = 1000;
/// A `--state` file (a few fields of JSON).
pub const MAX_STATE_BYTES: u64 = 64 * KIB;

/// Reads a `max_body` size (as every size is read, [`launchgate_core::units`]) and keeps
/// it within 1 byte to [`MAX_BODY_CEILING`].
pub fn parse_byte_size(raw: &str) -> Result<ByteSize, String> {
    within_body_bounds(raw.parse()?, raw.trim())
}

fn within_body_bounds(size: ByteSize, written: &str) -> Result<ByteSize, String> {
    if size.0 == 0 || size > MAX_BODY_CEILING {
        return Err(format!(
            "size `{written}` is out of bounds: give 1 byte to {MAX_BODY_CEILING}"
        ));
    }
    Ok(size)
}

/// A `max_body` from the spec, bounded as [`parse_byte_size`] bounds the flag.
pub(crate) fn bounded_body_size<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ByteSize>, D::Error> {
    let size = ByteSize::deserialize(d)?;
    within_body_bounds(size, &size.to_string())
        .map(Some)
        .map_err(de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_display() {
        assert_eq!(parse_byte_size("10MiB").unwrap(), ByteSize(10 * MIB));
        assert_eq!(parse_byte_size("512 KiB").unwrap(), ByteSize(512 * KIB));
        assert_eq!(parse_byte_size("2MB").unwrap(), ByteSize(2_000_000));
        assert_eq!(parse_byte_size("10M").unwrap(), ByteSize(10 * MIB));
        assert_eq!(parse_byte_size("1000").unwrap(), ByteSize(1000));
        assert_eq!(DEFAULT_MAX_BODY.to_string(), "10 MiB");
        assert_eq!(ByteSize(1500).to_string(), "1500 bytes");
        assert!(parse_byte_size("0").is_err());
        assert!(parse_byte_size("2GiB").unwrap_err().contains("1 GiB"));
        assert!(parse_byte_size("18446744073709551615GiB").is_err());
        assert!(parse_byte_size("lots").is_err());
    }
}
