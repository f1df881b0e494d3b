//! A product's settings and keys from the window. The form is checked and written by the engine
//! (`preflight_core::settings` through the flow); a key's value arrives here once, goes straight into
//! the keychain, and only its state (saved, when, its last two characters) goes back.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::settings::{Problem, SettingsForm};
use preflight_core::Domain;
use preflight_flow::settings::{KeysView, SettingsView};
use preflight_vault::Sensitive;
use std::path::PathBuf;
use tauri::State;

/// `domain`'s settings as a form (the defaults when it has none yet).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn get_settings(state: State<'_, AppState>, domain: String) -> AppResult<SettingsView> {
    let domain = Domain::parse(&domain)?;
    let view = blocking(state.flow.clone(), move |f| f.settings(&domain)).await?;
    crate::settings_watch::showing(&state, &view);
    Ok(view)
}

/// What the engine refuses in `form`, field by field, as the founder types.
#[tauri::command]
#[specta::specta]
pub async fn check_settings(state: State<'_, AppState>, form: SettingsForm) -> AppResult<Vec<Problem>> {
    Ok(state.flow.check_settings(&form))
}

/// Saves `form` over the file as it was at `revision`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, form), err)]
pub async fn save_settings(state: State<'_, AppState>, domain: String, form: SettingsForm, revision: String) -> AppResult<SettingsView> {
    let domain = Domain::parse(&domain)?;
    let view = blocking(state.flow.clone(), move |f| f.save_settings(&domain, &form, &revision)).await?;
    crate::settings_watch::showing(&state, &view);
    Ok(view)
}

/// Takes `path` (a repository's `preflight.toml`) as the product's settings.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn import_settings(state: State<'_, AppState>, domain: String, path: String, revision: String) -> AppResult<SettingsView> {
    let domain = Domain::parse(&domain)?;
    let view = blocking(state.flow.clone(), move |f| f.import_settings(&domain, &PathBuf::from(path.trim()), &revision)).await?;
    crate::settings_watch::showing(&state, &view);
    Ok(view)
}

/// Writes the product's settings to `path`; returns where.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn export_settings(state: State<'_, AppState>, domain: String, path: String) -> AppResult<String> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.export_settings(&domain, &PathBuf::from(path.trim()))).await
}

/// The product's keys: names, whether saved, when, and at most the last two characters.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_keys(state: State<'_, AppState>, domain: String) -> AppResult<KeysView> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| Ok(f.key_view(&domain))).await
}

/// Puts `value` in the keychain as `name` of `domain`. The value is in no log line and no answer.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, value), err)]
pub async fn set_key(state: State<'_, AppState>, domain: String, name: String, value: String) -> AppResult<KeysView> {
    let domain = Domain::parse(&domain)?;
    let value = Sensitive::new(value);
    blocking(state.flow.clone(), move |f| {
        f.set_key(&domain, &name, &value)?;
        Ok(f.key_view(&domain))
    })
    .await
}

/// Removes `name` of `domain` from the keychain.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn remove_key(state: State<'_, AppState>, domain: String, name: String) -> AppResult<KeysView> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| {
        f.remove_key(&domain, &name)?;
        Ok(f.key_view(&domain))
    })
    .await
}
