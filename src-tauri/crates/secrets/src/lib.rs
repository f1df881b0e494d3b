//! Leaked keys, found wherever text is: a provider's rules as data, one prefiltered pass over any
//! text, and results that keep only a masked form and the place of each secret.
//!
//! The engine scans the JavaScript a live site ships with it; the CLI and the app scan a folder,
//! its git history and its env files. This crate knows nothing of networks or findings: it turns
//! bytes into [`Hit`]s, and its callers turn those into the audit's findings.

pub mod env;
#[cfg(feature = "repo")]
pub mod history;
pub mod mask;
pub mod read;
pub mod rules;
pub mod scan;
#[cfg(feature = "repo")]
pub mod tree;

pub use rules::{bundled, Kind, Rule, Rules, RulesError};
pub use scan::{Found, Hit, ALLOW, GENERIC_ID};
