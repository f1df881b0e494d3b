//! Against the real Secret Service. The README's test command runs this under `dbus-run-session`
//! with an unlocked gnome-keyring and sets PREFLIGHT_REQUIRE_KEYCHAIN=1, so there it must pass;
//! a developer's plain `cargo test` without a keyring reports the skip instead of failing.

use preflight_vault::{delete, load, store, SecretRef, Sensitive, VaultError, NAMESPACE};

fn keychain_or_skip(r: &SecretRef) -> bool {
    match load(r) {
        Err(VaultError::Unavailable { reason }) if std::env::var("PREFLIGHT_REQUIRE_KEYCHAIN").is_err() => {
            eprintln!("skipped: no usable keychain here ({reason})");
            false
        }
        _ => true,
    }
}

#[test]
fn a_secret_round_trips_through_the_real_keychain_and_can_be_deleted() {
    let r = SecretRef::new("vault-roundtrip.test", &format!("token-{}", std::process::id()));
    if !keychain_or_skip(&r) {
        return;
    }
    let value = Sensitive::new("cf-secret-value-0123456789".to_owned());
    assert!(load(&r).expect("a missing secret is not an error").is_none(), "nothing is saved yet");
    store(&r, &value).expect("the keychain accepts the secret");
    let back = load(&r).expect("read back").expect("the secret is there");
    assert_eq!(back.fingerprint(), value.fingerprint(), "the keychain must return what was stored");
    store(&r, &Sensitive::new("rotated-value-0000".to_owned())).expect("replace");
    let back = load(&r).expect("read back").expect("the secret is there");
    assert_eq!(back.expose(), "rotated-value-0000", "storing again replaces");
    delete(&r).expect("delete");
    assert!(load(&r).expect("read").is_none(), "a deleted secret is gone, and that is None, not an error");
    delete(&r).expect("deleting twice is fine");
}

#[test]
fn test_builds_never_touch_the_release_apps_entries() {
    let r = SecretRef::new("acme.test", "cloudflare-token");
    assert_eq!(NAMESPACE, "dev.preflight.debug", "tests run as a debug build");
    assert_eq!(r.service(), "dev.preflight.debug.acme.test", "a debug build has its own keychain namespace");
    assert_ne!(r.service(), "dev.preflight.acme.test", "the release app's service name is never used here");
}
