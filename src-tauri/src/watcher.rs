//! The tray's watcher: started at launch over the stored monitors, restarted when they change, its
//! events turned into desktop notifications, window events and the tray's icon and menu.
//!
//! The rules, the probes and the recording all live in `preflight-watch` (through the flow); this
//! only adapts. Mute and pause are kept here, so they survive a restart of the watcher.

use crate::events::{MonitorChanged, WatchNotice};
use crate::state::{AppState, Running};
use crate::{notify, tray};
use preflight_watch::{references_from, wall_ms, Event, State, SystemClock};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tauri::{AppHandle, Manager};
use tauri_specta::Event as _;

/// (Re)starts the watcher over the enabled stored monitors; stops it when there are none.
pub async fn restart(app: AppHandle) {
    let state = app.state::<AppState>();
    let flow = state.flow.clone();
    let mut running = state.watch.running.lock().await;
    // The old watcher's tasks end here, before the new one probes.
    *running = None;
    let monitors = {
        let flow = flow.clone();
        tokio::task::spawn_blocking(move || flow.stored_monitors(None)).await.ok().and_then(Result::ok).unwrap_or_default()
    };
    if monitors.is_empty() {
        drop(running);
        tray::update(&app, |m| m.monitors.clear());
        return;
    }
    let names: Vec<(String, State)> = monitors.iter().map(|m| (m.spec.name.clone(), State::Up)).collect();
    let references = references_from(std::env::var("PREFLIGHT_WATCH_REFERENCES").ok().as_deref());
    match flow.watch(monitors, references, |_| {}, Arc::new(SystemClock), true).await {
        Ok((watcher, mut events)) => {
            watcher.pause_all(state.watch.paused.load(Ordering::SeqCst));
            let muted = state.watch.muted_until.load(Ordering::SeqCst);
            let now = wall_ms();
            if muted > now {
                watcher.mute_for(muted - now);
            }
            let forward_app = app.clone();
            let forward = tauri::async_runtime::spawn(async move {
                while let Some(e) = events.recv().await {
                    forward_event(&forward_app, e).await;
                }
            });
            *running = Some(Running { watcher, forward });
            drop(running);
            tray::update(&app, |m| m.monitors = names);
            tracing::info!("the watcher started");
        }
        Err(e) => tracing::error!(error = %e, "the watcher could not start"),
    }
}

async fn forward_event(app: &AppHandle, e: Event) {
    match e {
        Event::Changed { at, monitor_id, monitor, from, to, cause, down_for_ms } => {
            let event =
                MonitorChanged { at, monitor_id, monitor, from: from.as_str().to_owned(), to: to.as_str().to_owned(), cause, down_for_ms };
            let _ = event.emit(app);
            refresh_tray(app).await;
        }
        Event::Notice(n) => {
            notify::show(app, &preflight_flow::Notice { title: n.title.clone(), body: n.body.clone() });
            let kind = serde_json::to_value(n.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let _ = (WatchNotice { at: n.at, kind, title: n.title, body: n.body }).emit(app);
        }
        Event::ChannelFailed { at, channel, error } => {
            let title = format!("An alert did not reach \"{channel}\"");
            let _ = (WatchNotice { at, kind: "channel_failed".into(), title, body: error }).emit(app);
        }
        Event::Deploy { at, domain, version } => {
            let _ = (WatchNotice { at, kind: "deploy".into(), title: format!("New deploy of {domain}"), body: version }).emit(app);
        }
        // The server watcher already alerted the founder's channels: shown in the window, not
        // notified a second time.
        Event::Agreed { at, title, server_at, .. } => {
            let body = format!(
                "Your server watcher saw it too and alerted your channels ({} ago); this computer stays quiet.",
                ago(at, server_at)
            );
            let _ = (WatchNotice { at, kind: "agreed".into(), title, body }).emit(app);
        }
        Event::Network { .. } => refresh_tray(app).await,
        Event::Sample { .. } => {}
    }
}

/// How long before `at` the server spoke, in words.
fn ago(at: u64, server_at: u64) -> String {
    let secs = at.saturating_sub(server_at) / 1000;
    if secs < 90 {
        format!("{secs} s")
    } else {
        format!("{} min", secs / 60)
    }
}

/// Re-reads the watcher's states into the tray.
pub async fn refresh_tray(app: &AppHandle) {
    let state = app.state::<AppState>();
    let snapshot = {
        let running = state.watch.running.lock().await;
        running.as_ref().map(|r| r.watcher.states())
    };
    let paused = state.watch.paused.load(Ordering::SeqCst);
    let muted = state.watch.muted_until.load(Ordering::SeqCst) > wall_ms();
    tray::update(app, |m| {
        if let Some(states) = snapshot {
            m.monitors = states.into_iter().map(|(_, name, s)| (name, s)).collect();
        }
        m.paused = paused;
        m.muted = muted;
    });
}

/// Loads mute and pause as they were saved (the founder's choice outlives a restart of the app).
pub fn load_choices(app: &AppHandle) {
    let state = app.state::<AppState>();
    let prefs = state.flow.watch_prefs();
    state.watch.paused.store(prefs.paused, Ordering::SeqCst);
    state.watch.muted_until.store(prefs.muted_until_ms.unwrap_or(0), Ordering::SeqCst);
}

/// Saves mute and pause, off the UI thread; a failure is logged (the choice still holds until quit).
fn save_choices(app: &AppHandle) {
    let state = app.state::<AppState>();
    let (paused, muted) = (state.watch.paused.load(Ordering::SeqCst), state.watch.muted_until.load(Ordering::SeqCst));
    let flow = state.flow.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let saved = flow.update_watch_prefs(|p| {
            p.paused = paused;
            p.muted_until_ms = (muted > 0).then_some(muted);
        });
        if let Err(e) = saved {
            tracing::warn!(error = %e, "mute and pause were not saved");
        }
    });
}

/// Mutes notifications for `ms` (0 unmutes), from the tray or the window.
pub fn mute(app: &AppHandle, ms: u64) {
    let until = if ms == 0 { 0 } else { wall_ms() + ms };
    app.state::<AppState>().watch.muted_until.store(until, Ordering::SeqCst);
    save_choices(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(r) = app.state::<AppState>().watch.running.lock().await.as_ref() {
            r.watcher.mute_for(ms);
        }
        refresh_tray(&app).await;
    });
}

/// Pauses (or resumes) every monitor, from the tray or the window.
pub fn pause(app: &AppHandle, paused: bool) {
    app.state::<AppState>().watch.paused.store(paused, Ordering::SeqCst);
    save_choices(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(r) = app.state::<AppState>().watch.running.lock().await.as_ref() {
            r.watcher.pause_all(paused);
        }
        refresh_tray(&app).await;
    });
}
