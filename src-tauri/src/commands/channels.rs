//! Outside channels from the window: added with their address (which goes straight to the
//! keychain and never comes back to the UI), listed by name and host, tested, removed.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use crate::watcher;
use preflight_store::ChannelRow;
use preflight_vault::Sensitive;
use preflight_watch::channels::ChannelKind;
use tauri::{AppHandle, State};

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_channels(state: State<'_, AppState>) -> AppResult<Vec<ChannelRow>> {
    blocking(state.flow.clone(), |f| f.channels()).await
}

/// Adds a channel. `url` (and `token`) are secrets: they are not logged and only the host comes back.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app, url, token), err)]
pub async fn add_channel(
    app: AppHandle,
    state: State<'_, AppState>,
    kind: String,
    name: String,
    url: String,
    token: Option<String>,
) -> AppResult<ChannelRow> {
    let kind =
        ChannelKind::parse(&kind).ok_or_else(|| AppError::new(ErrorCode::InvalidSettings, "Choose Slack, Discord, ntfy or a webhook."))?;
    let (url, token) = (Sensitive::new(url), token.filter(|t| !t.trim().is_empty()).map(Sensitive::new));
    let row = blocking(state.flow.clone(), move |f| f.add_channel(kind, &name, &url, token.as_ref())).await?;
    watcher::restart(app).await;
    Ok(row)
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn remove_channel(app: AppHandle, state: State<'_, AppState>, channel_id: i64) -> AppResult<bool> {
    let gone = blocking(state.flow.clone(), move |f| f.remove_channel(channel_id)).await?;
    watcher::restart(app).await;
    Ok(gone)
}

/// Posts a test message to a channel and says whether it arrived.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn test_channel(state: State<'_, AppState>, channel_id: i64) -> AppResult<()> {
    Ok(state.flow.test_channel(channel_id).await?)
}
