//! A small cookie jar, one per check, so a multi-step flow keeps its session, and the
//! parsed attributes of every `Set-Cookie` for the cookie expectations.

use reqwest::Url;

/// One `Set-Cookie` header, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<String>,
    /// Max-Age of zero or less, or an Expires date in the past: the cookie is deleted.
    pub removes: bool,
}

impl SetCookie {
    pub fn parse(header: &str) -> Option<SetCookie> {
        let mut parts = header.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let mut cookie = SetCookie {
            name: name.to_string(),
            value: value.trim().trim_matches('"').to_string(),
            domain: None,
            path: None,
            secure: false,
            http_only: false,
            same_site: None,
            removes: false,
        };
        for attr in parts {
            let (key, val) = match attr.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim()),
                None => (attr.trim().to_ascii_lowercase(), ""),
            };
            match key.as_str() {
                "secure" => cookie.secure = true,
                "httponly" => cookie.http_only = true,
                "samesite" => cookie.same_site = Some(val.to_string()),
                "path" if val.starts_with('/') => cookie.path = Some(val.to_string()),
                "domain" if !val.is_empty() => {
                    cookie.domain = Some(val.trim_start_matches('.').to_ascii_lowercase())
                }
                "max-age" => cookie.removes |= val.parse::<i64>().is_ok_and(|n| n <= 0),
                "expires" => cookie.removes |= expires_in_past(val),
                _ => {}
            }
        }
        Some(cookie)
    }
}

fn expires_in_past(value: &str) -> bool {
    let format = time::format_description::well_known::Rfc2822;
    match time::OffsetDateTime::parse(&value.replace("GMT", "+0000"), &format) {
        Ok(t) => t < time::OffsetDateTime::now_utc(),
        Err(_) => false,
    }
}

#[derive(Debug, Clone)]
struct Stored {
    name: String,
    value: String,
    host: String,
    /// Set with a Domain attribute: also sent to subdomains.
    domain_wide: bool,
    path: String,
    secure: bool,
}

/// The cookies of one check.
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    cookies: Vec<Stored>,
}

impl CookieJar {
    pub fn store(&mut self, url: &Url, cookie: &SetCookie) {
        let request_host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let (host, domain_wide) = match &cookie.domain {
            Some(d) if request_host == *d || request_host.ends_with(&format!(".{d}")) => (d.clone(), true),
            // A Domain the request host is not inside is rejected, as browsers do.
            Some(_) => return,
            None => (request_host, false),
        };
        let path = cookie.path.clone().unwrap_or_else(|| "/".to_string());
        self.cookies
            .retain(|c| !(c.name == cookie.name && c.host == host && c.path == path));
        if !cookie.removes {
            self.cookies.push(Stored {
                name: cookie.name.clone(),
                value: cookie.value.clone(),
                host,
                domain_wide,
                path,
                secure: cookie.secure,
            });
        }
    }

    /// The `Cookie` header for a request, if any cookie applies.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        let host = url.host_str()?.to_ascii_lowercase();
        let path = url.path();
        let https = url.scheme() == "https";
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .filter(|c| c.host == host || (c.domain_wide && host.ends_with(&format!(".{}", c.host))))
            .filter(|c| path.starts_with(&c.path))
            .filter(|c| https || !c.secure)
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        if pairs.is_empty() {
            None
        } else {
            Some(pairs.join("; "))
        }
    }

    /// The value of a cookie by name, for captures.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .rev()
            .find(|c| c.name == name)
            .map(|c| c.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes() {
        let c = SetCookie::parse("sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax").unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str()), ("sid", "abc123"));
        assert!(c.secure && c.http_only);
        assert_eq!(c.same_site.as_deref(), Some("Lax"));
        assert!(SetCookie::parse("sid=; Max-Age=0").unwrap().removes);
        assert!(
            SetCookie::parse("sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
                .unwrap()
                .removes
        );
    }

    #[test]
    fn jar_scopes_by_host_path_and_scheme() {
        let mut jar = CookieJar::default();
        let url = Url::parse("https://example.test/login").unwrap();
        jar.store(&url, &SetCookie::parse("sid=1; Secure").unwrap());
        jar.store(&url, &SetCookie::parse("admin=2; Path=/admin").unwrap());
        let dash = Url::parse("https://example.test/dashboard").unwrap();
        assert_eq!(jar.header_for(&dash).as_deref(), Some("sid=1"));
        assert_eq!(jar.header_for(&Url::parse("http://example.test/").unwrap()), None);
        assert_eq!(jar.header_for(&Url::parse("https://other.test/").unwrap()), None);
        jar.store(&url, &SetCookie::parse("sid=; Max-Age=0").unwrap());
        assert_eq!(jar.header_for(&dash), None);
    }
}
