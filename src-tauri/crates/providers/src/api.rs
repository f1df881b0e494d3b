//! One provider API, reached with a read-only token: JSON GETs with a deadline, a size bound,
//! backoff on 429 and a bounded number of pages.
//!
//! The `reqwest::Client` is built from the engine's [`Net`]: its resolver (so tests reach loopback
//! through their own DNS server), its trusted roots (the same verifier the audit uses, rustls only)
//! and its connect-to overrides. The token goes in one header, marked sensitive, only over https,
//! only to the API's own base address, and never into an error: errors carry the path asked, the
//! status and the provider's own words.

use preflight_core::net::NetConfig;
use preflight_core::Net;
use preflight_vault::Sensitive;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The largest answer read: a page of 100 DNS records is well under 1 MiB.
pub const MAX_BODY: usize = 4 << 20;
/// The longest one call may take, retries included.
pub const CALL_DEADLINE: Duration = Duration::from_secs(30);
/// Tries of one call after a 429 or a 5xx.
pub const MAX_RETRIES: u32 = 3;
/// The longest wait a 429's headers can ask for before Preflight gives up on the call.
pub const MAX_WAIT: Duration = Duration::from_secs(20);
/// Calls one audit may make to one provider (pages included).
pub const MAX_CALLS: u32 = 200;

/// Why a call gave nothing usable, in words a founder can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No answer: offline, DNS, TLS, a timeout.
    #[error("{provider} did not answer: {reason}")]
    Network { provider: &'static str, reason: String },
    /// The token is wrong, expired or revoked.
    #[error("{provider} refused the token ({detail}): it is wrong, expired or revoked")]
    BadToken { provider: &'static str, detail: String },
    /// The token works but lacks the permission this call needs.
    #[error("the {provider} token lacks the permission \"{permission}\"")]
    Permission { provider: &'static str, permission: &'static str },
    /// Asked to slow down for longer than Preflight waits, or still 429 after the retries.
    #[error("{provider} asked Preflight to slow down{}", .retry_after.map(|s| format!(" for {s} s")).unwrap_or_default())]
    RateLimited { provider: &'static str, retry_after: Option<u64> },
    /// Nothing at that address (a zone or project that is not there).
    #[error("{provider} has no {what}")]
    NotFound { provider: &'static str, what: String },
    /// Any other status.
    #[error("{provider} answered {status} to {path}: {message}")]
    Status { provider: &'static str, status: u16, path: String, message: String },
    /// Not the JSON the documented shape promises, or cut at the size bound.
    #[error("{provider} answered {path} in a form Preflight could not read: {reason}")]
    Malformed { provider: &'static str, path: String, reason: String },
    /// More calls or pages than one audit allows.
    #[error("{provider} has more to read than one audit asks for ({reason})")]
    TooMuch { provider: &'static str, reason: String },
}

impl ApiError {
    /// The stable code the window and JSON output use.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Network { .. } => "network",
            ApiError::BadToken { .. } => "bad_token",
            ApiError::Permission { .. } => "permission",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Status { .. } => "status",
            ApiError::Malformed { .. } => "malformed",
            ApiError::TooMuch { .. } => "too_much",
        }
    }
}

/// Resolves an API's host as the engine would: its resolver, then its connect-to override for
/// port 443 (the port of an explicit `https://host:PORT` in the base address still wins).
struct EngineResolve {
    net: Net,
}

impl Resolve for EngineResolve {
    fn resolve(&self, name: Name) -> Resolving {
        let net = self.net.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let (to_host, to_port) = net.config().route(&host, 443);
            let addrs = net.resolver().addresses(&to_host).await.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let list: Vec<SocketAddr> = addrs.all().map(|ip| SocketAddr::new(ip, to_port)).collect();
            Ok(Box::new(list.into_iter()) as Addrs)
        })
    }
}

/// A client for one provider's API with one token.
pub struct Api {
    provider: &'static str,
    client: reqwest::Client,
    base: Url,
    token: Sensitive<String>,
    calls: AtomicU32,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("provider", &self.provider).field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

/// The rustls configuration the audit trusts, for reqwest.
fn tls(net: &Net) -> Result<rustls::ClientConfig, String> {
    let verifier = net.verifier().map_err(|e| e.to_string())?;
    let mut cfg = rustls::ClientConfig::builder_with_provider(preflight_core::net::trust::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_webpki_verifier(verifier)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}

impl Api {
    /// A client for `provider`'s API at `base` (which must be https, or http on loopback for a
    /// proxy on this computer), carrying `token`.
    pub fn new(net: &Net, provider: &'static str, base: &Url, token: Sensitive<String>) -> Result<Api, ApiError> {
        let network = |reason: String| ApiError::Network { provider, reason };
        let loopback = base.host_str().is_some_and(|h| h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()));
        if base.scheme() != "https" && !(base.scheme() == "http" && loopback) {
            return Err(network(format!("{base} is not an https:// address; the token only travels over https")));
        }
        let cfg: &NetConfig = net.config();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls(net).map_err(network)?)
            .dns_resolver(Arc::new(EngineResolve { net: net.clone() }))
            .connect_timeout(cfg.timeouts.connect)
            .timeout(cfg.timeouts.http.max(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("Preflight/", env!("CARGO_PKG_VERSION"), " (read-only settings check)"))
            .build()
            .map_err(|e| network(e.to_string()))?;
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Api { provider, client, base, token, calls: AtomicU32::new(0) })
    }

    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The calls made so far.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }

    /// `GET base/path` as JSON. `permission` names what a 403 means (the dashboard's words).
    pub async fn get(&self, path: &str, permission: &'static str) -> Result<Value, ApiError> {
        match tokio::time::timeout(CALL_DEADLINE, self.get_inner(path, permission)).await {
            Ok(r) => r,
            Err(_) => Err(ApiError::Network {
                provider: self.provider,
                reason: format!("no answer to {path} within {} s", CALL_DEADLINE.as_secs()),
            }),
        }
    }

    async fn get_inner(&self, path: &str, permission: &'static str) -> Result<Value, ApiError> {
        let provider = self.provider;
        let url = self.base.join(path.trim_start_matches('/')).map_err(|e| ApiError::Malformed {
            provider,
            path: path.into(),
            reason: e.to_string(),
        })?;
        let shown = format!("/{}", path.trim_start_matches('/').split('?').next().unwrap_or_default());
        let mut tries = 0;
        loop {
            if self.calls.fetch_add(1, Ordering::Relaxed) >= MAX_CALLS {
                return Err(ApiError::TooMuch { provider, reason: format!("more than {MAX_CALLS} calls") });
            }
            let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.token.expose()))
                .map_err(|_| ApiError::BadToken { provider, detail: "it holds characters a header cannot carry".into() })?;
            auth.set_sensitive(true);
            let sent = self.client.get(url.clone()).header(AUTHORIZATION, auth).header("accept", "application/json").send().await;
            let mut resp = match sent {
                Ok(r) => r,
                // reqwest's words name the address, never the headers.
                Err(e) => return Err(ApiError::Network { provider, reason: without_url(&e) }),
            };
            let status = resp.status().as_u16();
            if (status == 429 || status >= 500) && tries < MAX_RETRIES {
                let wait = retry_after(resp.headers());
                if wait.is_some_and(|w| w > MAX_WAIT) {
                    return Err(ApiError::RateLimited { provider, retry_after: wait.map(|w| w.as_secs()) });
                }
                tries += 1;
                tokio::time::sleep(wait.unwrap_or(Duration::from_millis(500 << tries))).await;
                continue;
            }
            let body =
                read_bounded(&mut resp, MAX_BODY).await.map_err(|reason| ApiError::Malformed { provider, path: shown.clone(), reason })?;
            let json: Option<Value> = serde_json::from_slice(&body).ok();
            let message = json.as_ref().map(provider_message).unwrap_or_default();
            return match status {
                200..=299 => json.ok_or_else(|| ApiError::Malformed { provider, path: shown.clone(), reason: "not JSON".into() }),
                401 => Err(ApiError::BadToken { provider, detail: message }),
                403 if is_bad_token(&message) => Err(ApiError::BadToken { provider, detail: message }),
                403 => Err(ApiError::Permission { provider, permission }),
                404 => Err(ApiError::NotFound { provider, what: shown.clone() }),
                429 => Err(ApiError::RateLimited { provider, retry_after: retry_after(resp.headers()).map(|w| w.as_secs()) }),
                _ => Err(ApiError::Status { provider, status, path: shown.clone(), message }),
            };
        }
    }
}

/// A provider's 403 for a token that is no good at all, rather than one missing a permission.
fn is_bad_token(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("invalid api token")
        || m.contains("invalid token")
        || m.contains("expired")
        || m.contains("revoked")
        || m.contains("not authorized")
}

/// The provider's own explanation: Cloudflare's `errors[].message`, Vercel's `error.message`.
fn provider_message(v: &Value) -> String {
    let cf = v.get("errors").and_then(Value::as_array).into_iter().flatten().filter_map(|e| e.get("message").and_then(Value::as_str));
    let vercel = v.get("error").and_then(|e| e.get("message")).and_then(Value::as_str);
    let words: Vec<&str> = cf.chain(vercel).collect();
    words.join("; ").chars().take(300).collect()
}

/// How long a 429 asks to wait: `Retry-After` (seconds), or the reset of the rate-limit window
/// (`ratelimit-reset`, `x-ratelimit-reset` as seconds from now or an epoch time).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let num = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(s) = num("retry-after") {
        return Some(Duration::from_secs(s));
    }
    let reset = num("ratelimit-reset").or_else(|| num("x-ratelimit-reset"))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    // Large values are a moment in time, small ones a number of seconds.
    Some(Duration::from_secs(if reset > 1_000_000_000 { reset.saturating_sub(now) } else { reset }))
}

async fn read_bounded(resp: &mut reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| without_url(&e))? {
        if body.len() + chunk.len() > max {
            return Err(format!("the answer is longer than {} MiB", max >> 20));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// reqwest's error, without the address (which is the caller's to show, path only).
fn without_url(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut words = if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "no connection".to_owned()
    } else {
        "the exchange failed".to_owned()
    };
    while let Some(s) = source {
        words = format!("{words}: {s}");
        source = s.source();
    }
    words.chars().take(300).collect()
}
