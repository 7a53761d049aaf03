//! One RDAP (RFC 9083) domain query and what its answer says: the registration's expiry and
//! the registrar. The smoke gate's expiry check and the deployment map both ask through here.

use launchgate_core::ByteSize;
use reqwest::{Method, Url};
use serde_json::Value;

use crate::cookies::CookieJar;
use crate::http::{Failure, HttpClient, Prepared};

/// The longest RDAP answer a caller should read: real domain objects are a few kilobytes,
/// notices and all.
pub const MAX_RDAP_BODY: ByteSize = ByteSize(1024 * 1024);

/// A registrar's name longer than this many characters is cut (with `…`): it is shown in
/// tables and diagrams, and the server decides what it sends.
pub const MAX_REGISTRAR_NAME: usize = 256;

/// What an RDAP answer says about a domain's expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    /// Unix seconds of the `expiration` event.
    At(i64),
    /// The registry publishes no expiration date for the domain.
    Unpublished,
}

/// The entity with the `registrar` role in a domain object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registrar {
    /// The vCard's `fn` (formatted name).
    pub name: Option<String>,
    /// The IANA Registrar ID from `publicIds`, when given.
    pub iana_id: Option<String>,
}

/// What an RDAP domain object says about the registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub expiry: Expiry,
    /// `None` when the object names no registrar.
    pub registrar: Option<Registrar>,
}

/// Reads an RDAP domain object: its `expiration` event and its registrar entity.
pub fn parse_domain(body: &[u8]) -> Result<Registration, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not RDAP JSON ({e})"))?;
    if value.get("objectClassName").and_then(Value::as_str) != Some("domain") {
        return Err("not an RDAP domain object (objectClassName is not \"domain\")".into());
    }
    Ok(Registration {
        expiry: expiry(&value)?,
        registrar: registrar(&value),
    })
}

/// Reads the `expiration` event from an RDAP domain object.
pub fn parse_expiry(body: &[u8]) -> Result<Expiry, String> {
    parse_domain(body).map(|r| r.expiry)
}

fn expiry(domain: &Value) -> Result<Expiry, String> {
    let events = domain.get("events").and_then(Value::as_array);
    let expiration = events.into_iter().flatten().find(|e| {
        e.get("eventAction")
            .and_then(Value::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("expiration"))
    });
    let Some(event) = expiration else {
        return Ok(Expiry::Unpublished);
    };
    let date = event
        .get("eventDate")
        .and_then(Value::as_str)
        .ok_or("the expiration event has no eventDate")?;
    time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
        .map(|t| Expiry::At(t.unix_timestamp()))
        .map_err(|_| format!("the expiration date `{date}` is not an RFC 3339 date"))
}

/// The first top-level entity whose roles include `registrar` (RFC 9083 section 10.2.4).
fn registrar(domain: &Value) -> Option<Registrar> {
    let entities = domain.get("entities").and_then(Value::as_array)?;
    let entity = entities.iter().find(|e| {
        e.get("roles").and_then(Value::as_array).is_some_and(|roles| {
            roles
                .iter()
                .any(|r| r.as_str().is_some_and(|r| r.eq_ignore_ascii_case("registrar")))
        })
    })?;
    Some(Registrar {
        name: vcard_fn(entity).map(|name| bounded_name(&name)),
        iana_id: iana_id(entity),
    })
}

/// The `fn` property of a jCard (RFC 7095): `["vcard", [["fn", {}, "text", "Name"], …]]`.
fn vcard_fn(entity: &Value) -> Option<String> {
    let properties = entity.get("vcardArray")?.get(1)?.as_array()?;
    properties
        .iter()
        .filter_map(Value::as_array)
        .find(|p| {
            p.first()
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("fn"))
        })
        .and_then(|p| p.get(3)?.as_str())
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|name| !name.is_empty())
}

fn bounded_name(name: &str) -> String {
    if name.chars().count() <= MAX_REGISTRAR_NAME {
        return name.to_string();
    }
    let cut: String = name.chars().take(MAX_REGISTRAR_NAME - 1).collect();
    format!("{cut}…")
}

/// The `IANA Registrar ID` of `publicIds`: digits only, as IANA assigns them.
fn iana_id(entity: &Value) -> Option<String> {
    let ids = entity.get("publicIds")?.as_array()?;
    ids.iter()
        .filter(|id| {
            id.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("IANA Registrar ID"))
        })
        .find_map(|id| match id.get("identifier")? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|id| (1..=10).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()))
}

/// An RDAP base URL as configured, with the `/` that `domain/NAME` is joined to.
pub fn server_base(raw: &str) -> Result<Url, String> {
    let with_slash = if raw.ends_with('/') {
        raw.to_string()
    } else {
        format!("{raw}/")
    };
    Url::parse(&with_slash)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| format!("`{raw}` is not an http(s) URL"))
}

/// One RDAP query for `name`, redirects followed (rdap.org and bootstrap services answer
/// with one to the registry's server): `None` when the server does not know the name (404).
pub async fn lookup(client: &HttpClient, server: &Url, name: &str) -> Result<Option<Registration>, String> {
    let url = server
        .join(&format!("domain/{name}"))
        .map_err(|e| format!("cannot build the query URL: {e}"))?;
    let request = Prepared {
        method: Method::GET,
        url,
        headers: vec![("accept".into(), "application/rdap+json".into())],
        body: None,
        identity: None,
    };
    let mut jar = CookieJar::default();
    let response = client
        .send(&request, &mut jar, true, None)
        .await
        .map_err(|failure| match failure {
            // Not the general advice to raise `max_body`: no domain object is that large.
            Failure::BodyTooLarge { limit, .. } => {
                format!("the answer is larger than the {limit} limit; reading stopped there")
            }
            other => other.to_string(),
        })?;
    match response.status {
        404 => Ok(None),
        200..=299 => parse_domain(&response.body).map(Some),
        other => Err(format!(
            "{} answered {other}",
            response.url.host_str().unwrap_or("the server")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiration_event_is_read() {
        let body = br#"{"objectClassName":"domain","ldhName":"EXAMPLE.COM","events":[
            {"eventAction":"registration","eventDate":"1995-08-14T04:00:00Z"},
            {"eventAction":"expiration","eventDate":"2026-08-13T04:00:00Z"}]}"#;
        assert_eq!(parse_expiry(body).unwrap(), Expiry::At(1_786_593_600));
        let none = br#"{"objectClassName":"domain","events":[{"eventAction":"registration","eventDate":"1995-08-14T04:00:00Z"}]}"#;
        assert_eq!(parse_expiry(none).unwrap(), Expiry::Unpublished);
        assert!(parse_expiry(br#"{"objectClassName":"entity"}"#).is_err());
        assert!(
            parse_expiry(
                br#"{"objectClassName":"domain","events":[{"eventAction":"expiration","eventDate":"soon"}]}"#
            )
            .unwrap_err()
            .contains("not an RFC 3339 date")
        );
        assert!(parse_expiry(b"<html>").is_err());
    }

    #[test]
    fn the_registrar_entity_gives_its_name_and_iana_id() {
        let body = br#"{"objectClassName":"domain","entities":[
            {"objectClassName":"entity","roles":["technical"],
             "vcardArray":["vcard",[["fn",{},"text","Not The Registrar"]]]},
            {"objectClassName":"entity","roles":["sponsor","Registrar"],
             "publicIds":[{"type":"IANA Registrar ID","identifier":"292"}],
             "vcardArray":["vcard",[["version",{},"text","4.0"],["fn",{},"text","  MarkMonitor\n Inc. "]]],
             "entities":[{"objectClassName":"entity","roles":["abuse"]}]}]}"#;
        let registration = parse_domain(body).unwrap();
        assert_eq!(registration.expiry, Expiry::Unpublished);
        assert_eq!(
            registration.registrar,
            Some(Registrar {
                name: Some("MarkMonitor Inc.".into()),
                iana_id: Some("292".into()),
            })
        );
        // No fn, an id that is no IANA number: nothing made up.
        let odd = br#"{"objectClassName":"domain","entities":[{"roles":["registrar"],
            "publicIds":[{"type":"IANA Registrar ID","identifier":"n/a"}],"vcardArray":["vcard",[]]}]}"#;
        assert_eq!(parse_domain(odd).unwrap().registrar, Some(Registrar::default()));
        let without = br#"{"objectClassName":"domain","entities":[{"roles":["registrant"]}]}"#;
        assert_eq!(parse_domain(without).unwrap().registrar, None);
    }

    #[test]
    fn a_long_registrar_name_is_cut() {
        let body = format!(
            r#"{{"objectClassName":"domain","entities":[{{"roles":["registrar"],"vcardArray":["vcard",[["fn",{{}},"text","{}"]]]}}]}}"#,
            "R".repeat(5000)
        );
        let name = parse_domain(body.as_bytes())
            .unwrap()
            .registrar
            .unwrap()
            .name
            .unwrap();
        assert_eq!(name.chars().count(), MAX_REGISTRAR_NAME);
        assert!(name.ends_with('…'));
    }

    #[test]
    fn a_server_base_ends_with_a_slash_and_is_http() {
        assert_eq!(
            server_base("https://rdap.example/v1").unwrap().as_str(),
            "https://rdap.example/v1/"
        );
        assert!(
            server_base("ftp://rdap.example/")
                .unwrap_err()
                .contains("`ftp://rdap.example/` is not an http(s) URL")
        );
        assert!(server_base("rdap.example").is_err());
    }
}
