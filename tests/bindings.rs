//! ui/src/bindings.ts must be exactly what the registered commands and events export.
//! `npm run bindings` (UPDATE_BINDINGS=1) rewrites it; otherwise a stale file fails this test.

use std::path::Path;

#[test]
fn bindings_ts_matches_the_registered_commands_and_events() {
    let fresh = preflight_desktop::bindings::typescript().expect("the bindings export");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).expect("write bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.ts is stale: a command, event or type changed. Run `npm run bindings` and commit the result."
    );
}

/// A command the UI can call but the window is not allowed to is a feature that works in the browser
/// suite (IPC mocked) and fails in the real app: each exported command needs its `allow-*` in the
/// window's capability (and so in build.rs's app manifest, which tauri-build checks against it).
#[test]
fn every_exported_command_is_allowed_for_the_window() {
    let fresh = preflight_desktop::bindings::typescript().expect("the bindings export");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities/main.json");
    let capability: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read main.json")).expect("json");
    let allowed: Vec<&str> = capability["permissions"].as_array().expect("permissions").iter().filter_map(|p| p.as_str()).collect();
    let missing: Vec<String> = fresh
        .split("TAURI_INVOKE(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|cmd| format!("allow-{}", cmd.replace('_', "-")))
        .filter(|p| !allowed.contains(&p.as_str()))
        .collect();
    assert!(missing.is_empty(), "commands the window may not call: {missing:?} (add them to build.rs and capabilities/main.json)");
}
