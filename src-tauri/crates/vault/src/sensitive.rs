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
    /// What the UI may show: the last four characters at most, and only of a long enough value.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n < 12 {
            return "••••••••".to_owned();
        }
        let tail: String = self.0.chars().skip(n - 4).collect();
        format!("••••••••{tail}")
    }

    /// A short, stable digest to tell whether two secrets are the same ("did the token change?")
    /// without holding or showing either: the first 12 hex digits of its SHA-256.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }
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
        assert_eq!(Sensitive::new("cf-token-1234567890".to_owned()).masked(), "••••••••7890");
        assert_eq!(Sensitive::new("short".to_owned()).masked(), "••••••••", "short values show nothing");
    }

    #[test]
    fn fingerprints_tell_secrets_apart_without_showing_them() {
        let a = Sensitive::new("sk-live-aaaaaaaaaaaa".to_owned());
        let same = Sensitive::new("sk-live-aaaaaaaaaaaa".to_owned());
        let other = Sensitive::new("sk-live-bbbbbbbbbbbb".to_owned());
        assert_eq!(a.fingerprint(), same.fingerprint(), "the same secret has the same fingerprint");
        assert_ne!(a.fingerprint(), other.fingerprint(), "a rotated secret has another one");
        assert_eq!(a.fingerprint().len(), 12);
        assert!(!a.fingerprint().contains("sk-live"), "a fingerprint is not the value");
    }

    #[test]
    fn dropping_overwrites_the_memory() {
        // Zeroize on the inner value is what Drop calls; check its effect on a value we still own.
        let mut value = Sensitive::new(vec![0x41u8; 32]);
        value.0.zeroize();
        assert!(value.expose().is_empty(), "zeroize clears the buffer before it is freed");
    }
}
