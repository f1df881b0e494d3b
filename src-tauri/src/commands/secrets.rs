//! Secret scans from the window: a folder (and its history), an env file against its example.
//! Both read files on this computer, off the async threads; a product's domain saves the result to
//! its history so the launch checklist counts it.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::{Domain, Report};
use preflight_flow::secrets::SecretScan;
use std::path::PathBuf;
use tauri::State;

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
