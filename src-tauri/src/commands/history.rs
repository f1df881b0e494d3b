//! Reading past audits, off the async threads.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use preflight_core::Report;
use preflight_store::RunSummary;
use tauri::State;

/// The newest audits, newest first.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_history(state: State<'_, AppState>, limit: u32) -> AppResult<Vec<RunSummary>> {
    blocking(state.flow.clone(), move |f| f.history(None, limit.clamp(1, 500))).await
}

/// One past audit in full.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn get_run(state: State<'_, AppState>, run_id: i64) -> AppResult<Report> {
    blocking(state.flow.clone(), move |f| f.report(run_id))
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("There is no saved audit number {run_id}.")))
}
