//! Secret scans from the window: a folder (and its history), an env file against its example.
//! Both read files on this computer, off the async threads; a product's domain saves the result to
//! its history so the launch checklist counts it.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::{Domain, Report};
use preflight_flow::secrets::SecretScan;
use serde::Deserialize;
use specta::Type;
use std::path::PathBuf;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

/// What a picker asks for.
#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// A project folder (the secrets scan).
    Folder,
    /// One file (an env file and its example, a settings file to import).
    File,
    /// Where to write a file (an export); `start` suggests the folder and the name.
    Save,
}

/// The platform's own file or folder dialog, opened at `start` (the folder last used for this
/// product, or for a save the suggested path); `None` when the founder closes it. Called from Rust
/// so the web view itself holds no dialog permission; the path it returns is validated by the
/// operation exactly as a typed one is.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app), err)]
pub async fn pick_path(app: AppHandle, kind: PickKind, title: String, start: Option<String>) -> AppResult<Option<String>> {
    let picked = tokio::task::spawn_blocking(move || {
        let mut dialog = app.dialog().file().set_title(title.chars().take(120).collect::<String>());
        let start = start.map(PathBuf::from).filter(|p| !p.as_os_str().is_empty());
        match (kind, start) {
            (PickKind::Save, Some(p)) => {
                if let Some(dir) = p.parent().filter(|d| d.is_dir()) {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(name) = p.file_name() {
                    dialog = dialog.set_file_name(name.to_string_lossy());
                }
            }
            (_, Some(p)) if p.is_dir() => dialog = dialog.set_directory(p),
            _ => {}
        }
        match kind {
            PickKind::Folder => dialog.blocking_pick_folder(),
            PickKind::File => dialog.blocking_pick_file(),
            PickKind::Save => dialog.blocking_save_file(),
        }
    })
    .await
    .map_err(|e| crate::error::AppError::new(crate::error::ErrorCode::Internal, format!("The file dialog could not open: {e}")))?;
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

fn domain(d: Option<String>) -> AppResult<Option<Domain>> {
    Ok(d.filter(|d| !d.trim().is_empty()).map(|d| Domain::parse(&d)).transpose()?)
}

/// Scans `folder` for keys (with `history`, every commit too), saved to `domain`'s history.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn scan_secrets(state: State<'_, AppState>, folder: String, history: bool, domain_name: Option<String>) -> AppResult<Report> {
    let product = domain(domain_name)?;
    blocking(state.flow.clone(), move |f| {
        let report = f.scan_secrets(&SecretScan { folder: PathBuf::from(folder.trim()), history, baseline: None })?;
        if let Some(d) = &product {
            f.save_scan(d, &report)?;
        }
        Ok(report)
    })
    .await
}

/// Checks `env` against `example` (and `other`, the other environment's file).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn check_env(
    state: State<'_, AppState>,
    example: String,
    env: String,
    other: Option<String>,
    domain_name: Option<String>,
) -> AppResult<Report> {
    let product = domain(domain_name)?;
    blocking(state.flow.clone(), move |f| {
        let other = other.filter(|o| !o.trim().is_empty()).map(|o| PathBuf::from(o.trim()));
        let report = f.check_env(&PathBuf::from(example.trim()), &PathBuf::from(env.trim()), other.as_deref(), None)?;
        if let Some(d) = &product {
            f.save_scan(d, &report)?;
        }
        Ok(report)
    })
    .await
}
