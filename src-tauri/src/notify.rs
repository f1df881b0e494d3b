//! Desktop notifications, sent from Rust (the npm plugin's version lags the crate's; see
//! PLATFORM-NOTES pitfall 2). One notification per finished audit with problems; a clean audit
//! is shown in the window and the tray, not announced.

use crate::events::AuditFinished;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// The notification's title and body for an audit, or `None` when nothing needs saying.
pub fn audit_message(f: &AuditFinished) -> Option<(String, String)> {
    let n = f.summary.fail;
    if n == 0 {
        return None;
    }
    let title = format!("{}: {n} problem{} found", f.domain, if n == 1 { "" } else { "s" });
    Some((title, "Open Preflight to see what to fix first.".to_owned()))
}

pub fn audit_finished(app: &AppHandle, f: &AuditFinished) {
    let Some((title, body)) = audit_message(f) else { return };
    if let Err(e) = app.notification().builder().title(&title).body(&body).show() {
        tracing::warn!(error = %e, "notification not shown");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::Summary;

    #[test]
    fn only_audits_with_problems_notify() {
        let f =
            |fail| AuditFinished { domain: "acme.com".into(), run_id: Some(1), summary: Summary { fail, warn: 3, ..Summary::default() } };
        assert_eq!(audit_message(&f(0)), None, "warnings alone do not interrupt the founder");
        assert_eq!(audit_message(&f(1)).map(|m| m.0), Some("acme.com: 1 problem found".to_owned()));
    }
}
