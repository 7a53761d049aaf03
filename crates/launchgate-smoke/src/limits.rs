//! Every bound on what the gate reads: response bodies and heads, the spec, certificate
//! and state files. A server or a file can be hostile or broken; none of them decides how
//! much memory or time a run takes.

use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::fmt;

use crate::spec::ScalarText;

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
/// The longest duration a spec or flag may give (a timeout, an interval, a watch): 366 days.
pub const MAX_DURATION: std::time::Duration = std::time::Duration::from_secs(366 * 24 * 3600);
/// Attempts of one check in one run, the first included.
pub const MAX_ATTEMPTS: u32 = 100;
/// Warm-up and measured samples per latency route.
pub const MAX_SAMPLES: usize = 1000;
/// A `--state` file (a few fields of JSON).
pub const MAX_STATE_BYTES: u64 = 64 * KIB;

/// A number of bytes, written `10485760`, `512KiB`, `10MiB`, `1GiB` (or kB, MB, GB in
/// powers of 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ByteSize {
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// As a `usize` for buffers; saturates on targets narrower than 64 bits.
    pub fn as_usize(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        match n {
            _ if n >= GIB && n.is_multiple_of(GIB) => write!(f, "{} GiB", n / GIB),
            _ if n >= MIB && n.is_multiple_of(MIB) => write!(f, "{} MiB", n / MIB),
            _ if n >= KIB && n.is_multiple_of(KIB) => write!(f, "{} KiB", n / KIB),
            _ => write!(f, "{n} bytes"),
        }
    }
}

/// Parses a size such as `10MiB`, `512 KiB`, `2MB` or `1048576`; it must be 1 byte to 1 GiB.
pub fn parse_byte_size(raw: &str) -> Result<ByteSize, String> {
    let s = raw.trim();
    let bad = || format!("invalid size `{s}`: write 1048576, 512KiB, 10MiB or 1GiB");
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits == 0 {
        return Err(bad());
    }
    let n: u64 = s[..digits].parse().map_err(|_| bad())?;
    let unit = match s[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => KIB,
        "mib" | "m" => MIB,
        "gib" | "g" => GIB,
        "kb" => 1000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(bad()),
    };
    let bytes = n.checked_mul(unit).ok_or_else(bad)?;
    if bytes == 0 || bytes > MAX_BODY_CEILING.0 {
        return Err(format!(
            "size `{s}` is out of bounds: give 1 byte to {MAX_BODY_CEILING}"
        ));
    }
    Ok(ByteSize(bytes))
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = ScalarText::deserialize(d)?.0;
        parse_byte_size(&raw).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_display() {
        assert_eq!(parse_byte_size("10MiB").unwrap(), ByteSize(10 * MIB));
        assert_eq!(parse_byte_size("512 KiB").unwrap(), ByteSize(512 * KIB));
        assert_eq!(parse_byte_size("2MB").unwrap(), ByteSize(2_000_000));
        assert_eq!(parse_byte_size("1000").unwrap(), ByteSize(1000));
        assert_eq!(DEFAULT_MAX_BODY.to_string(), "10 MiB");
        assert_eq!(ByteSize(1500).to_string(), "1500 bytes");
        assert!(parse_byte_size("0").is_err());
        assert!(parse_byte_size("2GiB").unwrap_err().contains("1 GiB"));
        assert!(parse_byte_size("18446744073709551615GiB").is_err());
        assert!(parse_byte_size("lots").is_err());
    }
}
