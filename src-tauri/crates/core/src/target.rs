//! What to audit: the subjects of a product, of every kind the roadmap's checks need.
//!
//! A [`Target`] is more than a domain: the host names visitors and apps reach (the root, the
//! configured or default names, and names found by discovery), the canonical host, the key API
//! endpoints with their method and headers, login callbacks and webhooks, old preview URLs that must
//! redirect, and the mail domain with its DKIM selectors. Every default is explicit and visible in
//! [`Target::with_defaults`]; nothing is added behind the config's back (a product whose config
//! lists no `www` is not audited for one).

use crate::domain::Domain;
use serde::{Deserialize, Serialize};

/// The roadmap's default names under the root, and whether each must exist.
pub const DEFAULT_NAMES: [(&str, bool); 4] = [("www", true), ("app", false), ("api", false), ("auth", false)];

/// Where a host name came from; shown to the founder ("found", "from your settings").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum HostOrigin {
    /// The root domain itself.
    Root,
    /// One of [`DEFAULT_NAMES`], used because the config named none.
    Default,
    /// Listed in the product's config.
    Configured,
    /// Found by discovery (common names, certificate transparency).
    Discovered,
}

/// One host name to audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HostSpec {
    /// The fully qualified name (`www.acme.com`).
    pub name: String,
    /// The label under the root (`www`); empty for the root itself.
    pub label: String,
    pub origin: HostOrigin,
    /// A missing required name is a problem; a missing optional one is just not in use.
    pub required: bool,
}

/// A key endpoint of the product: an API route the checks call as a client would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Endpoint {
    /// The founder's name for it ("chat start").
    pub name: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Absolute `http(s)://` URL.
    pub url: String,
    /// Extra request headers (never secrets: those come from the keychain through `secret`).
    pub headers: Vec<(String, String)>,
    /// Request body, sent as is.
    pub body: Option<String>,
    /// Name of a keychain entry whose value is sent in `secret_header` (only into this request,
    /// only over https to a name of the product: see [`crate::credential`]).
    pub secret: Option<String>,
    /// The header the keychain value goes in (`authorization` when absent).
    #[serde(default)]
    pub secret_header: Option<String>,
    /// Written before the value (`Bearer ` for Authorization when absent).
    #[serde(default)]
    pub secret_prefix: Option<String>,
    /// The status a healthy answer has; any 2xx when absent.
    pub expect_status: Option<u16>,
    /// p95 target in milliseconds; the kind's default when absent.
    pub latency_target_ms: Option<u32>,
    /// What it does (sets the default target); guessed from the method when absent.
    #[serde(default)]
    pub kind: Option<crate::EndpointKind>,
}

impl Endpoint {
    /// An endpoint `method URL` with nothing else set: no headers, body or key, the kind's target.
    pub fn new(name: &str, method: &str, url: &str) -> Endpoint {
        Endpoint {
            name: name.to_owned(),
            method: method.to_ascii_uppercase(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: None,
            secret: None,
            secret_header: None,
            secret_prefix: None,
            expect_status: None,
            latency_target_ms: None,
            kind: None,
        }
    }
}

/// What a callback URL is for: each kind has its own failure modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CallbackKind {
    /// A login provider sends users back here (OAuth redirect URI, magic link).
    Auth,
    /// A service posts events here (payments, email, model providers).
    Webhook,
}

/// Who sends a webhook, which decides how its events are signed (the scheme each publishes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WebhookProvider {
    /// `Stripe-Signature: t=…,v1=…`.
    Stripe,
    /// `X-Hub-Signature-256: sha256=…`.
    Github,
    /// Standard Webhooks (Svix, Resend, Clerk and others): `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature: v1,…`.
    Standard,
}

impl WebhookProvider {
    pub const ALL: [WebhookProvider; 3] = [WebhookProvider::Stripe, WebhookProvider::Github, WebhookProvider::Standard];

    /// The name written in the settings.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookProvider::Stripe => "stripe",
            WebhookProvider::Github => "github",
            WebhookProvider::Standard => "standard",
        }
    }

    /// The founder's words for it.
    pub fn label(self) -> &'static str {
        match self {
            WebhookProvider::Stripe => "Stripe",
            WebhookProvider::Github => "GitHub",
            WebhookProvider::Standard => "Standard Webhooks (Svix, Resend, Clerk…)",
        }
    }
}

/// A URL that another service calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Callback {
    pub kind: CallbackKind,
    pub url: String,
}

/// The domain mail is sent from, and the DKIM selectors the founder knows of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailSpec {
    pub domain: String,
    pub dkim_selectors: Vec<String>,
}

/// The product being audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Target {
    pub domain: Domain,
    /// Host names, the root first.
    pub hosts: Vec<HostSpec>,
    /// The host every visitor should end on (`www.acme.com` or `acme.com`), when the founder said.
    pub canonical: Option<String>,
    pub endpoints: Vec<Endpoint>,
    pub callbacks: Vec<Callback>,
    /// Old preview or staging URLs that must now redirect to the product.
    pub previews: Vec<String>,
    /// Where the product's email comes from; the root domain unless configured.
    pub mail: MailSpec,
    /// Names (full) the founder dropped: discovery never offers them again.
    pub ignored: Vec<String>,
}

impl Target {
    /// Only the root domain: no other names, endpoints or callbacks.
    pub fn bare(domain: Domain) -> Self {
        let root = HostSpec { name: domain.to_string(), label: String::new(), origin: HostOrigin::Root, required: true };
        let mail = MailSpec { domain: domain.to_string(), dkim_selectors: Vec::new() };
        Target {
            hosts: vec![root],
            canonical: None,
            endpoints: Vec::new(),
            callbacks: Vec::new(),
            previews: Vec::new(),
            mail,
            ignored: Vec::new(),
            domain,
        }
    }

    /// The root plus the roadmap's [`DEFAULT_NAMES`]: what an audit from a bare domain covers.
    pub fn with_defaults(domain: Domain) -> Self {
        let mut t = Target::bare(domain);
        for (label, required) in DEFAULT_NAMES {
            t.add_host(label, HostOrigin::Default, required);
        }
        t
    }

    /// Adds `label` under the root unless it is already there; returns whether it was added.
    pub fn add_host(&mut self, label: &str, origin: HostOrigin, required: bool) -> bool {
        let name = self.domain.with_label(label);
        if self.hosts.iter().any(|h| h.name == name) {
            return false;
        }
        self.hosts.push(HostSpec { name, label: label.to_owned(), origin, required });
        true
    }

    /// The host names visitors type into a browser: the root, and `www` when the product has one.
    pub fn front_doors(&self) -> Vec<&HostSpec> {
        self.hosts.iter().filter(|h| h.label.is_empty() || h.label == "www").collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> Domain {
        Domain::parse("acme.test").expect("valid")
    }

    #[test]
    fn defaults_are_the_roadmap_names_and_say_so() {
        let t = Target::with_defaults(domain());
        let names: Vec<_> = t.hosts.iter().map(|h| (h.name.as_str(), h.origin, h.required)).collect();
        assert_eq!(names[0], ("acme.test", HostOrigin::Root, true));
        assert_eq!(names[1], ("www.acme.test", HostOrigin::Default, true));
        assert_eq!(names.len(), 5);
        assert_eq!(t.mail.domain, "acme.test", "mail comes from the root unless configured");
    }

    #[test]
    fn no_www_is_added_behind_the_configs_back() {
        let mut t = Target::bare(domain());
        t.add_host("app", HostOrigin::Configured, true);
        let doors: Vec<_> = t.front_doors().into_iter().map(|h| h.name.clone()).collect();
        assert_eq!(doors, vec!["acme.test"], "a product without www is not audited for one");
        assert!(!t.add_host("app", HostOrigin::Discovered, false), "a name is audited once");
    }
}
