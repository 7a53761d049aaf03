//! Expectations on one response. Each unmet expectation becomes a sentence saying what
//! was expected and what came back.

use serde_json::Value;

use crate::http::Exchange;
use crate::quantify::judge;
use crate::spec::{Expect, HeaderExpect, StatusExpect};
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
        failures.extend(header_failures(name, h, response, vars)?);
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
    if !expect.json.0.is_empty() {
        match serde_json::from_slice::<Value>(&response.body) {
            Err(e) => failures.push(format!(
                "expected a JSON body, but it does not parse ({e}); {}",
                response.body_excerpt()
            )),
            Ok(doc) => {
                for e in &expect.json.0 {
                    failures.extend(crate::expect_json::check(e, &doc, vars)?);
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

/// Equal as JSON, or as text when one side is a number or boolean written as a string
/// (a YAML `42` and a JSON `"42"`).
pub fn values_equal(found: &Value, want: &Value) -> bool {
    found == want || scalar_text(found).is_some_and(|t| Some(t) == scalar_text(want))
}

/// Every value of a header (it may be sent more than once), each predicate judged over
/// them: one passing value is enough, or every one with `values: all`.
fn header_failures(
    name: &str,
    h: &HeaderExpect,
    response: &Exchange,
    vars: &Vars,
) -> Result<Vec<String>, String> {
    let values: Vec<String> = response
        .headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let shown: Vec<String> = values
        .iter()
        .map(|v| format!("`{}`", crate::quantify::cut(v)))
        .collect();
    let mut failures = Vec::new();
    if h.absent {
        if !values.is_empty() {
            failures.push(format!("expected no `{name}` header, got {}", shown.join(", ")));
        }
        return Ok(failures);
    }
    if let Some(count) = &h.count
        && !count.admit(values.len())
    {
        let sent = match values.len() {
            0 => "not at all".to_string(),
            1 => "once".to_string(),
            n => format!("{n} times"),
        };
        failures.push(format!(
            "expected the `{name}` header to be sent {count} times, it was sent {sent}"
        ));
    }
    if values.is_empty() {
        if h.count.is_none() {
            failures.push(format!("expected a `{name}` header, got none"));
        }
        return Ok(failures);
    }
    if let Some(eq) = &h.equals {
        let eq = vars.expand(eq)?;
        failures.extend(judge(&shown, h.values, &format!("header `{name}: {eq}`"), |i| {
            values[i] == eq
        }));
    }
    if let Some(part) = &h.contains {
        let part = vars.expand(part)?;
        let what = format!("header `{name}` to contain `{part}`");
        failures.extend(judge(&shown, h.values, &what, |i| values[i].contains(&part)));
    }
    if let Some(re) = &h.matches {
        let what = format!("header `{name}` to match /{}/", re.0);
        failures.extend(judge(&shown, h.values, &what, |i| re.0.is_match(&values[i])));
    }
    Ok(failures)
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

/// `*` matches any run of characters (including none, `/` too), `?` one character; every
/// other character, `[`, `{` and `\\` included, stands for itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut glob = String::with_capacity(pattern.len() * 2);
    let mut literal = String::new();
    for c in pattern.chars() {
        if c == '*' || c == '?' {
            glob.push_str(&globset::escape(&literal));
            literal.clear();
            glob.push(c);
        } else {
            literal.push(c);
        }
    }
    glob.push_str(&globset::escape(&literal));
    globset::GlobBuilder::new(&glob)
        .literal_separator(false)
        .backslash_escape(false)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(text))
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
        assert!(glob_match("*", ""));
        assert!(glob_match("/a/**/z", "/a/b/c/z"));
        // Glob syntax beyond `*` and `?` is literal text in a URL.
        assert!(glob_match("/p[1]{x}\\?", "/p[1]{x}\\!"));
        assert!(!glob_match("/p[12]", "/p1"));
    }
}
