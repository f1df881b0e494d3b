//! The launch checklist, its ticks, "what changed" and the handover export. Everything here reads
//! the history and the bundled content, never the network, so the view works offline.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use preflight_checklist::handover::{html, Format};
use preflight_checklist::{Checklist, Diff};
use preflight_core::Domain;
use preflight_flow::Flow;
use serde::Serialize;
use specta::Type;
use std::path::PathBuf;
use tauri::State;

/// The product's checklist: stages, items with their evidence and ticks, scores, risks.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn get_checklist(state: State<'_, AppState>, domain: String) -> AppResult<Checklist> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.checklist(&domain)).await
}

/// Ticks (or un-ticks) an item with a note; returns the checklist as it now stands. The note is
/// not logged: it is the founder's text.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, note), err)]
pub async fn tick_item(state: State<'_, AppState>, domain: String, item: String, done: bool, note: String) -> AppResult<Checklist> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.tick(&domain, &item, done, &note)).await
}

/// What changed between the product's last two audits; none when it has fewer than two.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn what_changed(state: State<'_, AppState>, domain: String) -> AppResult<Option<Diff>> {
    let domain = Domain::parse(&domain)?;
    let runs = blocking(state.flow.clone(), {
        let domain = domain.clone();
        move |f| f.history(Some(domain.as_str()), 2)
    })
    .await?;
    if runs.len() < 2 {
        return Ok(None);
    }
    blocking(state.flow.clone(), move |f| f.diff(Some(&domain), None, None)).await.map(Some)
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Exported {
    pub path: String,
}

/// The printable HTML page of the handover, for the window to show and print.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn handover_page(state: State<'_, AppState>, domain: String) -> AppResult<String> {
    let domain = Domain::parse(&domain)?;
    let doc = blocking(state.flow.clone(), move |f| f.handover(&domain)).await?;
    Ok(html::render(&doc))
}

/// Writes the handover where the founder chose in the save dialog (`path`), or else to the
/// Downloads folder (or Documents, or home), and says where. The default name carries the domain and
/// the day; a file of that name is replaced whole, never half-written.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn export_handover(state: State<'_, AppState>, domain: String, format: Format, path: Option<String>) -> AppResult<Exported> {
    let domain = Domain::parse(&domain)?;
    let path = match path.map(|p| PathBuf::from(p.trim())).filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p,
        None => export_dir()
            .ok_or_else(|| AppError::new(ErrorCode::Storage, "This computer has no Downloads, Documents or home folder to save into."))?
            .join(Flow::handover_file_name(&domain, format)),
    };
    let shown = path.display().to_string();
    blocking(state.flow.clone(), move |f| f.write_handover(&domain, format, &path)).await?;
    Ok(Exported { path: shown })
}

/// Where exports go: `PREFLIGHT_EXPORT_DIR` (tests), else Downloads, Documents, home.
fn export_dir() -> Option<PathBuf> {
    std::env::var_os("PREFLIGHT_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(dirs::document_dir)
        .or_else(dirs::home_dir)
}
