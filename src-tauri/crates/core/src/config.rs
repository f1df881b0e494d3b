//! `preflight.toml`: the product's settings, shared by the CLI (`--config`) and the desktop app.
//!
//! Only what the checks of this version use is read; unknown keys are refused so a typo such as
//! `requried` is reported instead of silently ignored. Later issues add endpoints, email and
//! monitors as new optional tables.

use crate::domain::{Domain, DomainError};
use crate::target::{NameSpec, Target};
use serde::Deserialize;

/// The file's shape.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    /// The root domain (`acme.com`).
    pub domain: String,
    /// Names under the root to check; default `www`, `app`, `api`, `auth`.
    #[serde(default)]
    pub names: Option<Vec<String>>,
    /// Names whose absence is a problem; default `www`. The root is always required.
    #[serde(default)]
    pub required: Option<Vec<String>>,
}

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not valid TOML, or keys we do not know.
    #[error("{file} is not a valid Preflight config: {reason}")]
    Syntax { file: String, reason: String },
    /// The domain inside is not usable.
    #[error("{file}: {source}")]
    Domain { file: String, source: DomainError },
    /// A name is not a single DNS label.
    #[error("{file}: \"{name}\" is not a name under your domain (use labels like www or api)")]
    Name { file: String, name: String },
}

impl ProductConfig {
    pub fn parse(file: &str, text: &str) -> Result<ProductConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Syntax { file: file.to_owned(), reason: e.message().to_owned() })
    }

    /// The audit target this config describes.
    pub fn target(&self, file: &str) -> Result<Target, ConfigError> {
        let domain = Domain::parse(&self.domain).map_err(|source| ConfigError::Domain { file: file.to_owned(), source })?;
        let mut target = Target::new(domain);
        let required: Vec<String> = self.required.clone().unwrap_or_else(|| vec!["www".to_owned()]);
        if let Some(names) = &self.names {
            target.names.truncate(1);
            for name in names {
                let label = name.trim().to_ascii_lowercase();
                let valid = !label.is_empty() && label.len() <= 63 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !valid {
                    return Err(ConfigError::Name { file: file.to_owned(), name: name.clone() });
                }
                target.names.push(NameSpec { label, required: false });
            }
        }
        for n in target.names.iter_mut().skip(1) {
            n.required = required.iter().any(|r| r.eq_ignore_ascii_case(&n.label));
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_required_shape_the_target() {
        let cfg =
            ProductConfig::parse("p.toml", "domain = \"acme.test\"\nnames = [\"www\", \"api\"]\nrequired = [\"api\"]").expect("valid");
        let t = cfg.target("p.toml").expect("valid target");
        let got: Vec<_> = t.names.iter().map(|n| (n.label.as_str(), n.required)).collect();
        assert_eq!(got, vec![("", true), ("www", false), ("api", true)]);
    }

    #[test]
    fn typos_and_bad_values_are_reported_not_ignored() {
        assert!(matches!(ProductConfig::parse("p.toml", "domain = \"a.test\"\nrequried = []"), Err(ConfigError::Syntax { .. })));
        let bad = ProductConfig::parse("p.toml", "domain = \"https://a.test\"").expect("parses");
        assert!(matches!(bad.target("p.toml"), Err(ConfigError::Domain { .. })));
        let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\nnames = [\"a.b\"]").expect("parses");
        assert!(matches!(bad.target("p.toml"), Err(ConfigError::Name { .. })));
    }
}
