//! The providers a product has connected (a read-only token each, in the keychain), as every front
//! end manages them: connect (verified with the provider before anything is stored), list, remove;
//! and the providers' findings added to each audit of the product.
//!
//! A provider counts as connected when its token's name is recorded for the product (the history
//! keeps names, never values). Only then is the keychain asked, so an audit on a machine without a
//! keychain, or of a product without a token, gains no finding and no error.

use crate::{Flow, FlowError};
use preflight_core::{Area, Domain, Finding, Net, Report, Status, Target};
use preflight_providers::Provider;
use preflight_vault::{SecretRef, Sensitive};
use serde::Serialize;

/// The longest token accepted: far above any real one.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// One provider of one product, as the window and `preflight providers` show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderState {
    /// `cloudflare`.
    pub provider: String,
    pub label: String,
    pub connected: bool,
    /// When the token was saved (ms since 1970), when connected.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub set_at_ms: Option<i64>,
    /// The keychain entry holding it.
    pub key_name: String,
    /// The permissions a read-only token needs: (permission, what it lets Preflight read).
    pub permissions: Vec<(String, String)>,
    /// Where the token is created, in the dashboard's words.
    pub where_to_create: String,
}

fn provider(name: &str) -> Result<Provider, FlowError> {
    Provider::parse(name).ok_or_else(|| {
        FlowError::Invalid(format!("\"{name}\" is not a provider Preflight reads; use {}", Provider::ALL.map(|p| p.id()).join(" or ")))
    })
}

impl Flow {
    /// Each provider and whether `domain` has a token for it.
    pub fn providers(&self, domain: &Domain) -> Result<Vec<ProviderState>, FlowError> {
        let keys = self.keys(domain)?;
        Ok(Provider::ALL
            .iter()
            .map(|p| {
                let key = keys.iter().find(|k| k.name == p.key_name());
                ProviderState {
                    provider: p.id().into(),
                    label: p.label().into(),
                    connected: key.is_some(),
                    set_at_ms: key.map(|k| k.set_at_ms),
                    key_name: p.key_name().into(),
                    permissions: p.permissions().iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect(),
                    where_to_create: p.where_to_create().into(),
                }
            })
            .collect())
    }

    /// Checks `token` with the provider, then keeps it in the keychain (replacing any earlier one).
    /// A token the provider refuses, or one lacking a permission, is named so and never stored.
    pub async fn connect_provider(&self, domain: &Domain, name: &str, token: &Sensitive<String>) -> Result<String, FlowError> {
        let p = provider(name)?;
        let trimmed = Sensitive::new(token.expose().trim().to_owned());
        if trimmed.expose().is_empty() {
            return Err(FlowError::Invalid(format!("the {} token is empty: nothing was saved", p.label())));
        }
        if trimmed.expose().len() > MAX_TOKEN_BYTES {
            return Err(FlowError::Invalid(format!("the {} token is longer than {MAX_TOKEN_BYTES} bytes: nothing was saved", p.label())));
        }
        let net = self.net_for(domain).await?;
        let says = p
            .verify(&net, domain.as_str(), Sensitive::new(trimmed.expose().clone()))
            .await
            .map_err(|e| FlowError::Invalid(format!("{e}; nothing was saved")))?;
        self.set_key(domain, p.key_name(), &trimmed)?;
        Ok(format!("{}: {says}. The token is in this computer's keychain as \"{}\".", p.label(), p.key_name()))
    }

    /// Forgets the provider's token for `domain`; false when there was none.
    pub fn disconnect_provider(&self, domain: &Domain, name: &str) -> Result<bool, FlowError> {
        let p = provider(name)?;
        self.remove_key(domain, p.key_name())
    }

    /// The providers' findings for this audit, added to `report` (its summary and order made anew).
    pub(crate) async fn with_providers(&self, net: &Net, target: &Target, only: &[Area], report: Report) -> Report {
        if !self.history_exists() {
            return report;
        }
        let Ok(connected) = self.providers(&target.domain) else { return report };
        let mut extra: Vec<Finding> = Vec::new();
        for state in connected.iter().filter(|s| s.connected) {
            let Some(p) = Provider::parse(&state.provider) else { continue };
            if !(only.is_empty() || only.contains(&p.area())) {
                continue;
            }
            let r = SecretRef::new(target.domain.as_str(), p.key_name());
            match tokio::task::spawn_blocking(move || preflight_vault::load(&r)).await {
                Ok(Ok(Some(token))) => extra.extend(p.audit(net, target, &report.findings, token).await),
                outcome => {
                    let why = match outcome {
                        Ok(Ok(_)) => "the keychain no longer holds it".to_owned(),
                        Ok(Err(e)) => e.to_string(),
                        Err(e) => e.to_string(),
                    };
                    extra.push(
                        Finding::new(p.first_check(), target.domain.as_str(), Status::Error)
                            .title(format!(
                                "Preflight could not read the {} token of {} from this computer's keychain.",
                                p.label(),
                                target.domain
                            ))
                            .detail(why)
                            .fix([format!(
                                "Connect {} again: Settings → Providers in the window, or `preflight providers connect {} {}`.",
                                p.label(),
                                target.domain,
                                p.id()
                            )]),
                    );
                }
            }
        }
        if extra.is_empty() {
            return report;
        }
        let Report { domain, started_at_ms, duration_ms, mut findings, .. } = report;
        findings.extend(extra);
        Report::new(domain, started_at_ms, duration_ms, findings)
    }
}
