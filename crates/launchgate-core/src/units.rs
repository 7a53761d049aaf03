//! Durations and byte sizes as every section of launchgate.yml and every flag writes them.
//!
//! Durations: a number and a unit, `ms`, `s`, `m` or `h`, with or without a space, several
//! in a row adding up: `500ms`, `5s`, `2.5 s`, `1m30s`. A bare number is refused, because
//! nobody can tell seconds from milliseconds. The longest accepted is [`MAX_DURATION`].
//!
//! Sizes: a number of bytes, or a number and a unit: `kB`, `MB`, `GB` are powers of 1000,
//! `KiB`, `MiB`, `GiB` (any case) and the single letters `K`, `M`, `G` (any case) powers of
//! 1024. `KB` is refused as ambiguous: write `kB` or `KiB`.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// The longest duration a setting may give (a timeout, an interval, a watch): 366 days.
pub const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// A duration read from configuration or a flag: `500ms`, `5s`, `2.5 s`, `1m30s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan(pub Duration);

impl TimeSpan {
    pub fn from_millis(ms: u64) -> Self {
        TimeSpan(Duration::from_millis(ms))
    }

    pub fn as_millis(self) -> u64 {
        u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX)
    }
}

impl std::str::FromStr for TimeSpan {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        parse_duration(raw).map(TimeSpan)
    }
}

impl fmt::Display for TimeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        match ms {
            _ if ms >= 3_600_000 && ms.is_multiple_of(3_600_000) => write!(f, "{}h", ms / 3_600_000),
            _ if ms >= 60_000 && ms.is_multiple_of(60_000) => write!(f, "{}m", ms / 60_000),
            _ if ms >= 1000 && ms.is_multiple_of(1000) => write!(f, "{}s", ms / 1000),
            _ => write!(f, "{ms}ms"),
        }
    }
}

impl Serialize for TimeSpan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeSpan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Text(text) => parse_duration(&text).map(TimeSpan).map_err(de::Error::custom),
            Scalar::Number(n) => Err(de::Error::custom(format!(
                "`{n}` has no unit: write `{n}ms` or `{n}s`"
            ))),
        }
    }
}

/// A time budget in milliseconds (`max_ms`, `p95_ms`): a number of milliseconds, as
/// Lighthouse and the budget gate's metrics write them, or a duration (`800ms`, `1.5s`).
pub fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match Scalar::deserialize(d)? {
        Scalar::Number(n) => n
            .parse::<u64>()
            .map_err(|_| de::Error::custom(format!("`{n}` is not a whole number of milliseconds"))),
        Scalar::Text(text) => parse_duration(&text)
            .map(|d| TimeSpan(d).as_millis())
            .map_err(de::Error::custom),
    }
}

/// [`millis`] for an optional setting.
pub fn optional_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    millis(d).map(Some)
}

/// Parses `250ms`, `10s`, `2.5 s`, `5m`, `1h` or `1m30s`, up to [`MAX_DURATION`].
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let s = raw.trim();
    let bad = || format!("invalid duration `{s}`: write 250ms, 10s, 5m or 1h");
    let too_long = || {
        format!(
            "duration `{s}` is too long: the limit is {} hours",
            MAX_DURATION.as_secs() / 3600
        )
    };
    if s.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(bad());
        }
        let number = &rest[..number_len];
        rest = rest[number_len..].trim_start();
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == ' ')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let millis_per_unit: u64 = match unit {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(bad()),
        };
        let part = if number.contains('.') {
            let value: f64 = number.parse().map_err(|_| bad())?;
            let millis = value * millis_per_unit as f64;
            if !millis.is_finite() || millis > MAX_DURATION.as_millis() as f64 {
                return Err(too_long());
            }
            Duration::from_micros((millis * 1000.0).round() as u64)
        } else {
            let n: u64 = number.parse().map_err(|_| too_long())?;
            n.checked_mul(millis_per_unit)
                .map(Duration::from_millis)
                .ok_or_else(too_long)?
        };
        total = total
            .checked_add(part)
            .filter(|t| *t <= MAX_DURATION)
            .ok_or_else(too_long)?;
    }
    Ok(total)
}

/// A number of bytes read from configuration or a flag: `1048576`, `170 kB`, `512KiB`, `10M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(pub u64);

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

impl ByteSize {
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// As a `usize` for buffers; saturates on targets narrower than 64 bits.
    pub fn as_usize(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

impl std::str::FromStr for ByteSize {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        parse_size(raw).map(ByteSize)
    }
}

/// The exact size in the largest binary unit that divides it: `10 MiB`, `1500 bytes`.
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

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match Scalar::deserialize(d)? {
            Scalar::Text(text) => text,
            Scalar::Number(n) => n,
        };
        parse_size(&text).map(ByteSize).map_err(de::Error::custom)
    }
}

/// Parses a size such as `170 kB`, `1.5 MB`, `512KiB`, `10M` or `1048576` into bytes.
pub fn parse_size(raw: &str) -> Result<u64, String> {
    let text = raw.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.trim();
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: it must start with a number, as in `170 kB`"))?;
    let factor = unit_factor(unit).ok_or_else(|| match unit {
        "KB" | "kb" | "Kb" => format!(
            "`{text}` is ambiguous: write `{number} kB` for {number} × 1000 bytes or `{number} KiB` for {number} × 1024 bytes"
        ),
        _ => format!(
            "`{text}` has an unknown unit `{unit}`: use B, kB, MB, GB (1000) or KiB, MiB, GiB (1024)"
        ),
    })?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return Err(format!("`{text}` is not a size a file can have"));
    }
    if number.contains('.') {
        Ok(bytes.round() as u64)
    } else {
        // Whole numbers exactly, without a round trip through floating point.
        let whole: u64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a size a file can have"))?;
        whole
            .checked_mul(factor)
            .ok_or_else(|| format!("`{text}` is not a size a file can have"))
    }
}

fn unit_factor(unit: &str) -> Option<u64> {
    const K: u64 = 1000;
    match unit {
        "" | "B" | "b" | "bytes" => return Some(1),
        "kB" => return Some(K),
        "MB" => return Some(K * K),
        "GB" => return Some(K * K * K),
        _ => {}
    }
    match unit.to_ascii_lowercase().as_str() {
        "kib" | "k" => Some(KIB),
        "mib" | "m" => Some(MIB),
        "gib" | "g" => Some(GIB),
        _ => None,
    }
}

/// A YAML or JSON scalar, as text.
enum Scalar {
    Text(String),
    Number(String),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            U(u64),
            F(f64),
        }
        match Raw::deserialize(d)
            .map_err(|_| de::Error::custom("expected a value such as `5s` or `170 kB`"))?
        {
            Raw::S(s) => Ok(Scalar::Text(s)),
            Raw::U(u) => Ok(Scalar::Number(u.to_string())),
            Raw::F(f) => Ok(Scalar::Number(f.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_the_same_everywhere() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("2.5 s").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_duration("2500 ms").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1m 30s").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        for huge in [
            "18446744073709551615h",
            "5124095576030432h",
            "99999999999999999999s",
            "8784h1ms",
            "1e300h",
            "9999999999999.5h",
        ] {
            assert!(parse_duration(huge).is_err(), "{huge}");
        }
        assert!(parse_duration("8784h1ms").unwrap_err().contains("too long"));
        assert_eq!(parse_duration("8784h").unwrap(), MAX_DURATION);
        assert_eq!(TimeSpan::from_millis(1500).to_string(), "1500ms");
        assert_eq!(TimeSpan::from_millis(120_000).to_string(), "2m");
    }

    #[test]
    fn sizes_read_the_same_everywhere() {
        assert_eq!(parse_size("170 kB"), Ok(170_000));
        assert_eq!(parse_size("170 KiB"), Ok(174_080));
        assert_eq!(parse_size("512kib"), Ok(524_288));
        assert_eq!(parse_size("1.5 MB"), Ok(1_500_000));
        assert_eq!(parse_size("2 MiB"), Ok(2_097_152));
        assert_eq!(parse_size("10M"), Ok(10 * MIB));
        assert_eq!(parse_size("10k"), Ok(10 * KIB));
        assert_eq!(parse_size("512"), Ok(512));
        for ambiguous in ["170 KB", "170kb"] {
            let err = parse_size(ambiguous).unwrap_err();
            assert!(err.contains("ambiguous") && err.contains("170 KiB"), "{err}");
        }
        assert!(parse_size("ten kB").is_err());
        assert!(parse_size("10 parsecs").unwrap_err().contains("parsecs"));
        assert!(parse_size("18446744073709551615GiB").is_err());
        assert_eq!(ByteSize(10 * MIB).to_string(), "10 MiB");
        assert_eq!(ByteSize(1500).to_string(), "1500 bytes");
    }

    #[test]
    fn time_budgets_take_milliseconds_or_a_duration() {
        #[derive(Deserialize)]
        struct Budget {
            #[serde(deserialize_with = "millis")]
            p95_ms: u64,
        }
        let read = |json: &str| serde_json::from_str::<Budget>(json).map(|b| b.p95_ms);
        assert_eq!(read(r#"{"p95_ms": 300}"#).unwrap(), 300);
        assert_eq!(read(r#"{"p95_ms": "300ms"}"#).unwrap(), 300);
        assert_eq!(read(r#"{"p95_ms": "1.5s"}"#).unwrap(), 1500);
        assert!(read(r#"{"p95_ms": "fast"}"#).is_err());
        assert!(read(r#"{"p95_ms": 2.5}"#).is_err());
    }

    #[test]
    fn yaml_numbers_are_bytes_but_never_durations() {
        let size: ByteSize = serde_json::from_str("1024").unwrap();
        assert_eq!(size, ByteSize(1024));
        let size: ByteSize = serde_json::from_str("\"1 KiB\"").unwrap();
        assert_eq!(size, ByteSize(1024));
        let err = serde_json::from_str::<TimeSpan>("500").unwrap_err().to_string();
        assert!(err.contains("`500ms`"), "{err}");
        let span: TimeSpan = serde_json::from_str("\"500ms\"").unwrap();
        assert_eq!(span, TimeSpan::from_millis(500));
    }
}
