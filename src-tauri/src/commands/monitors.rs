//! The monitors dashboard: the figures, the definitions, and the watcher's controls. Every change
//! to the monitors restarts the tray's watcher so it probes exactly what is stored.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use crate::watcher;
use preflight_core::monitor::MonitorSpec;
use preflight_core::Domain;
use preflight_flow::{MonitorOverview, Morning, SavedMonitor, WatchPrefs};
use preflight_store::{Incident, MonitorRow, Sample};
use serde::Serialize;
use specta::Type;
use std::sync::atomic::Ordering;
use tauri::{AppHandle, State};

/// Every monitor (of one product, or all) with its uptime and p95 over 24 h, 7 and 30 days.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn monitor_overview(state: State<'_, AppState>, domain: Option<String>) -> AppResult<Vec<MonitorOverview>> {
    let domain = domain.map(|d| Domain::parse(&d)).transpose()?;
    blocking(state.flow.clone(), move |f| f.monitor_overview(domain.as_ref())).await
}

/// The three morning numbers of a product.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn morning(state: State<'_, AppState>, domain: String) -> AppResult<Morning> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.morning(&domain)).await
}

/// A monitor's recent samples, for its sparkline.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn monitor_samples(state: State<'_, AppState>, monitor_id: i64, hours: u32) -> AppResult<Vec<Sample>> {
    blocking(state.flow.clone(), move |f| f.recent_samples(monitor_id, hours)).await
}

/// The newest incidents, of one monitor or all.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_incidents(state: State<'_, AppState>, monitor_id: Option<i64>, limit: u32) -> AppResult<Vec<Incident>> {
    blocking(state.flow.clone(), move |f| f.incidents(monitor_id, limit)).await
}

/// Gives a product the default set (home page, API, login, certificate, endpoints, daily audit).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn add_default_monitors(app: AppHandle, state: State<'_, AppState>, domain: String) -> AppResult<Vec<MonitorRow>> {
    let domain = Domain::parse(&domain)?;
    let rows = blocking(state.flow.clone(), move |f| f.add_default_monitors(&domain)).await?;
    watcher::restart(app).await;
    Ok(rows)
}

/// Adds or edits a monitor (by name within the product). The spec stays out of the span: its
/// headers and address are the founder's, and may carry what should never reach a log.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app, spec), fields(monitor = %spec.name), err)]
pub async fn save_monitor(app: AppHandle, state: State<'_, AppState>, domain: String, spec: MonitorSpec) -> AppResult<SavedMonitor> {
    let domain = Domain::parse(&domain)?;
    let saved = blocking(state.flow.clone(), move |f| f.save_monitor(&domain, spec)).await?;
    watcher::restart(app).await;
    Ok(saved)
}

/// Deletes a monitor and its history.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn delete_monitor(app: AppHandle, state: State<'_, AppState>, monitor_id: i64) -> AppResult<bool> {
    let gone = blocking(state.flow.clone(), move |f| f.delete_monitor(monitor_id)).await?;
    watcher::restart(app).await;
    Ok(gone)
}

/// Turns a monitor on or off.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn set_monitor_enabled(app: AppHandle, state: State<'_, AppState>, monitor_id: i64, enabled: bool) -> AppResult<bool> {
    let changed = blocking(state.flow.clone(), move |f| f.set_monitor_enabled(monitor_id, enabled)).await?;
    watcher::restart(app).await;
    Ok(changed)
}

/// One monitor's state now.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MonitorState {
    pub monitor_id: i64,
    pub name: String,
    /// `up`, `pending`, `down` or `paused`.
    pub state: String,
}

/// The watcher as the dashboard's header shows it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct WatchStatus {
    pub running: bool,
    pub paused: bool,
    /// Notifications are muted until then (ms since the epoch); `None` when not muted.
    pub muted_until: Option<u64>,
    pub monitors: Vec<MonitorState>,
}

#[tauri::command]
#[specta::specta]
pub async fn watch_status(state: State<'_, AppState>) -> AppResult<WatchStatus> {
    let running = state.watch.running.lock().await;
    let states = running.as_ref().map(|r| r.watcher.states()).unwrap_or_default();
    let muted = state.watch.muted_until.load(Ordering::SeqCst);
    let now = preflight_watch::wall_ms();
    Ok(WatchStatus {
        running: running.is_some(),
        paused: state.watch.paused.load(Ordering::SeqCst),
        muted_until: (muted > now).then_some(muted),
        monitors: states.into_iter().map(|(id, name, s)| MonitorState { monitor_id: id, name, state: s.as_str().to_owned() }).collect(),
    })
}

/// Mutes notifications for 1, 4 or 8 hours (0 unmutes).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app), err)]
pub async fn mute_alerts(app: AppHandle, hours: u32) -> AppResult<()> {
    if ![0, 1, 4, 8].contains(&hours) {
        return Err(AppError::new(ErrorCode::InvalidSettings, "Mute for 1, 4 or 8 hours."));
    }
    watcher::mute(&app, u64::from(hours) * 3_600_000);
    Ok(())
}

/// Pauses or resumes every monitor.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app), err)]
pub async fn pause_watching(app: AppHandle, paused: bool) -> AppResult<()> {
    watcher::pause(&app, paused);
    Ok(())
}

/// The watcher's preferences (reminders).
#[tauri::command]
#[specta::specta]
pub async fn watch_prefs(state: State<'_, AppState>) -> AppResult<WatchPrefs> {
    blocking(state.flow.clone(), |f| f.read_watch_prefs()).await
}

/// Names the ntfy channel a watcher on a server posts to (or none), and restarts the watcher with it:
/// the app then reads that topic before telling a DOWN or UP the server already told.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn set_server_channel(app: AppHandle, state: State<'_, AppState>, channel_id: Option<i64>) -> AppResult<WatchPrefs> {
    let saved = blocking(state.flow.clone(), move |f| {
        if let Some(id) = channel_id {
            let ntfy = f.channels()?.into_iter().any(|c| c.id == id && c.kind == "ntfy");
            if !ntfy {
                return Err(preflight_flow::FlowError::Invalid(
                    "a server watcher is heard through an ntfy channel: add one, then choose it".into(),
                ));
            }
        }
        f.update_watch_prefs(|p| p.server_channel = channel_id)
    })
    .await?;
    watcher::restart(app).await;
    Ok(saved)
}

/// Turns reminders on (every `remind_minutes`, 30 at least) or off, and restarts the watcher with them.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn set_reminders(app: AppHandle, state: State<'_, AppState>, remind_minutes: Option<u32>) -> AppResult<WatchPrefs> {
    let saved = blocking(state.flow.clone(), move |f| f.update_watch_prefs(|p| p.remind_minutes = remind_minutes)).await?;
    watcher::restart(app).await;
    Ok(saved)
}
