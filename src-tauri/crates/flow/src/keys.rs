//! A product's keys as every front end manages them: the value into the keychain only, the name
//! and the time into the history, set and removed together; a listing that never holds a value.
//!
//! This is how `secret = "api-token"` in `[[endpoints]]` or `[[monitors]]` gets its value: the CLI's
//! `preflight keys set DOMAIN NAME` reads it from standard input (never the command line, which
//! other users can see in the process list and the shell keeps in its history).

use crate::{Flow, FlowError};
use preflight_core::Domain;
use preflight_store::{KeyRow, WatchOp};
use preflight_vault::{SecretRef, Sensitive};

/// The longest value accepted: far above any real token, far below harm.
pub const MAX_KEY_BYTES: usize = 16 * 1024;

/// Checks a key's name: what a settings file's `secret = "…"` can name.
pub fn check_name(name: &str) -> Result<String, FlowError> {
    match preflight_core::credential::key_name(name) {
        Some(n) => Ok(n.to_owned()),
        None => Err(FlowError::Invalid(format!(
            "\"{}\" cannot name a key: use 1 to {} letters, digits, '-', '_' or '.', as in secret = \"api-token\"",
            name.trim(),
            preflight_core::credential::MAX_KEY_NAME
        ))),
    }
}

impl Flow {
    /// Puts `value` (trimmed: a pasted key often ends with a newline) in the keychain as `name` of
    /// `domain`, then records the name and the time. The value goes nowhere else.
    pub fn set_key(&self, domain: &Domain, name: &str, value: &Sensitive<String>) -> Result<KeyRow, FlowError> {
        let name = check_name(name)?;
        let trimmed = Sensitive::new(value.expose().trim().to_owned());
        if trimmed.expose().is_empty() {
            return Err(FlowError::Invalid(format!("the value for \"{name}\" is empty: nothing was saved")));
        }
        if trimmed.expose().len() > MAX_KEY_BYTES {
            return Err(FlowError::Invalid(format!("the value for \"{name}\" is longer than {MAX_KEY_BYTES} bytes: nothing was saved")));
        }
        let store = self.store()?;
        preflight_vault::store(&SecretRef::new(domain.as_str(), &name), &trimmed).map_err(|e| FlowError::Keychain(e.to_string()))?;
        store.watch(WatchOp::SetKey { domain: domain.to_string(), name: name.clone() })?;
        store
            .keys(domain.as_str())?
            .into_iter()
            .find(|k| k.name == name)
            .ok_or_else(|| FlowError::Storage("the key's name was not recorded".into()))
    }

    /// Removes `name` of `domain` from the keychain and the history; false when there was none.
    pub fn remove_key(&self, domain: &Domain, name: &str) -> Result<bool, FlowError> {
        let name = check_name(name)?;
        preflight_vault::delete(&SecretRef::new(domain.as_str(), &name)).map_err(|e| FlowError::Keychain(e.to_string()))?;
        Ok(self.store()?.watch(WatchOp::DeleteKey { domain: domain.to_string(), name })? > 0)
    }

    /// The product's keys: names and when they were set, never values.
    pub fn keys(&self, domain: &Domain) -> Result<Vec<KeyRow>, FlowError> {
        Ok(self.store()?.keys(domain.as_str())?)
    }
}
