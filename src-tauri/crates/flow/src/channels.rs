//! The outside channels as every front end manages them: the row in the history, the address in
//! the keychain, added and removed together so neither is ever left without the other.

use crate::{Flow, FlowError};
use preflight_store::{ChannelRow, WatchOp};
use preflight_vault::{SecretRef, Sensitive};
use preflight_watch::channels::{self, ChannelKind, Target};

/// The keychain "product" channel addresses are kept under (`dev.preflight.alerts`).
const KEYCHAIN_PRODUCT: &str = "alerts";

fn secret_ref(id: i64) -> SecretRef {
    SecretRef::new(KEYCHAIN_PRODUCT, &format!("channel-{id}"))
}

/// What the keychain holds for a channel: its address and, for ntfy, an access token.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    url: String,
    token: Option<String>,
}

impl Flow {
    /// Adds a channel: checks the address, stores it in the keychain and the name in the history.
    pub fn add_channel(
        &self,
        kind: ChannelKind,
        name: &str,
        url: &Sensitive<String>,
        token: Option<&Sensitive<String>>,
    ) -> Result<ChannelRow, FlowError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 60 {
            return Err(FlowError::Invalid("give the channel a name of 1 to 60 characters".into()));
        }
        let parsed = kind.check_url(url.expose()).map_err(|e| FlowError::Invalid(format!("{} address: {e}", kind.as_str())))?;
        let store = self.store()?;
        if store.channels()?.iter().any(|c| c.name == name) {
            return Err(FlowError::Invalid(format!("there is already a channel named \"{name}\"")));
        }
        let hint = format!("{}/…", parsed.host_str().unwrap_or_default());
        let id = store.watch(WatchOp::AddChannel { name: name.to_owned(), kind: kind.as_str().to_owned(), hint })?;
        // A pasted token often carries a space or a newline from the page it was copied from.
        let token = token.map(|t| t.expose().trim().to_owned()).filter(|t| !t.is_empty());
        let stored = Stored { url: parsed.to_string(), token };
        let value = Sensitive::new(serde_json::to_string(&stored).map_err(|e| FlowError::Invalid(e.to_string()))?);
        if let Err(e) = preflight_vault::store(&secret_ref(id), &value) {
            // No row without its secret.
            let _ = store.watch(WatchOp::DeleteChannel { id });
            return Err(FlowError::Keychain(e.to_string()));
        }
        store.channels()?.into_iter().find(|c| c.id == id).ok_or_else(|| FlowError::Storage("the channel was not saved".into()))
    }

    /// Removes a channel and its keychain entry.
    pub fn remove_channel(&self, id: i64) -> Result<bool, FlowError> {
        preflight_vault::delete(&secret_ref(id)).map_err(|e| FlowError::Keychain(e.to_string()))?;
        Ok(self.store()?.watch(WatchOp::DeleteChannel { id })? > 0)
    }

    /// The channels, without their addresses.
    pub fn channels(&self) -> Result<Vec<ChannelRow>, FlowError> {
        Ok(self.store()?.channels()?)
    }

    /// The channels with their addresses loaded from the keychain (blocking: the keychain is).
    /// A channel whose entry is missing is skipped with a warning.
    pub fn channel_targets(&self) -> Vec<Target> {
        match self.store() {
            Ok(store) => load_targets(&store),
            Err(_) => Vec::new(),
        }
    }

    /// Posts a test message to one channel (with the usual retries).
    pub async fn test_channel(&self, id: i64) -> Result<(), FlowError> {
        let store = self.store()?;
        let target = tokio::task::spawn_blocking(move || load_targets(&store).into_iter().find(|t| t.id == id))
            .await
            .ok()
            .flatten()
            .ok_or_else(|| FlowError::Invalid("there is no such channel, or its address is missing from the keychain".into()))?;
        let net = self.net().await?;
        channels::deliver(&net, &target, &channels::test_notice(preflight_watch::wall_ms()), channels::Origin::App, &channels::BACKOFF)
            .await
            .map_err(FlowError::Delivery)
    }
}

fn load_targets(store: &preflight_store::Store) -> Vec<Target> {
    let rows = store.channels().unwrap_or_default();
    rows.into_iter()
        .filter_map(|row| {
            let kind = ChannelKind::parse(&row.kind)?;
            let loaded = preflight_vault::load(&secret_ref(row.id));
            let stored: Option<Stored> = match loaded {
                Ok(Some(v)) => serde_json::from_str(v.expose()).ok(),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(channel = %row.name, error = %e, "the keychain did not give this channel's address");
                    None
                }
            };
            let Some(stored) = stored else {
                tracing::warn!(channel = %row.name, "this channel has no address in the keychain; alerts will not reach it");
                return None;
            };
            let url = url::Url::parse(&stored.url).ok()?;
            Some(Target { id: row.id, name: row.name, kind, url, token: stored.token })
        })
        .collect()
}
