//! The services that send mail for a domain, read from `data/mail-providers.toml`: how to recognise
//! each (MX hosts, SPF includes) and the DKIM selectors it publishes keys under.

use serde::Deserialize;
use std::sync::OnceLock;

/// One sending service.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    pub name: String,
    /// Suffixes of the MX hosts it receives mail on.
    pub mx: Vec<String>,
    /// The SPF includes it asks customers to add.
    pub spf: Vec<String>,
    pub selectors: Vec<String>,
    /// Sends with the customer's domain as the envelope sender, so SPF aligns for DMARC.
    #[serde(default)]
    pub own_envelope: bool,
}

#[derive(Deserialize)]
struct File {
    provider: Vec<Provider>,
}

const DATA: &str = include_str!("../../data/mail-providers.toml");

/// DKIM selectors worth trying for any domain, after the founder's and the providers'.
pub const COMMON_SELECTORS: &[&str] = &[
    "google",
    "default",
    "k1",
    "k2",
    "s1",
    "s2",
    "selector1",
    "selector2",
    "dkim",
    "mail",
    "smtp",
    "email",
    "key1",
    "key2",
    "mx",
    "everlytickey1",
    "resend",
    "zmail",
    "fm1",
    "pm",
];

/// Every provider (empty only if the bundled file were broken, which the tests rule out).
pub fn all() -> &'static [Provider] {
    static ALL: OnceLock<Vec<Provider>> = OnceLock::new();
    ALL.get_or_init(|| toml::from_str::<File>(DATA).map(|f| f.provider).unwrap_or_default())
}

fn under(name: &str, suffix: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == suffix || name.ends_with(&format!(".{suffix}"))
}

/// The providers the MX hosts and SPF includes point at, each once, in table order.
pub fn recognise(mx_hosts: &[String], spf_includes: &[String]) -> Vec<&'static Provider> {
    all()
        .iter()
        .filter(|p| {
            mx_hosts.iter().any(|h| p.mx.iter().any(|s| under(h, s))) || spf_includes.iter().any(|i| p.spf.iter().any(|s| under(i, s)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_parses_and_providers_are_recognised() {
        let file: File = toml::from_str(DATA).expect("data/mail-providers.toml parses");
        assert!(file.provider.len() >= 10);
        assert!(file.provider.iter().all(|p| !p.selectors.is_empty()));
        let found = recognise(&["aspmx.l.google.com".into()], &["sendgrid.net".into()]);
        let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Google Workspace", "SendGrid"]);
    }
}
