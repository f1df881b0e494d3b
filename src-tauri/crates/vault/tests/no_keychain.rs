//! Where no keychain exists, every call fails with a clear "not available" error and nothing
//! falls back to storing the secret elsewhere. Its own test binary, because it replaces the
//! process-wide keychain backend (and, on Linux, the session bus address).

use keyring::credential::{Credential, CredentialBuilderApi};
use preflight_vault::{delete, load, store, SecretRef, Sensitive, VaultError};
use std::any::Any;

/// A keychain backend that is never reachable: what a machine without one looks like to keyring,
/// on every platform (a locked or missing Keychain, Credential Manager or Secret Service).
#[derive(Debug)]
struct NoKeychain;

impl CredentialBuilderApi for NoKeychain {
    fn build(&self, _target: Option<&str>, _service: &str, _user: &str) -> keyring::Result<Box<Credential>> {
        Err(keyring::Error::NoStorageAccess(Box::new(std::io::Error::other("no keychain on this machine"))))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn assert_unavailable(err: &VaultError, secret: &str) {
    assert!(matches!(err, VaultError::Unavailable { .. }), "got {err:?}");
    assert!(err.to_string().contains("keychain is not available"), "the message names the problem: {err}");
    assert!(!err.to_string().contains(secret), "the error never carries the secret");
}

#[test]
fn without_a_keychain_the_error_says_so_and_nothing_is_stored() {
    let secret = "value-that-must-go-nowhere";
    if cfg!(target_os = "linux") {
        // The real Secret Service path first: a session bus address that leads nowhere.
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/preflight-test-bus");
        let r = SecretRef::new("nokeychain.test", "token");
        let err = store(&r, &Sensitive::new(secret.to_owned())).expect_err("no keychain, no store");
        assert_unavailable(&err, secret);
        assert!(matches!(load(&r), Err(VaultError::Unavailable { .. })), "a missing keychain is not a missing secret");
    }
    // Then on every platform: a backend that cannot be reached at all.
    keyring::set_default_credential_builder(Box::new(NoKeychain));
    let r = SecretRef::new("nokeychain.test", "token");
    let err = store(&r, &Sensitive::new(secret.to_owned())).expect_err("no keychain, no store");
    assert_unavailable(&err, secret);
    let err = load(&r).expect_err("no keychain: reading must fail, not answer None");
    assert_unavailable(&err, secret);
    assert!(matches!(delete(&r), Err(VaultError::Unavailable { .. })));
}
