//! The paths a customer walks through a product, walked the same way: a flow is a run of HTTP
//! steps sharing one cookie jar, each redirect followed one hop at a time and recorded, so a
//! finding can say "sign-in works" or "the sign-in page sends you back to itself at step 2".
//!
//! Flows are declared as `[[flows]]` in a product's settings ([`config`]); each names a template
//! a founder fills in without writing steps (`login`, `chat`, `logout`, `password-reset`, which reads the
//! test mailbox over IMAP, and `steps` for any other path); [`webhook`]
//! replays the product's signed webhooks with their forged twins. Keys come from a [`Keys`]
//! source (the keychain in the app and the CLI) and go only where [`preflight_core::credential`]
//! lets them: over https, to the product's own names. Passwords, session cookies and CSRF tokens
//! stay in memory for the run; results keep statuses, timings and addresses without their query.

pub mod chat;
pub mod config;
pub mod finding;
pub mod form;
pub mod imap;
pub mod jar;
pub mod json;
pub mod login;
pub mod logout;
pub mod mail;
pub mod outcome;
pub mod reset;
pub mod session;
pub mod steps;
pub mod stream;
pub mod webhook;

pub use config::{FlowConfig, FlowsError, Template};
pub use outcome::{FlowResult, FlowStatus, StepResult};
pub use webhook::WebhookResult;

use preflight_core::{Domain, Net};
use preflight_vault::Sensitive;

/// Where a flow's keys come from: the keychain in the app and the CLI, a map in tests.
pub trait Keys: Send + Sync {
    /// The value of `name` of the product, `Ok(None)` when it is not saved.
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String>;
}

/// A key of the product, or the words that say how to add it.
pub fn key(keys: &dyn Keys, product: &Domain, name: &str) -> Result<Sensitive<String>, String> {
    match keys.get(name) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(format!(
            "the key `{name}` is not in this computer's keychain: add it in Settings or with `preflight keys set {product} {name}`"
        )),
        Err(e) => Err(format!("the key `{name}` could not be read: {e}")),
    }
}

/// Runs one flow of `product` in a session of its own. Never fails: a flow that could not be run
/// is a result with status `error` and the reason.
pub async fn run(net: &Net, product: &Domain, flow: &FlowConfig, keys: &dyn Keys) -> FlowResult {
    run_all(net, product, std::slice::from_ref(flow), keys)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| FlowResult::of(&flow.name, flow.template.as_str(), Vec::new(), String::new()))
}

/// Runs `flows` as one customer's visit: a single session, the sign-in first, then the chat, then
/// the logout (the roadmap's order; the declared order within each). A flow that needs the
/// sign-in does not run when the sign-in before it failed: it is `error`, "the sign-in failed first".
pub async fn run_all(net: &Net, product: &Domain, flows: &[FlowConfig], keys: &dyn Keys) -> Vec<FlowResult> {
    let mut order: Vec<&FlowConfig> = flows.iter().collect();
    order.sort_by_key(|f| f.template.rank());
    let mut session = session::Session::new(net, product);
    let mut signed_in: Option<(bool, url::Url)> = None;
    let mut out = Vec::with_capacity(flows.len());
    for f in order {
        let blocked = || {
            let s = outcome::step("Sign in first", FlowStatus::Error, None, 0, "did not run: the sign-in before it failed".into());
            FlowResult::of(&f.name, f.template.as_str(), vec![s], String::new())
        };
        let r = match &f.template {
            Template::Login(l) => {
                let r = login::run(&mut session, product, &f.name, l, keys).await;
                signed_in = Some((r.status == FlowStatus::Pass, l.signed_in_url.clone()));
                r
            }
            Template::Chat(c) if matches!(signed_in, Some((false, _))) && c.key.is_none() => blocked(),
            Template::Chat(c) => chat::run(&mut session, product, &f.name, c, keys).await,
            Template::Logout(_) if matches!(signed_in, Some((false, _))) => blocked(),
            Template::Logout(l) => {
                let check = l.signed_in_url.clone().or_else(|| signed_in.as_ref().map(|(_, u)| u.clone()));
                logout::run(&mut session, &f.name, l, check).await
            }
            Template::Reset(r) => reset::run(&mut session, product, &f.name, r, keys).await,
            Template::Steps(st) => steps::run(&mut session, product, &f.name, st, keys).await,
        };
        out.push(r);
    }
    out
}
