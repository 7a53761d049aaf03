//! The `email:` block of the `dns:` section: what SPF, DMARC and DKIM must say.

use serde::Deserialize;

/// The `email:` block.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    #[serde(default)]
    pub spf: SpfConfig,
    #[serde(default)]
    pub dmarc: DmarcConfig,
    #[serde(default)]
    pub dkim: DkimConfig,
    #[serde(default)]
    pub mta_sts: Requirement,
    #[serde(default)]
    pub tls_rpt: Requirement,
}

/// SPF expectations.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SpfConfig {
    /// The `all` terms accepted at the end of the record.
    #[serde(default = "default_all")]
    pub all: Vec<AllPolicy>,
    /// Domains that must be included somewhere in the record's include tree.
    #[serde(default)]
    pub must_include: Vec<String>,
}

impl Default for SpfConfig {
    fn default() -> Self {
        SpfConfig {
            all: default_all(),
            must_include: Vec::new(),
        }
    }
}

fn default_all() -> Vec<AllPolicy> {
    vec![AllPolicy::Fail, AllPolicy::SoftFail]
}

/// The `all` mechanism with its qualifier.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum AllPolicy {
    #[serde(rename = "-all")]
    Fail,
    #[serde(rename = "~all")]
    SoftFail,
    #[serde(rename = "?all")]
    Neutral,
    #[serde(rename = "+all")]
    Pass,
}

impl AllPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            AllPolicy::Fail => "-all",
            AllPolicy::SoftFail => "~all",
            AllPolicy::Neutral => "?all",
            AllPolicy::Pass => "+all",
        }
    }
}

/// DMARC expectations.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DmarcConfig {
    /// The weakest policy accepted for `p`, `sp` and `np`.
    #[serde(default = "default_min_policy")]
    pub min_policy: DmarcPolicy,
    /// Whether aggregate reports (`rua`) must be requested.
    #[serde(default)]
    pub require_rua: bool,
}

impl Default for DmarcConfig {
    fn default() -> Self {
        DmarcConfig {
            min_policy: default_min_policy(),
            require_rua: false,
        }
    }
}

fn default_min_policy() -> DmarcPolicy {
    DmarcPolicy::Quarantine
}

/// A DMARC policy, weakest first.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum DmarcPolicy {
    None,
    Quarantine,
    Reject,
}

impl DmarcPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcPolicy::None => "none",
            DmarcPolicy::Quarantine => "quarantine",
            DmarcPolicy::Reject => "reject",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" => Some(DmarcPolicy::None),
            "quarantine" => Some(DmarcPolicy::Quarantine),
            "reject" => Some(DmarcPolicy::Reject),
            _ => None,
        }
    }
}

/// DKIM expectations.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DkimConfig {
    /// Selectors to check at `<selector>._domainkey.<domain>`. Empty: probe common ones.
    #[serde(default)]
    pub selectors: Vec<String>,
}

/// Whether a record must exist.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// Missing is an error.
    Required,
    /// Checked when present; missing is a note.
    #[default]
    Optional,
    /// Not checked.
    Off,
}
