//! `required_when`: a variable required because of what another variable holds.
//!
//! ```yaml
//! STRIPE_SECRET_KEY: { required_when: { PAYMENTS_ENABLED: "true" } }     # equals
//! SENTRY_DSN: { required_when: SENTRY_ENVIRONMENT }                      # is set
//! VAT_ID: { required_when: { REGION: [eu, uk], INVOICING: { set: true } } }   # all of
//! SMTP_HOST: { required_when: [ { MAILER: smtp }, SMTP_USER ] }          # any of
//! ```
//!
//! A map's conditions must all hold; a list holds when any of its entries does. Conditions
//! are evaluated against the resolved environment: the value the deploy has, or else the
//! schema's default.

/// What must hold of one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// Set to a non-empty value (or defaulted to one).
    Set,
    /// Unset or empty, with no default.
    Unset,
    /// Equal to one of these values (booleans compared as booleans when the variable is a
    /// `bool`).
    OneOf(Vec<String>),
}

/// One variable and what must hold of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub var: String,
    pub test: Test,
}

/// Any of the groups holds; a group holds when all its conditions do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequiredWhen {
    pub any_of: Vec<Vec<Condition>>,
}

/// A referenced variable as the deploy will have it.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The non-empty value, or the default; `None` when unset.
    pub value: Option<String>,
    /// Still encrypted: set, but its value cannot be compared.
    pub sealed: bool,
    pub is_bool: bool,
    /// Whether the schema's literal may be quoted in a message: quoting it would tell the
    /// reader what a secret variable holds.
    pub quotable: bool,
}

/// The outcome of evaluating `required_when`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A group held; its conditions, described for a message.
    Holds(String),
    Fails,
    /// No group held, but one might have: it compares a value still encrypted (named).
    Unknown(String),
}

impl RequiredWhen {
    /// Every variable the conditions refer to.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.any_of.iter().flatten().map(|c| c.var.as_str())
    }

    pub fn evaluate(&self, resolve: impl Fn(&str) -> Resolved) -> Outcome {
        let mut unknown = None;
        for group in &self.any_of {
            let mut holds = Some(true);
            let mut words = Vec::new();
            for condition in group {
                let resolved = resolve(&condition.var);
                match condition.holds(&resolved) {
                    Some(true) => words.push(condition.describe(resolved.quotable)),
                    Some(false) => {
                        holds = Some(false);
                        break;
                    }
                    None => {
                        holds = None;
                        unknown.get_or_insert_with(|| condition.var.clone());
                    }
                }
            }
            if holds == Some(true) {
                return Outcome::Holds(words.join(" and "));
            }
        }
        match unknown {
            Some(var) => Outcome::Unknown(var),
            None => Outcome::Fails,
        }
    }
}

impl Condition {
    /// `None` when the value is encrypted and the test compares it.
    fn holds(&self, r: &Resolved) -> Option<bool> {
        let set = r.sealed || r.value.is_some();
        match &self.test {
            Test::Set => Some(set),
            Test::Unset => Some(!set),
            Test::OneOf(_) if r.sealed => None,
            Test::OneOf(values) => {
                let Some(value) = r.value.as_deref().map(str::trim) else {
                    return Some(false);
                };
                Some(values.iter().any(|v| same_value(v, value, r.is_bool)))
            }
        }
    }

    /// The condition in words; with `quotable` false, the schema's values are not quoted.
    pub fn describe(&self, quotable: bool) -> String {
        let var = &self.var;
        match &self.test {
            Test::Set => format!("{var} is set"),
            Test::Unset => format!("{var} is not set"),
            Test::OneOf(_) if !quotable => format!("{var} has a value the schema lists"),
            Test::OneOf(values) if values.len() == 1 => format!("{var} is \"{}\"", values[0]),
            Test::OneOf(values) => format!(
                "{var} is one of {}",
                values
                    .iter()
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn same_value(wanted: &str, value: &str, is_bool: bool) -> bool {
    if is_bool && let (Some(a), Some(b)) = (crate::types::parse_bool(wanted), crate::types::parse_bool(value))
    {
        return a == b;
    }
    wanted == value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(var: &str, test: Test) -> Condition {
        Condition {
            var: var.into(),
            test,
        }
    }

    fn plain(value: Option<&str>) -> Resolved {
        Resolved {
            value: value.map(str::to_string),
            quotable: true,
            ..Resolved::default()
        }
    }

    #[test]
    fn all_of_a_group_any_of_the_groups() {
        let rw = RequiredWhen {
            any_of: vec![
                vec![cond("A", Test::OneOf(vec!["x".into()])), cond("B", Test::Set)],
                vec![cond("C", Test::Unset)],
            ],
        };
        let env = |a: Option<&'static str>, b: Option<&'static str>, c: Option<&'static str>| {
            move |n: &str| match n {
                "A" => plain(a),
                "B" => plain(b),
                _ => plain(c),
            }
        };
        assert_eq!(
            rw.evaluate(env(Some("x"), Some("1"), Some("c"))),
            Outcome::Holds("A is \"x\" and B is set".into())
        );
        assert_eq!(rw.evaluate(env(Some("x"), None, Some("c"))), Outcome::Fails);
        assert_eq!(
            rw.evaluate(env(None, None, None)),
            Outcome::Holds("C is not set".into())
        );
    }

    #[test]
    fn booleans_compare_as_booleans_and_sealed_values_are_unknown() {
        let rw = RequiredWhen {
            any_of: vec![vec![cond("ON", Test::OneOf(vec!["true".into()]))]],
        };
        let yes = |n: &str| Resolved {
            is_bool: n == "ON",
            ..plain(Some("1"))
        };
        assert!(matches!(rw.evaluate(yes), Outcome::Holds(_)));
        let sealed = |_: &str| Resolved {
            sealed: true,
            ..Resolved::default()
        };
        assert_eq!(rw.evaluate(sealed), Outcome::Unknown("ON".into()));
        let secret = |_: &str| Resolved {
            quotable: false,
            ..plain(Some("true"))
        };
        assert_eq!(
            rw.evaluate(secret),
            Outcome::Holds("ON has a value the schema lists".into())
        );
    }
}
