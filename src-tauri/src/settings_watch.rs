//! Tells the window when a settings file it shows changes on disk (an editor, `git pull`, an import
//! from the CLI), so the form is re-read instead of saved over someone's edit. It polls, once a
//! second, only the files the window has asked for, rather than using inotify or FSEvents: editors
//! that save by rename, synced folders and network drives all show up the same way, and reading a
//! few small files a second costs nothing. The save itself is guarded by the revision too, so a
//! change between two polls is still never overwritten.

use crate::events::SettingsChanged;
use crate::state::AppState;
use preflight_core::Domain;
use preflight_flow::settings::SettingsView;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

/// The files shown (domain → the revision the window holds) and the polling task.
#[derive(Debug, Default)]
pub struct SettingsWatch {
    seen: Mutex<HashMap<String, String>>,
    task: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl Drop for SettingsWatch {
    fn drop(&mut self) {
        if let Some(task) = self.task.get_mut().ok().and_then(Option::take) {
            task.abort();
        }
    }
}

/// Records that the window now shows `view` (so only changes after it are announced).
pub fn showing(state: &AppState, view: &SettingsView) {
    if let Ok(mut seen) = state.settings_watch.seen.lock() {
        seen.insert(view.form.domain.clone(), view.revision.clone());
    }
}

/// Starts the polling task; it lives as long as the app.
pub fn start(app: &AppHandle) {
    let handle = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            poll(&handle).await;
        }
    });
    let state = app.state::<AppState>();
    if let Ok(mut slot) = state.settings_watch.task.lock() {
        *slot = Some(task);
    };
}

async fn poll(app: &AppHandle) {
    let state = app.state::<AppState>();
    let shown: Vec<(String, String)> = match state.settings_watch.seen.lock() {
        Ok(seen) => seen.iter().map(|(d, r)| (d.clone(), r.clone())).collect(),
        Err(_) => return,
    };
    for (domain, revision) in shown {
        let Ok(parsed) = Domain::parse(&domain) else { continue };
        let flow = state.flow.clone();
        let now = tokio::task::spawn_blocking(move || flow.settings_revision(&parsed)).await;
        let Ok(Ok(now)) = now else { continue };
        if now == revision {
            continue;
        }
        if let Ok(mut seen) = state.settings_watch.seen.lock() {
            seen.insert(domain.clone(), now.clone());
        }
        tracing::info!(%domain, "the settings file changed on disk");
        if let Err(e) = (SettingsChanged { domain, revision: now }).emit(app) {
            tracing::debug!(error = %e, "settings change not delivered");
        }
    }
}
