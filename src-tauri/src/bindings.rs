//! The one tauri-specta builder: `run()` mounts it and the drift test exports it, so the
//! TypeScript in ui/src/bindings.ts always describes exactly the commands and events registered.

use crate::commands::{
    audit, channels, chatbot, checklist, history, latency, monitors, names, paths, product, providers, secrets, settings, startup,
};
use crate::events::{AuditFinished, AuditProgress, AuditStarted, MonitorChanged, SettingsChanged, UpdateAvailable, WatchNotice};
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
            monitors::monitor_overview,
            monitors::morning,
            monitors::monitor_samples,
            monitors::list_incidents,
            monitors::add_default_monitors,
            monitors::save_monitor,
            monitors::delete_monitor,
            monitors::set_monitor_enabled,
            monitors::watch_status,
            monitors::mute_alerts,
            monitors::pause_watching,
            monitors::watch_prefs,
            monitors::set_reminders,
            monitors::set_server_channel,
            crate::updates::check_update,
            crate::updates::install_update,
            channels::list_channels,
            channels::add_channel,
            channels::remove_channel,
            channels::test_channel,
            startup::autostart_enabled,
            startup::set_autostart,
            checklist::get_checklist,
            checklist::tick_item,
            checklist::what_changed,
            checklist::handover_page,
            checklist::export_handover,
            secrets::scan_secrets,
            secrets::pick_path,
            secrets::check_env,
            latency::latency_cards,
            latency::measure_latency,
            latency::mobile_view,
            latency::explain_load,
            latency::run_load,
            latency::stop_load,
            product::get_settings,
            product::check_settings,
            product::save_settings,
            product::import_settings,
            product::export_settings,
            product::list_keys,
            product::set_key,
            product::remove_key,
            providers::list_providers,
            providers::connect_provider,
            providers::disconnect_provider,
            paths::list_flows,
            paths::run_flows,
            paths::list_webhooks,
            paths::replay_webhook,
            paths::path_history,
            paths::set_paths_after_deploy,
            chatbot::chatbot_state,
            chatbot::red_team_plan,
            chatbot::run_red_team,
            chatbot::run_evals,
            chatbot::new_canary,
        ])
        .events(collect_events![AuditStarted, AuditProgress, AuditFinished, MonitorChanged, WatchNotice, SettingsChanged, UpdateAvailable])
}

/// The TypeScript bindings as text.
pub fn typescript() -> Result<String, String> {
    // Ids, counts and milliseconds stay far below 2^53, so plain numbers are exact.
    let ts = Typescript::default()
        .bigint(BigIntExportBehavior::Number)
        .header("// Generated from src-tauri/src/bindings.rs by `npm run bindings`. Do not edit.\n/* eslint-disable */");
    builder().export_str(ts).map_err(|e| e.to_string())
}
