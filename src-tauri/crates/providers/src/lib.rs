//! The settings no outside check can see, read through the providers' APIs with a token the
//! founder connected: Cloudflare's zone (SSL mode, proxied records, DNSSEC, WAF, rate limits, bot
//! protection, cache rules) and Vercel's project (environment variable names per environment, the
//! production commit, a rollback target).
//!
//! One module per provider behind [`Provider`]. The token lives in the keychain under the product
//! (key name [`Provider::key_name`]) and travels only in the calls to the provider's own API base
//! address, over https (see [`api`]). What is read becomes findings of the checks declared in
//! `preflight_core::checks::cloudflare`, added to the audit's report by the flow crate; nothing of
//! the token is in them.

pub mod api;
pub mod cloudflare;
pub mod vercel;

use api::{Api, ApiError};
use preflight_core::{Finding, Net, Target};
use preflight_vault::Sensitive;
use url::Url;

/// A provider Preflight can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Cloudflare,
    Vercel,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Cloudflare, Provider::Vercel];

    /// `cloudflare`, as the CLI and the window spell it.
    pub fn parse(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id().eq_ignore_ascii_case(s.trim()))
    }

    pub fn id(self) -> &'static str {
        match self {
            Provider::Cloudflare => "cloudflare",
            Provider::Vercel => "vercel",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::Cloudflare => "Cloudflare",
            Provider::Vercel => "Vercel",
        }
    }

    /// The keychain entry of the product that holds this provider's token.
    pub fn key_name(self) -> &'static str {
        match self {
            Provider::Cloudflare => "cloudflare-token",
            Provider::Vercel => "vercel-token",
        }
    }

    /// The area of the audit its findings belong to (`--only`).
    pub fn area(self) -> preflight_core::Area {
        match self {
            Provider::Cloudflare => preflight_core::Area::Edge,
            Provider::Vercel => preflight_core::Area::Deploy,
        }
    }

    /// The API's base address: the override in the network settings (`--cloudflare-api`,
    /// `--vercel-api`), else the provider's own.
    pub fn base(self, net: &Net) -> Result<Url, ApiError> {
        let (configured, default) = match self {
            Provider::Cloudflare => (net.config().cloudflare_api.clone(), cloudflare::DEFAULT_API),
            Provider::Vercel => (net.config().vercel_api.clone(), vercel::DEFAULT_API),
        };
        match configured {
            Some(u) => Ok(u),
            None => Url::parse(default).map_err(|e| ApiError::Network { provider: self.label(), reason: e.to_string() }),
        }
    }

    /// The check that reports whether the provider could be read at all (where an unreadable
    /// token or API is said).
    pub fn first_check(self) -> &'static preflight_core::CheckDef {
        match self {
            Provider::Cloudflare => &preflight_core::checks::cloudflare::ACCESS,
            Provider::Vercel => &preflight_core::checks::vercel::PROJECT,
        }
    }

    /// The permissions a read-only token needs, with where they are ticked.
    pub fn permissions(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Provider::Cloudflare => cloudflare::PERMISSIONS,
            Provider::Vercel => vercel::PERMISSIONS,
        }
    }

    /// Where the founder creates the token, in the dashboard's words.
    pub fn where_to_create(self) -> &'static str {
        match self {
            Provider::Cloudflare => "Cloudflare dashboard → My Profile → API Tokens → Create Token → Create Custom Token: give it the read permissions below, for the zone of your domain only.",
            Provider::Vercel => "Vercel dashboard → Account Settings → Tokens → Create: scope it to the team that owns the project and give it an expiry. Vercel has no read-only tokens; Preflight only reads with it.",
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
            Provider::Vercel => {
                let state = vercel::verify(&api).await?;
                let project = vercel::find_project(&api, domain).await?;
                Ok(format!("{state}; it can read the project {} that serves {domain}", project.name))
            }
        }
    }

    /// This provider's findings for `target`, with the audit's own (`outside`) for the cross-checks.
    pub async fn audit(self, net: &Net, target: &Target, outside: &[Finding], token: Sensitive<String>) -> Vec<Finding> {
        let domain = target.domain.to_string();
        let api = match self.api(net, token) {
            Ok(a) => a,
            Err(e) => return vec![unread(self.first_check(), &domain, "the settings", &e, self)],
        };
        match self {
            Provider::Cloudflare => cloudflare::audit(&api, target, outside, parent_ds(net, &domain).await).await,
            Provider::Vercel => vercel::audit(&api, target).await,
        }
    }
}

/// The finding for a part that could not be read: never a pass, never a fail; a missing
/// permission is named as the provider names it.
pub(crate) fn unread(def: &'static preflight_core::CheckDef, subject: &str, what: &str, e: &ApiError, provider: Provider) -> Finding {
    let fix = match e {
        ApiError::Permission { permission, .. } => {
            format!("Give the token {permission} ({}), or create a new one that has it, and connect it again.", provider.where_to_create())
        }
        ApiError::BadToken { .. } => format!("Create a new token ({}) and connect it again in Preflight.", provider.where_to_create()),
        _ => "Check that this computer is online, then run the audit again.".to_owned(),
    };
    Finding::new(def, subject, preflight_core::Status::Error)
        .title(format!("Preflight could not read {what} from {}.", provider.label()))
        .why("Until it can, Preflight cannot tell you whether this setting is ready.")
        .detail(e.to_string())
        .evidence(serde_json::json!({ "error": e.code() }))
        .fix([fix])
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
