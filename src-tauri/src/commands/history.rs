//! Reading past audits.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use preflight_core::Report;
use preflight_store::{RunSummary, Store};
use std::sync::Arc;
use tauri::State;

fn store(state: &AppState) -> AppResult<Arc<Store>> {
    state.store.clone().map_err(|m| AppError::new(ErrorCode::Storage, m))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> preflight_store::Result<T> + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?.map_err(AppError::from)
}

/// The newest audits, newest first.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_history(state: State<'_, AppState>, limit: u32) -> AppResult<Vec<RunSummary>> {
    let store = store(&state)?;
    blocking(move || store.history(None, limit.clamp(1, 500))).await
}

/// One past audit in full.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn get_run(state: State<'_, AppState>, run_id: i64) -> AppResult<Report> {
    let store = store(&state)?;
    blocking(move || store.report(run_id))
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("There is no saved audit number {run_id}.")))
}
