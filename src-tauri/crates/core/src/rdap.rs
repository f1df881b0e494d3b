//! A domain's registration, as its registry publishes it over RDAP (RFC 9083): when it expires,
//! its status codes (transfer lock, auto-renew, redemption, pending delete) and the registrar.
//!
//! The registry of a TLD is found in IANA's bootstrap file (RFC 9224), bundled as data
//! (`data/rdap-dns.json`, refreshed with each release by `scripts/refresh-rdap-bootstrap.sh`), or
//! given outright as [`NetConfig::rdap`](crate::net::NetConfig) (`--rdap-url`). The request goes
//! through the engine's `Net`, so its deadlines, trust store and connect-to overrides hold, with a
//! size bound of its own and at most [`MAX_REDIRECTS`] https redirects (registries that moved
//! their server answer with one). Whatever goes wrong ends in an [`RdapError`] a founder can read:
//! the audit reports it as `error`, the domain monitor stays quiet.

use crate::net::{Net, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;
use url::Url;

/// The largest RDAP answer read: real ones are a few KiB to a few tens of KiB.
pub const MAX_BODY: usize = 256 * 1024;
/// The longest a whole lookup (redirects included) may take.
pub const DEADLINE: Duration = Duration::from_secs(15);
/// Registries that moved their server redirect; more than this is a loop.
pub const MAX_REDIRECTS: usize = 3;

/// What the registry says about a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// The domain asked about.
    pub domain: String,
    /// The expiry date (`YYYY-MM-DD`), when the registry publishes one.
    pub expires: Option<String>,
    /// Whole days from today to the expiry date (negative once it has passed).
    pub days_left: Option<i64>,
    /// The status codes, in RDAP's words (`client transfer prohibited`, `auto renew period`…).
    pub statuses: Vec<String>,
    /// The registrar's name, when the answer names one.
    pub registrar: Option<String>,
    /// The address that answered.
    pub server: String,
}

impl Registration {
    fn has(&self, status: &str) -> bool {
        let want = fold(status);
        self.statuses.iter().any(|s| fold(s) == want)
    }
    /// Nobody can move the domain to another registrar without this lock being lifted first.
    pub fn transfer_locked(&self) -> bool {
        self.has("client transfer prohibited") || self.has("server transfer prohibited")
    }
    /// The registry renewed it on its own and the registrar keeps it unless told otherwise.
    pub fn auto_renewing(&self) -> bool {
        self.has("auto renew period")
    }
    /// The domain has lapsed and is on its way out: restorable for a fee, or about to be released.
    pub fn lapsing(&self) -> Option<&'static str> {
        if self.has("pending delete") {
            Some("pending delete")
        } else if self.has("redemption period") {
            Some("redemption period")
        } else {
            None
        }
    }
}

/// EPP's `clientTransferProhibited` and RDAP's `client transfer prohibited` are the same status.
fn fold(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Why the registration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RdapError {
    /// The bundled bootstrap file names no registry for this TLD.
    #[error("Preflight does not know which registry answers for .{tld} (it publishes no RDAP server Preflight knows of)")]
    NoServer { tld: String },
    /// No answer in time, or no connection.
    #[error("the registry's RDAP server did not answer: {0}")]
    Network(String),
    /// An answer that is not a registration.
    #[error("the registry's RDAP server answered {status}{}", if *.status == 404 { " (it has no record of this domain)" } else if *.status == 429 { " (it asks to slow down; try again later)" } else { "" })]
    Status { status: u16 },
    /// Not RDAP JSON, or cut at the size bound.
    #[error("the registry's RDAP server answered in a form Preflight could not read: {0}")]
    Malformed(String),
}

impl RdapError {
    /// Whether this says nothing about the domain (everything but a missing bootstrap entry,
    /// which is a limit of Preflight's data, not of the network).
    pub fn is_unknown_registry(&self) -> bool {
        matches!(self, RdapError::NoServer { .. })
    }
}

#[derive(Deserialize)]
struct Bootstrap {
    services: Vec<(Vec<String>, Vec<String>)>,
}

const BOOTSTRAP: &str = include_str!("../data/rdap-dns.json");

/// The bundled bootstrap file: each TLD with its registry's base address (https preferred).
fn registries() -> &'static [(String, Url)] {
    static ALL: OnceLock<Vec<(String, Url)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let Ok(file) = serde_json::from_str::<Bootstrap>(BOOTSTRAP) else { return Vec::new() };
        let mut out = Vec::new();
        for (tlds, urls) in file.services {
            let best = urls.iter().find(|u| u.starts_with("https://")).or(urls.first()).and_then(|u| base_url(u).ok());
            if let Some(base) = best {
                out.extend(tlds.into_iter().map(|t| (t.trim_end_matches('.').to_ascii_lowercase(), base.clone())));
            }
        }
        out
    })
}

/// A base address as RDAP needs it: http(s), ending in `/` so `domain/NAME` appends.
pub fn base_url(s: &str) -> Result<Url, String> {
    let mut url = Url::parse(s.trim()).map_err(|e| format!("the RDAP address \"{s}\" is not a web address ({e})"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(format!("the RDAP address \"{s}\" must start with https://"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    Ok(url)
}

/// The registry's base address for `domain`: the override, else the bootstrap entry of the
/// longest matching suffix (the file lists TLDs; a few list second-level names).
pub fn registry_for(net: &Net, domain: &str) -> Result<Url, RdapError> {
    if let Some(base) = &net.config().rdap {
        return Ok(base.clone());
    }
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    (1..labels.len())
        .map(|i| labels[i..].join("."))
        .find_map(|suffix| registries().iter().find(|(t, _)| *t == suffix).map(|(_, u)| u.clone()))
        .ok_or_else(|| RdapError::NoServer { tld: labels.last().copied().unwrap_or_default().to_owned() })
}

/// Asks the registry about `domain`, within [`DEADLINE`] or 80% of a check's deadline, whichever
/// is shorter (so the audit's finding says what happened instead of being cut off).
pub async fn lookup(net: &Net, domain: &str) -> Result<Registration, RdapError> {
    let base = registry_for(net, domain)?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let start = base.join(&format!("domain/{domain}")).map_err(|e| RdapError::Malformed(e.to_string()))?;
    let deadline = DEADLINE.min(net.config().timeouts.check.mul_f32(0.8));
    match tokio::time::timeout(deadline, fetch(net, start)).await {
        Ok(Ok((server, body))) => parse(&domain, &server, &body, time::OffsetDateTime::now_utc().date()),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(RdapError::Network(format!("no answer within {:.1} seconds", deadline.as_secs_f32()))),
    }
}

async fn fetch(net: &Net, mut url: Url) -> Result<(String, Vec<u8>), RdapError> {
    for _ in 0..=MAX_REDIRECTS {
        let req = Request::new("GET", url.clone()).header("accept", "application/rdap+json, application/json");
        let resp = net.fetch_bounded(&req, MAX_BODY).await.map_err(|e| RdapError::Network(e.to_string()))?;
        if resp.is_redirect() {
            let next = resp.header("location").and_then(|l| url.join(l).ok());
            match next {
                // A registry's answer moving to plain http would let anyone on the way rewrite it.
                Some(n) if n.scheme() == "https" || url.scheme() == "http" => {
                    url = n;
                    continue;
                }
                _ => return Err(RdapError::Status { status: resp.status }),
            }
        }
        if resp.status != 200 {
            return Err(RdapError::Status { status: resp.status });
        }
        if resp.truncated {
            return Err(RdapError::Malformed(format!("the answer is longer than {} KiB", MAX_BODY / 1024)));
        }
        return Ok((url.to_string(), resp.body.to_vec()));
    }
    Err(RdapError::Malformed(format!("more than {MAX_REDIRECTS} redirects")))
}

/// Reads an RDAP domain object; `today` is when days are counted from.
pub fn parse(domain: &str, server: &str, body: &[u8], today: time::Date) -> Result<Registration, RdapError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| RdapError::Malformed(format!("not JSON ({e})")))?;
    let Some(obj) = v.as_object() else { return Err(RdapError::Malformed("not a JSON object".into())) };
    if obj.get("objectClassName").and_then(Value::as_str).is_some_and(|c| c != "domain") {
        return Err(RdapError::Malformed("the answer is not about a domain".into()));
    }
    let statuses: Vec<String> =
        obj.get("status").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(|s| s.trim().to_owned()).collect();
    let expiry = obj.get("events").and_then(Value::as_array).into_iter().flatten().find_map(|e| {
        let action = e.get("eventAction").and_then(Value::as_str)?;
        (fold(action) == "expiration").then(|| e.get("eventDate").and_then(Value::as_str)).flatten()
    });
    let expires = expiry.and_then(date);
    if statuses.is_empty() && expires.is_none() {
        return Err(RdapError::Malformed("it gives neither a status nor an expiry date".into()));
    }
    let days_left = expires.map(|d| (d - today).whole_days());
    Ok(Registration {
        domain: domain.to_owned(),
        expires: expires.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
        days_left,
        statuses,
        registrar: registrar(obj.get("entities")),
        server: server.to_owned(),
    })
}

/// The calendar date of an RDAP timestamp (`2027-08-13T04:00:00Z`; the day is all that matters).
fn date(s: &str) -> Option<time::Date> {
    let mut parts = s.get(..10)?.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// The `fn` of the entity whose roles include `registrar` (its jCard: `["fn", {}, "text", NAME]`).
fn registrar(entities: Option<&Value>) -> Option<String> {
    entities?.as_array()?.iter().find_map(|e| {
        let is_registrar = e.get("roles").and_then(Value::as_array)?.iter().any(|r| r.as_str() == Some("registrar"));
        if !is_registrar {
            return None;
        }
        let card = e.get("vcardArray")?.as_array()?.get(1)?.as_array()?;
        card.iter().find_map(|prop| {
            let prop = prop.as_array()?;
            (prop.first()?.as_str()? == "fn").then(|| prop.get(3)?.as_str().map(|n| n.chars().take(120).collect()))?
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> time::Date {
        time::Date::from_calendar_date(2026, time::Month::December, 6).expect("a date")
    }

    const ANSWER: &str = r#"{"objectClassName":"domain","ldhName":"ACME.COM",
        "status":["client delete prohibited","client transfer prohibited"],
        "events":[{"eventAction":"registration","eventDate":"2019-03-01T10:00:00Z"},
                  {"eventAction":"expiration","eventDate":"2027-03-01T10:00:00.000Z"}],
        "entities":[{"objectClassName":"entity","roles":["registrar"],
                     "vcardArray":["vcard",[["version",{},"text","4.0"],["fn",{},"text","Example Registrar, Inc."]]]}]}"#;

    #[test]
    fn a_registry_answer_gives_expiry_statuses_and_registrar() {
        let r = parse("acme.com", "https://rdap.test/", ANSWER.as_bytes(), today()).expect("parses");
        assert_eq!(r.expires.as_deref(), Some("2027-03-01"));
        assert_eq!(r.days_left, Some(85));
        assert!(r.transfer_locked());
        assert!(!r.auto_renewing());
        assert_eq!(r.lapsing(), None);
        assert_eq!(r.registrar.as_deref(), Some("Example Registrar, Inc."));
    }

    #[test]
    fn epp_spellings_count_as_rdap_ones() {
        let body = r#"{"status":["clientTransferProhibited","redemptionPeriod"]}"#;
        let r = parse("acme.com", "s", body.as_bytes(), today()).expect("parses");
        assert!(r.transfer_locked());
        assert_eq!(r.lapsing(), Some("redemption period"));
        assert_eq!(r.days_left, None);
    }

    #[test]
    fn answers_that_are_not_registrations_are_refused_in_words() {
        for body in ["<html>blocked</html>", "[1,2]", r#"{"objectClassName":"entity","status":["active"]}"#, "{}", r#"{"events":"x"}"#] {
            let e = parse("acme.com", "s", body.as_bytes(), today()).expect_err(body);
            assert!(matches!(e, RdapError::Malformed(_)), "{body}: {e}");
        }
    }

    #[test]
    fn the_bundled_bootstrap_file_parses_and_routes_by_tld() {
        assert!(registries().len() > 50, "the bundled file lists the common TLDs");
        assert!(registries().iter().all(|(_, u)| u.scheme() == "https" && u.path().ends_with('/')));
        let com = registries().iter().find(|(t, _)| t == "com").map(|(_, u)| u.as_str());
        assert_eq!(com, Some("https://rdap.verisign.com/com/v1/"));
    }

    #[test]
    fn base_addresses_are_checked_and_end_in_a_slash() {
        assert_eq!(base_url("https://rdap.test/rdap").expect("ok").as_str(), "https://rdap.test/rdap/");
        assert!(base_url("ftp://rdap.test/").is_err());
        assert!(base_url("rdap.test").is_err());
    }
}
