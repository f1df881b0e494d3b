//! The product's `[[flows]]` run as every front end runs them: read from its settings (or a
//! `preflight.toml` given), the keys they name read from the keychain once, off the async threads
//! (the keychain blocks), then the flows walked as one visit through the product's network. Nothing
//! is kept yet beyond the results returned.

use crate::{settings, Flow, FlowError};
use preflight_core::config::ProductConfig;
use preflight_core::Domain;
use preflight_flows::config::Template;
use preflight_flows::{FlowConfig, Keys};
pub use preflight_flows::{FlowResult, FlowStatus, StepResult};
use preflight_vault::{SecretRef, Sensitive};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// A flow as the window lists it before it runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlowInfo {
    pub name: String,
    /// `login`, `chat` or `logout`.
    pub template: String,
    /// What it sends, in words (said before the founder runs it).
    pub sends: String,
}

impl FlowInfo {
    pub fn of(f: &FlowConfig) -> FlowInfo {
        use preflight_flows::outcome::shown;
        let sends = match &f.template {
            Template::Login(l) => {
                format!("signs in at {} with the test account's keys, then opens {}", shown(&l.login_url), shown(&l.signed_in_url))
            }
            Template::Chat(c) => format!("sends 2 chat messages to {} (your model answers them: a few tokens each)", shown(&c.chat_url)),
            Template::Logout(l) => format!("logs out at {} and checks the session is over", shown(&l.logout_url)),
        };
        FlowInfo { name: f.name.clone(), template: f.template.as_str().to_owned(), sends }
    }
}

/// The keys the flows name, read from the keychain before they run.
struct Loaded(HashMap<String, Result<Option<Sensitive<String>>, String>>);

impl Keys for Loaded {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String> {
        self.0.get(name).cloned().unwrap_or(Ok(None))
    }
}

/// Every keychain entry `flows` name.
pub(crate) fn key_names(flows: &[FlowConfig]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in flows {
        let named: Vec<&String> = match &f.template {
            Template::Login(l) => vec![&l.username_key, &l.password_key],
            Template::Chat(c) => c.key.iter().collect(),
            Template::Logout(_) => Vec::new(),
        };
        for n in named {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
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
        let product = domain.to_string();
        let names = key_names(flows);
        let keys = tokio::task::spawn_blocking(move || {
            Loaded(
                names
                    .into_iter()
                    .map(|n| {
                        let v = preflight_vault::load(&SecretRef::new(&product, &n)).map_err(|e| e.to_string());
                        (n, v)
                    })
                    .collect(),
            )
        })
        .await
        .map_err(|e| FlowError::Storage(format!("the keychain could not be read: {e}")))?;
        Ok(preflight_flows::run_all(&net, domain, flows, &keys).await)
    }
}
