//! Where no keychain exists, every call fails with a clear "not available" error and nothing
//! falls back to storing the secret elsewhere. Its own test binary, because it changes the
//! process environment.

use preflight_vault::{load, store, SecretRef, Sensitive, VaultError};

#[test]
fn without_a_keychain_the_error_says_so_and_nothing_is_stored() {
    // A session bus address that leads nowhere: the Secret Service cannot be reached.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/preflight-test-bus");
    let r = SecretRef::new("nokeychain.test", "token");
    let err = store(&r, &Sensitive::new("value-that-must-go-nowhere".to_owned())).expect_err("no keychain, no store");
    if cfg!(target_os = "linux") {
        assert!(matches!(err, VaultError::Unavailable { .. }), "got {err:?}");
        assert!(err.to_string().contains("keychain is not available"), "the message names the problem: {err}");
        assert!(!err.to_string().contains("value-that-must-go-nowhere"), "the error never carries the secret");
        assert!(matches!(load(&r), Err(VaultError::Unavailable { .. })));
    }
}
