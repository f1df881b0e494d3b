//! What the shell keeps between commands: the shared audit flow and the running watcher.

use preflight_flow::Flow;
use preflight_watch::Watcher;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};

/// Shared state, managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    /// The one audit flow of this process (the window's commands and the tray both use it).
    pub flow: Arc<Flow>,
    pub watch: WatchState,
    /// What the tray shows, kept so any change re-renders the whole menu consistently.
    pub tray: Mutex<crate::tray::TrayModel>,
    /// The settings files the window shows, watched for edits made elsewhere.
    pub settings_watch: crate::settings_watch::SettingsWatch,
    /// Stops the running load test, when one runs (one at a time).
    pub load: Mutex<Option<tokio_util::sync::CancellationToken>>,
}

/// The tray's watcher and the founder's choices that outlive a restart of it.
#[derive(Debug, Default)]
pub struct WatchState {
    pub running: tokio::sync::Mutex<Option<Running>>,
    /// Watching paused from the tray or the window.
    pub paused: AtomicBool,
    /// Notifications muted until then (ms since the epoch; 0 = not muted).
    pub muted_until: AtomicU64,
}

/// A started watcher and the task forwarding its events to the window, tray and notifications.
#[derive(Debug)]
pub struct Running {
    pub watcher: Watcher,
    pub forward: tauri::async_runtime::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.forward.abort();
    }
}
