//! Byte sizes written as text ("170 kB", "2 MiB", "500KB") and how each tool reads them.
//!
//! launchgate.yml's sizes are read as every launchgate setting is
//! ([`launchgate_core::units::parse_size`]); the same letters mean different numbers in
//! other tools' files, so those are read here, told whose text it is:
//!
//! | written | launchgate.yml | size-limit (bytes-iec) | bundlewatch (bytes) |
//! |---|---|---|---|
//! | `170 B`, `170` | 170 | 170 | 170 |
//! | `170 kB` | 170 000 | 170 000 | 174 080 |
//! | `170 KB` | error: ambiguous | 170 000 | 174 080 |
//! | `170 KiB` | 174 080 | 174 080 | error |
//! | `1 MB` / `1 MiB` | 1 000 000 / 1 048 576 | same | 1 048 576 / error |
//!
//! Lighthouse's budget.json has no unit strings: its `resourceSizes` numbers are KiB.

/// Whose size strings are being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// size-limit's `limit`, parsed by bytes-iec: `kB` and `KB` are 1000, `KiB` 1024.
    SizeLimit,
    /// bundlewatch's and bundlesize's `maxSize`, parsed by `bytes`: every `k` is 1024.
    Bundlewatch,
}

/// Parses a size such as `"170 kB"` into bytes, or says what is wrong with it.
pub fn parse_size(text: &str, dialect: Dialect) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim();
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: it must start with a number, as in `170 kB`"))?;
    let factor = unit_factor(unit, dialect).ok_or_else(|| {
        format!("`{text}` has an unknown unit `{unit}`: use B, kB, MB, GB (1000) or KiB, MiB, GiB (1024)")
    })?;
    let bytes = value * factor;
    if !bytes.is_finite() || bytes < 0.0 {
        return Err(format!("`{text}` is not a size"));
    }
    Ok(bytes.round() as u64)
}

fn unit_factor(unit: &str, dialect: Dialect) -> Option<f64> {
    const K: f64 = 1000.0;
    const KI: f64 = 1024.0;
    match dialect {
        Dialect::SizeLimit => match unit.to_ascii_lowercase().as_str() {
            "" | "b" => Some(1.0),
            "kb" => Some(K),
            "mb" => Some(K * K),
            "gb" => Some(K * K * K),
            "kib" => Some(KI),
            "mib" => Some(KI * KI),
            "gib" => Some(KI * KI * KI),
            _ => None,
        },
        Dialect::Bundlewatch => match unit.to_ascii_lowercase().as_str() {
            "" | "b" => Some(1.0),
            "kb" => Some(KI),
            "mb" => Some(KI * KI),
            "gb" => Some(KI * KI * KI),
            _ => None,
        },
    }
}

/// Parses a percentage such as `"5%"` or `"2.5 %"` into a fraction (0.05).
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text
        .trim()
        .strip_suffix('%')
        .ok_or_else(|| format!("`{text}` is not a percentage: write it as `5%`"))?;
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a percentage: write it as `5%`"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("`{text}` must be a positive percentage"));
    }
    Ok(value / 100.0)
}

/// Bytes for people: `980 B`, `98.7 kB`, `2.86 MB` (SI, as Lighthouse and Vite print them).
pub fn format_bytes(bytes: f64) -> String {
    let abs = bytes.abs();
    if abs < 1000.0 {
        format!("{bytes:.0} B")
    } else if abs < 1_000_000.0 {
        format!("{:.1} kB", bytes / 1000.0)
    } else {
        format!("{:.2} MB", bytes / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_dialects_follow_their_tools() {
        assert_eq!(parse_size("10 kB", Dialect::SizeLimit), Ok(10_000));
        assert_eq!(parse_size("10 KB", Dialect::SizeLimit), Ok(10_000));
        assert_eq!(parse_size("10 KiB", Dialect::SizeLimit), Ok(10_240));
        assert_eq!(parse_size("500kB", Dialect::Bundlewatch), Ok(512_000));
        assert_eq!(parse_size("1MB", Dialect::Bundlewatch), Ok(1_048_576));
        assert!(parse_size("1 KiB", Dialect::Bundlewatch).is_err());
    }

    #[test]
    fn percentages_and_display() {
        assert_eq!(parse_percent("5%"), Ok(0.05));
        assert!(parse_percent("5").is_err());
        assert_eq!(format_bytes(980.0), "980 B");
        assert_eq!(format_bytes(98_711.0), "98.7 kB");
    }
}
