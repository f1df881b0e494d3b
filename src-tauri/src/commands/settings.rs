//! What the window needs to know about how the app is set up.

use crate::state::AppState;
use serde::Serialize;
use specta::Type;
use tauri::State;

/// Shown in the footer and as banners when something is off.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    /// Where the history lives.
    pub data_file: Option<String>,
    /// Why the history cannot be used, if it cannot.
    pub store_error: Option<String>,
    /// Why the `PREFLIGHT_*` network settings were refused, if they were.
    pub settings_error: Option<String>,
    /// True when `PREFLIGHT_*` overrides point the audits somewhere special (tests, demos).
    pub overrides_active: bool,
    /// The domain the tray's "Run audit" would audit again.
    pub last_domain: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, crate::error::AppError> {
    let flow = state.flow.clone();
    let store = tokio::task::spawn_blocking(move || flow.store())
        .await
        .map_err(|e| crate::error::AppError::new(crate::error::ErrorCode::Internal, e.to_string()))?;
    let net = state.flow.net_config();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_file: store.as_ref().ok().map(|s| s.path().display().to_string()),
        store_error: store.as_ref().err().map(ToString::to_string),
        settings_error: net.as_ref().err().cloned(),
        overrides_active: net.is_ok_and(|c| !c.nameservers.is_empty() || !c.connect_to.is_empty() || !c.extra_roots.is_empty()),
        last_domain: state.flow.last_domain(),
    })
}
