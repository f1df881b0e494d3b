//! How each provider signs a webhook, from its published scheme, so a replayed event is one the
//! founder's own verification code (the provider's library) accepts as real:
//!
//! - Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the secret
//!   (`whsec_…`) used as it is; its libraries refuse a `t` more than 300 s away.
//! - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. Nothing signed says
//!   when, so an old event replayed cannot be told from a new one by its signature.
//! - Standard Webhooks (Svix and those built on it): `webhook-signature: v1,<base64
//!   HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`, the key the base64 after
//!   `whsec_`; its libraries refuse a timestamp more than 5 minutes away.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use preflight_core::target::WebhookProvider;
use sha2::Sha256;

/// How far from now a signed time may be before the providers' libraries refuse it.
pub fn tolerance_secs(provider: WebhookProvider) -> Option<i64> {
    match provider {
        WebhookProvider::Stripe | WebhookProvider::Standard => Some(300),
        WebhookProvider::Github => None,
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>, String> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).map_err(|e| format!("the signing secret cannot key an HMAC: {e}"))?;
    for p in parts {
        m.update(p);
    }
    Ok(m.finalize().into_bytes().to_vec())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key bytes of a Standard Webhooks secret: the base64 after `whsec_`, or the text itself.
fn standard_key(secret: &str) -> Result<Vec<u8>, String> {
    match secret.strip_prefix("whsec_") {
        Some(b64) => base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| {
            "the saved signing secret starts with whsec_ but what follows is not base64: copy it again from the dashboard".into()
        }),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

/// A secret of the same shape as `secret` that is not it: what a forger without the secret signs
/// with (for Standard Webhooks a `whsec_` with other base64, so the signature is well formed).
pub fn forged_secret(provider: WebhookProvider, secret: &str) -> String {
    use sha2::Digest;
    let other = Sha256::digest(format!("forged by Preflight: {secret}").as_bytes());
    match provider {
        WebhookProvider::Standard => format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(other)),
        WebhookProvider::Stripe | WebhookProvider::Github => format!("whsec_{}", hex(&other)),
    }
}

/// One delivery to sign: its id, its time, its exact body.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    pub id: &'a str,
    pub at: i64,
    pub body: &'a str,
    /// GitHub's event name header (`ping`); the others carry the type in the body.
    pub event: &'a str,
}

/// The headers `provider` sends with `d`, signed with `secret`.
pub fn headers(provider: WebhookProvider, secret: &str, d: Delivery<'_>) -> Result<Vec<(String, String)>, String> {
    let at = d.at.to_string();
    Ok(match provider {
        WebhookProvider::Stripe => {
            let sig = mac(secret.as_bytes(), &[at.as_bytes(), b".", d.body.as_bytes()])?;
            vec![("Stripe-Signature".into(), format!("t={at},v1={}", hex(&sig)))]
        }
        WebhookProvider::Github => {
            let sig = mac(secret.as_bytes(), &[d.body.as_bytes()])?;
            vec![
                ("X-GitHub-Event".into(), d.event.to_owned()),
                ("X-GitHub-Delivery".into(), d.id.to_owned()),
                ("X-Hub-Signature-256".into(), format!("sha256={}", hex(&sig))),
            ]
        }
        WebhookProvider::Standard => {
            let sig = mac(&standard_key(secret)?, &[d.id.as_bytes(), b".", at.as_bytes(), b".", d.body.as_bytes()])?;
            vec![
                ("webhook-id".into(), d.id.to_owned()),
                ("webhook-timestamp".into(), at),
                ("webhook-signature".into(), format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(sig))),
            ]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
        h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    #[test]
    fn githubs_published_example_signs_to_its_published_signature() {
        // From GitHub's "Validating webhook deliveries".
        let d = Delivery { id: "1", at: 0, body: "Hello, World!", event: "ping" };
        let h = headers(WebhookProvider::Github, "It's a Secret to Everybody", d).expect("signs");
        assert_eq!(header(&h, "x-hub-signature-256"), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    }

    #[test]
    fn the_standard_webhooks_test_vector_signs_to_its_signature() {
        // The Standard Webhooks libraries' shared test vector.
        let d = Delivery { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", at: 1614265330, body: r#"{"test": 2432232314}"#, event: "" };
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // preflight:allow (the published test vector)
        let h = headers(WebhookProvider::Standard, secret, d).expect("signs");
        assert_eq!(header(&h, "webhook-signature"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_eq!(header(&h, "webhook-timestamp"), "1614265330");
    }

    #[test]
    fn stripe_signs_the_time_and_the_body_with_the_secret_as_written() {
        let d = Delivery { id: "evt_1", at: 1700000000, body: "{}", event: "" };
        let h = headers(WebhookProvider::Stripe, "whsec_test", d).expect("signs");
        let expected = hex(&mac(b"whsec_test", &[b"1700000000.{}"]).expect("mac"));
        assert_eq!(header(&h, "stripe-signature"), format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn a_forged_secret_has_the_shape_of_the_real_one_and_signs_differently() {
        let d = Delivery { id: "m", at: 1, body: "{}", event: "" };
        for p in WebhookProvider::ALL {
            let vector = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // preflight:allow (the published test vector)
            let real = if p == WebhookProvider::Standard { vector } else { "whsec_test" };
            let forged = forged_secret(p, real);
            assert_ne!(headers(p, real, d).expect("real"), headers(p, &forged, d).expect("forged"), "{p:?}");
        }
    }

    #[test]
    fn a_standard_secret_whose_base64_is_broken_is_said_not_sent() {
        let d = Delivery { id: "m", at: 1, body: "{}", event: "" };
        let err = headers(WebhookProvider::Standard, "whsec_not*base64", d).expect_err("refused");
        assert!(err.contains("not base64"), "{err}");
    }
}
