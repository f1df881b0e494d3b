//! The flow's one error type; front ends map it to their own (exit codes, `{code, message}`).

use preflight_core::NetError;
use preflight_store::StoreError;

/// Why the flow could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// Another audit is running in this app.
    #[error("An audit is already running. Wait for it to finish or stop it first.")]
    Busy,
    /// The network settings (`PREFLIGHT_*` or flags) were refused; the message says which.
    #[error("Network settings were refused: {0}")]
    Settings(String),
    /// The network could not be set up (no usable trust store, no resolver configuration).
    #[error("Preflight could not set up its network access: {0}")]
    Network(#[from] NetError),
    /// A product's settings file cannot be read or used; the message names the file and the value.
    #[error("Your product's settings cannot be used: {0}")]
    ProductSettings(String),
    /// The settings file changed on disk after the window showed it: saving would lose that edit.
    #[error("The settings file was changed outside this window since you opened it. Your changes were not saved: reload to see the file as it is now, then make them again.")]
    SettingsChanged,
    /// The history could not be opened or read.
    #[error("{0}")]
    Storage(String),
    /// "Run again" with nothing run before.
    #[error("There is no earlier audit to run again. Type a domain first.")]
    NothingToRerun,
    /// A found name that is not under the product's domain.
    #[error("{name} is not a name under {domain}.")]
    NotUnder { name: String, domain: String },
    /// A keychain credential would go where it does not belong (another host, plain http) or
    /// sits in plain headers; the message names the host or the header.
    #[error("{0}")]
    Credential(String),
    /// A value the founder gave cannot be used (a monitor, a channel); the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The keychain refused to keep or give back a secret.
    #[error("The keychain could not be used: {0}")]
    Keychain(String),
    /// A test message did not reach its channel.
    #[error("The test message did not arrive: {0}")]
    Delivery(String),
    /// The sample product could not start.
    #[error("The sample product could not start: {0}")]
    Demo(String),
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        FlowError::Storage(e.to_string())
    }
}

impl From<preflight_core::monitor::MonitorError> for FlowError {
    fn from(e: preflight_core::monitor::MonitorError) -> Self {
        match e {
            preflight_core::monitor::MonitorError::Credential { .. } => FlowError::Credential(e.to_string()),
            other => FlowError::Invalid(other.to_string()),
        }
    }
}
