//! `${NAME}` across the spec. Values come from `--variable` or the environment. Where a
//! URL, host or file name goes (`base_url`, `site`, latency routes, the burst's path,
//! `rdap`, `client_cert` and multipart file paths) they are substituted once, before the
//! run, and are not secrets: a preview deploy's URL is shown as it is, except for
//! credentials it carries. Everywhere else (requests, expectations, `live_version`) they
//! are substituted per request and redacted from all output.

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::{Body, SmokeSpec};
use crate::vars::{expand_from, references};

/// Names used in URL fields.
pub fn url_names(spec: &SmokeSpec) -> BTreeSet<String> {
    let mut texts: Vec<&str> = vec![&spec.base_url];
    if let Some(site) = &spec.site {
        texts.push(&site.canonical);
        texts.extend(site.aliases.iter().map(String::as_str));
        for (from, to) in &site.redirects {
            texts.extend([from.as_str(), to.as_str()]);
        }
    }
    if let Some(l) = &spec.latency {
        texts.extend(l.routes.iter().map(String::as_str));
    }
    if let Some(b) = &spec.burst {
        texts.push(&b.get);
    }
    for check in &spec.checks {
        for step in check.requests() {
            if let Some(c) = &step.client_cert {
                texts.extend([c.cert.as_str(), c.key.as_str()]);
            }
            if let Some(Body::Multipart(m)) = &step.body {
                texts.extend(m.files().map(|f| f.path.as_str()));
            }
        }
    }
    if let Some(r) = &spec.rdap {
        texts.push(&r.server);
        texts.extend(r.domains.iter().map(String::as_str));
    }
    texts.into_iter().flat_map(references).collect()
}

/// Names whose values are secrets: those in requests and expectations (less the ones a
/// step captures before they are used) and in `live_version`.
pub fn secret_names(spec: &SmokeSpec) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for check in &spec.checks {
        let mut captured: BTreeSet<&str> = BTreeSet::new();
        for step in check.requests() {
            for text in step.templates() {
                names.extend(
                    references(text)
                        .into_iter()
                        .filter(|n| !captured.contains(n.as_str())),
                );
            }
            captured.extend(step.capture.keys().map(String::as_str));
        }
    }
    if let Some(lv) = &spec.live_version {
        names.extend(references(&lv.body_contains));
        names.extend(references(&lv.get));
    }
    names
}

/// Substitutes the values into every URL field. An error names the field's text.
pub fn expand_url_fields(
    spec: &mut SmokeSpec,
    values: &BTreeMap<String, String>,
) -> Result<(), (String, String)> {
    let expand = |text: &mut String| -> Result<(), (String, String)> {
        *text = expand_from(text, values).map_err(|why| (text.clone(), why))?;
        Ok(())
    };
    expand(&mut spec.base_url)?;
    if let Some(site) = &mut spec.site {
        expand(&mut site.canonical)?;
        for alias in &mut site.aliases {
            expand(alias)?;
        }
        let mut redirects = BTreeMap::new();
        for (from, to) in std::mem::take(&mut site.redirects) {
            let (mut from, mut to) = (from, to);
            expand(&mut from)?;
            expand(&mut to)?;
            redirects.insert(from, to);
        }
        site.redirects = redirects;
    }
    if let Some(l) = &mut spec.latency {
        for route in &mut l.routes {
            expand(route)?;
        }
    }
    if let Some(b) = &mut spec.burst {
        expand(&mut b.get)?;
    }
    for check in &mut spec.checks {
        let steps = if check.steps.is_empty() {
            std::slice::from_mut(check)
        } else {
            &mut check.steps[..]
        };
        for step in steps {
            if let Some(c) = &mut step.client_cert {
                expand(&mut c.cert)?;
                expand(&mut c.key)?;
            }
            if let Some(Body::Multipart(m)) = &mut step.body {
                for f in m.files_mut() {
                    expand(&mut f.path)?;
                }
            }
        }
    }
    if let Some(r) = &mut spec.rdap {
        expand(&mut r.server)?;
        for d in &mut r.domains {
            expand(d)?;
        }
    }
    Ok(())
}
