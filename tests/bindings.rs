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
