//! What the watcher keeps an eye on: one monitor's definition, as `[[monitors]]` in
//! `preflight.toml`, as a row the app edits, and as `preflight watch --url`.
//!
//! This is data only; `preflight-watch` probes it. It lives in the engine because the config file
//! is read and validated here, once, like every other subject of the product. A monitor never holds
//! a secret: an endpoint that needs credentials names a keychain entry (`secret = "api-token"`),
//! and [`MonitorSpec::validated`] holds that entry to the rules of [`crate::credential`] (https,
//! the product's own names, never in plain headers).

use crate::credential::{self, CredentialError, Placement};
use crate::domain::Domain;
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// The shortest interval accepted (tests need it); below [`WARN_BELOW_SECS`] the app warns.
pub const MIN_INTERVAL_SECS: u32 = 1;
/// Probing more often than this is rarely useful and is what gets a monitoring machine rate-limited.
pub const WARN_BELOW_SECS: u32 = 30;
/// The longest interval accepted: a day (the audit re-run).
pub const MAX_INTERVAL_SECS: u32 = 86_400;
/// The default interval of a probe monitor.
pub const DEFAULT_INTERVAL_SECS: u32 = 60;

/// One monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonitorSpec {
    /// The founder's name for it ("Home page"); unique within a product.
    pub name: String,
    /// Seconds between probes.
    pub interval_secs: u32,
    pub probe: ProbeSpec,
}

/// What one probe asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProbeSpec {
    /// An HTTP(S) request: healthy when the status, keyword, JSON field and latency all hold.
    Http {
        url: String,
        method: String,
        /// Request headers (never credentials: those come from `secret`).
        headers: Vec<(String, String)>,
        body: Option<String>,
        /// Keychain entry sent in `secret_header`, only over https to a name of the product.
        secret: Option<String>,
        /// The header the keychain value goes in (`authorization` when absent; `x-api-key`, `cookie`…).
        #[serde(default)]
        secret_header: Option<String>,
        /// Written before the value (`Bearer ` for Authorization when absent, nothing otherwise).
        #[serde(default)]
        secret_prefix: Option<String>,
        /// The exact status a healthy answer has; otherwise any status below `up_below`.
        expect_status: Option<u16>,
        /// Any status below this is healthy when `expect_status` is absent (400: 2xx and 3xx; 500
        /// for an API whose root answers 404 while it is perfectly up).
        up_below: u16,
        /// Text the body must contain.
        keyword: Option<String>,
        /// A JSON field (dotted path, `status` or `checks.db`) and the value it must have.
        json_field: Option<String>,
        json_equals: Option<String>,
        /// Slower than this is a failure.
        max_latency_ms: Option<u64>,
    },
    /// The certificate a host serves: down when a browser would refuse it, warnings as expiry nears.
    Cert { host: String, port: u16 },
    /// DNS records of a name drifting from what they should be.
    Dns {
        name: String,
        /// A, AAAA, CNAME, MX, NS or TXT.
        record: String,
        /// The expected values; empty means "what it answered the first time".
        expect: Vec<String>,
    },
    /// The whole audit again; only failures that were not there the last time are announced.
    Audit { domain: String },
    /// The domain's registration at its registry (RDAP): warnings as its expiry nears, DOWN once it
    /// has lapsed; a registry that does not answer says nothing.
    Domain { domain: String },
    /// One of the product's customer paths (`[[flows]]`, by name), walked as a customer does: DOWN
    /// when it fails at a step (by the same confirm rules), never DOWN when it could not run.
    Flow { domain: String, flow: String },
}

/// A path is walked at most this often: each run signs in and may cost model tokens.
pub const MIN_FLOW_INTERVAL_SECS: u32 = 60;

impl ProbeSpec {
    /// A plain GET of `url`, healthy on 2xx/3xx.
    pub fn get(url: &str) -> ProbeSpec {
        ProbeSpec::Http {
            url: url.to_owned(),
            method: "GET".into(),
            headers: Vec::new(),
            body: None,
            secret: None,
            secret_header: None,
            secret_prefix: None,
            expect_status: None,
            up_below: 400,
            keyword: None,
            json_field: None,
            json_equals: None,
            max_latency_ms: None,
        }
    }

    /// The word shown beside a monitor ("web page", "certificate", …).
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeSpec::Http { .. } => "http",
            ProbeSpec::Cert { .. } => "cert",
            ProbeSpec::Dns { .. } => "dns",
            ProbeSpec::Audit { .. } => "audit",
            ProbeSpec::Domain { .. } => "domain",
            ProbeSpec::Flow { .. } => "flow",
        }
    }

    /// The keychain entry this probe names and where it goes, when it names one and the rule of
    /// [`credential::allowed`] lets it travel to this probe's address for `product` (None for other
    /// kinds and for a probe without a key).
    pub fn credential(&self, product: &str) -> Result<Option<(&str, Placement)>, CredentialError> {
        match self {
            ProbeSpec::Http { secret: Some(name), url, secret_header, secret_prefix, .. } => {
                Ok(Some((name.as_str(), credential::allowed(name, url, product, secret_header.as_deref(), secret_prefix.as_deref())?)))
            }
            _ => Ok(None),
        }
    }

    /// The keychain entry this probe names, if any.
    pub fn secret(&self) -> Option<&str> {
        match self {
            ProbeSpec::Http { secret, .. } => secret.as_deref(),
            _ => None,
        }
    }

    /// The host this monitor talks to, for grouping and for the default product.
    pub fn host(&self) -> Option<String> {
        match self {
            ProbeSpec::Http { url, .. } => url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)),
            ProbeSpec::Cert { host, .. } => Some(host.clone()),
            ProbeSpec::Dns { name, .. } => Some(name.clone()),
            ProbeSpec::Audit { domain } | ProbeSpec::Domain { domain } | ProbeSpec::Flow { domain, .. } => Some(domain.clone()),
        }
    }
}

/// Why a monitor definition cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// A value out of range or malformed; the reason says which.
    #[error("monitor \"{name}\": {reason}")]
    Invalid { name: String, reason: String },
    /// The keychain entry would go where it does not belong, or a credential sits in plain headers.
    #[error("monitor \"{name}\": {source}")]
    Credential { name: String, source: CredentialError },
}

/// The DNS record types a drift monitor understands.
pub const DNS_RECORDS: [&str; 6] = ["A", "AAAA", "CNAME", "MX", "NS", "TXT"];

impl MonitorSpec {
    /// Checks every value for a monitor of the product `product` (its root domain); returns the
    /// spec normalised (method upper case, record upper case, address and key name trimmed).
    pub fn validated(mut self, product: &str) -> Result<MonitorSpec, MonitorError> {
        let bad = |reason: String| MonitorError::Invalid { name: self.name.clone(), reason };
        let refused = |source: CredentialError| MonitorError::Credential { name: self.name.clone(), source };
        if self.name.trim().is_empty() || self.name.len() > 80 {
            return Err(bad("give it a name of 1 to 80 characters".into()));
        }
        if !(MIN_INTERVAL_SECS..=MAX_INTERVAL_SECS).contains(&self.interval_secs) {
            return Err(bad(format!("interval_secs must be between {MIN_INTERVAL_SECS} and {MAX_INTERVAL_SECS}")));
        }
        match &mut self.probe {
            ProbeSpec::Http { url, method, headers, json_field, json_equals, up_below, secret, secret_header, secret_prefix, .. } => {
                // The address may carry a token: errors name its public form only.
                let shown = crate::public::public_url(url.trim()).unwrap_or_else(|| "this address".to_owned());
                let u = url::Url::parse(url.trim()).map_err(|e| bad(format!("{shown} is not a web address ({e})")))?;
                if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                    return Err(bad(format!("{shown} is not an http:// or https:// address")));
                }
                *url = u.to_string();
                *method = method.trim().to_ascii_uppercase();
                if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                    return Err(bad(format!("\"{method}\" is not an HTTP method")));
                }
                credential::plain_headers(headers.iter().map(|(k, _)| k.as_str())).map_err(refused)?;
                *secret = secret.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
                match secret {
                    Some(name) => {
                        credential::allowed(name, url, product, secret_header.as_deref(), secret_prefix.as_deref()).map_err(refused)?;
                    }
                    None => {
                        *secret_header = None;
                        *secret_prefix = None;
                    }
                }
                if json_equals.is_some() && json_field.is_none() {
                    return Err(bad("json_equals needs json_field (the field to look at)".into()));
                }
                if !(200..=600).contains(up_below) {
                    return Err(bad("up_below must be a status between 200 and 600".into()));
                }
            }
            ProbeSpec::Cert { host, port } => {
                *host = Domain::parse(host).map_err(|e| bad(e.to_string()))?.to_string();
                if *port == 0 {
                    return Err(bad("port 0 is not a port".into()));
                }
            }
            ProbeSpec::Dns { name, record, .. } => {
                *name = Domain::parse(name).map_err(|e| bad(e.to_string()))?.to_string();
                *record = record.trim().to_ascii_uppercase();
                if !DNS_RECORDS.contains(&record.as_str()) {
                    return Err(bad(format!("record must be one of {}", DNS_RECORDS.join(", "))));
                }
            }
            ProbeSpec::Audit { domain } | ProbeSpec::Domain { domain } => {
                *domain = Domain::parse(domain).map_err(|e| bad(e.to_string()))?.to_string();
            }
            ProbeSpec::Flow { domain, flow } => {
                *domain = Domain::parse(domain).map_err(|e| bad(e.to_string()))?.to_string();
                *flow = flow.trim().to_owned();
                if flow.is_empty() {
                    return Err(bad("flow must name one of the product's paths ([[flows]] name)".into()));
                }
                if self.interval_secs < MIN_FLOW_INTERVAL_SECS {
                    return Err(bad(format!(
                        "a path is walked at most every {MIN_FLOW_INTERVAL_SECS} s (interval_secs = {MIN_FLOW_INTERVAL_SECS} or more)"
                    )));
                }
            }
        }
        Ok(self)
    }

    /// Whether the app should warn that this monitor probes very often.
    pub fn too_frequent(&self) -> bool {
        self.interval_secs < WARN_BELOW_SECS
    }
}

/// The sensible set a product gets in one click: the home page, the API, the login page, the
/// certificate, each key endpoint of the config, and the daily audit. `live` are the names the
/// last audit found answering (so a product without `api.` gets no API monitor that is down from
/// the start).
pub fn default_set(target: &Target, live: &[String]) -> Vec<MonitorSpec> {
    let domain = target.domain.as_str();
    let is_live = |name: &str| live.iter().any(|l| l == name);
    let front = target.canonical.clone().unwrap_or_else(|| {
        let www = target.domain.with_label("www");
        if is_live(&www) && !is_live(domain) {
            www
        } else {
            domain.to_owned()
        }
    });
    let mut set = vec![MonitorSpec {
        name: "Home page".into(),
        interval_secs: DEFAULT_INTERVAL_SECS,
        probe: ProbeSpec::get(&format!("https://{front}/")),
    }];
    let api = target.domain.with_label("api");
    if target.endpoints.is_empty() && is_live(&api) {
        let mut probe = ProbeSpec::get(&format!("https://{api}/"));
        if let ProbeSpec::Http { up_below, .. } = &mut probe {
            *up_below = 500;
        }
        set.push(MonitorSpec { name: "API".into(), interval_secs: DEFAULT_INTERVAL_SECS, probe });
    }
    if let Some(login) = ["auth", "app"].iter().map(|l| target.domain.with_label(l)).find(|n| is_live(n)) {
        let mut probe = ProbeSpec::get(&format!("https://{login}/"));
        if let ProbeSpec::Http { up_below, .. } = &mut probe {
            *up_below = 500;
        }
        set.push(MonitorSpec { name: "Login page".into(), interval_secs: DEFAULT_INTERVAL_SECS, probe });
    }
    for e in &target.endpoints {
        set.push(MonitorSpec {
            name: e.name.clone(),
            interval_secs: DEFAULT_INTERVAL_SECS,
            probe: ProbeSpec::Http {
                url: e.url.clone(),
                method: e.method.clone(),
                headers: e.headers.clone(),
                body: e.body.clone(),
                secret: e.secret.clone(),
                secret_header: e.secret_header.clone(),
                secret_prefix: e.secret_prefix.clone(),
                expect_status: e.expect_status,
                up_below: 400,
                keyword: None,
                json_field: None,
                json_equals: None,
                max_latency_ms: None,
            },
        });
    }
    set.push(MonitorSpec { name: "Certificate".into(), interval_secs: 6 * 3600, probe: ProbeSpec::Cert { host: front, port: 443 } });
    set.push(MonitorSpec {
        name: "Domain registration".into(),
        interval_secs: MAX_INTERVAL_SECS,
        probe: ProbeSpec::Domain { domain: domain.to_owned() },
    });
    set.push(MonitorSpec {
        name: "Daily audit".into(),
        interval_secs: MAX_INTERVAL_SECS,
        probe: ProbeSpec::Audit { domain: domain.to_owned() },
    });
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::HostOrigin;

    #[test]
    fn the_default_set_covers_what_is_live_and_nothing_else() {
        let mut t = Target::with_defaults(Domain::parse("acme.test").expect("valid"));
        t.add_host("status", HostOrigin::Configured, false);
        let live = vec!["acme.test".to_owned(), "www.acme.test".to_owned(), "app.acme.test".to_owned()];
        let set = default_set(&t, &live);
        let names: Vec<_> = set.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["Home page", "Login page", "Certificate", "Domain registration", "Daily audit"],
            "no API monitor: api.acme.test did not answer"
        );
        assert_eq!(set[1].probe.host().as_deref(), Some("app.acme.test"));
        assert!(set.into_iter().all(|m| m.validated("acme.test").is_ok()));
    }

    #[test]
    fn bad_definitions_are_refused_with_the_reason() {
        let m = |probe, interval_secs| MonitorSpec { name: "x".into(), interval_secs, probe };
        assert!(m(ProbeSpec::get("ftp://a.test/"), 60).validated("a.test").is_err());
        assert!(m(ProbeSpec::get("https://a.test/"), 0).validated("a.test").is_err());
        assert!(m(ProbeSpec::Dns { name: "a.test".into(), record: "SRV".into(), expect: vec![] }, 60).validated("a.test").is_err());
        let ok = m(ProbeSpec::Dns { name: "A.test".into(), record: "cname".into(), expect: vec![] }, 1).validated("a.test").expect("valid");
        assert_eq!(ok.probe, ProbeSpec::Dns { name: "a.test".into(), record: "CNAME".into(), expect: vec![] });
        assert!(ok.too_frequent());
    }

    fn keyed(url: &str) -> MonitorSpec {
        let mut probe = ProbeSpec::get(url);
        if let ProbeSpec::Http { secret, .. } = &mut probe {
            *secret = Some("api-token".into());
        }
        MonitorSpec { name: "API".into(), interval_secs: 60, probe }
    }

    #[test]
    fn a_key_is_refused_for_a_host_outside_the_product_or_over_http() {
        assert!(keyed("https://api.acme.test/health").validated("acme.test").is_ok());
        let foreign = keyed("https://collector.example/health").validated("acme.test").expect_err("not a name of acme.test");
        assert!(matches!(foreign, MonitorError::Credential { .. }), "a typed refusal: {foreign:?}");
        assert!(foreign.to_string().contains("collector.example"), "the refusal names the host: {foreign}");
        assert!(keyed("http://api.acme.test/health").validated("acme.test").is_err(), "never over plain http");
        let unkeyed = MonitorSpec { name: "x".into(), interval_secs: 60, probe: ProbeSpec::get("https://collector.example/") };
        assert!(unkeyed.validated("acme.test").is_ok(), "a keyless probe may watch any address");
    }

    #[test]
    fn credential_headers_are_refused_and_errors_hide_the_query() {
        let mut m = MonitorSpec { name: "x".into(), interval_secs: 60, probe: ProbeSpec::get("https://acme.test/") };
        if let ProbeSpec::Http { headers, .. } = &mut m.probe {
            headers.push(("X-Api-Key".into(), "sk_live_planted".into()));
        }
        let err = m.validated("acme.test").expect_err("a key in plain headers");
        assert!(err.to_string().contains("x-api-key") && !err.to_string().contains("sk_live_planted"), "{err}");
        let bad = MonitorSpec { name: "x".into(), interval_secs: 60, probe: ProbeSpec::get("ftp://acme.test/hook?token=s3cret-topic") };
        let err = bad.validated("acme.test").expect_err("not http");
        assert!(!err.to_string().contains("s3cret-topic"), "the query never reaches an error: {err}");
    }
}
