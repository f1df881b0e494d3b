//! The product's `[[flows]]` run as every front end runs them: read from its settings (or a
//! `preflight.toml` given), keys read from the keychain for the one request that needs them, each
//! flow walked through the product's network. Nothing is kept yet beyond the results returned.

use crate::{settings, Flow, FlowError};
use preflight_core::config::ProductConfig;
use preflight_core::Domain;
use preflight_flows::{FlowConfig, FlowResult, Keys};
use preflight_vault::{SecretRef, Sensitive};
use std::path::Path;

/// The product's keychain entries, read one at a time as a flow asks.
struct Keychain<'a>(&'a Domain);

impl Keys for Keychain<'_> {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String> {
        preflight_vault::load(&SecretRef::new(self.0.as_str(), name)).map_err(|e| e.to_string())
    }
}

impl Flow {
    /// The flows of `domain`: those of `config` when given, else of its saved settings.
    pub fn flows(&self, domain: &Domain, config: Option<&Path>) -> Result<Vec<FlowConfig>, FlowError> {
        let file = match config {
            Some(f) => f.to_path_buf(),
            None => self.settings_file(domain).filter(|f| f.exists()).ok_or_else(|| {
                FlowError::ProductSettings(format!(
                    "{domain} has no settings yet: add its flows in Settings, or pass --config preflight.toml"
                ))
            })?,
        };
        let name = file.display().to_string();
        let text = settings::read_bounded(&file)?;
        let cfg = ProductConfig::parse(&name, &text).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
        if cfg.domain.trim() != domain.as_str() {
            return Err(FlowError::ProductSettings(format!("{name} is about {}, not {domain}", cfg.domain.trim())));
        }
        preflight_flows::config::parse(domain, &cfg.flows).map_err(|e| FlowError::ProductSettings(format!("{name}: {e}")))
    }

    /// Runs `flows` of `domain` as one customer's visit (one session: sign in, chat, log out).
    pub async fn run_flows(&self, domain: &Domain, flows: &[FlowConfig]) -> Result<Vec<FlowResult>, FlowError> {
        let net = self.net_for(domain).await?;
        Ok(preflight_flows::run_all(&net, domain, flows, &Keychain(domain)).await)
    }
}
