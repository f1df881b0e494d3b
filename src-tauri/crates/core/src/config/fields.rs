//! One validator per settings field. [`super::ProductConfig::target`] builds a target from them, and
//! [`crate::settings::check`] calls the same ones field by field, so the window shows under the field
//! being typed exactly the refusal the CLI prints for the file: there is no second set of rules.

use super::{CallbackConfig, ConfigError, EndpointConfig, Replay};
use crate::domain::Domain;
use crate::target::{CallbackKind, Endpoint};

/// The longest endpoint name kept: it titles findings and history rows.
pub const MAX_ENDPOINT_NAME: usize = 80;

fn value(file: &str, message: String) -> ConfigError {
    ConfigError::Value { file: file.to_owned(), message }
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The product's root domain.
pub fn domain(file: &str, s: &str) -> Result<Domain, ConfigError> {
    Domain::parse(s).map_err(|source| ConfigError::Domain { file: file.to_owned(), source })
}

/// A name under the root to check (`www`, `api`): one DNS label, lowercased.
pub fn name(file: &str, s: &str) -> Result<String, ConfigError> {
    let label = s.trim().to_ascii_lowercase();
    if is_label(&label) {
        Ok(label)
    } else {
        Err(ConfigError::Name { file: file.to_owned(), name: label })
    }
}

/// A name that must exist: one of the names checked (the root always is).
pub fn required(file: &str, s: &str, checked: &[String]) -> Result<String, ConfigError> {
    let label = name(file, s)?;
    if checked.contains(&label) {
        Ok(label)
    } else {
        Err(value(file, format!("required name \"{label}\" is not one of the names checked ({})", checked.join(", "))))
    }
}

/// A found name the founder dropped: a label (or labels) under the root, kept as the full name.
pub fn ignored(file: &str, domain: &Domain, s: &str) -> Result<String, ConfigError> {
    let label = s.trim().trim_end_matches(&format!(".{domain}")).to_ascii_lowercase();
    if label.len() <= 253 && label.split('.').all(is_label) {
        Ok(domain.with_label(&label))
    } else {
        Err(ConfigError::Name { file: file.to_owned(), name: label })
    }
}

/// The host visitors should end on: the root or a name under it.
pub fn canonical(file: &str, domain: &Domain, s: &str) -> Result<String, ConfigError> {
    let host = self::domain(file, s)?.to_string();
    if host != domain.as_str() && !host.ends_with(&format!(".{domain}")) {
        return Err(value(file, format!("canonical = \"{host}\" is not {domain} or a name under it")));
    }
    Ok(host)
}

/// An http(s) address with a host.
pub fn web_url(file: &str, what: &str, s: &str) -> Result<String, ConfigError> {
    // A token in the query must not reach the error text (it is printed, logged and shown).
    let shown = crate::public::shown(s);
    let bad =
        |reason: &str| ConfigError::Url { file: file.to_owned(), what: what.to_owned(), value: shown.clone(), reason: reason.to_owned() };
    let u = url::Url::parse(s.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(bad("only http:// and https:// addresses can be checked"));
    }
    if u.host_str().is_none() {
        return Err(bad("it has no host"));
    }
    Ok(u.to_string())
}

/// The domain mail is sent from.
pub fn mail_domain(file: &str, s: &str) -> Result<String, ConfigError> {
    Ok(domain(file, s)?.to_string())
}

/// A DKIM selector: the label (or labels) before `._domainkey`.
pub fn selector(file: &str, s: &str) -> Result<String, ConfigError> {
    let sel = s.trim().trim_end_matches("._domainkey").to_ascii_lowercase();
    let part = |l: &str| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let ok = sel.len() <= 200 && sel.split('.').all(part);
    if ok {
        Ok(sel)
    } else {
        Err(value(file, format!("\"{}\" is not a DKIM selector (the part before ._domainkey, such as google or s1)", s.trim())))
    }
}

/// An endpoint's field that refused it, for the form to point at; the error is the CLI's.
#[derive(Debug)]
pub struct EndpointProblem {
    /// `name`, `method`, `url`, `headers`, `secret`, `kind`, `expect_status` or `latency_target_ms`.
    pub field: &'static str,
    pub error: ConfigError,
}

/// A key endpoint, its key bound to the product's names and its header (see [`crate::credential`]).
pub fn endpoint(file: &str, domain: &Domain, e: &EndpointConfig) -> Result<Endpoint, EndpointProblem> {
    let at = |field: &'static str| move |error: ConfigError| EndpointProblem { field, error };
    let name = e.name.trim();
    if name.is_empty() || name.chars().count() > MAX_ENDPOINT_NAME {
        return Err(at("name")(value(file, format!("an endpoint needs a name of 1 to {MAX_ENDPOINT_NAME} characters"))));
    }
    let method = e.method.trim().to_ascii_uppercase();
    if method.is_empty() || method.len() > 16 || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(at("method")(value(file, format!("endpoint \"{name}\": \"{}\" is not an HTTP method", e.method))));
    }
    let refused = |err: crate::CredentialError| value(file, format!("endpoint \"{name}\": {err}"));
    crate::credential::plain_headers(e.headers.keys().map(String::as_str)).map_err(|err| at("headers")(refused(err)))?;
    let url = web_url(file, &format!("endpoint \"{name}\""), &e.url).map_err(at("url"))?;
    let secret = e.secret.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(key) = &secret {
        crate::credential::allowed(key, &url, domain.as_str(), e.secret_header.as_deref(), e.secret_prefix.as_deref())
            .map_err(|err| at("secret")(refused(err)))?;
    }
    let kind = match &e.kind {
        Some(k) => Some(crate::EndpointKind::parse(k).ok_or_else(|| {
            at("kind")(value(
                file,
                format!(
                    "endpoint \"{name}\": kind \"{k}\" is not one of cached-read, write, chat-send, streaming-chat, webhook, auth-callback"
                ),
            ))
        })?),
        None => None,
    };
    if let Some(s) = e.expect_status.filter(|s| !(100..=599).contains(s)) {
        return Err(at("expect_status")(value(file, format!("endpoint \"{name}\": {s} is not an HTTP status (100 to 599)"))));
    }
    if let Some(ms) = e.latency_target_ms.filter(|ms| *ms == 0 || *ms > 600_000) {
        return Err(at("latency_target_ms")(value(
            file,
            format!("endpoint \"{name}\": a latency target of {ms} ms is not between 1 ms and 10 minutes"),
        )));
    }
    Ok(Endpoint {
        kind,
        name: name.to_owned(),
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

/// Two endpoints with one name would share one history row and one finding.
pub fn unique_endpoint(file: &str, name: &str, earlier: &[EndpointConfig]) -> Result<(), ConfigError> {
    if earlier.iter().any(|e| e.name.trim().eq_ignore_ascii_case(name.trim())) {
        return Err(value(file, format!("two endpoints are named \"{}\": give each its own name", name.trim())));
    }
    Ok(())
}

/// A callback's field that refused it, for the form to point at; the error is the CLI's.
#[derive(Debug)]
pub struct CallbackProblem {
    /// `url`, `name`, `provider`, `signing_key` or `event`.
    pub field: &'static str,
    pub error: ConfigError,
}

/// The longest sample event type kept (`invoice.payment_succeeded` is 25).
pub const MAX_EVENT_TYPE: usize = 100;

/// A callback Preflight may replay (`None` when it names no provider): an https address on the
/// product's names (forged twins go only there), a webhook, a signing key, and a plain event type.
pub fn replay(file: &str, domain: &Domain, c: &CallbackConfig, earlier: &[Replay]) -> Result<Option<Replay>, CallbackProblem> {
    let at = |field: &'static str| move |message: String| CallbackProblem { field, error: value(file, message) };
    let Some(provider) = c.provider else {
        if c.signing_key.is_some() || c.event.is_some() {
            return Err(at("provider")("a callback with a signing_key or an event needs its provider: stripe, github or standard".into()));
        }
        return Ok(None);
    };
    if c.kind != CallbackKind::Webhook {
        return Err(at("kind")(format!("provider = \"{}\" is for kind = \"webhook\", not a login callback", provider.as_str())));
    }
    let url = web_url(file, "callback", &c.url).map_err(|error| CallbackProblem { field: "url", error })?;
    let url = url::Url::parse(&url).map_err(|e| at("url")(e.to_string()))?;
    crate::credential::for_product("signing_key", url.as_str(), domain.as_str())
        .map_err(|e| at("url")(format!("a replayed webhook must be one of your own https addresses: {e}")))?;
    let signing_key = match c.signing_key.as_deref() {
        None => {
            return Err(at("signing_key")(format!(
                "a {} webhook needs signing_key: the keychain entry of its signing secret",
                provider.label()
            )))
        }
        Some(k) => crate::credential::key_name(k).ok_or_else(|| at("signing_key")(crate::credential::key_name_rule("signing_key")))?,
    };
    let name = match c.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => format!("{}{}", url.host_str().unwrap_or_default(), url.path().trim_end_matches('/')),
    };
    if name.chars().count() > MAX_ENDPOINT_NAME {
        return Err(at("name")(format!("a webhook's name has at most {MAX_ENDPOINT_NAME} characters")));
    }
    if earlier.iter().any(|r| r.name.eq_ignore_ascii_case(&name)) {
        return Err(at("name")(format!("two webhooks are called \"{name}\": give each its own name")));
    }
    let event = match c.event.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) if e.len() <= MAX_EVENT_TYPE && e.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':')) => {
            Some(e.to_owned())
        }
        Some(e) => {
            return Err(at("event")(format!(
                "event = \"{e}\" is not an event type (letters, digits, '.', '_', '-', as in customer.created)"
            )))
        }
    };
    Ok(Some(Replay { name, url, provider, signing_key: signing_key.to_owned(), event }))
}
