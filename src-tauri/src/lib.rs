//! The desktop shell: the only code that depends on Tauri.
//!
//! `run()` wires plugins, state, the tray and the typed IPC; everything it calls into lives in the
//! Tauri-free crates under `src-tauri/crates/`. Settings come from `PREFLIGHT_*` variables (the
//! same names as the CLI's flags), which is how tests point the real app at loopback servers.

pub mod bindings;
pub mod commands;
pub mod error;
pub mod events;
pub mod host;
pub mod logging;
pub mod notify;
pub mod state;
pub mod tray;

use preflight_core::net::Overrides;
use preflight_flow::Flow;
use state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Manager, WindowEvent};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match env("PREFLIGHT_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => app.path().app_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    if let Some(guard) = logging::init(&data_dir.join("logs")) {
        app.manage(guard);
    }
    let net = Overrides::from_lists(
        env("PREFLIGHT_NAMESERVER").as_deref(),
        env("PREFLIGHT_CA_FILE").as_deref(),
        env("PREFLIGHT_CONNECT_TO").as_deref(),
    )
    .into_config();
    if let Err(e) = &net {
        tracing::error!(error = %e, "network settings refused");
    }
    let host = Arc::new(host::DesktopHost { app: app.handle().clone(), data_dir: data_dir.clone() });
    // The network handle and the history open on first use: the window appears without waiting
    // for the trust store or the database.
    app.manage(AppState { flow: Arc::new(Flow::new(host, net)) });
    tray::install(app.handle())?;
    tracing::info!(data = %data_dir.display(), "Preflight started");
    Ok(())
}

/// Starts the desktop app.
pub fn run() {
    let specta = bindings::builder();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            setup(app)
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Preflight in the tray; Quit is in the tray menu.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == "main" {
                    let _ = window.hide();
                    api.prevent_close();
                }
            }
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("Preflight could not start: {e}");
            std::process::exit(1);
        }
    }
}
