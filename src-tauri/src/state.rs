//! What the shell keeps between commands.

use preflight_core::NetConfig;
use preflight_store::Store;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Shared state, managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    /// The history; an error string when it could not be opened (shown, never hidden).
    pub store: Result<Arc<Store>, String>,
    /// Network settings from `PREFLIGHT_*`; an error string when they are malformed.
    pub net: Result<NetConfig, String>,
    /// The running audit's cancel token, if one runs.
    pub running: Mutex<Option<CancellationToken>>,
    /// The sample product of "Try the demo", kept alive while the app runs.
    pub demo: tokio::sync::Mutex<Option<preflight_testbed::Testbed>>,
    /// The last domain audited, for the tray's "Run audit".
    pub last_domain: Mutex<Option<String>>,
}
