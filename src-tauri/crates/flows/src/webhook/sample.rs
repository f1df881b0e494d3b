//! The events a replay sends: test-mode, marked as Preflight's in their own words, of a type a
//! receiver acts on least (the founder can name another with `event = "…"`). Each delivery gets an
//! id of its own, so a receiver that skips ids it has seen still judges every twin's signature.

use preflight_core::target::WebhookProvider;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// What every sample says about itself, for whoever reads the receiver's logs.
pub const NOTE: &str = "A test event sent by Preflight to check that this webhook verifies signatures. It carries no real data.";

/// The type sent when the settings name none: one a receiver normally only acknowledges.
pub fn default_event(provider: WebhookProvider) -> &'static str {
    match provider {
        WebhookProvider::Stripe => "balance.available",
        WebhookProvider::Github => "ping",
        WebhookProvider::Standard => "preflight.test",
    }
}

/// A fresh delivery id in the provider's shape (`evt_…`, a GUID-like hex, `msg_…`).
pub fn id(provider: WebhookProvider) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let seed = format!("{now}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let digest = Sha256::digest(seed.as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    match provider {
        WebhookProvider::Stripe => format!("evt_preflight_{hex}"),
        WebhookProvider::Github => format!("{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..24]),
        WebhookProvider::Standard => format!("msg_preflight_{hex}"),
    }
}

/// The body of a sample `event` delivered as `id` at `at` (unix seconds).
pub fn body(provider: WebhookProvider, event: &str, id: &str, at: i64) -> String {
    let v = match provider {
        WebhookProvider::Stripe => json!({
            "id": id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": at,
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": null, "idempotency_key": null },
            "type": event,
            "data": { "object": { "object": "preflight_test", "livemode": false, "note": NOTE } },
        }),
        WebhookProvider::Github => json!({
            "zen": NOTE,
            "hook_id": 0,
            "hook": { "type": "Repository", "active": true, "events": ["ping"] },
        }),
        WebhookProvider::Standard => json!({
            "type": event,
            "timestamp": rfc3339(at),
            "data": { "test": true, "note": NOTE },
        }),
    };
    v.to_string()
}

/// `at` as `2026-12-03T12:00:00Z`.
fn rfc3339(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_test_mode_and_say_whose_they_are() {
        let stripe: serde_json::Value =
            serde_json::from_str(&body(WebhookProvider::Stripe, "balance.available", "evt_1", 1)).expect("json");
        assert_eq!(stripe["livemode"], false);
        assert_eq!(stripe["type"], "balance.available");
        let standard: serde_json::Value = serde_json::from_str(&body(WebhookProvider::Standard, "preflight.test", "m", 0)).expect("json");
        assert_eq!(standard["timestamp"], "1970-01-01T00:00:00Z");
        assert_ne!(id(WebhookProvider::Stripe), id(WebhookProvider::Stripe), "every delivery has its own id");
    }
}
