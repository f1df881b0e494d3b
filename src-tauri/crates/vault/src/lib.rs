//! Secrets in the operating system's keychain, and nowhere else.
//!
//! API tokens, webhook URLs and endpoint credentials are stored under the service
//! `dev.preflight.<product>` with the secret's name as the account; settings and SQLite keep only the
//! [`SecretRef`]. Debug builds (and so `cargo test`) use `dev.preflight.debug.<product>` instead:
//! a developer's build must never read, overwrite or delete what the installed app saved. The keychain is the platform's own (Keychain on macOS, Credential Manager on Windows,
//! Secret Service on Linux) through the `keyring` crate, whose calls block: async callers use
//! `spawn_blocking`. Values travel as [`Sensitive`], so they cannot be logged or serialized.

pub mod redact;
pub mod sensitive;

pub use sensitive::Sensitive;

use serde::{Deserialize, Serialize};

/// Where a secret lives: safe to store, log and send to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SecretRef {
    /// The product's domain (`acme.com`).
    pub product: String,
    /// The secret's name within the product (`cloudflare-token`).
    pub name: String,
}

impl SecretRef {
    pub fn new(product: &str, name: &str) -> Self {
        SecretRef { product: product.to_owned(), name: name.to_owned() }
    }

    /// The keychain service name, namespaced by build kind (see [`NAMESPACE`]).
    pub fn service(&self) -> String {
        format!("{NAMESPACE}.{}", self.product)
    }
}

/// The prefix of every service name: the release app's own, or the one debug builds and tests use.
pub const NAMESPACE: &str = if cfg!(debug_assertions) { "dev.preflight.debug" } else { "dev.preflight" };

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// There is no usable keychain (no Secret Service running, locked, or access denied).
    #[error("the system keychain is not available ({reason}). On Linux, install and unlock a keyring such as GNOME Keyring; Preflight never stores secrets anywhere else.")]
    Unavailable { reason: String },
    /// The keychain refused the operation for another reason.
    #[error("the system keychain refused the operation: {reason}")]
    Failed { reason: String },
}

fn entry(r: &SecretRef) -> Result<keyring::Entry, VaultError> {
    keyring::Entry::new(&r.service(), &r.name).map_err(map_err)
}

fn map_err(e: keyring::Error) -> VaultError {
    match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            VaultError::Unavailable { reason: inner.to_string() }
        }
        other => VaultError::Failed { reason: other.to_string() },
    }
}

/// Saves (or replaces) a secret.
pub fn store(r: &SecretRef, value: &Sensitive<String>) -> Result<(), VaultError> {
    entry(r)?.set_password(value.expose()).map_err(map_err)?;
    tracing::info!(product = %r.product, name = %r.name, "secret saved to the keychain");
    Ok(())
}

/// Reads a secret; `None` when none is saved under that name (a normal state, not an error).
pub fn load(r: &SecretRef) -> Result<Option<Sensitive<String>>, VaultError> {
    match entry(r)?.get_password() {
        Ok(value) => Ok(Some(Sensitive::new(value))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(map_err(e)),
    }
}

/// Deletes a secret; deleting one that does not exist is not an error.
pub fn delete(r: &SecretRef) -> Result<(), VaultError> {
    match entry(r)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_err(e)),
    }
}
