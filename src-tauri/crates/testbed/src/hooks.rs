//! Webhook receivers as products ship them, for the replay's tests and the demo: one that verifies
//! each provider's signature the way its own library does (the signed text, the HMAC, the time
//! tolerance), and its broken twins: one that takes anything, one that checks the signature but
//! not the time, one behind the product's sign-in.

use crate::handler::{App, Reply};
use crate::web::Received;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use preflight_core::target::WebhookProvider;
use sha2::Sha256;
use std::sync::{Arc, Mutex};

/// How a test receiver behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// Checks the signature and the signed time, as the provider's library does.
    Verifies,
    /// Takes every event: no check at all.
    TakesAnything,
    /// Checks the signature, never the time.
    IgnoresTime,
    /// Sends every caller to the sign-in page.
    BehindLogin,
}

/// The tolerance the providers' libraries use.
const TOLERANCE_SECS: i64 = 300;

fn hmac(key: &[u8], text: &[u8]) -> Option<Vec<u8>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(text);
    Some(m.finalize().into_bytes().to_vec())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// Whether `r` is signed with `secret` as `provider` signs; `check_time` also holds the signed
/// time to the tolerance.
fn verified(provider: WebhookProvider, secret: &str, r: &Received, check_time: bool) -> bool {
    let fresh = |t: i64| !check_time || (now() - t).abs() <= TOLERANCE_SECS;
    match provider {
        WebhookProvider::Stripe => {
            let Some(h) = r.header("stripe-signature") else { return false };
            let mut t = None;
            let mut sigs = Vec::new();
            for part in h.split(',') {
                match part.trim().split_once('=') {
                    Some(("t", v)) => t = v.parse::<i64>().ok(),
                    Some(("v1", v)) => sigs.push(v.to_owned()),
                    _ => {}
                }
            }
            let Some(t) = t else { return false };
            let expected = hmac(secret.as_bytes(), format!("{t}.{}", r.body).as_bytes()).map(|m| hex(&m));
            fresh(t) && expected.is_some_and(|e| sigs.contains(&e))
        }
        WebhookProvider::Github => {
            let Some(sig) = r.header("x-hub-signature-256").and_then(|h| h.strip_prefix("sha256=")) else { return false };
            hmac(secret.as_bytes(), r.body.as_bytes()).is_some_and(|m| hex(&m) == sig)
        }
        WebhookProvider::Standard => {
            let (Some(id), Some(ts), Some(sig)) = (r.header("webhook-id"), r.header("webhook-timestamp"), r.header("webhook-signature"))
            else {
                return false;
            };
            let Ok(t) = ts.parse::<i64>() else { return false };
            let key = match secret.strip_prefix("whsec_") {
                Some(b64) => match base64::engine::general_purpose::STANDARD.decode(b64) {
                    Ok(k) => k,
                    Err(_) => return false,
                },
                None => secret.as_bytes().to_vec(),
            };
            let Some(m) = hmac(&key, format!("{id}.{ts}.{}", r.body).as_bytes()) else { return false };
            let expected = base64::engine::general_purpose::STANDARD.encode(m);
            fresh(t) && sig.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|s| s == expected)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A webhook receiver at every path: `provider`'s events signed with `secret`, judged as
/// `behaviour` does. The bodies it took are kept in `taken`, for a test to read.
pub fn webhook(provider: WebhookProvider, secret: &str, behaviour: Receiver, taken: Arc<Mutex<Vec<String>>>) -> App {
    let secret = secret.to_owned();
    App::new(move |r: &Received| {
        if behaviour == Receiver::BehindLogin {
            return Reply::see_other("/login").status(302);
        }
        if r.method != "POST" {
            return Reply::json(r#"{"error":"webhooks are POSTed"}"#).status(405);
        }
        let ok = match behaviour {
            Receiver::TakesAnything => true,
            Receiver::IgnoresTime => verified(provider, &secret, r, false),
            _ => verified(provider, &secret, r, true),
        };
        if !ok {
            return Reply::json(r#"{"error":"signature verification failed"}"#).status(400);
        }
        if let Ok(mut t) = taken.lock() {
            t.push(r.body.clone());
        }
        Reply::json(r#"{"received":true}"#)
    })
}
