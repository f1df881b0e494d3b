//! The product's `[[flows]]` run as every front end runs them: read from its settings (or a
//! `preflight.toml` given), the keys they name read from the keychain once, off the async threads
//! (the keychain blocks), then the flows walked as one visit through the product's network.
//! Webhook replays go the same way, their signing secrets read once for the HMAC. Each result is
//! kept in the history (bounded per path), which the window's before/after and the checklist read.

use crate::watching::now_ms;
use crate::{settings, Flow, FlowError, Host};
use preflight_checklist::handover::PathLine;
use preflight_core::checks::paths::{self, PathState, PathsSetup};
use preflight_core::config::{ProductConfig, Replay};
use preflight_core::target::CallbackKind;
use preflight_core::Domain;
use preflight_core::Finding;
use preflight_flows::config::Template;
use preflight_flows::{FlowConfig, Keys};
pub use preflight_flows::{FlowResult, FlowStatus, StepResult, WebhookResult};
use preflight_store::{NewPathRun, WatchOp};
use preflight_vault::{SecretRef, Sensitive};
use preflight_watch::Walked;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// A flow as the window lists it before it runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlowInfo {
    pub name: String,
    /// `login`, `chat`, `logout` or `password-reset`.
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
            Template::Reset(r) => format!(
                "asks {} for a reset link for the test account, then reads the test mailbox at {} (read-only) for up to {} s and opens the link",
                shown(&r.reset_url),
                r.imap_host,
                r.within_secs
            ),
            Template::Steps(st) => format!("sends {} request(s) of your own, one after the other ({})", st.len(), st.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")),
        };
        FlowInfo { name: f.name.clone(), template: f.template.as_str().to_owned(), sends }
    }
}

/// A webhook as the window lists it before it is replayed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WebhookInfo {
    pub name: String,
    /// `stripe`, `github` or `standard`.
    pub provider: String,
    /// What a replay sends, in words (said before the founder agrees).
    pub sends: String,
}

impl WebhookInfo {
    pub fn of(r: &Replay) -> WebhookInfo {
        WebhookInfo { name: r.name.clone(), provider: r.provider.as_str().to_owned(), sends: preflight_flows::webhook::sends(r) }
    }
}

/// The keys the flows name, read from the keychain before they run.
pub(crate) struct Loaded(HashMap<String, Result<Option<Sensitive<String>>, String>>);

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
            Template::Reset(r) => vec![&r.email_key, &r.mailbox_user_key, &r.mailbox_password_key],
            Template::Steps(_) => Vec::new(),
        };
        for n in named {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        if let Template::Steps(steps) = &f.template {
            for st in steps {
                let texts = std::iter::once(st.url.as_str()).chain(st.headers.iter().map(|(_, v)| v.as_str())).chain(st.body.as_deref());
                for k in
                    texts.flat_map(preflight_flows::steps::config::references).filter_map(|r| r.strip_prefix("key:").map(str::to_owned))
                {
                    if !names.contains(&k) {
                        names.push(k);
                    }
                }
            }
        }
    }
    names
}

impl Flow {
    /// The settings of `domain`: `config` when given, else its saved settings; (the file's name, it).
    pub(crate) fn product_config(&self, domain: &Domain, config: Option<&Path>) -> Result<(String, ProductConfig), FlowError> {
        let file = match config {
            Some(f) => f.to_path_buf(),
            None => self.settings_file(domain).filter(|f| f.exists()).ok_or_else(|| {
                FlowError::ProductSettings(format!(
                    "{domain} has no settings yet: add its paths and webhooks in Settings, or pass --config preflight.toml"
                ))
            })?,
        };
        let name = file.display().to_string();
        let text = settings::read_bounded(&file)?;
        let cfg = ProductConfig::parse(&name, &text).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
        if cfg.domain.trim() != domain.as_str() {
            return Err(FlowError::ProductSettings(format!("{name} is about {}, not {domain}", cfg.domain.trim())));
        }
        Ok((name, cfg))
    }

    /// The flows of `domain`: those of `config` when given, else of its saved settings.
    pub fn flows(&self, domain: &Domain, config: Option<&Path>) -> Result<Vec<FlowConfig>, FlowError> {
        let (name, cfg) = self.product_config(domain, config)?;
        preflight_flows::config::parse(domain, &cfg.flows).map_err(|e| FlowError::ProductSettings(format!("{name}: {e}")))
    }

    /// The webhooks of `domain` that can be replayed (those naming a provider and a signing key).
    pub fn webhooks(&self, domain: &Domain, config: Option<&Path>) -> Result<Vec<Replay>, FlowError> {
        let (name, cfg) = self.product_config(domain, config)?;
        cfg.replays(&name).map_err(|e| FlowError::ProductSettings(e.to_string()))
    }

    /// Runs `flows` of `domain` as one customer's visit (one session: sign in, chat, log out, then
    /// the password reset), and keeps each result in the history as started by `trigger`.
    pub async fn run_flows(&self, domain: &Domain, flows: &[FlowConfig], trigger: Trigger) -> Result<Ran<FlowResult>, FlowError> {
        let net = self.net_for(domain).await?;
        let (runnable, mut results) = self.bind_mailbox_keys(domain, flows);
        let keys = load_keys(&self.host, domain, key_names(&runnable)).await?;
        results.extend(preflight_flows::run_all(&net, domain, &runnable, &keys).await);
        // The roadmap's order, whatever could not run included.
        let rank = |r: &FlowResult| preflight_flows::config::TEMPLATES.iter().position(|t| *t == r.template).unwrap_or(usize::MAX);
        results.sort_by_key(rank);
        let rows = results.iter().map(|r| (r.name.clone(), r.status, serde_json::to_value(r))).collect();
        let not_saved = self.keep_runs(domain, "flow", trigger, rows);
        Ok(Ran { results, not_saved })
    }

    /// Replays `replays` of `domain`, each with its forged twins, and keeps each result. The caller
    /// has the founder's yes.
    pub async fn replay_webhooks(&self, domain: &Domain, replays: &[Replay], trigger: Trigger) -> Result<Ran<WebhookResult>, FlowError> {
        let net = self.net_for(domain).await?;
        let mut names: Vec<String> = Vec::new();
        for r in replays {
            if !names.contains(&r.signing_key) {
                names.push(r.signing_key.clone());
            }
        }
        let keys = load_keys(&self.host, domain, names).await?;
        let results = preflight_flows::webhook::run_all(&net, domain, replays, &keys).await;
        let rows = results.iter().map(|r| (r.name.clone(), r.status, serde_json::to_value(r))).collect();
        let not_saved = self.keep_runs(domain, "webhook", trigger, rows);
        Ok(Ran { results, not_saved })
    }

    /// Binds each password reset's mailbox keys to its IMAP host (the first host a key is used with
    /// stays its host until the key is saved again): the flows that may run, and the results of
    /// those whose settings now send a mailbox key to another host.
    fn bind_mailbox_keys(&self, domain: &Domain, flows: &[FlowConfig]) -> (Vec<FlowConfig>, Vec<FlowResult>) {
        let mut runnable = Vec::new();
        let mut refused = Vec::new();
        for f in flows {
            let Template::Reset(r) = &f.template else {
                runnable.push(f.clone());
                continue;
            };
            match self.bound_elsewhere(domain, &[&r.mailbox_user_key, &r.mailbox_password_key], &r.imap_host) {
                Ok(None) => runnable.push(f.clone()),
                Ok(Some(says)) | Err(says) => {
                    let s = preflight_flows::outcome::step("Open the test mailbox", FlowStatus::Error, None, 0, says);
                    refused.push(FlowResult::of(&f.name, f.template.as_str(), vec![s], String::new()));
                }
            }
        }
        (runnable, refused)
    }

    /// Why one of `keys` may not go to `host`, if one may not.
    fn bound_elsewhere(&self, domain: &Domain, keys: &[&String], host: &str) -> Result<Option<String>, String> {
        let cannot = |e: FlowError| format!("Preflight could not check where the mailbox's keys may go ({e}), so it did not send them");
        let store = self.store().map_err(cannot)?;
        for k in keys {
            let op = WatchOp::BindKey { domain: domain.to_string(), name: (*k).clone(), host: host.to_owned() };
            store.watch(op).map_err(|e| cannot(e.into()))?;
        }
        let rows = store.keys(domain.as_str()).map_err(|e| cannot(e.into()))?;
        for k in keys {
            if let Some(bound) = rows.iter().find(|r| &r.name == *k).and_then(|r| r.bound_host.clone()).filter(|b| b != host) {
                return Ok(Some(format!(
                    "the key `{k}` was saved for the mailbox at {bound}, and these settings send it to {host}: save it again in Settings (or with `preflight keys set {domain} {k}`) to use it there"
                )));
            }
        }
        Ok(None)
    }

    /// Stores each run; the words for what could not be kept, when something could not.
    fn keep_runs(
        &self,
        domain: &Domain,
        kind: &str,
        trigger: Trigger,
        rows: Vec<(String, FlowStatus, serde_json::Result<serde_json::Value>)>,
    ) -> Option<String> {
        let store = match self.store() {
            Ok(s) => s,
            Err(e) => return Some(format!("the results could not be kept in the history: {e}")),
        };
        let at_ms = now_ms();
        for (name, status, result) in rows {
            let saved = result.map_err(|e| e.to_string()).and_then(|result| {
                let run = NewPathRun {
                    domain: domain.to_string(),
                    kind: kind.to_owned(),
                    name,
                    at_ms,
                    status: status_word(status).to_owned(),
                    trigger: trigger.as_str().to_owned(),
                    result,
                };
                store.watch(WatchOp::SavePathRun(Box::new(run))).map(|_| ()).map_err(|e| e.to_string())
            });
            if let Err(e) = saved {
                return Some(format!("the results could not be kept in the history: {e}"));
            }
        }
        None
    }

    /// The newest runs of `domain`'s paths and webhooks, `per_path` of each, newest first.
    pub fn path_history(&self, domain: &Domain, per_path: u32) -> Result<PathHistory, FlowError> {
        let rows = self.store()?.path_runs(domain.as_str(), per_path)?;
        let mut out = PathHistory::default();
        for r in rows.into_iter().map(|r| r.run) {
            match r.kind.as_str() {
                "flow" => {
                    if let Ok(result) = serde_json::from_value::<FlowResult>(r.result) {
                        out.flows.push(Past { at_ms: r.at_ms, trigger: r.trigger, result });
                    }
                }
                "webhook" => {
                    if let Ok(result) = serde_json::from_value::<WebhookResult>(r.result) {
                        out.webhooks.push(Past { at_ms: r.at_ms, trigger: r.trigger, result });
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Each path and replayable webhook `domain`'s settings declare, with its newest run: what the
    /// checklist judges and the handover lists (settings that cannot be read declare none).
    fn path_records(&self, store: &preflight_store::Store, domain: &Domain) -> Result<PathRecords, FlowError> {
        let runs: Vec<NewPathRun> = store.path_runs(domain.as_str(), 1)?.into_iter().map(|r| r.run).collect();
        let state = |kind: &str, name: &str| PathState {
            name: name.to_owned(),
            last: runs.iter().find(|r| r.kind == kind && r.name == name).map(|r| {
                let says = r.result.get("says").and_then(|s| s.as_str()).unwrap_or_default().to_owned();
                (r.status.clone(), r.at_ms, says)
            }),
        };
        let mut out = PathRecords::default();
        if let Ok((name, cfg)) = self.product_config(domain, None) {
            let flows = preflight_flows::config::parse(domain, &cfg.flows).unwrap_or_default();
            out.flows = flows.iter().map(|f| (f.template.as_str().to_owned(), state("flow", &f.name))).collect();
            let replays = cfg.replays(&name).unwrap_or_default();
            out.webhooks = replays.iter().map(|r| (r.provider.label().to_owned(), state("webhook", &r.name))).collect();
            out.plain_webhooks = cfg.callbacks.iter().filter(|c| c.kind == CallbackKind::Webhook && c.provider.is_none()).count();
        }
        Ok(out)
    }

    /// The handover's lines: each path and replayable webhook of `domain`, with its newest run.
    pub(crate) fn path_lines(&self, store: &preflight_store::Store, domain: &Domain) -> Result<Vec<PathLine>, FlowError> {
        let records = self.path_records(store, domain)?;
        let line = |webhook: bool| {
            move |(what, p): (String, PathState)| PathLine { name: p.name, what, webhook, last: p.last.map(|(status, at, _)| (status, at)) }
        };
        Ok(records.flows.into_iter().map(line(false)).chain(records.webhooks.into_iter().map(line(true))).collect())
    }

    /// `monitoring.paths` and `edge.webhook_replay` of `domain`, from its settings and its stored runs.
    pub(crate) fn path_findings(
        &self,
        store: &preflight_store::Store,
        domain: &Domain,
        last_deploy_ms: Option<i64>,
    ) -> Result<Vec<Finding>, FlowError> {
        let records = self.path_records(store, domain)?;
        let setup = PathsSetup {
            flows: records.flows.into_iter().map(|(_, p)| p).collect(),
            webhooks: records.webhooks.into_iter().map(|(_, p)| p).collect(),
            plain_webhooks: records.plain_webhooks,
            last_deploy_ms,
        };
        Ok(paths::judge(domain.as_str(), &setup))
    }
}

impl Flow {
    /// After the watcher noticed a deploy of `domain` at `at_ms`: its paths run once and its
    /// `[[evals]]` questions are asked, kept as started by the deploy, and the notice that says how
    /// they went. `None` when it has neither (or its settings cannot be read, which the Paths view says).
    pub async fn paths_after_deploy(&self, domain: &Domain, at_ms: u64) -> Option<(String, String)> {
        let paths = match self.flows(domain, None).ok().filter(|f| !f.is_empty()) {
            Some(flows) => Some(match self.run_flows(domain, &flows, Trigger::Deploy).await {
                Ok(ran) => deploy_notice(domain, at_ms, &ran.results),
                Err(e) => (format!("Deploy of {domain} at {}: the paths could not run", clock(at_ms)), e.to_string()),
            }),
            None => None,
        };
        // The founder's questions, when there are any, after the paths (one visit, then the bot).
        let chatbot = self.evals_after_deploy(domain).await;
        match (paths, chatbot) {
            (Some((title, body)), Some(line)) => Some((title, format!("{body} {line}"))),
            (Some(notice), None) => Some(notice),
            (None, Some(line)) => Some((format!("Deploy of {domain} at {}", clock(at_ms)), line)),
            (None, None) => None,
        }
    }
}

impl Flow {
    /// One walk of `domain`'s path `name` for a `flow` monitor: with the sign-in before it when it
    /// needs one (a chat on the session, a logout), kept as started by the monitor. A failure at
    /// any step, the sign-in's included, is the path broken; a path that could not be walked (its
    /// settings, a missing key, the network) is no verdict.
    pub async fn walk(&self, domain: &Domain, name: &str) -> Walked {
        let flows = match self.flows(domain, None) {
            Ok(f) => f,
            Err(e) => return Walked::Unknown(e.to_string()),
        };
        let Some(target) = flows.iter().find(|f| f.name == name) else {
            return Walked::Unknown(format!("{domain} has no path named \"{name}\" any more"));
        };
        let needs_sign_in =
            matches!(&target.template, Template::Chat(c) if c.key.is_none()) || matches!(target.template, Template::Logout(_));
        let mut walk: Vec<FlowConfig> =
            if needs_sign_in { flows.iter().filter(|f| matches!(f.template, Template::Login(_))).cloned().collect() } else { Vec::new() };
        walk.push(target.clone());
        let ran = match self.run_flows(domain, &walk, Trigger::Monitor).await {
            Ok(r) => r,
            Err(e) => return Walked::Unknown(e.to_string()),
        };
        if let Some(broken) = ran.results.iter().find(|r| r.status == FlowStatus::Fail) {
            return Walked::Broke(broken.says.clone());
        }
        match ran.results.iter().find(|r| r.name == name) {
            Some(r) if r.status == FlowStatus::Pass => Walked::Works { ms: r.steps.iter().map(|s| s.ms).sum() },
            Some(r) => Walked::Unknown(r.says.clone()),
            None => Walked::Unknown("the path gave no result".into()),
        }
    }
}

/// "14:02 UTC" of a time in ms since the epoch.
fn clock(at_ms: u64) -> String {
    let secs = (at_ms / 1000) % 86_400;
    format!("{:02}:{:02} UTC", secs / 3600, (secs % 3600) / 60)
}

/// The longest body a deploy notice gets (desktop notifications cut long ones anyway).
const MAX_NOTICE_BODY: usize = 400;

/// "Deploy of acme.com at 14:02 UTC: 1 of 4 paths broke" and, path by path, how each went.
pub fn deploy_notice(domain: &Domain, at_ms: u64, results: &[FlowResult]) -> (String, String) {
    let broke = results.iter().filter(|r| r.status == FlowStatus::Fail).count();
    let unknown = results.iter().filter(|r| r.status == FlowStatus::Error).count();
    let verdict = match (broke, unknown) {
        (0, 0) => "every path works".to_owned(),
        (0, n) => format!("{n} of {} paths could not run", results.len()),
        (n, _) => format!("{n} of {} paths broke", results.len()),
    };
    let title = format!("Deploy of {domain} at {}: {verdict}", clock(at_ms));
    let lines: Vec<String> = results
        .iter()
        .map(|r| match r.status {
            FlowStatus::Pass => format!("{} works", r.name),
            FlowStatus::Fail | FlowStatus::Error => r.says.trim_end_matches('.').to_owned(),
        })
        .collect();
    let mut body = lines.join("; ");
    if body.chars().count() > MAX_NOTICE_BODY {
        body = body.chars().take(MAX_NOTICE_BODY - 1).collect::<String>() + "…";
    }
    (title, format!("{body}."))
}

/// A product's declared paths and webhooks, each with what it is (a template, a provider) and its
/// newest run.
#[derive(Debug, Default)]
struct PathRecords {
    flows: Vec<(String, PathState)>,
    webhooks: Vec<(String, PathState)>,
    plain_webhooks: usize,
}

/// What started a run of the paths, as the history keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Window,
    Cli,
    Deploy,
    Monitor,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Window => "window",
            Trigger::Cli => "cli",
            Trigger::Deploy => "deploy",
            Trigger::Monitor => "monitor",
        }
    }
}

fn status_word(s: FlowStatus) -> &'static str {
    match s {
        FlowStatus::Pass => "pass",
        FlowStatus::Fail => "fail",
        FlowStatus::Error => "error",
    }
}

/// Results of a run, and why they could not be kept when they could not (the run still counts).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Ran<T> {
    pub results: Vec<T>,
    pub not_saved: Option<String>,
}

/// One stored run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Past<T> {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    /// `window`, `cli`, `deploy` or `monitor`.
    pub trigger: String,
    pub result: T,
}

/// The newest runs of a product's paths and webhooks, newest first.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PathHistory {
    pub flows: Vec<Past<FlowResult>>,
    pub webhooks: Vec<Past<WebhookResult>>,
}

/// Reads `names` of `domain` once, off the async threads (the keychain blocks): from the host
/// when it holds the key (a CI runner), else from the keychain.
pub(crate) async fn load_keys(host: &Arc<dyn Host>, domain: &Domain, names: Vec<String>) -> Result<Loaded, FlowError> {
    let product = domain.to_string();
    let host = Arc::clone(host);
    tokio::task::spawn_blocking(move || {
        Loaded(
            names
                .into_iter()
                .map(|n| {
                    let v = key(host.as_ref(), &product, &n);
                    (n, v)
                })
                .collect(),
        )
    })
    .await
    .map_err(|e| FlowError::Storage(format!("the keychain could not be read: {e}")))
}

/// One key of `product`: the host's when it holds keys, else the keychain's. Blocks.
pub(crate) fn key(host: &dyn Host, product: &str, name: &str) -> Result<Option<Sensitive<String>>, String> {
    match host.key(product, name) {
        Some(held) => held.map(Some),
        None => preflight_vault::load(&SecretRef::new(product, name)).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_flows::outcome::step;

    #[test]
    fn a_deploy_notice_says_when_and_which_path_broke_at_which_step() {
        let ok = FlowResult::of(
            "Sign in",
            "login",
            vec![step("Sign in", FlowStatus::Pass, Some(200), 80, "accepted".into())],
            "Sign in: sign-in works.".into(),
        );
        let broken = FlowResult::of(
            "Chat",
            "chat",
            vec![
                step("Start a chat", FlowStatus::Pass, Some(200), 300, "answered".into()),
                step("Send a message", FlowStatus::Fail, Some(500), 90, "answered with error 500".into()),
            ],
            String::new(),
        );
        let domain = Domain::parse("acme.test").expect("domain");
        // 2026-12-03 14:02 UTC.
        let (title, body) = deploy_notice(&domain, 1_796_306_520_000, &[ok, broken]);
        assert_eq!(title, "Deploy of acme.test at 14:02 UTC: 1 of 2 paths broke");
        assert_eq!(body, "Sign in works; Chat: step 2 (Send a message) answered with error 500.");
    }
}
