//! The founder's keep/drop decisions about the names discovery found.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::Domain;
use tauri::State;

/// Keeps a found name (audited every time from now on) or drops it (never offered again).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn decide_name(state: State<'_, AppState>, domain: String, name: String, keep: bool) -> AppResult<()> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.decide_name(&domain, &name, keep)).await
}
