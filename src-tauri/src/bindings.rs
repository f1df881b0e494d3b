//! The one tauri-specta builder: `run()` mounts it and the drift test exports it, so the
//! TypeScript in ui/src/bindings.ts always describes exactly the commands and events registered.

use crate::commands::{audit, history, names, settings};
use crate::events::{AuditFinished, AuditProgress, AuditStarted};
use specta_typescript::{BigIntExportBehavior, Typescript};
use tauri_specta::{collect_commands, collect_events, Builder};

/// Every command and event of the app.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            audit::run_audit,
            audit::run_demo,
            audit::cancel_audit,
            history::list_history,
            history::get_run,
            names::decide_name,
            settings::app_info,
        ])
        .events(collect_events![AuditStarted, AuditProgress, AuditFinished])
}

/// The TypeScript bindings as text.
pub fn typescript() -> Result<String, String> {
    // Ids, counts and milliseconds stay far below 2^53, so plain numbers are exact.
    let ts = Typescript::default()
        .bigint(BigIntExportBehavior::Number)
        .header("// Generated from src-tauri/src/bindings.rs by `npm run bindings`. Do not edit.\n/* eslint-disable */");
    builder().export_str(ts).map_err(|e| e.to_string())
}
