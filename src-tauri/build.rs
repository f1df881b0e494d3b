//! tauri-build, pointed at src-tauri/capabilities (the config lives at the root, see
//! PLATFORM-NOTES), with an app manifest so each command needs an explicit permission.

fn main() {
    let commands = &[
        "run_audit",
        "run_demo",
        "cancel_audit",
        "list_history",
        "get_run",
        "decide_name",
        "app_info",
        "monitor_overview",
        "morning",
        "monitor_samples",
        "list_incidents",
        "add_default_monitors",
        "save_monitor",
        "delete_monitor",
        "set_monitor_enabled",
        "watch_status",
        "mute_alerts",
        "pause_watching",
        "watch_prefs",
        "set_reminders",
        "list_channels",
        "add_channel",
        "remove_channel",
        "test_channel",
        "autostart_enabled",
        "set_autostart",
        "get_checklist",
        "tick_item",
        "what_changed",
        "handover_page",
        "export_handover",
        "scan_secrets",
        "check_env",
        "pick_path",
        "latency_cards",
        "measure_latency",
        "mobile_view",
        "explain_load",
        "run_load",
        "stop_load",
        "get_settings",
        "check_settings",
        "save_settings",
        "import_settings",
        "export_settings",
        "list_keys",
        "set_key",
        "remove_key",
        "list_flows",
        "run_flows",
        "list_webhooks",
        "replay_webhook",
        "path_history",
        "set_paths_after_deploy",
    ];
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
