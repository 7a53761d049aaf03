//! Expectations on one response. Each unmet expectation becomes a sentence saying what
//! was expected and what came back.

use serde_json::Value;

use crate::http::Exchange;
use crate::spec::{Expect, StatusExpect};
use crate::vars::Vars;

/// Checks `expect` against a response; returns one sentence per unmet expectation.
/// A status mismatch also quotes the start of the body.
pub fn evaluate(expect: &Expect, response: &Exchange, vars: &Vars) -> Result<Vec<String>, String> {
    let mut failures = Vec::new();
    let status = response.status;
    let wanted = expect.status.clone().unwrap_or_else(|| default_status(expect));
    if !wanted.accepts(status) {
        failures.push(format!(
            "expected status {wanted}, got {status}; {}",
            response.body_excerpt()
        ));
    }
    if let Some(pattern) = &expect.location {
        let pattern = vars.expand(pattern)?;
        match response.location() {
            None => failures.push(format!(
                "expected a Location header matching `{pattern}`, got none"
            )),
            Some(loc) if !location_matches(&pattern, &loc, response) => {
                failures.push(format!("expected Location `{pattern}`, got `{loc}`"))
            }
            Some(_) => {}
        }
    }
    if let Some(pattern) = &expect.final_url {
        let pattern = vars.expand(pattern)?;
        let url = response.url.as_str();
        if !glob_match(&pattern, url) && !glob_match(&pattern, response.url.path()) {
            failures.push(format!("expected to end at `{pattern}`, ended at `{url}`"));
        }
    }
    for (name, h) in &expect.headers {
        let value = response.header(name);
        if h.absent {
            if let Some(v) = &value {
                failures.push(format!("expected no `{name}` header, got `{v}`"));
            }
            continue;
        }
        let Some(value) = value else {
            failures.push(format!("expected a `{name}` header, got none"));
            continue;
        };
        if let Some(eq) = &h.equals {
            let eq = vars.expand(eq)?;
            if value != eq {
                failures.push(format!("expected header `{name}: {eq}`, got `{value}`"));
            }
        }
        if let Some(part) = &h.contains {
            let part = vars.expand(part)?;
            if !value.contains(&part) {
                failures.push(format!(
                    "expected header `{name}` to contain `{part}`, got `{value}`"
                ));
            }
        }
        if let Some(re) = &h.matches
            && !re.0.is_match(&value)
        {
            failures.push(format!(
                "expected header `{name}` to match /{}/, got `{value}`",
                re.0
            ));
        }
    }
    if let Some(ct) = &expect.content_type {
        let got = response.header("content-type").unwrap_or_default();
        if !got.to_ascii_lowercase().starts_with(&ct.to_ascii_lowercase()) {
            failures.push(format!("expected content type `{ct}`, got `{got}`"));
        }
    }
    let body = response.text();
    for part in &expect.body_contains.0 {
        let part = vars.expand(part)?;
        if !body.contains(&part) {
            failures.push(format!(
                "expected the body to contain `{part}`; {}",
                response.body_excerpt()
            ));
        }
    }
    for part in &expect.body_not_contains.0 {
        let part = vars.expand(part)?;
        if body.contains(&part) {
            failures.push(format!("expected the body not to contain `{part}`"));
        }
    }
    if let Some(re) = &expect.body_regex
        && !re.0.is_match(&body)
    {
        failures.push(format!(
            "expected the body to match /{}/; {}",
            re.0,
            response.body_excerpt()
        ));
    }
    if !expect.json.is_empty() {
        match serde_json::from_slice::<Value>(&response.body) {
            Err(e) => failures.push(format!(
                "expected a JSON body, but it does not parse ({e}); {}",
                response.body_excerpt()
            )),
            Ok(doc) => {
                for (pointer, want) in &expect.json {
                    if let Some(f) = json_expectation(&doc, pointer, want, vars)? {
                        failures.push(f);
                    }
                }
            }
        }
    }
    for (name, want) in &expect.cookies {
        let Some(cookie) = response.set_cookies.iter().rev().find(|c| &c.name == name) else {
            failures.push(format!("expected the response to set cookie `{name}`"));
            continue;
        };
        if let Some(secure) = want.secure
            && cookie.secure != secure
        {
            failures.push(format!(
                "cookie `{name}` {} Secure",
                if secure { "lacks" } else { "has" }
            ));
        }
        if let Some(http_only) = want.http_only
            && cookie.http_only != http_only
        {
            failures.push(format!(
                "cookie `{name}` {} HttpOnly",
                if http_only { "lacks" } else { "has" }
            ));
        }
        if let Some(ss) = &want.same_site {
            let got = cookie.same_site.as_deref().unwrap_or("(not set)");
            if !got.eq_ignore_ascii_case(ss) {
                failures.push(format!("cookie `{name}` has SameSite={got}, expected {ss}"));
            }
        }
    }
    if let Some(max) = expect.max_ms {
        let ms = response.elapsed.as_millis();
        if ms > u128::from(max) {
            failures.push(format!("took {ms} ms, over the {max} ms limit"));
        }
    }
    Ok(failures)
}

/// Without a status expectation: any 2xx, or a redirect when a Location is expected.
fn default_status(expect: &Expect) -> StatusExpect {
    if expect.location.is_some() {
        StatusExpect(vec![(300, 399)])
    } else {
        StatusExpect(vec![(200, 299)])
    }
}

/// A Location matches as written, or resolved against the request URL, so `/login*`
/// accepts both `/login?next=/` and `https://example.com/login`.
fn location_matches(pattern: &str, location: &str, response: &Exchange) -> bool {
    if glob_match(pattern, location) {
        return true;
    }
    match response.url.join(location) {
        Ok(abs) => {
            glob_match(pattern, abs.as_str())
                || (pattern.starts_with('/') && glob_match(pattern, &path_and_query(&abs)))
        }
        Err(_) => false,
    }
}

fn path_and_query(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

fn json_expectation(doc: &Value, pointer: &str, want: &Value, vars: &Vars) -> Result<Option<String>, String> {
    let found = doc.pointer(pointer);
    let ops = want.as_object().filter(|o| {
        !o.is_empty()
            && o.keys()
                .all(|k| matches!(k.as_str(), "exists" | "equals" | "matches"))
    });
    let Some(ops) = ops else {
        return Ok(compare(pointer, found, &expand_json(want, vars)?));
    };
    if let Some(exists) = ops.get("exists").and_then(Value::as_bool)
        && found.is_some() != exists
    {
        let verb = if exists { "to exist" } else { "to be absent" };
        return Ok(Some(format!("expected JSON {pointer} {verb}")));
    }
    if let Some(eq) = ops.get("equals")
        && let Some(f) = compare(pointer, found, &expand_json(eq, vars)?)
    {
        return Ok(Some(f));
    }
    if let Some(pattern) = ops.get("matches").and_then(Value::as_str) {
        let re = regex::Regex::new(pattern)
            .map_err(|e| format!("invalid regex `{pattern}` for {pointer}: {e}"))?;
        let text = match found {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => {
                return Ok(Some(format!(
                    "expected JSON {pointer} to match /{pattern}/, but it is absent"
                )));
            }
        };
        if !re.is_match(&text) {
            return Ok(Some(format!(
                "expected JSON {pointer} to match /{pattern}/, got {text}"
            )));
        }
    }
    Ok(None)
}

fn compare(pointer: &str, found: Option<&Value>, want: &Value) -> Option<String> {
    match found {
        None => Some(format!("expected JSON {pointer} = {want}, but it is absent")),
        Some(v) if v == want => None,
        // A number written in YAML as text, or the reverse, still matches by its text.
        Some(v) if scalar_text(v).is_some() && scalar_text(v) == scalar_text(want) => None,
        Some(v) => Some(format!("expected JSON {pointer} = {want}, got {v}")),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Substitutes `${NAME}` in every string of a JSON value.
pub fn expand_json(v: &Value, vars: &Vars) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(vars.expand(s)?),
        Value::Array(a) => Value::Array(a.iter().map(|x| expand_json(x, vars)).collect::<Result<_, _>>()?),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), expand_json(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// `*` matches any run of characters (including none), `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("/login*", "/login?next=%2Fdashboard"));
        assert!(glob_match("/login*", "/login"));
        assert!(!glob_match("/login*", "/signup"));
        assert!(glob_match("https://*.example.com/", "https://www.example.com/"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
    }
}
