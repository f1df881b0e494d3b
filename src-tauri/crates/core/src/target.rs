//! What to audit: a root domain and the names under it that matter.
//!
//! The roadmap expects the root, `www`, `app`, `api` and `auth`. The root and `www` are where
//! visitors arrive, so their absence is a problem; the others are checked when they exist and
//! reported as not in use when they do not, unless the product's config marks them required.

use crate::domain::Domain;
use serde::{Deserialize, Serialize};

/// One name to check under the root domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NameSpec {
    /// The label under the root (`www`); empty means the root itself.
    pub label: String,
    /// A missing required name is a problem; a missing optional one is just not in use.
    pub required: bool,
}

/// The product being audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Target {
    pub domain: Domain,
    /// Names under the root, including the root itself as the empty label.
    pub names: Vec<NameSpec>,
}

impl Target {
    /// The roadmap's default set of names.
    pub fn new(domain: Domain) -> Self {
        let name = |label: &str, required| NameSpec { label: label.to_owned(), required };
        Target { domain, names: vec![name("", true), name("www", true), name("app", false), name("api", false), name("auth", false)] }
    }

    /// Fully qualified host names with whether each is required, root first.
    pub fn hosts(&self) -> Vec<(String, bool)> {
        self.names.iter().map(|n| (self.domain.with_label(&n.label), n.required)).collect()
    }

    /// The names visitors type into a browser: the root and `www`.
    pub fn front_doors(&self) -> Vec<String> {
        vec![self.domain.with_label(""), self.domain.with_label("www")]
    }
}
