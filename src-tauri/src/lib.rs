//! The desktop shell: the only code that depends on Tauri.
//!
//! `run()` wires plugins, state, the tray and the typed IPC; everything it calls into lives in the
//! Tauri-free crates under `src-tauri/crates/`. Settings come from `PREFLIGHT_*` variables (the
//! same names as the CLI's flags), which is how tests point the real app at loopback servers.

pub mod bindings;
pub mod commands;
pub mod error;
pub mod events;
pub mod handover;
pub mod host;
pub mod logging;
pub mod notify;
pub mod settings_watch;
pub mod state;
pub mod tray;
pub mod updates;
pub mod watcher;
pub mod window;

use preflight_core::net::Overrides;
use preflight_flow::Flow;
use state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{Manager, RunEvent};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match env("PREFLIGHT_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => app.path().app_data_dir()?,
    };
    // Private to the user (0700 on Unix), narrowed if an older version left it wider; and every
    // file created from now on (logs, exports) is the user's alone.
    preflight_store::files::private_by_default();
    preflight_store::files::private_dir(&data_dir)?;
    if let Some(guard) = logging::init(&data_dir.join("logs")) {
        app.manage(guard);
    }
    let net = Overrides::from_env().into_config();
    if let Err(e) = &net {
        tracing::error!(error = %e, "network settings refused");
    }
    let host = Arc::new(host::DesktopHost { app: app.handle().clone(), data_dir: data_dir.clone() });
    // The network handle and the history open on first use: the window appears without waiting
    // for the trust store or the database.
    app.manage(AppState {
        flow: Arc::new(Flow::new(host, net)),
        watch: Default::default(),
        tray: Default::default(),
        settings_watch: Default::default(),
        load: Default::default(),
    });
    // `--update`: the terminal's way to the same update, without a window or a watcher.
    if std::env::args().any(|a| a == UPDATE_ARG) {
        let handle = app.handle().clone();
        tauri::async_runtime::spawn(async move {
            let code = updates::from_terminal(&handle).await;
            handle.exit(code);
        });
        return Ok(());
    }
    settings_watch::start(app.handle());
    // One watcher at a time: a tray-only process still running hands back before ours starts,
    // and if it cannot be stopped ours does not start at all (two watchers would double every
    // probe and every notification).
    let tray_left = handover::stop_tray(&data_dir);
    let hidden = std::env::args().any(|a| a == HIDDEN_ARG);
    // Started at login: straight to the light tray-only process when it is installed.
    if hidden && handover::start_tray(updates::manifest_url(app.handle())) {
        app.handle().exit(0);
        return Ok(());
    }
    tray::install(app.handle())?;
    if !hidden {
        window::show(app.handle());
    }
    watcher::load_choices(app.handle());
    if let handover::TrayStop::StillRunning(pid) = tray_left {
        tracing::error!(pid, "the tray-only process could not be stopped; this window does not start a second watcher");
        notify::show(
            app.handle(),
            &preflight_flow::Notice {
                title: "Preflight is still watching from the tray".into(),
                body: format!("The tray's process ({pid}) did not stop, so this window leaves the watching to it. Quit it from the tray, then open Preflight again."),
            },
        );
    } else {
        tauri::async_runtime::spawn(watcher::restart(app.handle().clone()));
    }
    updates::start_checks(app.handle());
    tracing::info!(data = %data_dir.display(), "Preflight started");
    Ok(())
}

/// The last window closed: when something is watched and `preflight-tray` is installed, stop our
/// watcher, write what it holds, start the tray-only process and let this one exit.
fn hand_over(app: &tauri::AppHandle) -> bool {
    let state = app.state::<AppState>();
    let Ok(mut running) = state.watch.running.try_lock() else { return false };
    if running.is_none() || handover::tray_binary().is_none() {
        return false;
    }
    *running = None;
    if let Ok(store) = state.flow.store() {
        let _ = store.flush();
    }
    if handover::start_tray(updates::manifest_url(app)) {
        return true;
    }
    drop(running);
    tauri::async_runtime::spawn(watcher::restart(app.clone()));
    false
}

/// The argument start-at-login passes: open in the tray only.
const HIDDEN_ARG: &str = "--hidden";
/// Check for a newer release from a terminal, ask, install (see `updates`).
const UPDATE_ARG: &str = "--update";

/// Starts the desktop app.
pub fn run() {
    let specta = bindings::builder();
    let app = tauri::Builder::default()
        // First: a second launch only brings this one forward (one watcher, one writer).
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            window::show(app);
            // `--update` while the app is open: the open window makes the offer.
            if args.iter().any(|a| a == UPDATE_ARG) {
                updates::offer_now(app);
            }
        }))
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, Some(vec![HIDDEN_ARG])))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            setup(app)
        })
        .build(tauri::generate_context!());
    match app {
        // Closing the window destroys it (and its web processes); the app stays in the tray with
        // the watcher. Only Quit (an explicit exit code) ends it.
        Ok(app) => app.run(|app, event| {
            if let RunEvent::ExitRequested { code: None, api, .. } = event {
                if !hand_over(app) {
                    api.prevent_exit();
                }
            }
        }),
        Err(e) => {
            eprintln!("Preflight could not start: {e}");
            std::process::exit(1);
        }
    }
}
