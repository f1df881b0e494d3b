//! Latency as every front end gets it: the product's key endpoints as probes (credentials from the
//! keychain, into their own request only), each measurement saved under its address (without the
//! query string, which may carry a token) next to the run before it, the cards the app shows, the
//! `performance.p95` findings the launch checklist reads, and the daily re-measure the watcher runs.

use crate::watching::now_ms;
use crate::{Flow, FlowError};
use preflight_core::{Domain, Finding, Net, Target};
use preflight_latency::{measure, ms_words, Measurement, Plan, Probe, Verdict};
use preflight_store::{Store, WatchOp};
use serde::{Deserialize, Serialize};
use url::Url;

/// `url` as it may be stored or shown (declared with the measurement, which names endpoints by it).
pub use preflight_latency::public_url;

/// The key a measurement is stored under: its public address.
pub fn key(url: &str) -> String {
    public_url(url).unwrap_or_else(|| url.to_owned())
}

/// Whether `host` is `domain` or a name under it (the credential rule's own test).
pub use preflight_core::credential::belongs;

/// How many addresses the app and the checklist look at per product: far more than anyone lists.
const MAX_ADDRESSES: u32 = 200;

/// The watcher's daily re-measure: enough requests for a p95, light on the product.
const DAILY: Plan = Plan { cold: 3, warm: 20 };

/// The line announcing that `now` is no longer fast enough when `before` was (pure); None for
/// anything else, a measurement that could not look included.
pub fn slowed(before: &Measurement, now: &Measurement) -> Option<String> {
    if before.verdict != Verdict::FastEnough {
        return None;
    }
    match now.verdict {
        Verdict::TooSlow => {
            let (was, is) = (before.judged()?.p95_ms, now.judged()?.p95_ms);
            Some(format!(
                "{} has slowed down: p95 {} (it was {}), over its {} target",
                now.name,
                ms_words(is),
                ms_words(was),
                ms_words(f64::from(now.target_ms))
            ))
        }
        Verdict::Failing => Some(now.says.trim_end_matches('.').to_owned()),
        Verdict::FastEnough | Verdict::Unknown => None,
    }
}

/// One stored measurement and when it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Measured {
    pub at_ms: i64,
    pub measurement: Measurement,
}

/// An endpoint as the app shows it: its newest measurement and the one before, for "before and
/// after".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencyCard {
    pub latest: Measured,
    pub previous: Option<Measured>,
    /// Why this measurement is not in the history, when saving it failed (it is still shown).
    pub not_saved: Option<String>,
}

fn measured(row: preflight_store::LatencyRow) -> Option<Measured> {
    let measurement = serde_json::from_value::<Measurement>(row.measurement).ok()?;
    Some(Measured { at_ms: row.at_ms, measurement })
}

/// The stored addresses under `domain`, newest first.
fn addresses(store: &Store, domain: &str) -> Result<Vec<(String, i64)>, FlowError> {
    Ok(store
        .latency_addresses(MAX_ADDRESSES)?
        .into_iter()
        .filter(|(url, _)| Url::parse(url).ok().and_then(|u| u.host_str().map(|h| belongs(h, domain))).unwrap_or(false))
        .collect())
}

/// The `performance.p95` findings of `domain` (one per measured address, from its newest run) and when
/// the newest was measured.
pub(crate) fn speed_findings(store: &Store, domain: &str) -> Result<(Vec<Finding>, Option<i64>), FlowError> {
    let mut findings = Vec::new();
    let mut newest = None;
    for (url, _) in addresses(store, domain)? {
        if let Some(m) = store.latency_runs(&url, 1)?.into_iter().next().and_then(measured) {
            newest = newest.max(Some(m.at_ms));
            findings.push(preflight_latency::finding(&m.measurement, m.at_ms));
        }
    }
    Ok((findings, newest))
}

impl Flow {
    /// The latest stored measurement of `url`, if any (read before saving a new one, it is "before").
    pub fn previous_latency(&self, url: &str) -> Result<Option<Measured>, FlowError> {
        Ok(self.store()?.latency_runs(&key(url), 1)?.into_iter().next().and_then(measured))
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

    /// Measures `probe` and, with `save`, keeps the run in the history; the card holds the run
    /// stored before it. A failed save is said on the card, never silently dropped.
    pub async fn measure_endpoint(&self, net: &Net, probe: &Probe, plan: Plan, save: bool) -> LatencyCard {
        let m = measure(net, probe, plan).await;
        let previous = self.previous_latency(&m.url).ok().flatten();
        let not_saved = if save { self.save_latency(&m).err().map(|e| e.to_string()) } else { None };
        let mut shown = m;
        // What a front end shows or prints is the public address too.
        shown.url = key(&shown.url);
        LatencyCard { latest: Measured { at_ms: now_ms(), measurement: shown }, previous, not_saved }
    }

    /// Each measured address of `domain` with its newest run and the one before, newest first.
    pub fn latency_cards(&self, domain: &Domain) -> Result<Vec<LatencyCard>, FlowError> {
        let store = self.store()?;
        let mut cards = Vec::new();
        for (url, _) in addresses(&store, domain.as_str())? {
            let mut runs = store.latency_runs(&url, 2)?.into_iter().filter_map(measured);
            if let Some(latest) = runs.next() {
                cards.push(LatencyCard { latest, previous: runs.next(), not_saved: None });
            }
        }
        Ok(cards)
    }

    /// Measures again every address of `domain` measured before (a typed address as it was, a
    /// configured endpoint with its settings and keychain credential), keeps the runs, and returns
    /// a line for each one that was fast enough and no longer is. The watcher's daily audit calls
    /// it, so the checklist's p95 stays fresh and a slowdown is announced like a new problem.
    pub async fn speed_news(&self, domain: &Domain) -> Result<Vec<String>, FlowError> {
        let store = self.store()?;
        let known = addresses(&store, domain.as_str())?;
        if known.is_empty() {
            return Ok(Vec::new());
        }
        // A settings file or keychain that cannot be read leaves the configured endpoints out
        // (they are skipped below), never measured without their credential.
        let configured = self.saved_target(domain.clone()).and_then(|t| self.endpoint_probes(&t)).unwrap_or_default();
        let net = self.net_for(domain).await?;
        let mut news = Vec::new();
        for (url, _) in known {
            let Some(before) = store.latency_runs(&url, 1)?.into_iter().next().and_then(measured) else { continue };
            let b = &before.measurement;
            let probe = match configured.iter().find(|p| key(p.url.as_str()) == url) {
                Some(p) => p.clone(),
                // A configured endpoint (named) that is no longer configured is not guessed at.
                None if b.name != b.url => continue,
                None => {
                    let Ok(u) = Url::parse(&url) else { continue };
                    let mut p = Probe::new(u, &b.method, Some(b.kind));
                    p.target_ms = b.target_ms;
                    p
                }
            };
            let card = self.measure_endpoint(&net, &probe, DAILY, true).await;
            news.extend(slowed(b, &card.latest.measurement));
        }
        Ok(news)
    }

    /// The `[[endpoints]]` of `target` as probes. A credential named with `secret` is read from
    /// the keychain into that probe's `secret_header` and nowhere else, and only when the
    /// credential rule lets it go to the endpoint's address (checked again here, before the read).
    pub fn endpoint_probes(&self, target: &Target) -> Result<Vec<Probe>, FlowError> {
        let mut out = Vec::new();
        for e in &target.endpoints {
            let credential = match &e.secret {
                Some(secret) => {
                    let refused = |err: preflight_core::CredentialError| FlowError::Credential(format!("endpoint \"{}\": {err}", e.name));
                    let placement = preflight_core::credential::allowed(
                        secret,
                        &e.url,
                        target.domain.as_str(),
                        e.secret_header.as_deref(),
                        e.secret_prefix.as_deref(),
                    )
                    .map_err(refused)?;
                    let found = crate::flows::key(self.host.as_ref(), target.domain.as_str(), secret).map_err(|err| {
                        FlowError::Keychain(format!("endpoint \"{}\": the keychain entry \"{secret}\" could not be read: {err}", e.name))
                    })?;
                    let value = found.ok_or_else(|| {
                        FlowError::Invalid(format!(
                            "endpoint \"{}\": the key `{secret}` is not in this computer's keychain: add it in Settings or with `preflight keys set {} {secret}`",
                            e.name, target.domain
                        ))
                    })?;
                    Some(placement.header_for(value.expose()))
                }
                None => None,
            };
            out.push(Probe::from_endpoint(e, credential).map_err(|err| FlowError::Invalid(format!("endpoint \"{}\": {err}", e.name)))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_belong_to_their_product_only() {
        assert!(belongs("acme.test", "acme.test"));
        assert!(belongs("API.acme.test.", "acme.test"));
        assert!(!belongs("notacme.test", "acme.test"), "a suffix is not a subdomain");
        assert_eq!(public_url("https://u:p@api.acme.test/x?token=s3cret#f").as_deref(), Some("https://api.acme.test/x"));
    }
}
