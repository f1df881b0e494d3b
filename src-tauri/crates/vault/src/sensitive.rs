//! `Sensitive<T>`: a value that cannot leak by accident.
//!
//! Debug and Display print a fixed mask, there is no `Serialize`, and the only way to the value is
//! [`Sensitive::expose`], which is easy to grep for in review. That turns "never log a token" from a
//! habit into something the compiler enforces: a struct holding one cannot derive `Serialize`, so it
//! cannot reach SQLite, IPC or a report.

use std::fmt;

/// A secret value; see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself. Call it only where the value goes into the one request that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(********)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
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
}
