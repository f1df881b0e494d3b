//! `preflight.toml`: the product's settings, shared by the CLI (`--config`) and the desktop app.
//!
//! Unknown keys are refused so a typo such as `requried` is reported instead of silently ignored.
//! Every value is validated here, once, into a [`Target`]; the checks never see raw config. Secrets
//! never appear in this file: an endpoint names a keychain entry (`secret = "api-token"`, sent in
//! `secret_header`), which the rules of [`crate::credential`] bind to the product's own names.

use crate::domain::DomainError;
use crate::monitor::{MonitorSpec, ProbeSpec, DEFAULT_INTERVAL_SECS, MAX_INTERVAL_SECS};
use crate::target::{Callback, CallbackKind, HostOrigin, MailSpec, Target, WebhookProvider, DEFAULT_NAMES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod evals;
pub mod export;
pub mod fields;

pub use evals::{Eval, EvalConfig};

/// The file's shape (not `Eq`: `[[flows]]` tables hold TOML values, floats among them).
#[derive(Debug, Clone, Deserialize, PartialEq)]
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
    /// `[[flows]]`: the paths a customer walks (sign-in, chat…). Their fields belong to the flows
    /// crate, which reads and checks each table; here they are only kept.
    #[serde(default)]
    pub flows: Vec<toml::Table>,
    /// `[[evals]]`: the founder's own questions to the chatbot ([`evals`]).
    #[serde(default)]
    pub evals: Vec<EvalConfig>,
    /// `[[channels]]`: where a headless watcher sends its alerts. Only the kind and a name: the
    /// address is a secret, and comes from the environment of the machine that runs the watcher.
    #[serde(default)]
    pub channels: Vec<ChannelConfig>,
}

/// `[[channels]]`
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    pub name: String,
    /// slack, discord, ntfy or webhook.
    pub kind: String,
}

/// `[[monitors]]`: one flat table whatever the kind, so a typo in any key is refused. Written back
/// by [`export`] with only the keys a monitor uses.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    pub name: String,
    /// `http` (default), `cert`, `dns` or `audit`.
    #[serde(default = "http")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_secs: Option<u32>,
    /// http: the address; cert and dns: the host name; audit: the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default = "get", skip_serializing_if = "is_get")]
    pub method: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_header: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up_below: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_equals: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u64>,
    /// dns: the record type and the values it must have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<String>,
    /// flow: the name of the `[[flows]]` path to walk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

fn is_get(m: &str) -> bool {
    m.eq_ignore_ascii_case("GET")
}

fn http() -> String {
    "http".to_owned()
}

/// `[mail]`
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The domain mail is sent from; the root domain when absent.
    pub domain: Option<String>,
    #[serde(default)]
    pub dkim_selectors: Vec<String>,
}

/// `[[endpoints]]`
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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

/// `[[callbacks]]`. A webhook that names its `provider` and `signing_key` can be replayed: Preflight
/// signs a sample event as that provider does and checks the app takes it and refuses forged ones.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct CallbackConfig {
    pub kind: CallbackKind,
    pub url: String,
    /// What the replay calls it; the address without `https://` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who sends it: `stripe`, `github` or `standard` (Standard Webhooks / Svix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<WebhookProvider>,
    /// The keychain entry holding the signing secret (Stripe's `whsec_…`, GitHub's webhook secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    /// The sample event's type; a harmless one per provider when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

impl CallbackConfig {
    /// A callback that is only called, never replayed.
    pub fn new(kind: CallbackKind, url: &str) -> CallbackConfig {
        CallbackConfig { kind, url: url.to_owned(), name: None, provider: None, signing_key: None, event: None }
    }
}

/// A webhook Preflight may replay, checked: an https address on the product's names, a provider and
/// the keychain entry of its signing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub name: String,
    pub url: url::Url,
    pub provider: WebhookProvider,
    pub signing_key: String,
    /// The sample event's type, when the founder chose one.
    pub event: Option<String>,
}

/// Why a config file could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not valid TOML, or keys we do not know.
    Syntax { file: String, reason: String },
    /// The domain inside is not usable.
    Domain { file: String, source: DomainError },
    /// A name is not a single DNS label.
    Name { file: String, name: String },
    /// A value that should be a web address is not one.
    Url { file: String, what: String, value: String, reason: String },
    /// Any other value out of range.
    Value { file: String, message: String },
}

impl ConfigError {
    /// What is wrong, without the file's name: what the window shows under the field.
    pub fn reason(&self) -> String {
        match self {
            ConfigError::Syntax { reason, .. } => format!("this is not a valid Preflight config: {reason}"),
            ConfigError::Domain { source, .. } => source.to_string(),
            ConfigError::Name { name, .. } => format!("\"{name}\" is not a name under your domain (use labels like www or api)"),
            ConfigError::Url { what, value, reason, .. } => format!("{what} \"{value}\" is not a usable web address ({reason})"),
            ConfigError::Value { message, .. } => message.clone(),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Syntax { file, reason } => write!(f, "{file} is not a valid Preflight config: {reason}"),
            ConfigError::Domain { file, .. }
            | ConfigError::Name { file, .. }
            | ConfigError::Url { file, .. }
            | ConfigError::Value { file, .. } => write!(f, "{file}: {}", self.reason()),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Domain { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl ProductConfig {
    pub fn parse(file: &str, text: &str) -> Result<ProductConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Syntax { file: file.to_owned(), reason: e.message().to_owned() })
    }

    /// The audit target this config describes.
    pub fn target(&self, file: &str) -> Result<Target, ConfigError> {
        let domain = fields::domain(file, &self.domain)?;
        let mut target = Target::bare(domain.clone());
        let (labels, origin): (Vec<String>, HostOrigin) = match &self.names {
            Some(names) => (names.iter().map(|n| fields::name(file, n)).collect::<Result<_, _>>()?, HostOrigin::Configured),
            None => (DEFAULT_NAMES.iter().map(|(l, _)| (*l).to_owned()).collect(), HostOrigin::Default),
        };
        let required = match &self.required {
            Some(r) => r.iter().map(|r| fields::required(file, r, &labels)).collect::<Result<_, _>>()?,
            None => vec!["www".to_owned()],
        };
        for label in labels {
            let is_required = required.contains(&label);
            target.add_host(&label, origin, is_required);
        }
        target.ignored = self.ignore.iter().map(|l| fields::ignored(file, &domain, l)).collect::<Result<_, _>>()?;
        if let Some(c) = &self.canonical {
            target.canonical = Some(fields::canonical(file, &domain, c)?);
        }
        let url = |what: &str, value: &str| fields::web_url(file, what, value);
        target.previews = self.previews.iter().map(|p| url("preview", p)).collect::<Result<_, _>>()?;
        target.callbacks = self
            .callbacks
            .iter()
            .map(|c| Ok(Callback { kind: c.kind, url: url("callback", &c.url)? }))
            .collect::<Result<_, ConfigError>>()?;
        self.replays(file)?;
        self.evals(file)?;
        for (i, e) in self.endpoints.iter().enumerate() {
            fields::unique_endpoint(file, &e.name, &self.endpoints[..i])?;
            target.endpoints.push(fields::endpoint(file, &domain, e).map_err(|p| p.error)?);
        }
        if let Some(m) = &self.mail {
            target.mail = MailSpec {
                domain: m.domain.as_deref().map(|d| fields::mail_domain(file, d)).transpose()?.unwrap_or_else(|| domain.to_string()),
                dkim_selectors: m.dkim_selectors.iter().map(|s| fields::selector(file, s)).collect::<Result<_, _>>()?,
            };
        }
        Ok(target)
    }

    /// The webhooks this file lets Preflight replay (those naming a provider), validated.
    pub fn replays(&self, file: &str) -> Result<Vec<Replay>, ConfigError> {
        let domain = fields::domain(file, &self.domain)?;
        let mut out: Vec<Replay> = Vec::new();
        for c in &self.callbacks {
            if let Some(r) = fields::replay(file, &domain, c, &out).map_err(|p| p.error)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The founder's questions to the chatbot, validated.
    pub fn evals(&self, file: &str) -> Result<Vec<Eval>, ConfigError> {
        evals::evals(file, &self.evals)
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
        "domain" => ProbeSpec::Domain { domain: host() },
        "flow" => ProbeSpec::Flow {
            domain: domain.to_owned(),
            flow: m.flow.clone().ok_or_else(|| needs("flow (the name of one of the [[flows]])"))?,
        },
        other => return Err(value(format!("monitor \"{}\": kind \"{other}\" is not one of http, cert, dns, domain, audit, flow", m.name))),
    };
    let default_interval = match m.kind.as_str() {
        "audit" | "domain" => MAX_INTERVAL_SECS,
        // A path signs in (and may chat): every 15 minutes unless the founder says otherwise.
        "flow" => 900,
        _ => DEFAULT_INTERVAL_SECS,
    };
    MonitorSpec { name: m.name.clone(), interval_secs: m.interval_secs.unwrap_or(default_interval), probe }
        .validated(domain)
        .map_err(|e| value(e.to_string()))
}

#[cfg(test)]
mod tests;
