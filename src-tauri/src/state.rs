//! What the shell keeps between commands: the shared audit flow, nothing else.

use preflight_flow::Flow;
use std::sync::Arc;

/// Shared state, managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    /// The one audit flow of this process (the window's commands and the tray both use it).
    pub flow: Arc<Flow>,
}
