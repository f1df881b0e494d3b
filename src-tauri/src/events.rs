//! Events the backend sends to the UI, as typed structs (exported to bindings.ts).
//!
//! Audit progress is batched: checks finishing in the same ~50 ms window arrive as one event, so a
//! burst of fast checks costs one IPC message and one UI update instead of dozens.

use preflight_core::{Progress, Summary};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// Progress of the running audit.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AuditProgress {
    pub domain: String,
    pub batch: Vec<Progress>,
}

/// An audit finished (from the window or the tray); carries what the tray and History need.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AuditFinished {
    pub domain: String,
    /// `None` when the run could not be saved (the report was still shown).
    pub run_id: Option<i64>,
    pub summary: Summary,
}

/// Something chosen in the tray menu that the window should act on.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct TrayCommand {
    pub action: TrayAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TrayAction {
    RunAudit,
}
