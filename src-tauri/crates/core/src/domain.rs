//! Turning what a founder types into a domain name the checks can use.
//!
//! People paste URLs, add spaces, type international names and trailing dots. Each of those gets
//! either a clean ASCII name or an error whose message says what to type instead: the CLI prints it
//! verbatim and the desktop app shows it under the input box, so messages are full sentences.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid, lower-case, ASCII (punycode) domain name with at least two labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

/// Why a string is not a usable domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// Nothing was typed.
    #[error("Type your product's domain, for example acme.com.")]
    Empty,
    /// A web address was pasted; we suggest the host inside it.
    #[error("That looks like a web address. Type just the domain: {suggestion}")]
    LooksLikeUrl { suggestion: String },
    /// Spaces inside the name.
    #[error("A domain cannot contain spaces: \"{input}\". Type it without spaces, for example acme.com.")]
    ContainsSpace { input: String },
    /// A single label such as `localhost` or `acme`.
    #[error("\"{input}\" is missing its ending. Type the full domain, for example {input}.com.")]
    NoDot { input: String },
    /// Characters a domain may not hold, or an international name that does not convert.
    #[error("\"{input}\" is not a valid domain name ({reason}).")]
    Invalid { input: String, reason: String },
}

impl Domain {
    /// Parses user input. International names become punycode (`bücher.example` → `xn--bcher-kva.example`).
    pub fn parse(input: &str) -> Result<Domain, DomainError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        if let Some(suggestion) = host_of_url(trimmed) {
            return Err(DomainError::LooksLikeUrl { suggestion });
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(DomainError::ContainsSpace { input: trimmed.to_owned() });
        }
        let bare = trimmed.strip_suffix('.').unwrap_or(trimmed);
        let invalid = |reason: &str| DomainError::Invalid { input: trimmed.to_owned(), reason: reason.to_owned() };
        if bare.contains('/') || bare.contains(':') || bare.contains('@') {
            return Err(invalid("only letters, digits, hyphens and dots are allowed"));
        }
        let ascii = idna::domain_to_ascii_strict(bare).map_err(|_| invalid("it has characters a domain cannot use"))?;
        if ascii.parse::<std::net::IpAddr>().is_ok() {
            return Err(invalid("that is an IP address; Preflight needs the domain name people type"));
        }
        if ascii.len() > 253 {
            return Err(invalid("it is longer than the 253 characters a domain may have"));
        }
        if !ascii.contains('.') {
            return Err(DomainError::NoDot { input: trimmed.to_owned() });
        }
        for label in ascii.split('.') {
            if label.is_empty() {
                return Err(invalid("it has two dots in a row"));
            }
            if label.len() > 63 {
                return Err(invalid("one part is longer than 63 characters"));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(invalid("a part starts or ends with a hyphen"));
            }
            if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(invalid("only letters, digits, hyphens and dots are allowed"));
            }
        }
        Ok(Domain(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `label.domain`, for the configured names (`www`, `api`…); an empty label is the root.
    pub fn with_label(&self, label: &str) -> String {
        if label.is_empty() || label == "@" {
            self.0.clone()
        } else {
            format!("{label}.{}", self.0)
        }
    }
}

/// If `s` looks like a URL (has a scheme or a path), the host inside it.
fn host_of_url(s: &str) -> Option<String> {
    let has_scheme = s.contains("://");
    let looks_pathy = !has_scheme && s.split_once('/').is_some_and(|(h, _)| h.contains('.'));
    if !has_scheme && !looks_pathy {
        return None;
    }
    let with_scheme = if has_scheme { s.to_owned() } else { format!("https://{s}") };
    let host = url::Url::parse(&with_scheme).ok()?.host_str()?.to_owned();
    Some(host.strip_prefix("www.").map(str::to_owned).unwrap_or(host))
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Domain {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Domain::parse(&s)
    }
}

impl From<Domain> for String {
    fn from(d: Domain) -> String {
        d.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names_and_normalizes_them() {
        assert_eq!(Domain::parse(" Acme.Test. ").map(String::from), Ok("acme.test".to_owned()));
    }

    #[test]
    fn pasted_urls_get_the_host_as_a_suggestion() {
        let err = Domain::parse("https://www.acme.test/pricing?x=1").expect_err("a URL is not a domain");
        assert_eq!(err, DomainError::LooksLikeUrl { suggestion: "acme.test".into() });
        assert!(matches!(Domain::parse("acme.test/login"), Err(DomainError::LooksLikeUrl { .. })));
    }

    #[test]
    fn international_names_become_punycode() {
        assert_eq!(Domain::parse("bücher.example").map(String::from), Ok("xn--bcher-kva.example".to_owned()));
    }

    #[test]
    fn rejects_what_cannot_be_a_domain_with_a_reason() {
        assert!(matches!(Domain::parse("acme .test"), Err(DomainError::ContainsSpace { .. })));
        assert!(matches!(Domain::parse("localhost"), Err(DomainError::NoDot { .. })));
        assert!(matches!(Domain::parse("a..test"), Err(DomainError::Invalid { .. })));
        assert!(matches!(Domain::parse("-a.test"), Err(DomainError::Invalid { .. })));
        assert!(matches!(Domain::parse("127.0.0.1"), Err(DomainError::Invalid { .. })));
        assert!(matches!(Domain::parse("a_b.test"), Err(DomainError::Invalid { .. })));
        assert_eq!(Domain::parse("   "), Err(DomainError::Empty));
        let long = format!("{}.test", "a".repeat(64));
        assert!(matches!(Domain::parse(&long), Err(DomainError::Invalid { .. })));
    }
}
