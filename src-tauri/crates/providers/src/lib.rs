//! The settings no outside check can see, read through the providers' APIs with a read-only token
//! the founder connected: Cloudflare's zone (SSL mode, proxied records, DNSSEC, WAF, rate limits,
//! bot protection, cache rules).
//!
//! One module per provider behind [`Provider`]. The token lives in the keychain under the product
//! (key name [`Provider::key_name`]) and travels only in the calls to the provider's own API base
//! address, over https (see [`api`]). What is read becomes findings of the checks declared in
//! `preflight_core::checks::cloudflare`, added to the audit's report by the flow crate; nothing of
//! the token is in them.

pub mod api;
pub mod cloudflare;

use api::{Api, ApiError};
use preflight_core::{Finding, Net, Target};
use preflight_vault::Sensitive;
use url::Url;

/// A provider Preflight can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Cloudflare,
}

impl Provider {
    pub const ALL: [Provider; 1] = [Provider::Cloudflare];

    /// `cloudflare`, as the CLI and the window spell it.
    pub fn parse(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id().eq_ignore_ascii_case(s.trim()))
    }

    pub fn id(self) -> &'static str {
        match self {
            Provider::Cloudflare => "cloudflare",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::Cloudflare => "Cloudflare",
        }
    }

    /// The keychain entry of the product that holds this provider's token.
    pub fn key_name(self) -> &'static str {
        match self {
            Provider::Cloudflare => "cloudflare-token",
        }
    }

    /// The API's base address: the override in the network settings (`--cloudflare-api`), else the
    /// provider's own.
    pub fn base(self, net: &Net) -> Result<Url, ApiError> {
        let configured = match self {
            Provider::Cloudflare => net.config().cloudflare_api.clone(),
        };
        match configured {
            Some(u) => Ok(u),
            None => Url::parse(cloudflare::DEFAULT_API).map_err(|e| ApiError::Network { provider: self.label(), reason: e.to_string() }),
        }
    }

    /// The permissions a read-only token needs, with where they are ticked.
    pub fn permissions(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Provider::Cloudflare => cloudflare::PERMISSIONS,
        }
    }

    /// Where the founder creates the token, in the dashboard's words.
    pub fn where_to_create(self) -> &'static str {
        match self {
            Provider::Cloudflare => "Cloudflare dashboard → My Profile → API Tokens → Create Token → Create Custom Token: give it the read permissions below, for the zone of your domain only.",
        }
    }

    fn api(self, net: &Net, token: Sensitive<String>) -> Result<Api, ApiError> {
        Api::new(net, self.label(), &self.base(net)?, token)
    }

    /// Checks `token` with the provider (Cloudflare: `/user/tokens/verify`, then the zone of
    /// `domain`), before it is stored: what it can read, in words.
    pub async fn verify(self, net: &Net, domain: &str, token: Sensitive<String>) -> Result<String, ApiError> {
        let api = self.api(net, token)?;
        match self {
            Provider::Cloudflare => {
                let state = cloudflare::verify(&api).await?;
                let zone = cloudflare::find_zone(&api, domain).await?;
                Ok(format!("token {state}; it can read the zone {} ({})", zone.name, zone.status))
            }
        }
    }

    /// This provider's findings for `target`, with the audit's own (`outside`) for the cross-checks.
    pub async fn audit(self, net: &Net, target: &Target, outside: &[Finding], token: Sensitive<String>) -> Vec<Finding> {
        let domain = target.domain.to_string();
        let api = match self.api(net, token) {
            Ok(a) => a,
            Err(e) => return vec![cloudflare::unread(&preflight_core::checks::cloudflare::ACCESS, &domain, "the settings", &e)],
        };
        match self {
            Provider::Cloudflare => cloudflare::audit(&api, target, outside, parent_ds(net, &domain).await).await,
        }
    }
}

/// The DS records the registry publishes for `domain` (`KEYTAG ALGORITHM DIGESTTYPE DIGEST`), none
/// when unsigned; `None` when the lookup failed.
async fn parent_ds(net: &Net, domain: &str) -> Option<Vec<String>> {
    use hickory_proto::dnssec::rdata::DNSSECRData;
    use hickory_proto::rr::{RData, RecordType};
    match net.resolver().records(domain, RecordType::DS).await {
        Ok(records) => Some(
            records
                .iter()
                .filter_map(|r| match r.data() {
                    RData::DNSSEC(DNSSECRData::DS(ds)) => Some(format!(
                        "{} {} {} {}",
                        ds.key_tag(),
                        u8::from(ds.algorithm()),
                        u8::from(ds.digest_type()),
                        ds.digest().iter().map(|b| format!("{b:02X}")).collect::<String>()
                    )),
                    _ => None,
                })
                .collect(),
        ),
        Err(e) if e.is_missing_name() => Some(Vec::new()),
        Err(_) => None,
    }
}
