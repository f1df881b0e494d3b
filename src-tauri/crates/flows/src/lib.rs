//! The paths a customer walks through a product, walked the same way: a flow is a run of HTTP
//! steps sharing one cookie jar, each redirect followed one hop at a time and recorded, so a
//! finding can say "sign-in works" or "the sign-in page sends you back to itself at step 2".
//!
//! Flows are declared as `[[flows]]` in a product's settings ([`config`]); each names a template
//! a founder fills in without writing steps (this version: `login`). Keys come from a [`Keys`]
//! source (the keychain in the app and the CLI) and go only where [`preflight_core::credential`]
//! lets them: over https, to the product's own names. Passwords, session cookies and CSRF tokens
//! stay in memory for the run; results keep statuses, timings and addresses without their query.

pub mod config;
pub mod form;
pub mod jar;
pub mod login;
pub mod outcome;
pub mod session;

pub use config::{FlowConfig, FlowsError, Template};
pub use outcome::{FlowResult, FlowStatus, StepResult};

use preflight_core::{Domain, Net};
use preflight_vault::Sensitive;

/// Where a flow's keys come from: the keychain in the app and the CLI, a map in tests.
pub trait Keys: Send + Sync {
    /// The value of `name` of the product, `Ok(None)` when it is not saved.
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String>;
}

/// Runs `flow` of `product` and says how it went. Never fails: a flow that could not be run is a
/// result with status `error` and the reason.
pub async fn run(net: &Net, product: &Domain, flow: &FlowConfig, keys: &dyn Keys) -> FlowResult {
    match &flow.template {
        Template::Login(login) => login::run(net, product, &flow.name, login, keys).await,
    }
}
