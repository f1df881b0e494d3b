//! The main window's lifecycle. Closing it destroys the webview (WebKit's web and network
//! processes are most of the app's memory) while the Rust process keeps the tray and the watcher;
//! opening it again builds a new one from the same config, and the UI restores its last view.

use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Shows the main window, creating it if it was closed.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
        return;
    }
    let Some(cfg) = app.config().app.windows.iter().find(|w| w.label == MAIN).cloned() else {
        tracing::error!("the main window is missing from the config");
        return;
    };
    match WebviewWindowBuilder::from_config(app, &cfg).and_then(|b| b.build()) {
        Ok(w) => {
            let _ = w.set_focus();
        }
        Err(e) => tracing::error!(error = %e, "the window could not be opened"),
    }
}
