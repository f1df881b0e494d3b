//! Where a keychain credential may go, and how it rides on a request: the one rule every front
//! end (window, CLI, tray, watcher) and every later capability goes through.
//!
//! A founder's key is worth more than any check: a monitor whose address was edited, a settings
//! file from somewhere else or a webview call must never be able to aim it at another host. So the
//! rule is checked twice, by the same function: when a definition is accepted (a spec that breaks
//! it is refused, naming the host) and again just before the keychain is read for a request (a
//! definition that slipped past, say an old row in the history, is sent without its key).
//!
//! - A product's credential (an endpoint's or a monitor's) goes only over https, only to the
//!   product's domain or a name under it ([`for_product`]).
//! - A credential saved with its own host (a mailbox with its IMAP server, a provider token with
//!   the provider's API) goes only over TLS to exactly that host ([`for_host`]).
//! - Credentials never sit in plain headers: [`CREDENTIAL_HEADERS`] are refused there, and the key
//!   goes into the header [`Placement`] names instead.

use serde::{Deserialize, Serialize};

/// Header names that carry credentials: refused in plain `headers` (they would be stored, shown
/// and logged as ordinary settings), accepted as a `secret_header`. Declared with the log
/// redaction, which masks their values wherever they show up.
pub use preflight_vault::redact::CREDENTIAL_HEADERS;

/// The header a keychain value goes in when nothing else is said.
pub const DEFAULT_HEADER: &str = "authorization";

/// The longest keychain entry name: what `secret = "…"`, `signing_key = "…"` and a flow's
/// `password_key = "…"` may name.
pub const MAX_KEY_NAME: usize = 64;

/// A keychain entry's name, trimmed, when it is one: 1 to 64 letters, digits, `-`, `_` or `.`
/// (it becomes part of the keychain's own entry name, and is typed on the command line).
pub fn key_name(name: &str) -> Option<&str> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= MAX_KEY_NAME
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then_some(name)
}

/// The words for a name [`key_name`] refuses, with `field` in the example.
pub fn key_name_rule(field: &str) -> String {
    format!("{field} must name a key of 1 to {MAX_KEY_NAME} letters, digits, '-', '_' or '.', as in {field} = \"api-token\"")
}

/// Whether `name` is a header that carries a credential.
pub fn is_credential_header(name: &str) -> bool {
    let name = name.trim();
    CREDENTIAL_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Why a credential may not be used as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The request would reach a host outside the product (or other than the one it was saved with).
    #[error("the key \"{name}\" would be sent to {host}, which is not {allowed}: Preflight sends a key only to the names it belongs to")]
    ForeignHost { name: String, host: String, allowed: String },
    /// The request would travel unencrypted.
    #[error("the key \"{name}\" would be sent to {host} without encryption (http://): keys are sent only over https")]
    Plaintext { name: String, host: String },
    /// The address has no host to judge.
    #[error("the key \"{name}\" has no address with a host to go to")]
    NoHost { name: String },
    /// A credential header among the plain headers.
    #[error("the header \"{header}\" carries a credential: save its value in the keychain and name it with secret = \"…\" and secret_header = \"{header}\", not in headers")]
    InHeaders { header: String },
    /// A `secret_header` that is not a header name.
    #[error("secret_header \"{header}\" is not a header name (letters, digits and - only)")]
    BadHeader { header: String },
}

/// Whether `host` is `domain` or a name under it (a suffix alone is not: `notacme.com`).
pub fn belongs(host: &str, domain: &str) -> bool {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
}

fn destination(name: &str, url: &str) -> Result<(url::Url, String), CredentialError> {
    let u = url::Url::parse(url.trim()).map_err(|_| CredentialError::NoHost { name: name.to_owned() })?;
    let host =
        u.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase()).ok_or(CredentialError::NoHost { name: name.to_owned() })?;
    Ok((u, host))
}

/// A product's credential `name` may travel to `url`: https, and a name of `domain`.
pub fn for_product(name: &str, url: &str, domain: &str) -> Result<(), CredentialError> {
    let (u, host) = destination(name, url)?;
    if !belongs(&host, domain) {
        return Err(CredentialError::ForeignHost {
            name: name.to_owned(),
            host,
            allowed: format!("{} or a name under it", domain.trim_end_matches('.')),
        });
    }
    if u.scheme() != "https" {
        return Err(CredentialError::Plaintext { name: name.to_owned(), host });
    }
    Ok(())
}

/// A credential saved with its own host may travel to `url` only when it is that host, over TLS
/// (`https`, `imaps`, or a STARTTLS scheme the caller has already upgraded).
pub fn for_host(name: &str, url: &str, saved_host: &str) -> Result<(), CredentialError> {
    let (u, host) = destination(name, url)?;
    let saved = saved_host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host != saved {
        return Err(CredentialError::ForeignHost { name: name.to_owned(), host, allowed: saved });
    }
    if !matches!(u.scheme(), "https" | "imaps" | "wss") {
        return Err(CredentialError::Plaintext { name: name.to_owned(), host });
    }
    Ok(())
}

/// Where the product's key `name` goes on a request to `url` (`header`, `prefix`: the definition's
/// `secret_header` and `secret_prefix`), when the rule lets it go there: the one check every accepted
/// definition and every request that reads the keychain goes through.
pub fn allowed(name: &str, url: &str, product: &str, header: Option<&str>, prefix: Option<&str>) -> Result<Placement, CredentialError> {
    let placement = Placement::new(header, prefix)?;
    for_product(name, url, product)?;
    Ok(placement)
}

/// Refuses plain headers that carry credentials.
pub fn plain_headers<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), CredentialError> {
    match names.into_iter().find(|n| is_credential_header(n)) {
        Some(h) => Err(CredentialError::InHeaders { header: h.trim().to_ascii_lowercase() }),
        None => Ok(()),
    }
}

/// How a keychain value is put on a request: the header and the text before the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Lower case header name (`authorization`, `x-api-key`, `cookie`…).
    pub header: String,
    /// Written before the value: `Bearer ` for Authorization unless told otherwise, nothing for
    /// other headers.
    pub prefix: String,
}

/// Authorization schemes a stored value may already start with (then no `Bearer ` is added).
const SCHEMES: [&str; 4] = ["bearer ", "basic ", "token ", "digest "];

impl Placement {
    /// The placement `secret_header` and `secret_prefix` describe (None: the defaults).
    pub fn new(header: Option<&str>, prefix: Option<&str>) -> Result<Placement, CredentialError> {
        let header = header.map(str::trim).filter(|h| !h.is_empty()).unwrap_or(DEFAULT_HEADER).to_ascii_lowercase();
        if header.len() > 64 || !header.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(CredentialError::BadHeader { header });
        }
        let prefix = match prefix {
            Some(p) => p.to_owned(),
            None if header == DEFAULT_HEADER => "Bearer ".to_owned(),
            None => String::new(),
        };
        Ok(Placement { header, prefix })
    }

    /// The header and its value for the keychain value `secret` (trimmed: a pasted key often
    /// carries a newline). A stored `Bearer …` is not prefixed twice.
    pub fn header_for(&self, secret: &str) -> (String, String) {
        let secret = secret.trim();
        let lower = secret.to_ascii_lowercase();
        let already = self.header == DEFAULT_HEADER && SCHEMES.iter().any(|s| lower.starts_with(s));
        let value = if already { secret.to_owned() } else { format!("{}{secret}", self.prefix) };
        (self.header.clone(), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_key_goes_only_over_https_to_the_product() {
        assert_eq!(for_product("k", "https://api.acme.test/v1", "acme.test"), Ok(()));
        assert_eq!(for_product("k", "https://ACME.test./", "acme.test"), Ok(()));
        let foreign = for_product("k", "https://notacme.test/", "acme.test").expect_err("a suffix is not a subdomain");
        assert!(foreign.to_string().contains("notacme.test"), "the error names the host: {foreign}");
        assert!(matches!(for_product("k", "http://api.acme.test/", "acme.test"), Err(CredentialError::Plaintext { .. })));
        assert!(matches!(
            for_product("k", "https://evil.example/?u=https://acme.test", "acme.test"),
            Err(CredentialError::ForeignHost { .. })
        ));
        assert!(matches!(for_product("k", "not a url", "acme.test"), Err(CredentialError::NoHost { .. })));
    }

    #[test]
    fn a_key_saved_with_its_host_goes_only_there() {
        assert_eq!(for_host("t", "https://api.cloudflare.example/client/v4", "api.cloudflare.example"), Ok(()));
        assert!(for_host("t", "https://api.acme.test/", "api.cloudflare.example").is_err());
        assert!(for_host("t", "http://api.cloudflare.example/", "api.cloudflare.example").is_err());
        assert_eq!(for_host("m", "imaps://mail.acme.test:993", "mail.acme.test"), Ok(()));
    }

    #[test]
    fn credential_headers_are_refused_in_plain_headers_whatever_their_case() {
        for h in CREDENTIAL_HEADERS {
            let upper = h.to_ascii_uppercase();
            assert!(plain_headers([upper.as_str()]).is_err(), "{h} carries a credential");
        }
        assert_eq!(plain_headers(["content-type", "accept"]), Ok(()));
    }

    #[test]
    fn the_value_goes_in_its_header_with_the_right_prefix() {
        let auth = Placement::new(None, None).expect("defaults");
        assert_eq!(auth.header_for(" sk_live_1\n"), ("authorization".into(), "Bearer sk_live_1".into()));
        assert_eq!(auth.header_for("Bearer abc"), ("authorization".into(), "Bearer abc".into()), "never Bearer twice");
        let raw = Placement::new(Some("Authorization"), Some("")).expect("valid");
        assert_eq!(raw.header_for("abc"), ("authorization".into(), "abc".into()));
        let key = Placement::new(Some("X-API-Key"), None).expect("valid");
        assert_eq!(key.header_for("abc"), ("x-api-key".into(), "abc".into()), "no Bearer outside Authorization");
        let cookie = Placement::new(Some("cookie"), Some("session=")).expect("valid");
        assert_eq!(cookie.header_for("abc"), ("cookie".into(), "session=abc".into()));
        assert!(Placement::new(Some("x api key"), None).is_err());
    }
}
