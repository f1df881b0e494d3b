//! Secrets in the operating system's keychain, and nowhere else.
//!
//! API tokens, webhook URLs and endpoint credentials are stored under the service
//! `dev.preflight.<product>` with the secret's name as the account; settings and SQLite keep only the
//! [`SecretRef`]. The keychain is the platform's own (Keychain on macOS, Credential Manager on Windows,
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

    /// The keychain service name.
    pub fn service(&self) -> String {
        format!("dev.preflight.{}", self.product)
    }
}

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// No secret is stored under that name.
    #[error("no secret named \"{name}\" is saved for {product}")]
    NotFound { product: String, name: String },
    /// There is no usable keychain (no Secret Service running, locked, or access denied).
    #[error("the system keychain is not available ({reason}). On Linux, install and unlock a keyring such as GNOME Keyring; Preflight never stores secrets anywhere else.")]
    Unavailable { reason: String },
    /// The keychain refused the operation for another reason.
    #[error("the system keychain refused the operation: {reason}")]
    Failed { reason: String },
}

fn entry(r: &SecretRef) -> Result<keyring::Entry, VaultError> {
    keyring::Entry::new(&r.service(), &r.name).map_err(|e| map_err(r, e))
}

fn map_err(r: &SecretRef, e: keyring::Error) -> VaultError {
    match e {
        keyring::Error::NoEntry => VaultError::NotFound { product: r.product.clone(), name: r.name.clone() },
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            VaultError::Unavailable { reason: inner.to_string() }
        }
        other => VaultError::Failed { reason: other.to_string() },
    }
}

/// Saves (or replaces) a secret.
pub fn store(r: &SecretRef, value: &Sensitive<String>) -> Result<(), VaultError> {
    entry(r)?.set_password(value.expose()).map_err(|e| map_err(r, e))?;
    tracing::info!(product = %r.product, name = %r.name, "secret saved to the keychain");
    Ok(())
}

/// Reads a secret.
pub fn load(r: &SecretRef) -> Result<Sensitive<String>, VaultError> {
    entry(r)?.get_password().map(Sensitive::new).map_err(|e| map_err(r, e))
}

/// Deletes a secret; deleting one that does not exist is not an error.
pub fn delete(r: &SecretRef) -> Result<(), VaultError> {
    match entry(r)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_err(r, e)),
    }
}
