//! Events the backend sends to the UI, as typed structs (exported to bindings.ts).
//!
//! Audit progress is batched by the flow: checks starting or finishing in the same ~50 ms window
//! arrive as one event, so a burst of fast checks costs one IPC message and one UI update.

use preflight_core::{Progress, Summary};
use preflight_flow::Finished;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// An audit began (from the window or the tray menu).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AuditStarted {
    pub domain: String,
    /// `desktop`, `tray` or `demo`.
    pub source: String,
}

/// Progress of the running audit.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AuditProgress {
    pub domain: String,
    pub batch: Vec<Progress>,
}

/// An audit finished; carries what the tray, History and a window following along need.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AuditFinished {
    pub domain: String,
    pub source: String,
    /// `None` when the run could not be saved (`save_error` says why).
    pub run_id: Option<i64>,
    pub save_error: Option<String>,
    pub summary: Summary,
    /// True when some checks could not look: the audit is incomplete, not green.
    pub incomplete: bool,
}

impl From<&Finished> for AuditFinished {
    fn from(f: &Finished) -> Self {
        AuditFinished {
            domain: f.domain.clone(),
            source: f.source.as_str().to_owned(),
            run_id: f.run_id,
            save_error: f.save_error.clone(),
            summary: f.summary.clone(),
            incomplete: f.verdict == preflight_core::Verdict::Incomplete,
        }
    }
}

/// A monitor changed state (the dashboard and the tray follow these).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct MonitorChanged {
    pub at: u64,
    pub monitor_id: i64,
    pub monitor: String,
    /// `up`, `pending`, `down` or `paused`.
    pub from: String,
    pub to: String,
    pub cause: Option<String>,
    pub down_for_ms: Option<u64>,
}

/// Something the watcher told the founder (also shown as a desktop notification), or an alert that
/// could not reach an outside channel.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct WatchNotice {
    pub at: u64,
    /// `down`, `up`, `reminder`, `cert_expiring`, `domain_expiring`, `new_failures`, `deploy` or `channel_failed`.
    pub kind: String,
    pub title: String,
    pub body: String,
}

/// A settings file the window shows was changed on disk by something else.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct SettingsChanged {
    pub domain: String,
    /// The file's revision now: a save must be made over this one.
    pub revision: String,
}

/// A newer release is ready: the window offers it, with its notes (nothing is installed unasked).
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct UpdateAvailable {
    pub update: crate::updates::UpdateInfo,
}
