//! What of a value a finding may show: the value itself only when it cannot be a credential,
//! and a message only when it quotes none of a secret value.

use crate::schema::VarSpec;
use crate::{leaks, secret_values, types};

/// The value, if it may be printed: the schema says it is not secret (`secret: false`, or a
/// type whose valid values cannot be a credential), and it neither looks like a credential
/// nor is long or unprintable. A variable without `secret:` whose name lacks the secret
/// words (`SMTP_PASS`) may still hold a password, so its value is not printed.
pub(super) fn showable(
    name: &str,
    spec: &VarSpec,
    browser_public: bool,
    constraints: &types::Constraints,
    value: &str,
) -> Option<String> {
    let public = !spec.secret
        && (spec.declared_public
            || browser_public
            || cannot_be_a_credential(spec.var_type, constraints, value));
    let hidden = !public
        || leaks::secret_word(name).is_some()
        || secret_values::recognise(value).is_some()
        || value.chars().count() > 80
        || value.chars().any(char::is_control);
    (!hidden).then(|| value.to_string())
}

/// A boolean, a port number or one of an enum's listed values: nothing a credential can be.
fn cannot_be_a_credential(ty: types::VarType, constraints: &types::Constraints, value: &str) -> bool {
    use types::VarType;
    match ty {
        VarType::Bool => types::parse_bool(value).is_some(),
        VarType::Port => value.trim().parse::<u16>().is_ok_and(|p| p > 0),
        VarType::Enum => constraints
            .values
            .as_ref()
            .is_some_and(|values| values.iter().any(|v| v == value)),
        _ => false,
    }
}

/// Whether `text` holds four or more consecutive characters of `value` (all of it, when it
/// is shorter). Long values are assumed to, since checking them costs more than a generic
/// message.
pub(super) fn quotes_part_of(text: &str, value: &str) -> bool {
    // A URL's scheme (`uses http, but https is required`) tells nothing of a secret.
    let value = match value.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            rest
        }
        _ => value,
    };
    let chars: Vec<char> = value.chars().collect();
    if chars.len() > 4096 {
        return true;
    }
    if chars.len() < 4 {
        return !value.trim().is_empty() && text.contains(value.trim());
    }
    chars
        .windows(4)
        .any(|w| text.contains(&w.iter().collect::<String>()))
}
