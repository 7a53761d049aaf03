//! Turning a spec into a [`Suite`]: what serde cannot check (URLs, bounds, `--check`
//! names), the variables it names, and the HTTP client.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use launchgate_core::Error;
use reqwest::Url;

use super::{DEFAULT_CONCURRENCY, RunOptions, Suite, check_label};
use crate::client_cert::{ClientIdentity, Part};
use crate::http::HttpClient;
use crate::limits::MAX_SAMPLES;
use crate::spec::{BURST_MAX_CONCURRENCY, BURST_MAX_REQUESTS, Body, ClientCertSpec, SmokeSpec};
use crate::vars::{Redactor, read_values};
use launchgate_core::yaml_nodes::YamlNodes;

/// Where a spec came from, so semantic errors can point at a line and column.
#[derive(Debug, Clone, Copy)]
pub struct SpecSource<'a> {
    pub file_name: &'a str,
    pub text: &'a str,
}

impl SpecSource<'_> {
    /// An error at the key `needle`, or else at the value that is or holds it, as the
    /// parser read the file (or without a position when neither is in it).
    pub fn error_at(&self, needle: &str, message: String, label: &str) -> Error {
        let nodes = YamlNodes::of(self.text, "smoke");
        let range = nodes.find(needle);
        match nodes.error_in(self.file_name, range, message.clone(), label) {
            Some(error) => error,
            None => Error::input(message),
        }
    }
}

impl Suite {
    /// Checks what serde cannot (URLs, bounds, environment variables) and builds the client.
    pub fn prepare(
        mut spec: SmokeSpec,
        options: &RunOptions,
        source: Option<SpecSource<'_>>,
    ) -> Result<Suite, Error> {
        let locate = |needle: &str, message: String, label: &str| match source {
            Some(s) => s.error_at(needle, message, label),
            None => Error::input(message),
        };
        let redactor = Redactor::default();
        let secret = crate::templates::secret_names(&spec);
        let mut names = crate::templates::url_names(&spec);
        names.extend(secret.iter().cloned());
        let (env, missing) = read_values(&names, &secret, &options.sources, &redactor);
        if !missing.is_empty() {
            let list = missing.join(", ");
            return Err(locate(
                &format!("${{{}}}", missing[0]),
                format!(
                    "smoke: environment variable{} {list} not set",
                    if missing.len() > 1 { "s" } else { "" }
                ),
                "not set",
            )
            .with_help(
                "export them before running (in GitHub Actions, map them from secrets under `env:`), or pass --variable NAME=VALUE",
            ));
        }
        crate::templates::expand_url_fields(&mut spec, &env)
            .map_err(|(text, why)| locate(&text, format!("smoke: {why}"), "here"))?;
        if !options.only_checks.is_empty() {
            let known: Vec<String> = spec.checks.iter().map(check_label).collect();
            if let Some(unknown) = options.only_checks.iter().find(|n| !known.contains(n)) {
                return Err(Error::input(format!("--check {unknown}: no check has that name"))
                    .with_help(format!("the checks are: {}", known.join(", "))));
            }
        }
        let base = Url::parse(&spec.base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                locate(
                    &spec.base_url,
                    format!("smoke.base_url `{}` is not an http(s) URL", spec.base_url),
                    "not a URL",
                )
                .with_help("write the full URL, for example https://example.com")
            })?;
        if let Some(site) = &spec.site {
            for u in std::iter::once(&site.canonical).chain(&site.aliases) {
                if Url::parse(u).map(|u| u.host_str().is_none()).unwrap_or(true) {
                    return Err(
                        locate(u, format!("smoke.site: `{u}` is not a full URL"), "not a URL")
                            .with_help("aliases and canonical are full URLs such as http://www.example.com"),
                    );
                }
            }
        }
        if let Some(b) = &spec.burst
            && (b.requests == 0
                || b.requests > BURST_MAX_REQUESTS
                || b.concurrency == 0
                || b.concurrency > BURST_MAX_CONCURRENCY)
        {
            return Err(locate("burst", format!(
                    "smoke.burst: requests must be 1..={BURST_MAX_REQUESTS} and concurrency 1..={BURST_MAX_CONCURRENCY} (got {} and {})",
                    b.requests, b.concurrency
                ), "out of bounds").with_help("a burst is bounded on purpose; it is a smoke test, not a load test"));
        }
        if let Some(why) = spec.rate_limit.as_ref().and_then(|r| r.problem()) {
            return Err(locate("rate_limit", format!("smoke.{why}"), "here"));
        }
        if let Some(l) = &spec.latency
            && (l.samples == 0 || l.samples > MAX_SAMPLES || l.warmup > MAX_SAMPLES || l.routes.is_empty())
        {
            return Err(locate(
                "latency",
                format!(
                    "smoke.latency: give at least one route, 1..={MAX_SAMPLES} samples and at most {MAX_SAMPLES} warm-up requests"
                ),
                "here",
            ));
        }
        if let Some(rate) = spec.burst.as_ref().and_then(|b| b.max_error_rate)
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(locate(
                "max_error_rate",
                format!("smoke.burst.max_error_rate must be a fraction from 0 to 1 (got {rate})"),
                "not a fraction",
            )
            .with_help("for example `max_error_rate: 0.01` for 1%"));
        }
        if let Some(r) = &spec.rdap {
            if Url::parse(&r.server)
                .map(|u| !matches!(u.scheme(), "http" | "https"))
                .unwrap_or(true)
            {
                return Err(locate(
                    &r.server,
                    format!("smoke.rdap.server `{}` is not an http(s) URL", r.server),
                    "not a URL",
                )
                .with_help(format!(
                    "give the RDAP base URL, for example {}",
                    crate::spec::DEFAULT_RDAP_SERVER
                )));
            }
            if r.fail_days > r.warn_days {
                return Err(locate(
                    "fail_days",
                    format!(
                        "smoke.rdap.fail_days ({}) is more than warn_days ({}): the warning would never show",
                        r.fail_days, r.warn_days
                    ),
                    "here",
                ));
            }
            for d in &r.domains {
                crate::spec::check_domain(d).map_err(|why| locate(d, why, "not a domain"))?;
            }
        }
        if spec.checks.is_empty()
            && spec.site.is_none()
            && spec.rdap.is_none()
            && spec.latency.is_none()
            && spec.burst.is_none()
            && spec.rate_limit.is_none()
            && spec.live_version.is_none()
        {
            return Err(locate(
                "base_url",
                "smoke: nothing to check".into(),
                "only a base URL",
            )
            .with_help(
                "add `checks:` (for example `- { get: /, expect: { status: 200 } }`), `site:`, `latency:`, `burst:`, `rate_limit:` or `rdap:`",
            ));
        }
        // A password in a URL is a secret like any other.
        let mut urls = vec![base.clone()];
        if let Some(site) = &spec.site {
            urls.extend(
                std::iter::once(&site.canonical)
                    .chain(&site.aliases)
                    .filter_map(|u| Url::parse(u).ok()),
            );
        }
        for u in &urls {
            // Credentials in a URL are secrets, even where the URL itself is not.
            for part in [u.username(), u.password().unwrap_or("")] {
                redactor.add(part);
                redactor.add(&crate::vars::percent_decode(part));
            }
        }
        for step in spec.checks.iter().flat_map(|c| c.requests()) {
            if let Some(Body::Multipart(m)) = &step.body {
                for file in m.files() {
                    crate::multipart::check_file(file)
                        .map_err(|why| locate(&file.path, format!("smoke: {why}"), "here"))?;
                }
            }
        }
        let (identity_slots, identities) = load_client_certs(&spec, &locate)?;
        let mut client_options = options.client.clone();
        client_options.identities = identities;
        client_options.redactor = redactor.clone();
        if client_options.timeout.is_none() {
            client_options.timeout = spec.defaults.timeout.map(|d| d.0);
        }
        if client_options.max_body.is_none() {
            client_options.max_body = spec.defaults.max_body;
        }
        let client = HttpClient::new(&client_options)?;
        let concurrency = options
            .concurrency
            .or(spec.concurrency)
            .unwrap_or(DEFAULT_CONCURRENCY)
            .clamp(1, 256);
        Ok(Suite {
            spec,
            base,
            client,
            env: Arc::new(env),
            redactor,
            concurrency,
            only_checks: options.only_checks.clone(),
            identity_slots,
            rdap_cache: Default::default(),
        })
    }
}

/// Reads every distinct `client_cert` of the checks once; a request finds its own by the
/// returned index.
fn load_client_certs(
    spec: &SmokeSpec,
    locate: &dyn Fn(&str, String, &str) -> Error,
) -> Result<(BTreeMap<ClientCertSpec, usize>, Vec<ClientIdentity>), Error> {
    let mut slots = BTreeMap::new();
    let mut identities = Vec::new();
    for step in spec.checks.iter().flat_map(|c| c.requests()) {
        let Some(c) = &step.client_cert else { continue };
        if slots.contains_key(c) {
            continue;
        }
        let identity =
            ClientIdentity::load(Path::new(&c.cert), Path::new(&c.key)).map_err(|(part, why)| {
                let needle = if part == Part::Key { &c.key } else { &c.cert };
                locate(needle, format!("smoke: client_cert: {why}"), "here").with_help(
                    "give PEM files: the client certificate (its chain may follow) and its private key",
                )
            })?;
        slots.insert(c.clone(), identities.len());
        identities.push(identity);
    }
    Ok((slots, identities))
}

#[cfg(test)]
mod tests {
    use super::SpecSource;

    /// The key's name stands first in a comment and in a URL; the error is at the key.
    #[test]
    fn spec_errors_point_at_the_key_not_a_comment_or_url() {
        let text = "# burst: off until launch\nbase_url: https://burst.example.com\nburst: { get: /, requests: 0 }\n";
        let source = SpecSource {
            file_name: "smoke.yml",
            text,
        };
        let e = source.error_at("burst", "smoke.burst: out of bounds".into(), "out of bounds");
        assert_eq!(e.position(), Some((3, 1)), "{}", e.render(false));
        let e = source.error_at("${TOKEN}", "not set".into(), "not set");
        assert_eq!(e.position(), None);
    }
}
