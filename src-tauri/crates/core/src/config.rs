//! `preflight.toml`: the product's settings, shared by the CLI (`--config`) and the desktop app.
//!
//! Unknown keys are refused so a typo such as `requried` is reported instead of silently ignored.
//! Every value is validated here, once, into a [`Target`]; the checks never see raw config. Secrets
//! never appear in this file: an endpoint names a keychain entry (`secret = "api-token"`, sent in
//! `secret_header`), which the rules of [`crate::credential`] bind to the product's own names.

use crate::domain::{Domain, DomainError};
use crate::monitor::{MonitorSpec, ProbeSpec, DEFAULT_INTERVAL_SECS, MAX_INTERVAL_SECS};
use crate::target::{Callback, CallbackKind, Endpoint, HostOrigin, MailSpec, Target, DEFAULT_NAMES};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The file's shape.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    /// The root domain (`acme.com`).
    pub domain: String,
    /// Names under the root to check; default `www`, `app`, `api`, `auth`.
    #[serde(default)]
    pub names: Option<Vec<String>>,
    /// Names whose absence is a problem; default `www` (when it is checked). The root always is.
    #[serde(default)]
    pub required: Option<Vec<String>>,
    /// Names discovery found that are not part of the product: never offered again.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The host visitors should end on (`www.acme.com` or `acme.com`).
    #[serde(default)]
    pub canonical: Option<String>,
    /// Old preview or staging URLs that must now redirect to the product.
    #[serde(default)]
    pub previews: Vec<String>,
    #[serde(default)]
    pub mail: Option<MailConfig>,
    #[serde(default)]
    pub endpoints: Vec<EndpointConfig>,
    #[serde(default)]
    pub callbacks: Vec<CallbackConfig>,
    /// What the watcher keeps an eye on, beyond the default set.
    #[serde(default)]
    pub monitors: Vec<MonitorConfig>,
}

/// `[[monitors]]`: one flat table whatever the kind, so a typo in any key is refused.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    pub name: String,
    /// `http` (default), `cert`, `dns` or `audit`.
    #[serde(default = "http")]
    pub kind: String,
    pub interval_secs: Option<u32>,
    /// http: the address; cert and dns: the host name; audit: the domain.
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default = "get")]
    pub method: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    pub secret: Option<String>,
    pub secret_header: Option<String>,
    pub secret_prefix: Option<String>,
    pub expect_status: Option<u16>,
    pub up_below: Option<u16>,
    pub keyword: Option<String>,
    pub json_field: Option<String>,
    pub json_equals: Option<String>,
    pub max_latency_ms: Option<u64>,
    /// dns: the record type and the values it must have.
    pub record: Option<String>,
    #[serde(default)]
    pub expect: Vec<String>,
}

fn http() -> String {
    "http".to_owned()
}

/// `[mail]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The domain mail is sent from; the root domain when absent.
    pub domain: Option<String>,
    #[serde(default)]
    pub dkim_selectors: Vec<String>,
}

/// `[[endpoints]]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    pub name: String,
    #[serde(default = "get")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    /// A keychain entry of the product, sent in `secret_header` (default Authorization).
    pub secret: Option<String>,
    pub secret_header: Option<String>,
    pub secret_prefix: Option<String>,
    pub expect_status: Option<u16>,
    pub latency_target_ms: Option<u32>,
    /// cached-read, write, chat-send, streaming-chat, webhook or auth-callback.
    pub kind: Option<String>,
}

fn get() -> String {
    "GET".to_owned()
}

/// `[[callbacks]]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CallbackConfig {
    pub kind: CallbackKind,
    pub url: String,
}

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not valid TOML, or keys we do not know.
    #[error("{file} is not a valid Preflight config: {reason}")]
    Syntax { file: String, reason: String },
    /// The domain inside is not usable.
    #[error("{file}: {source}")]
    Domain { file: String, source: DomainError },
    /// A name is not a single DNS label.
    #[error("{file}: \"{name}\" is not a name under your domain (use labels like www or api)")]
    Name { file: String, name: String },
    /// A value that should be a web address is not one.
    #[error("{file}: {what} \"{value}\" is not a usable web address ({reason})")]
    Url { file: String, what: String, value: String, reason: String },
    /// Any other value out of range.
    #[error("{file}: {message}")]
    Value { file: String, message: String },
}

impl ProductConfig {
    pub fn parse(file: &str, text: &str) -> Result<ProductConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Syntax { file: file.to_owned(), reason: e.message().to_owned() })
    }

    /// The audit target this config describes.
    pub fn target(&self, file: &str) -> Result<Target, ConfigError> {
        let domain = Domain::parse(&self.domain).map_err(|source| ConfigError::Domain { file: file.to_owned(), source })?;
        let mut target = Target::bare(domain.clone());
        let (labels, origin): (Vec<String>, HostOrigin) = match &self.names {
            Some(names) => (names.iter().map(|n| n.trim().to_ascii_lowercase()).collect(), HostOrigin::Configured),
            None => (DEFAULT_NAMES.iter().map(|(l, _)| (*l).to_owned()).collect(), HostOrigin::Default),
        };
        let required = self.required.clone().unwrap_or_else(|| vec!["www".to_owned()]);
        for label in labels {
            let valid = !label.is_empty() && label.len() <= 63 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                return Err(ConfigError::Name { file: file.to_owned(), name: label });
            }
            let is_required = required.iter().any(|r| r.eq_ignore_ascii_case(&label));
            target.add_host(&label, origin, is_required);
        }
        for label in &self.ignore {
            let label = label.trim().trim_end_matches(&format!(".{domain}")).to_ascii_lowercase();
            let valid = !label.is_empty()
                && label.len() <= 253
                && label.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            if !valid {
                return Err(ConfigError::Name { file: file.to_owned(), name: label });
            }
            target.ignored.push(domain.with_label(&label));
        }
        if let Some(c) = &self.canonical {
            let host = Domain::parse(c).map_err(|source| ConfigError::Domain { file: file.to_owned(), source })?.to_string();
            if host != domain.as_str() && !host.ends_with(&format!(".{domain}")) {
                return Err(ConfigError::Value {
                    file: file.to_owned(),
                    message: format!("canonical = \"{host}\" is not {domain} or a name under it"),
                });
            }
            target.canonical = Some(host);
        }
        let url = |what: &str, value: &str| web_url(file, what, value);
        target.previews = self.previews.iter().map(|p| url("preview", p)).collect::<Result<_, _>>()?;
        target.callbacks = self
            .callbacks
            .iter()
            .map(|c| Ok(Callback { kind: c.kind, url: url("callback", &c.url)? }))
            .collect::<Result<_, ConfigError>>()?;
        target.endpoints = self.endpoints.iter().map(|e| endpoint(file, &domain, e)).collect::<Result<_, _>>()?;
        if let Some(m) = &self.mail {
            let mail_domain = match &m.domain {
                Some(d) => Domain::parse(d).map_err(|source| ConfigError::Domain { file: file.to_owned(), source })?.to_string(),
                None => domain.to_string(),
            };
            target.mail = MailSpec { domain: mail_domain, dkim_selectors: m.dkim_selectors.iter().map(|s| s.trim().to_owned()).collect() };
        }
        Ok(target)
    }

    /// The monitors this file defines, validated (the product's domain fills what a kind leaves out).
    pub fn monitors(&self, file: &str) -> Result<Vec<MonitorSpec>, ConfigError> {
        self.monitors.iter().map(|m| monitor(file, &self.domain, m)).collect()
    }
}

fn monitor(file: &str, domain: &str, m: &MonitorConfig) -> Result<MonitorSpec, ConfigError> {
    let value = |message: String| ConfigError::Value { file: file.to_owned(), message };
    let needs = |what: &str| value(format!("monitor \"{}\" ({}) needs {what}", m.name, m.kind));
    let host = || m.host.clone().unwrap_or_else(|| domain.to_owned());
    let probe = match m.kind.as_str() {
        "http" => ProbeSpec::Http {
            url: m.url.clone().ok_or_else(|| needs("url"))?,
            method: m.method.clone(),
            headers: m.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            body: m.body.clone(),
            secret: m.secret.clone(),
            secret_header: m.secret_header.clone(),
            secret_prefix: m.secret_prefix.clone(),
            expect_status: m.expect_status,
            up_below: m.up_below.unwrap_or(400),
            keyword: m.keyword.clone(),
            json_field: m.json_field.clone(),
            json_equals: m.json_equals.clone(),
            max_latency_ms: m.max_latency_ms,
        },
        "cert" => ProbeSpec::Cert { host: host(), port: m.port.unwrap_or(443) },
        "dns" => ProbeSpec::Dns { name: host(), record: m.record.clone().ok_or_else(|| needs("record"))?, expect: m.expect.clone() },
        "audit" => ProbeSpec::Audit { domain: host() },
        other => return Err(value(format!("monitor \"{}\": kind \"{other}\" is not one of http, cert, dns, audit", m.name))),
    };
    let default_interval = if m.kind == "audit" { MAX_INTERVAL_SECS } else { DEFAULT_INTERVAL_SECS };
    MonitorSpec { name: m.name.clone(), interval_secs: m.interval_secs.unwrap_or(default_interval), probe }
        .validated(domain)
        .map_err(|e| value(e.to_string()))
}

fn web_url(file: &str, what: &str, value: &str) -> Result<String, ConfigError> {
    // A token in the query must not reach the error text (it is printed, logged and shown).
    let shown = crate::public::shown(value);
    let bad =
        |reason: &str| ConfigError::Url { file: file.to_owned(), what: what.to_owned(), value: shown.clone(), reason: reason.to_owned() };
    let u = url::Url::parse(value.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(bad("only http:// and https:// addresses can be checked"));
    }
    if u.host_str().is_none() {
        return Err(bad("it has no host"));
    }
    Ok(u.to_string())
}

fn endpoint(file: &str, domain: &Domain, e: &EndpointConfig) -> Result<Endpoint, ConfigError> {
    let method = e.method.trim().to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ConfigError::Value {
            file: file.to_owned(),
            message: format!("endpoint \"{}\": \"{}\" is not an HTTP method", e.name, e.method),
        });
    }
    let refused =
        |err: crate::CredentialError| ConfigError::Value { file: file.to_owned(), message: format!("endpoint \"{}\": {err}", e.name) };
    crate::credential::plain_headers(e.headers.keys().map(String::as_str)).map_err(refused)?;
    let url = web_url(file, &format!("endpoint \"{}\"", e.name), &e.url)?;
    let secret = e.secret.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(name) = &secret {
        crate::credential::allowed(name, &url, domain.as_str(), e.secret_header.as_deref(), e.secret_prefix.as_deref()).map_err(refused)?;
    }
    let kind = match &e.kind {
        Some(k) => Some(crate::EndpointKind::parse(k).ok_or_else(|| ConfigError::Value {
            file: file.to_owned(),
            message: format!(
                "endpoint \"{}\": kind \"{k}\" is not one of cached-read, write, chat-send, streaming-chat, webhook, auth-callback",
                e.name
            ),
        })?),
        None => None,
    };
    Ok(Endpoint {
        kind,
        name: e.name.clone(),
        method,
        url,
        headers: e.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        body: e.body.clone(),
        secret_header: secret.as_ref().and(e.secret_header.clone()),
        secret_prefix: secret.as_ref().and(e.secret_prefix.clone()),
        secret,
        expect_status: e.expect_status,
        latency_target_ms: e.latency_target_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_required_shape_the_target() {
        let cfg =
            ProductConfig::parse("p.toml", "domain = \"acme.test\"\nnames = [\"www\", \"api\"]\nrequired = [\"api\"]").expect("valid");
        let t = cfg.target("p.toml").expect("valid target");
        let got: Vec<_> = t.hosts.iter().map(|n| (n.label.as_str(), n.required, n.origin)).collect();
        assert_eq!(got, vec![("", true, HostOrigin::Root), ("www", false, HostOrigin::Configured), ("api", true, HostOrigin::Configured)]);
    }

    #[test]
    fn every_subject_kind_is_read_and_validated() {
        let text = r#"
            domain = "acme.test"
            names = ["app"]
            canonical = "app.acme.test"
            previews = ["https://acme-git-main.preview.example/"]
            [mail]
            domain = "mail.acme.test"
            dkim_selectors = ["google"]
            [[endpoints]]
            name = "chat start"
            method = "post"
            url = "https://api.acme.test/chat"
            headers = { "content-type" = "application/json" }
            body = "{}"
            secret = "api-token"
            [[callbacks]]
            kind = "webhook"
            url = "https://app.acme.test/stripe"
        "#;
        let t = ProductConfig::parse("p.toml", text).expect("valid").target("p.toml").expect("valid target");
        assert_eq!(t.hosts.len(), 2, "only the root and the listed name: no silent www");
        assert_eq!(t.canonical.as_deref(), Some("app.acme.test"));
        assert_eq!(t.endpoints[0].method, "POST");
        assert_eq!(t.endpoints[0].secret.as_deref(), Some("api-token"));
        assert_eq!(t.callbacks[0].kind, CallbackKind::Webhook);
        assert_eq!(t.mail.dkim_selectors, vec!["google"]);
        assert_eq!(t.previews, vec!["https://acme-git-main.preview.example/"]);
    }

    #[test]
    fn dropped_names_become_full_names_and_bad_ones_are_refused() {
        let cfg = ProductConfig::parse("p.toml", "domain = \"acme.test\"\nignore = [\"old\", \"eu.staging\", \"blog.acme.test\"]")
            .expect("valid");
        let t = cfg.target("p.toml").expect("target");
        assert_eq!(t.ignored, ["old.acme.test", "eu.staging.acme.test", "blog.acme.test"]);
        let bad = ProductConfig::parse("p.toml", "domain = \"acme.test\"\nignore = [\"a b\"]").expect("parses");
        assert!(bad.target("p.toml").is_err());
    }

    #[test]
    fn typos_and_bad_values_are_reported_not_ignored() {
        assert!(matches!(ProductConfig::parse("p.toml", "domain = \"a.test\"\nrequried = []"), Err(ConfigError::Syntax { .. })));
        let bad = ProductConfig::parse("p.toml", "domain = \"https://a.test\"").expect("parses");
        assert!(matches!(bad.target("p.toml"), Err(ConfigError::Domain { .. })));
        let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\nnames = [\"a.b\"]").expect("parses");
        assert!(matches!(bad.target("p.toml"), Err(ConfigError::Name { .. })));
        let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\npreviews = [\"ftp://a.test\"]").expect("parses");
        assert!(matches!(bad.target("p.toml"), Err(ConfigError::Url { .. })));
        let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\ncanonical = \"other.test\"").expect("parses");
        assert!(matches!(bad.target("p.toml"), Err(ConfigError::Value { .. })));
        let text =
            "domain = \"a.test\"\n[[endpoints]]\nname = \"x\"\nurl = \"https://a.test\"\nheaders = { Authorization = \"Bearer s3cr3t\" }";
        let err = ProductConfig::parse("p.toml", text).expect("parses").target("p.toml").expect_err("no secrets in the file");
        assert!(err.to_string().contains("keychain") && !err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn monitors_are_read_per_kind_and_checked() {
        let text = r#"
            domain = "acme.test"
            [[monitors]]
            name = "health"
            url = "https://api.acme.test/health"
            json_field = "status"
            json_equals = "ok"
            interval_secs = 30
            [[monitors]]
            name = "cert"
            kind = "cert"
            [[monitors]]
            name = "mail"
            kind = "dns"
            record = "mx"
            expect = ["10 mx.acme.test."]
        "#;
        let ms = ProductConfig::parse("p.toml", text).expect("valid").monitors("p.toml").expect("valid monitors");
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[1].probe, ProbeSpec::Cert { host: "acme.test".into(), port: 443 });
        assert!(matches!(&ms[2].probe, ProbeSpec::Dns { record, .. } if record == "MX"));
        let bad = "domain = \"acme.test\"\n[[monitors]]\nname = \"x\"\nkind = \"ping\"";
        assert!(ProductConfig::parse("p.toml", bad).expect("parses").monitors("p.toml").is_err());
        let bad = "domain = \"acme.test\"\n[[monitors]]\nname = \"x\"\nintervall = 5";
        assert!(ProductConfig::parse("p.toml", bad).is_err(), "a typo is refused");
    }

    #[test]
    fn an_endpoint_key_is_bound_to_the_product_and_its_header() {
        let file = |url: &str, extra: &str| {
            format!("domain = \"acme.test\"\n[[endpoints]]\nname = \"chat\"\nurl = \"{url}\"\nsecret = \"api-token\"\n{extra}")
        };
        let ok = ProductConfig::parse("p.toml", &file("https://api.acme.test/chat", "secret_header = \"X-API-Key\""))
            .expect("parses")
            .target("p.toml")
            .expect("a key of the product, to the product");
        assert_eq!(ok.endpoints[0].secret_header.as_deref(), Some("X-API-Key"));
        for (url, host) in [("https://api.other.test/chat", "api.other.test"), ("http://api.acme.test/chat", "api.acme.test")] {
            let err = ProductConfig::parse("p.toml", &file(url, "")).expect("parses").target("p.toml").expect_err("refused");
            assert!(err.to_string().contains(host), "the refusal names the host: {err}");
        }
        for header in ["x-api-key", "Cookie", "apikey", "X-Access-Token"] {
            let text = format!("domain = \"acme.test\"\n[[endpoints]]\nname = \"x\"\nurl = \"https://acme.test/\"\nheaders = {{ \"{header}\" = \"planted-9f8e7d\" }}");
            let err = ProductConfig::parse("p.toml", &text).expect("parses").target("p.toml").expect_err("a credential header");
            assert!(!err.to_string().contains("planted-9f8e7d"), "{err}");
        }
        let text = "domain = \"acme.test\"\n[[monitors]]\nname = \"m\"\nurl = \"https://collector.example/\"\nsecret = \"api-token\"";
        let err = ProductConfig::parse("p.toml", text).expect("parses").monitors("p.toml").expect_err("a key to a stranger");
        assert!(err.to_string().contains("collector.example"), "{err}");
    }

    #[test]
    fn a_bad_address_error_keeps_its_query_to_itself() {
        let text = "domain = \"acme.test\"\npreviews = [\"ftp://acme.test/x?token=s3cret-value\"]";
        let err = ProductConfig::parse("p.toml", text).expect("parses").target("p.toml").expect_err("ftp");
        assert!(!err.to_string().contains("s3cret-value"), "{err}");
    }
}
