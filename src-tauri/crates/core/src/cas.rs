//! Certificate authorities, read from `data/cas.toml`: which CAA name allows the authority that
//! issued a live certificate.
//!
//! A CAA record names authorities by domain (`letsencrypt.org`), a certificate names its issuer by
//! organisation (`O=Let's Encrypt`); this table joins the two, so "your CAA allows only
//! DigiCert but the live certificate is from Let's Encrypt" can be said. Kept as data for the same
//! reason as the platforms: authorities merge and rename. A test proves the file parses.

use serde::Deserialize;
use std::sync::OnceLock;

/// One authority.
#[derive(Debug, Clone, Deserialize)]
pub struct Ca {
    pub name: String,
    /// How its certificates name the issuer (organisation or common name, matched case blind).
    pub issuer: Vec<String>,
    /// The names its CAA identifier may take.
    pub caa: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    ca: Vec<Ca>,
}

const DATA: &str = include_str!("../data/cas.toml");

/// Every authority known (empty only if the bundled file were broken, which the tests rule out).
pub fn all() -> &'static [Ca] {
    static CAS: OnceLock<Vec<Ca>> = OnceLock::new();
    CAS.get_or_init(|| toml::from_str::<File>(DATA).map(|f| f.ca).unwrap_or_default())
}

/// The authority that issued a certificate whose issuer reads `issuer_dn` (`C=US, O=Let's Encrypt, CN=R10`).
pub fn by_issuer(issuer_dn: &str) -> Option<&'static Ca> {
    let dn = issuer_dn.to_ascii_lowercase();
    all().iter().find(|ca| ca.issuer.iter().any(|i| dn.contains(&i.to_ascii_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_parses_and_maps_issuers() {
        let file: File = toml::from_str(DATA).expect("data/cas.toml parses");
        assert!(file.ca.len() >= 10);
        for ca in &file.ca {
            assert!(!ca.issuer.is_empty() && !ca.caa.is_empty(), "{} is complete", ca.name);
        }
        assert_eq!(by_issuer("C=US, O=Let's Encrypt, CN=R10").map(|c| c.name.as_str()), Some("Let's Encrypt"));
        assert_eq!(by_issuer("C=US, O=Google Trust Services, CN=WE1").map(|c| c.caa[0].as_str()), Some("pki.goog"));
        assert!(by_issuer("CN=Preflight Testbed CA").is_none());
    }
}
