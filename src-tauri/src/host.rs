//! The desktop as a host of the audit flow: events for the window, the tray's icon and menu, and
//! desktop notifications. Whoever started the audit (the window or the tray menu), the window sees
//! the same events, so it can follow a tray-started audit live.

use crate::events::{AuditFinished, AuditProgress, AuditStarted};
use crate::{notify, tray};
use preflight_core::Progress;
use preflight_flow::{Finished, Host, Notice, Source};
use std::path::PathBuf;
use tauri::AppHandle;
use tauri_specta::Event;

/// The flow's host in the desktop app.
#[derive(Debug)]
pub struct DesktopHost {
    pub app: AppHandle,
    pub data_dir: PathBuf,
}

impl Host for DesktopHost {
    fn data_dir(&self) -> Option<PathBuf> {
        Some(self.data_dir.clone())
    }

    fn started(&self, domain: &str, source: Source) {
        tray::set_auditing(&self.app, true, Some(domain));
        if let Err(e) = (AuditStarted { domain: domain.to_owned(), source: source.as_str().to_owned() }).emit(&self.app) {
            tracing::debug!(error = %e, "start not delivered");
        }
    }

    fn progress(&self, domain: &str, batch: Vec<Progress>) {
        if let Err(e) = (AuditProgress { domain: domain.to_owned(), batch }).emit(&self.app) {
            tracing::debug!(error = %e, "progress not delivered");
        }
    }

    fn finished(&self, done: &Finished) {
        let event = AuditFinished::from(done);
        if let Err(e) = event.clone().emit(&self.app) {
            tracing::warn!(error = %e, "could not announce the finished audit");
        }
        tray::show_result(&self.app, &event);
        tray::set_auditing(&self.app, false, Some(&done.domain));
    }

    fn notify(&self, notice: &Notice) {
        notify::show(&self.app, notice);
    }
}
