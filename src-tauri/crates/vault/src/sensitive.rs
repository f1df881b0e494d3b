//! `Sensitive<T>`: a value that cannot leak by accident.
//!
//! Debug and Display print a fixed mask, there is no `Serialize`, and the only way to the value is
//! [`Sensitive::expose`], which is easy to grep for in review. That turns "never log a token" from a
//! habit into something the compiler enforces: a struct holding one cannot derive `Serialize`, so it
//! cannot reach SQLite, IPC or a report. The memory is overwritten when the value is dropped, and
//! there is deliberately no `PartialEq`: `==` on secrets invites timing leaks and accidental
//! comparisons in logs; compare [`Sensitive::fingerprint`]s instead.

use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroize;

/// A secret value; see the module docs.
#[derive(Clone)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself. Call it only where the value goes into the one request that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(********)")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

impl From<String> for Sensitive<String> {
    fn from(s: String) -> Self {
        Sensitive(s)
    }
}

impl Sensitive<String> {
    /// What the UI may show: the last four characters at most, and only of a value of 20
    /// characters or more (four characters of a short password are too much of it).
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n < 20 {
            return "••••••••".to_owned();
        }
        let tail: String = self.0.chars().skip(n - 4).collect();
        format!("••••••••{tail}")
    }

    /// A digest to tell within this run whether two secrets are the same ("did the token
    /// change?") without holding or showing either: see [`keyed_digest`]. Never persist it.
    pub fn fingerprint(&self) -> String {
        keyed_digest(self.0.as_bytes())
    }
}

/// This process's random key (the standard library's per-process hash keys, the clock and the
/// pid, hashed): unpredictable from outside, never stored.
fn process_key() -> &'static [u8; 32] {
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut seed = Sha256::new();
        for i in 0..4u64 {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            seed.update(h.finish().to_le_bytes());
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        seed.update(now.to_le_bytes());
        seed.update(std::process::id().to_le_bytes());
        seed.finalize().into()
    })
}

/// A digest of `value` keyed by this process's own random key: equal values have equal digests
/// within a run, and a digest that escaped (a log, a report) tells nothing, not even to someone
/// with a list of likely passwords. 16 hex digits.
pub fn keyed_digest(value: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(process_key());
    h.update(value);
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Sensitive::new("cf-token-1234567890".to_owned());
        assert!(!format!("{s:?}").contains("cf-token"), "Debug must redact");
        assert!(!format!("{s}").contains("cf-token"), "Display must redact");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Sensitive<String>,
        }
        let h = Holder { token: s.clone() };
        assert!(!format!("{h:?}").contains("cf-token"), "a struct holding it must redact too");
    }

    #[test]
    fn masking_shows_at_most_the_last_four_of_long_values() {
        assert_eq!(Sensitive::new("cf-token-1234567890abcd".to_owned()).masked(), "••••••••abcd");
        assert_eq!(Sensitive::new("short".to_owned()).masked(), "••••••••", "short values show nothing");
        assert_eq!(Sensitive::new("hunter2-hunter2-xyz".to_owned()).masked(), "••••••••", "19 characters: nothing of it");
    }

    #[test]
    fn fingerprints_tell_secrets_apart_without_showing_them() {
        let a = Sensitive::new("sk-live-aaaaaaaaaaaa".to_owned());
        let same = Sensitive::new("sk-live-aaaaaaaaaaaa".to_owned());
        let other = Sensitive::new("sk-live-bbbbbbbbbbbb".to_owned());
        assert_eq!(a.fingerprint(), same.fingerprint(), "the same secret has the same fingerprint");
        assert_ne!(a.fingerprint(), other.fingerprint(), "a rotated secret has another one");
        assert_eq!(a.fingerprint().len(), 16);
        assert!(!a.fingerprint().contains("sk-live"), "a fingerprint is not the value");
        let unkeyed: String = Sha256::digest(b"sk-live-aaaaaaaaaaaa").iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_ne!(a.fingerprint(), unkeyed, "keyed: a table of likely secrets does not find it");
    }

    #[test]
    fn dropping_overwrites_the_memory() {
        // Zeroize on the inner value is what Drop calls; check its effect on a value we still own.
        let mut value = Sensitive::new(vec![0x41u8; 32]);
        value.0.zeroize();
        assert!(value.expose().is_empty(), "zeroize clears the buffer before it is freed");
    }
}
