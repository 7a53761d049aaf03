//! Value types and their constraints: does a value have the type and shape the schema asks?
//!
//! Problems are phrased about the value without quoting it ("does not start with
//! `sk_live_`"), so the caller decides whether the value itself may be shown.

use launchgate_core::encoding::{Base64, decode_base64};
use serde::Deserialize;

/// The types a variable can have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VarType {
    #[default]
    String,
    Int,
    Float,
    Bool,
    Port,
    Url,
    Email,
    Enum,
    Duration,
    Json,
    Base64,
}

impl VarType {
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::String => "string",
            VarType::Int => "int",
            VarType::Float => "float",
            VarType::Bool => "bool",
            VarType::Port => "port",
            VarType::Url => "url",
            VarType::Email => "email",
            VarType::Enum => "enum",
            VarType::Duration => "duration",
            VarType::Json => "json",
            VarType::Base64 => "base64",
        }
    }
}

/// The constraints in force for one environment, after overrides.
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub regex: Option<regex::Regex>,
    pub starts_with: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub schemes: Option<Vec<String>>,
    pub hosts: Option<Vec<String>>,
    pub values: Option<Vec<String>>,
    /// Whether a `url` must use https in this environment.
    pub https: bool,
}

/// Checks `value` against a type and its constraints; `Err` says what is wrong.
pub fn validate(ty: VarType, value: &str, c: &Constraints) -> Result<(), String> {
    match ty {
        VarType::String => {}
        VarType::Int => {
            let n: i64 = value
                .trim()
                .parse()
                .map_err(|_| "is not an integer".to_string())?;
            range(n as f64, c)?;
        }
        VarType::Float => {
            let n: f64 = value.trim().parse().map_err(|_| "is not a number".to_string())?;
            if !n.is_finite() {
                return Err("is not a finite number".into());
            }
            range(n, c)?;
        }
        VarType::Bool => {
            if parse_bool(value).is_none() {
                return Err("is not a boolean (true/false, 1/0, yes/no, on/off)".into());
            }
        }
        VarType::Port => {
            let n: u32 = value
                .trim()
                .parse()
                .map_err(|_| "is not a port number".to_string())?;
            if !(1..=65535).contains(&n) {
                return Err("is not a port between 1 and 65535".into());
            }
            range(f64::from(n), c)?;
        }
        VarType::Url => check_url(value, c)?,
        VarType::Email => {
            if !is_email(value) {
                return Err("is not an email address".into());
            }
        }
        VarType::Enum => {
            let values = c.values.as_deref().unwrap_or(&[]);
            if !values.iter().any(|v| v == value) {
                return Err(format!("is not one of {}", values.join(", ")));
            }
        }
        VarType::Duration => {
            if !is_duration(value) {
                return Err("is not a duration such as 250ms, 30s, 5m, 1h30m or 2d".into());
            }
        }
        VarType::Json => {
            serde_json::from_str::<serde_json::Value>(value)
                .map_err(|e| format!("is not valid JSON (line {}, column {})", e.line(), e.column()))?;
        }
        VarType::Base64 => {
            if value.is_empty()
                || (decode_base64(value, Base64::Standard).is_none()
                    && decode_base64(value, Base64::UrlSafe).is_none())
            {
                return Err("is not valid base64".into());
            }
        }
    }
    let len = value.chars().count();
    if let Some(min) = c.min_length
        && len < min
    {
        return Err(format!("is shorter than {min} characters"));
    }
    if let Some(max) = c.max_length
        && len > max
    {
        return Err(format!("is longer than {max} characters"));
    }
    if let Some(prefix) = &c.starts_with
        && !value.starts_with(prefix.as_str())
    {
        return Err(format!("does not start with {prefix}"));
    }
    if let Some(re) = &c.regex
        && !re.is_match(value)
    {
        return Err(format!(
            "does not match the pattern {}",
            re.as_str().trim_start_matches("^(?:").trim_end_matches(")$")
        ));
    }
    Ok(())
}

fn range(n: f64, c: &Constraints) -> Result<(), String> {
    if let Some(min) = c.min
        && n < min
    {
        return Err(format!("is less than the minimum {min}"));
    }
    if let Some(max) = c.max
        && n > max
    {
        return Err(format!("is more than the maximum {max}"));
    }
    Ok(())
}

fn check_url(value: &str, c: &Constraints) -> Result<(), String> {
    let url = url::Url::parse(value.trim()).map_err(|e| format!("is not a URL ({e})"))?;
    let scheme = url.scheme();
    if let Some(schemes) = &c.schemes {
        if !schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
            return Err(format!(
                "uses the scheme {scheme}, not one of {}",
                schemes.join(", ")
            ));
        }
    } else if !matches!(scheme, "http" | "https") {
        return Err(format!(
            "uses the scheme {scheme}; only http and https are allowed unless `schemes` says otherwise"
        ));
    }
    if c.https && scheme != "https" {
        return Err(format!("uses {scheme}, but https is required here"));
    }
    let Some(host) = url.host_str() else {
        return Err("has no host".into());
    };
    if let Some(hosts) = &c.hosts
        && !hosts.iter().any(|h| host_matches(host, h))
    {
        return Err(format!("has the host {host}, not one of {}", hosts.join(", ")));
    }
    Ok(())
}

/// `example.com` matches itself; `*.example.com` matches its subdomains.
fn host_matches(host: &str, pattern: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(base) => {
            host.len() > base.len() && host.ends_with(base) && host[..host.len() - base.len()].ends_with('.')
        }
        None => host == pattern,
    }
}

pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// `250ms`, `30s`, `5m`, `1h30m`, `2d`: digits followed by a unit, one or more times.
fn is_duration(value: &str) -> bool {
    let mut rest = value.trim();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w"]
            .iter()
            .find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(ty: VarType, v: &str) -> bool {
        validate(ty, v, &Constraints::default()).is_ok()
    }

    #[test]
    fn types_accept_and_reject() {
        assert!(ok(VarType::Int, "42") && !ok(VarType::Int, "4.2"));
        assert!(ok(VarType::Float, "4.2") && !ok(VarType::Float, "NaN"));
        assert!(ok(VarType::Bool, "yes") && !ok(VarType::Bool, "maybe"));
        assert!(ok(VarType::Port, "3000") && !ok(VarType::Port, "70000") && !ok(VarType::Port, "0"));
        assert!(ok(VarType::Url, "https://a.example") && !ok(VarType::Url, "not a url"));
        assert!(!ok(VarType::Url, "ftp://a.example"));
        assert!(ok(VarType::Email, "ops@a.example") && !ok(VarType::Email, "ops@"));
        assert!(ok(VarType::Duration, "1h30m") && !ok(VarType::Duration, "90"));
        assert!(ok(VarType::Json, "{\"a\":1}") && !ok(VarType::Json, "{a:1}"));
        assert!(ok(VarType::Base64, "aGVsbG8=") && !ok(VarType::Base64, "a!b"));
    }

    #[test]
    fn constraints() {
        let c = Constraints {
            schemes: Some(vec!["postgres".into()]),
            https: false,
            ..Constraints::default()
        };
        assert!(validate(VarType::Url, "postgres://db.example/app", &c).is_ok());
        assert_eq!(
            validate(VarType::Url, "mysql://db.example/app", &c).unwrap_err(),
            "uses the scheme mysql, not one of postgres"
        );
        let c = Constraints {
            https: true,
            hosts: Some(vec!["*.example.com".into()]),
            ..Constraints::default()
        };
        assert!(validate(VarType::Url, "https://app.example.com", &c).is_ok());
        assert!(
            validate(VarType::Url, "http://app.example.com", &c)
                .unwrap_err()
                .contains("https is required")
        );
        assert!(validate(VarType::Url, "https://evil-example.com", &c).is_err());
        let c = Constraints {
            starts_with: Some("sk_live_".into()),
            min: Some(10.0),
            ..Constraints::default()
        };
        assert_eq!(
            validate(VarType::String, "sk_test_1", &c).unwrap_err(),
            "does not start with sk_live_"
        );
        assert_eq!(
            validate(
                VarType::Int,
                "5",
                &Constraints {
                    min: Some(10.0),
                    ..Default::default()
                }
            )
            .unwrap_err(),
            "is less than the minimum 10"
        );
    }
}
