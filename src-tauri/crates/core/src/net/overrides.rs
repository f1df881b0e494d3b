//! The network overrides as people type them (CLI flags, `PREFLIGHT_*` variables), turned into a
//! [`NetConfig`] in one place so the CLI and the desktop app cannot drift apart.

use super::config::{ConnectTo, NetConfig, Timeouts};
use std::path::PathBuf;

/// Override values as strings, before validation.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `IP` or `IP:PORT`, each.
    pub nameservers: Vec<String>,
    /// PEM files with extra trusted roots.
    pub ca_files: Vec<PathBuf>,
    /// `HOST:PORT:ADDR:PORT`, each.
    pub connect_to: Vec<String>,
    /// Overall per-check deadline in seconds.
    pub timeout_secs: Option<u64>,
    /// The RDAP server to ask about every domain's registration, instead of the registry the
    /// bundled bootstrap file names (tests, a corporate proxy, a TLD the file does not list).
    pub rdap_url: Option<String>,
    /// Cloudflare's API at another base address (`PREFLIGHT_CLOUDFLARE_API`).
    pub cloudflare_api: Option<String>,
    /// Vercel's API at another base address (`PREFLIGHT_VERCEL_API`).
    pub vercel_api: Option<String>,
}

impl Overrides {
    /// Splits the `PREFLIGHT_*` variables' comma-separated lists (the desktop app's form).
    pub fn from_lists(nameservers: Option<&str>, ca_files: Option<&str>, connect_to: Option<&str>) -> Overrides {
        let split = |s: Option<&str>| -> Vec<String> {
            s.unwrap_or_default().split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
        };
        Overrides {
            nameservers: split(nameservers),
            ca_files: split(ca_files).into_iter().map(PathBuf::from).collect(),
            connect_to: split(connect_to),
            timeout_secs: None,
            rdap_url: None,
            cloudflare_api: None,
            vercel_api: None,
        }
    }

    /// The same, with `PREFLIGHT_RDAP_URL`'s value (blank is none).
    pub fn with_rdap(mut self, url: Option<&str>) -> Overrides {
        self.rdap_url = url.map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        self
    }

    /// The same, with `PREFLIGHT_CLOUDFLARE_API` and `PREFLIGHT_VERCEL_API`'s values (blank is none).
    pub fn with_provider_apis(mut self, cloudflare: Option<&str>, vercel: Option<&str>) -> Overrides {
        let given = |u: Option<&str>| u.map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        self.cloudflare_api = given(cloudflare);
        self.vercel_api = given(vercel);
        self
    }

    /// What the desktop app and the tray-only process read: `PREFLIGHT_NAMESERVER`,
    /// `PREFLIGHT_CA_FILE`, `PREFLIGHT_CONNECT_TO`, `PREFLIGHT_RDAP_URL`, `PREFLIGHT_CLOUDFLARE_API`
    /// and `PREFLIGHT_VERCEL_API` (the CLI takes the same as flags).
    pub fn from_env() -> Overrides {
        let var = |name: &str| std::env::var(name).ok();
        Overrides::from_lists(
            var("PREFLIGHT_NAMESERVER").as_deref(),
            var("PREFLIGHT_CA_FILE").as_deref(),
            var("PREFLIGHT_CONNECT_TO").as_deref(),
        )
        .with_rdap(var("PREFLIGHT_RDAP_URL").as_deref())
        .with_provider_apis(var("PREFLIGHT_CLOUDFLARE_API").as_deref(), var("PREFLIGHT_VERCEL_API").as_deref())
    }

    /// Validates everything; the error is a sentence naming the bad value.
    pub fn into_config(self) -> Result<NetConfig, String> {
        let mut cfg = NetConfig::default();
        for ns in &self.nameservers {
            cfg.nameservers.push(NetConfig::parse_nameserver(ns)?);
        }
        for file in &self.ca_files {
            let pem = std::fs::read(file).map_err(|e| format!("cannot read the CA file {}: {e}", file.display()))?;
            cfg.add_ca_pem(&pem).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        for c in &self.connect_to {
            cfg.connect_to.push(c.parse::<ConnectTo>().map_err(|e| e.to_string())?);
        }
        if let Some(secs) = self.timeout_secs {
            if secs == 0 || secs > 600 {
                return Err(format!("--timeout wants between 1 and 600 seconds, got {secs}"));
            }
            cfg.timeouts = Timeouts::within(secs);
        }
        if let Some(url) = &self.rdap_url {
            cfg.rdap = Some(crate::rdap::base_url(url)?);
        }
        cfg.cloudflare_api = self.cloudflare_api.as_deref().map(|u| api_base("--cloudflare-api", u)).transpose()?;
        cfg.vercel_api = self.vercel_api.as_deref().map(|u| api_base("--vercel-api", u)).transpose()?;
        Ok(cfg)
    }
}

/// A provider API's base address: https only, since a token travels in every call to it.
fn api_base(flag: &str, url: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(url.trim()).map_err(|e| format!("{flag} \"{url}\" is not a web address ({e})"))?;
    if u.scheme() != "https" {
        return Err(format!("{flag} \"{url}\" must start with https:// (the token travels in it)"));
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_commas_and_bad_values_are_named() {
        let o = Overrides::from_lists(Some("127.0.0.1:5353, 127.0.0.2"), None, Some(":443::8443"));
        let cfg = o.into_config().expect("valid");
        assert_eq!(cfg.nameservers.len(), 2);
        assert_eq!(cfg.connect_to.len(), 1);
        let err = Overrides::from_lists(Some("dns.example"), None, None).into_config().expect_err("not an IP");
        assert!(err.contains("dns.example"), "the message names the bad value: {err}");
        let err =
            Overrides { ca_files: vec!["/nonexistent/ca.pem".into()], ..Overrides::default() }.into_config().expect_err("missing file");
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    }
}
