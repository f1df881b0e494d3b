//! The providers a product has connected (Settings → Providers): list them, connect a read-only
//! token (checked with the provider first, then kept in the keychain), disconnect. The token goes
//! in once and never comes back: answers carry the state, never a value.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::Domain;
use preflight_flow::providers::ProviderState;
use preflight_vault::Sensitive;
use serde::Serialize;
use tauri::State;

/// What connecting said, and every provider's state after it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Connected {
    /// The provider's answer in words ("Cloudflare: token active; it can read the zone acme.com").
    pub says: String,
    pub providers: Vec<ProviderState>,
}

/// Every provider and whether `domain` has a token for it, with what a token needs.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_providers(state: State<'_, AppState>, domain: String) -> AppResult<Vec<ProviderState>> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.providers(&domain)).await
}

/// Checks `token` with `provider` and keeps it for `domain`. The token is in no log line and no answer.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, token), err)]
pub async fn connect_provider(state: State<'_, AppState>, domain: String, provider: String, token: String) -> AppResult<Connected> {
    let domain = Domain::parse(&domain)?;
    let token = Sensitive::new(token);
    let says = state.flow.connect_provider(&domain, &provider, &token).await?;
    let providers = blocking(state.flow.clone(), move |f| f.providers(&domain)).await?;
    Ok(Connected { says, providers })
}

/// Forgets `provider`'s token for `domain`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn disconnect_provider(state: State<'_, AppState>, domain: String, provider: String) -> AppResult<Vec<ProviderState>> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| {
        f.disconnect_provider(&domain, &provider)?;
        f.providers(&domain)
    })
    .await
}
