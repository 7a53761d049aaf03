//! Values that stand in for a secret without being one: a variable another tool fills in,
//! a format or command template, a cloud resource's name, a path, percent-encoded test data.

/// Whether the whole value names a variable that a tool substitutes later: `%DB_PASSWORD%`
/// (Windows, NuGet), `$DB_PASSWORD` and `$env:DB_PASSWORD` (shells, PowerShell),
/// `#{DbPassword}` (Octopus, Ruby), `{db_password}` (Python's and Rust's `format`),
/// `@db.password@` (Maven and Gradle filtering) and `__DbPassword__` (release token
/// replacement).
pub(crate) fn is_variable_reference(value: &str) -> bool {
    let name = |inner: &str| {
        inner.len() >= 2
            && inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    };
    let between = |open: &str, close: &str| {
        value.len() > open.len() + close.len()
            && value.starts_with(open)
            && value.ends_with(close)
            && name(&value[open.len()..value.len() - close.len()])
    };
    // Passwords may start with `$` or `@` too: only shapes a variable's name has count.
    let env_name = |v: &str| {
        name(v)
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    between("%", "%")
        || between("#{", "}")
        || between("{", "}")
        || (between("@", "@") && value[1..value.len() - 1].contains(['.', '_']))
        || (between("__", "__") && value[2..value.len() - 2].chars().any(|c| c.is_ascii_uppercase()))
        || value.strip_prefix("$env:").is_some_and(name)
        || value.strip_prefix('$').is_some_and(env_name)
}

/// Whether a value holds a format or command template: `%(name)s`, `$(command …)`, or a
/// `%s` in a value not otherwise made of the punctuation random keys draw from. Django's
/// keys, for one, draw from `!@#$%^&*(-_=+)` and hold `%s` or `%(` by chance.
pub(crate) fn has_format_template(value: &str) -> bool {
    let bytes = value.as_bytes();
    let named = bytes.windows(2).enumerate().any(|(i, w)| {
        w == b"%(" && {
            let name = bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            name > 0 && bytes.get(i + 2 + name) == Some(&b')')
        }
    });
    let command = value.find("$(").is_some_and(|at| {
        let rest = &value[at + 2..];
        rest.starts_with(|c: char| c.is_ascii_alphabetic()) && rest.contains(')')
    });
    let punctuation = value.chars().filter(|c| "!@#^&*+=".contains(*c)).count();
    named || command || (value.contains("%s") && punctuation < 2)
}

/// Whether a value is a cloud resource's name, which says where something is, not how to
/// get in: an Amazon Resource Name (`arn:aws:iam::…`).
pub(crate) fn is_resource_name(value: &str) -> bool {
    value
        .strip_prefix("arn:")
        .is_some_and(|rest| rest.starts_with("aws") && rest.matches(':').count() >= 4)
}

/// Whether a quoted value reads as a path or glob (`tests/run-pass/*.rs`) or as text
/// percent-encoded throughout (`%20!%22$%&…`): what test data and build scripts quote, where
/// a password's punctuation would otherwise look random.
pub(crate) fn reads_as_path_or_escapes(value: &[u8]) -> bool {
    let path = value.contains(&b'/')
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'*' | b'-' | b'/' | b'~'));
    let escapes = value
        .windows(3)
        .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
        .count();
    path || escapes >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_percent_encoded_text_are_told_from_punctuated_passwords() {
        assert!(reads_as_path_or_escapes(b"tests/run-pass/*.rs"));
        assert!(reads_as_path_or_escapes(b"%20!%22$%&'()*+,-.%3A%3B"));
        assert!(!reads_as_path_or_escapes(b"k7#x2@q9!zv^m3&w8*r5(t1-p6"));
        assert!(!reads_as_path_or_escapes(b"Qm/8x}Lz2!vR(4tN"));
        assert!(!reads_as_path_or_escapes(b"p%40ss(w0rd)!"));
    }
}
