//! Judging `expect.json`: a JSON pointer selects at most one value, a JSONPath query any
//! number. `exists` and `count` look at what was selected; the other predicates at the
//! values, any one passing or every one (`values: all`).

use serde_json::Value;

use crate::expect::{expand_json, values_equal};
use crate::quantify::judge;
use crate::spec::{JsonCheck, JsonExpectation, JsonQuery};
use crate::vars::Vars;

/// The sentences for every unmet part of one expectation.
pub fn check(e: &JsonExpectation, doc: &Value, vars: &Vars) -> Result<Vec<String>, String> {
    let key = &e.key;
    let (nodes, singular): (Vec<&Value>, bool) = match &e.query {
        JsonQuery::Pointer(p) => (doc.pointer(p).into_iter().collect(), true),
        JsonQuery::Path { path, singular } => (path.query(doc).all(), *singular),
    };
    let c = &e.check;
    let mut failures = Vec::new();
    if let Some(exists) = c.exists
        && nodes.is_empty() == exists
    {
        failures.push(if exists {
            format!("expected JSON {key} to exist")
        } else {
            let shown: Vec<String> = nodes.iter().map(|v| v.to_string()).collect();
            format!(
                "expected JSON {key} to be absent, got {}",
                crate::quantify::cut(&shown.join(", "))
            )
        });
        return Ok(failures);
    }
    if let Some(count) = &c.count {
        // A singular query names one array (or object) whose members are counted;
        // any other query counts the nodes it selects.
        let counted = match (singular, nodes.first()) {
            (false, _) => Ok(nodes.len()),
            (true, Some(Value::Array(a))) => Ok(a.len()),
            (true, Some(Value::Object(o))) => Ok(o.len()),
            (true, Some(other)) => Err(format!(
                "expected JSON {key} to hold {count} items, but it is {} {}",
                crate::spec::JsonType::of(other),
                crate::quantify::cut(&other.to_string())
            )),
            (true, None) => Err(format!(
                "expected JSON {key} to hold {count} items, but it is absent"
            )),
        };
        match counted {
            Ok(n) if !count.admit(n) => {
                failures.push(format!("expected JSON {key} to count {count}, got {n}"))
            }
            Ok(_) => {}
            Err(why) => failures.push(why),
        }
    }
    if c.has_predicate() {
        failures.extend(predicates(key, c, &nodes, vars)?);
    }
    Ok(failures)
}

fn predicates(key: &str, c: &JsonCheck, nodes: &[&Value], vars: &Vars) -> Result<Vec<String>, String> {
    let shown: Vec<String> = nodes.iter().map(|v| v.to_string()).collect();
    let absent = |what: String| format!("expected {what}, but it is absent");
    let mut failures = Vec::new();
    let mut test = |what: String, pass: &dyn Fn(&Value) -> bool| {
        let failure = if nodes.is_empty() {
            Some(absent(what))
        } else {
            judge(&shown, c.values, &what, |i| pass(nodes[i]))
        };
        failures.extend(failure);
    };
    if let Some(want) = &c.equals {
        let want = expand_json(want, vars)?;
        test(format!("JSON {key} = {want}"), &|v| values_equal(v, &want));
    }
    if let Some(re) = &c.matches {
        test(format!("JSON {key} to match /{}/", re.0), &|v| match v {
            Value::String(s) => re.0.is_match(s),
            other => re.0.is_match(&other.to_string()),
        });
    }
    if let Some(kind) = c.kind {
        test(format!("JSON {key} to be of type {kind}"), &|v| kind.admits(v));
    }
    if !c.bounds.is_empty() {
        test(format!("JSON {key} {}", c.bounds), &|v| {
            v.as_f64().is_some_and(|n| c.bounds.admit(n))
        });
    }
    Ok(failures)
}
