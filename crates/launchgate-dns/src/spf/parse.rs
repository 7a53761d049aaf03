//! SPF record syntax (RFC 7208 §4.6 and §12): terms, qualifiers, mechanisms, modifiers.

use std::net::{Ipv4Addr, Ipv6Addr};

/// How a mechanism's match is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

/// A mechanism (RFC 7208 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Include(String),
    A(Option<String>),
    Mx(Option<String>),
    Ptr(Option<String>),
    Ip4,
    Ip6,
    Exists(String),
}

impl Mechanism {
    /// Whether evaluating it costs a DNS lookup toward the limit of 10 (§4.6.4).
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A(_)
                | Mechanism::Mx(_)
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

/// One term of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Mechanism {
        qualifier: Qualifier,
        mechanism: Mechanism,
        text: String,
    },
    Redirect(String),
    Explanation(String),
    /// A modifier this gate does not act on; unknown modifiers are allowed (§6).
    OtherModifier(String),
}

/// A parsed record and the terms that did not parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpfRecord {
    pub terms: Vec<Term>,
    /// Each invalid term with the reason.
    pub errors: Vec<(String, String)>,
}

impl SpfRecord {
    /// The `all` mechanism's qualifier, if the record has one.
    pub fn all(&self) -> Option<Qualifier> {
        self.terms.iter().find_map(|t| match t {
            Term::Mechanism {
                qualifier,
                mechanism: Mechanism::All,
                ..
            } => Some(*qualifier),
            _ => None,
        })
    }

    pub fn redirect(&self) -> Option<&str> {
        self.terms.iter().find_map(|t| match t {
            Term::Redirect(d) => Some(d.as_str()),
            _ => None,
        })
    }

    /// Mechanisms written after `all`, which are never evaluated.
    pub fn after_all(&self) -> Vec<&str> {
        let mut seen_all = false;
        let mut after = Vec::new();
        for t in &self.terms {
            if let Term::Mechanism { mechanism, text, .. } = t {
                if seen_all {
                    after.push(text.as_str());
                }
                if *mechanism == Mechanism::All {
                    seen_all = true;
                }
            }
        }
        after
    }
}

/// Whether a TXT string is an SPF record: `v=spf1` alone or followed by a space.
pub fn is_spf(text: &str) -> bool {
    let t = text.trim_start();
    t.get(..6).is_some_and(|head| head.eq_ignore_ascii_case("v=spf1"))
        && (t.len() == 6 || t.as_bytes()[6] == b' ')
}

/// Parses a record that [`is_spf`] accepted.
pub fn parse(text: &str) -> SpfRecord {
    let mut record = SpfRecord::default();
    let body = text.trim_start();
    // Past `v=spf1`; text that does not start with it (a caller that skipped `is_spf`, a
    // character across byte 6) has no terms rather than a panic.
    let body = body.get(6..).unwrap_or_default();
    let mut redirects = 0;
    let mut explanations = 0;
    for raw in body.split(' ').filter(|t| !t.is_empty()) {
        match parse_term(raw) {
            Ok(term) => {
                match &term {
                    Term::Redirect(_) => redirects += 1,
                    Term::Explanation(_) => explanations += 1,
                    _ => {}
                }
                record.terms.push(term);
            }
            Err(reason) => record.errors.push((raw.to_string(), reason)),
        }
    }
    if redirects > 1 {
        record.errors.push((
            "redirect=".into(),
            "the `redirect` modifier appears more than once".into(),
        ));
    }
    if explanations > 1 {
        record
            .errors
            .push(("exp=".into(), "the `exp` modifier appears more than once".into()));
    }
    let all_count = record
        .terms
        .iter()
        .filter(|t| {
            matches!(
                t,
                Term::Mechanism {
                    mechanism: Mechanism::All,
                    ..
                }
            )
        })
        .count();
    if all_count > 1 {
        record
            .errors
            .push(("all".into(), "the `all` mechanism appears more than once".into()));
    }
    record
}

fn parse_term(raw: &str) -> Result<Term, String> {
    // A modifier is `name=value` where name starts with a letter; a mechanism never has `=`
    // before its first `:` or `/`.
    if let Some((name, value)) = raw.split_once('=') {
        let before_sep = !name.contains([':', '/']);
        if before_sep {
            if !is_modifier_name(name) {
                return Err(format!("`{name}` is not a valid modifier name"));
            }
            return match name.to_ascii_lowercase().as_str() {
                "redirect" => domain_spec(value).map(|d| Term::Redirect(d.to_ascii_lowercase())),
                "exp" => domain_spec(value).map(|d| Term::Explanation(d.to_string())),
                _ => Ok(Term::OtherModifier(raw.to_string())),
            };
        }
    }
    let (qualifier, rest) = match raw.as_bytes()[0] {
        b'+' => (Qualifier::Pass, &raw[1..]),
        b'-' => (Qualifier::Fail, &raw[1..]),
        b'~' => (Qualifier::SoftFail, &raw[1..]),
        b'?' => (Qualifier::Neutral, &raw[1..]),
        _ => (Qualifier::Pass, raw),
    };
    let split = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, arg) = rest.split_at(split);
    let lower = name.to_ascii_lowercase();
    let mechanism = match lower.as_str() {
        "all" => {
            if !arg.is_empty() {
                return Err("`all` takes no argument".into());
            }
            Mechanism::All
        }
        "include" => Mechanism::Include(required_domain(arg, "include")?.to_ascii_lowercase()),
        "exists" => Mechanism::Exists(required_domain(arg, "exists")?.to_string()),
        "a" => Mechanism::A(optional_domain_with_cidr(arg)?),
        "mx" => Mechanism::Mx(optional_domain_with_cidr(arg)?),
        "ptr" => Mechanism::Ptr(match arg.strip_prefix(':') {
            Some(d) => Some(domain_spec(d)?.to_string()),
            None if arg.is_empty() => None,
            None => return Err("`ptr` takes `:domain` only".into()),
        }),
        "ip4" => {
            ip4(arg)?;
            Mechanism::Ip4
        }
        "ip6" => {
            ip6(arg)?;
            Mechanism::Ip6
        }
        "" => return Err("a qualifier without a mechanism".into()),
        other => return Err(format!("`{other}` is not an SPF mechanism")),
    };
    Ok(Term::Mechanism {
        qualifier,
        mechanism,
        text: raw.to_string(),
    })
}

fn is_modifier_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn required_domain<'a>(arg: &'a str, mechanism: &str) -> Result<&'a str, String> {
    match arg.strip_prefix(':') {
        Some(d) => domain_spec(d),
        None => Err(format!("`{mechanism}` needs `:domain`")),
    }
}

fn optional_domain_with_cidr(arg: &str) -> Result<Option<String>, String> {
    let (domain_part, cidr) = match arg.find('/') {
        Some(i) => (&arg[..i], &arg[i..]),
        None => (arg, ""),
    };
    if !cidr.is_empty() {
        dual_cidr(cidr)?;
    }
    match domain_part.strip_prefix(':') {
        Some(d) => Ok(Some(domain_spec(d)?.to_ascii_lowercase())),
        None if domain_part.is_empty() => Ok(None),
        None => Err(format!("unexpected `{domain_part}`")),
    }
}

/// `/24`, `//64` or `/24//64`.
fn dual_cidr(cidr: &str) -> Result<(), String> {
    let (v4, v6) = match cidr.split_once("//") {
        Some((v4, v6)) => (v4.strip_prefix('/'), Some(v6)),
        None => (cidr.strip_prefix('/'), None),
    };
    if let Some(v4) = v4.filter(|s| !s.is_empty()) {
        match v4.parse::<u8>() {
            Ok(n) if n <= 32 => {}
            _ => return Err(format!("`/{v4}` is not an IPv4 prefix length (0-32)")),
        }
    }
    if let Some(v6) = v6 {
        match v6.parse::<u8>() {
            Ok(n) if n <= 128 => {}
            _ => return Err(format!("`//{v6}` is not an IPv6 prefix length (0-128)")),
        }
    }
    Ok(())
}

fn ip4(arg: &str) -> Result<(), String> {
    let value = arg.strip_prefix(':').ok_or("`ip4` needs `:address`")?;
    let (addr, len) = value.split_once('/').map_or((value, None), |(a, l)| (a, Some(l)));
    addr.parse::<Ipv4Addr>()
        .map_err(|_| format!("`{addr}` is not an IPv4 address"))?;
    if let Some(len) = len {
        match len.parse::<u8>() {
            Ok(n) if n <= 32 => {}
            _ => return Err(format!("`/{len}` is not an IPv4 prefix length (0-32)")),
        }
    }
    Ok(())
}

fn ip6(arg: &str) -> Result<(), String> {
    let value = arg.strip_prefix(':').ok_or("`ip6` needs `:address`")?;
    let (addr, len) = value.split_once('/').map_or((value, None), |(a, l)| (a, Some(l)));
    addr.parse::<Ipv6Addr>()
        .map_err(|_| format!("`{addr}` is not an IPv6 address"))?;
    if let Some(len) = len {
        match len.parse::<u8>() {
            Ok(n) if n <= 128 => {}
            _ => return Err(format!("`/{len}` is not an IPv6 prefix length (0-128)")),
        }
    }
    Ok(())
}

/// A domain-spec: a name, possibly with macros (`%{i}`), ending in a real label.
fn domain_spec(spec: &str) -> Result<&str, String> {
    if spec.is_empty() {
        return Err("an empty domain".into());
    }
    check_macros(spec)?;
    if !spec.contains('%') {
        let name = spec.trim_end_matches('.');
        let labels_ok = name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        });
        if !labels_ok || !name.contains('.') {
            return Err(format!("`{spec}` is not a domain name"));
        }
    }
    Ok(spec.trim_end_matches('.'))
}

fn check_macros(spec: &str) -> Result<(), String> {
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        match chars.next() {
            Some('%' | '_' | '-') => {}
            Some('{') => {
                let letter = chars.next().map(|c| c.to_ascii_lowercase());
                if !matches!(
                    letter,
                    Some('s' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'c' | 'r' | 't' | 'v')
                ) {
                    return Err(format!("`{spec}` has an unknown macro letter"));
                }
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(_) => {}
                        None => return Err(format!("`{spec}` has an unclosed macro")),
                    }
                }
            }
            _ => return Err(format!("`{spec}` has a `%` that starts no macro")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_the_version_parses_to_nothing_without_panicking() {
        for text in ["v=spf\u{e9} -all", "v=sp", ""] {
            assert!(parse(text).terms.is_empty(), "{text}");
        }
    }

    #[test]
    fn recognises_spf_records() {
        assert!(is_spf("v=spf1 -all"));
        assert!(is_spf("V=SPF1"));
        assert!(!is_spf("v=spf10 -all"));
        assert!(!is_spf("spf2.0/pra ~all"));
        assert!(!is_spf("v=sp€ -all"));
    }

    #[test]
    fn parses_terms_and_reports_bad_ones() {
        let r = parse(
            "v=spf1 ip4:192.0.2.0/24 a mx:mail.example.com/24 include:_spf.Google.com ~all exp=explain.example.com",
        );
        assert_eq!(r.errors, vec![]);
        assert_eq!(r.all(), Some(Qualifier::SoftFail));
        assert!(r.terms.contains(&Term::Mechanism {
            qualifier: Qualifier::Pass,
            mechanism: Mechanism::Include("_spf.google.com".into()),
            text: "include:_spf.Google.com".into()
        }));
        let r = parse("v=spf1 ip4:300.1.1.1 inclde:x.com ip6:zz include: -all all");
        let bad: Vec<&str> = r.errors.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            bad,
            vec!["ip4:300.1.1.1", "inclde:x.com", "ip6:zz", "include:", "all"]
        );
    }

    #[test]
    fn parses_redirect_and_macros() {
        let r = parse("v=spf1 redirect=_spf.example.com");
        assert_eq!(r.redirect(), Some("_spf.example.com"));
        let r = parse("v=spf1 exists:%{i}._spf.example.com -all");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let r = parse("v=spf1 exists:%{z}.example.com -all");
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn finds_terms_after_all() {
        let r = parse("v=spf1 -all include:late.example.com");
        assert_eq!(r.after_all(), vec!["include:late.example.com"]);
    }
}
