//! Desktop notifications, sent from Rust (the npm plugin's version lags the crate's; see
//! PLATFORM-NOTES pitfall 2). What deserves one is decided by the flow (`Notice::for_report`);
//! this only shows it.

use preflight_flow::Notice;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

pub fn show(app: &AppHandle, notice: &Notice) {
    if let Err(e) = app.notification().builder().title(&notice.title).body(&notice.body).show() {
        tracing::warn!(error = %e, "notification not shown");
    }
}
