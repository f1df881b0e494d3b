//! Latency runs as every front end keeps them: each measurement saved under its address (without
//! the query string, which may carry a token), and the run before it found for "before and after".

use crate::watching::now_ms;
use crate::{Flow, FlowError};
use preflight_latency::Measurement;
use preflight_store::WatchOp;
use url::Url;

/// `url` as it may be stored or shown: without query, fragment or credentials, where a token
/// would sit. None when it is not an address.
pub fn public_url(url: &str) -> Option<String> {
    let mut u = Url::parse(url).ok()?;
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    Some(u.to_string())
}

/// The key a measurement is stored under: its public address.
pub fn key(url: &str) -> String {
    public_url(url).unwrap_or_else(|| url.to_owned())
}

impl Flow {
    /// The latest stored measurement of `url`, if any (read before saving a new one, it is "before").
    pub fn previous_latency(&self, url: &str) -> Result<Option<(i64, Measurement)>, FlowError> {
        let rows = self.store()?.latency_runs(&key(url), 1)?;
        Ok(rows.into_iter().next().and_then(|r| serde_json::from_value::<Measurement>(r.measurement).ok().map(|m| (r.at_ms, m))))
    }

    /// Saves `m`, with its address's query removed.
    pub fn save_latency(&self, m: &Measurement) -> Result<(), FlowError> {
        let mut stored = m.clone();
        stored.url = key(&m.url);
        let measurement = serde_json::to_value(&stored).map_err(|e| FlowError::Storage(e.to_string()))?;
        let p95_ms = m.warm.as_ref().map(|w| w.p95_ms);
        self.store()?.watch(WatchOp::SaveLatency { url: stored.url, at_ms: now_ms(), p95_ms, measurement })?;
        Ok(())
    }
}
