//! Start at login (off by default; the window asks once): the OS's own mechanism through
//! tauri-plugin-autostart, starting hidden in the tray.

use crate::error::{AppError, AppResult, ErrorCode};
use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;

#[tauri::command]
#[specta::specta]
pub async fn autostart_enabled(app: AppHandle) -> AppResult<bool> {
    app.autolaunch().is_enabled().map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app), err)]
pub async fn set_autostart(app: AppHandle, enabled: bool) -> AppResult<bool> {
    let launcher = app.autolaunch();
    let done = if enabled { launcher.enable() } else { launcher.disable() };
    done.map_err(|e| AppError::new(ErrorCode::Internal, format!("Starting at login could not be changed: {e}")))?;
    launcher.is_enabled().map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}
