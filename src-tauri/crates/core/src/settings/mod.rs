//! A product's settings as a form: what the window edits, checked field by field with the config's
//! own validators ([`crate::config::fields`]) and written back into the file by [`edit::apply`], which
//! keeps a hand-written file's comments and layout. The file stays the one source of truth: the CLI,
//! the tray and CI read it; the form is only a view of it.
//!
//! Monitors are not part of the form (the Monitors view owns them); `apply` leaves them as they are.
//! The customer paths are, as [`FlowForm`]s: their fields are checked by the flows crate.

pub mod edit;

use crate::config::{evals, fields, CallbackConfig, ConfigError, EndpointConfig, EvalConfig, ProductConfig};
use crate::target::DEFAULT_NAMES;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest settings file read or imported: hand-written ones are a few KiB.
pub const MAX_SETTINGS_BYTES: u64 = 256 * 1024;

/// Every setting a founder edits, in the file's own words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct SettingsForm {
    pub domain: String,
    /// `None`: the roadmap's names (www, app, api, auth).
    pub names: Option<Vec<String>>,
    /// `None`: www, when it is checked (the root always is).
    pub required: Option<Vec<String>>,
    /// Found names that are not part of the product.
    pub ignore: Vec<String>,
    pub canonical: Option<String>,
    pub previews: Vec<String>,
    /// `None`: mail is sent from the root domain.
    pub mail_domain: Option<String>,
    pub dkim_selectors: Vec<String>,
    pub endpoints: Vec<EndpointConfig>,
    pub callbacks: Vec<CallbackConfig>,
    /// The customer paths (`[[flows]]`), each as written; the flows crate checks them.
    #[serde(default)]
    pub flows: Vec<FlowForm>,
    /// The founder's questions to the chatbot (`[[evals]]`).
    #[serde(default)]
    pub evals: Vec<EvalConfig>,
}

/// A `[[flows]]` entry as the window edits it: its name, its template, and the template's fields
/// as text (`login_url`, `password_key`, `within_secs`…). The core keeps them; the flows crate
/// checks them, for the file, the window and the CLI alike.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlowForm {
    pub name: String,
    pub template: String,
    pub fields: BTreeMap<String, String>,
    /// Values that are lists or tables (a steps path's `[[flows.steps]]`), as TOML text: kept as
    /// they are, never edited by the form.
    #[serde(default)]
    pub kept: BTreeMap<String, String>,
}

impl FlowForm {
    /// The entry of a settings file's `[[flows]]` table (a value that is not text, such as
    /// `within_secs = 120`, is kept as it reads).
    pub fn of(table: &toml::Table) -> FlowForm {
        let text = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let get = |k: &str| table.get(k).map(text).unwrap_or_default();
        let structured = |v: &toml::Value| matches!(v, toml::Value::Array(_) | toml::Value::Table(_));
        let own = |k: &String| k != "name" && k != "template";
        let fields = table.iter().filter(|(k, v)| own(k) && !structured(v)).map(|(k, v)| (k.clone(), text(v))).collect();
        let kept = table.iter().filter(|(k, v)| own(k) && structured(v)).map(|(k, v)| (k.clone(), v.to_string())).collect();
        FlowForm { name: get("name"), template: get("template"), fields, kept }
    }

    /// The `[[flows]]` table it stands for: a field named `…_secs` is a number when it reads as one.
    pub fn table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("name".into(), toml::Value::String(self.name.clone()));
        t.insert("template".into(), toml::Value::String(self.template.clone()));
        for (k, v) in &self.fields {
            let value = match v.trim().parse::<i64>() {
                Ok(n) if k.ends_with("_secs") => toml::Value::Integer(n),
                _ => toml::Value::String(v.clone()),
            };
            t.insert(k.clone(), value);
        }
        for (k, v) in &self.kept {
            if let Ok(mut parsed) = toml::from_str::<toml::Table>(&format!("v = {v}")) {
                if let Some(value) = parsed.remove("v") {
                    t.insert(k.clone(), value);
                }
            }
        }
        t
    }
}

/// One field the engine refuses, and why, in the CLI's words without the file name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Problem {
    /// Where: `domain`, `names.2`, `endpoints.0.url`, `callbacks.1`, …
    pub field: String,
    pub message: String,
}

impl SettingsForm {
    /// The form of a product with no settings file yet.
    pub fn new(domain: &str) -> SettingsForm {
        SettingsForm {
            domain: domain.to_owned(),
            names: None,
            required: None,
            ignore: Vec::new(),
            canonical: None,
            previews: Vec::new(),
            mail_domain: None,
            dkim_selectors: Vec::new(),
            endpoints: Vec::new(),
            callbacks: Vec::new(),
            flows: Vec::new(),
            evals: Vec::new(),
        }
    }

    /// The form of a parsed file.
    pub fn of(cfg: &ProductConfig) -> SettingsForm {
        SettingsForm {
            domain: cfg.domain.clone(),
            names: cfg.names.clone(),
            required: cfg.required.clone(),
            ignore: cfg.ignore.clone(),
            canonical: cfg.canonical.clone(),
            previews: cfg.previews.clone(),
            mail_domain: cfg.mail.as_ref().and_then(|m| m.domain.clone()),
            dkim_selectors: cfg.mail.as_ref().map(|m| m.dkim_selectors.clone()).unwrap_or_default(),
            endpoints: cfg.endpoints.clone(),
            callbacks: cfg.callbacks.clone(),
            flows: cfg.flows.iter().map(FlowForm::of).collect(),
            evals: cfg.evals.clone(),
        }
    }

    /// Trimmed, with empty optional values as absent and empty list rows dropped: what a form with a
    /// blank row or a cleared box means. An endpoint is never dropped, however empty: it is refused.
    pub fn normalized(&self) -> SettingsForm {
        let text = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let list = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        SettingsForm {
            domain: self.domain.trim().to_owned(),
            names: self.names.as_deref().map(list),
            required: self.required.as_deref().map(list),
            ignore: list(&self.ignore),
            canonical: text(&self.canonical),
            previews: list(&self.previews),
            mail_domain: text(&self.mail_domain),
            dkim_selectors: list(&self.dkim_selectors),
            endpoints: self
                .endpoints
                .iter()
                .map(|e| EndpointConfig {
                    name: e.name.trim().to_owned(),
                    method: e.method.trim().to_ascii_uppercase(),
                    url: e.url.trim().to_owned(),
                    headers: e
                        .headers
                        .iter()
                        .filter(|(k, _)| !k.trim().is_empty())
                        .map(|(k, v)| (k.trim().to_owned(), v.clone()))
                        .collect(),
                    body: e.body.clone().filter(|b| !b.trim().is_empty()),
                    secret: text(&e.secret),
                    secret_header: text(&e.secret_header),
                    secret_prefix: e.secret_prefix.clone().filter(|p| !p.is_empty()),
                    expect_status: e.expect_status,
                    latency_target_ms: e.latency_target_ms,
                    kind: text(&e.kind),
                })
                .collect(),
            callbacks: self
                .callbacks
                .iter()
                .map(|c| CallbackConfig {
                    kind: c.kind,
                    url: c.url.trim().to_owned(),
                    name: text(&c.name),
                    provider: c.provider,
                    signing_key: text(&c.signing_key),
                    event: text(&c.event),
                })
                .collect(),
            flows: self
                .flows
                .iter()
                .map(|f| FlowForm {
                    name: f.name.trim().to_owned(),
                    template: f.template.trim().to_owned(),
                    fields: f
                        .fields
                        .iter()
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                        .collect(),
                    kept: f.kept.clone(),
                })
                .collect(),
            evals: self
                .evals
                .iter()
                .map(|e| EvalConfig {
                    question: e.question.trim().to_owned(),
                    name: text(&e.name),
                    must_contain: list(&e.must_contain),
                    must_not_contain: list(&e.must_not_contain),
                    json_field: text(&e.json_field),
                    json_equals: e.json_equals.clone().filter(|v| !v.is_empty()),
                    max_latency_ms: e.max_latency_ms,
                })
                .collect(),
        }
    }
}

/// Every refusal in `form` (normalize it first), each at its field. Empty means the engine takes it.
pub fn check(form: &SettingsForm) -> Vec<Problem> {
    const FILE: &str = "settings";
    let mut out = Vec::new();
    fn push(out: &mut Vec<Problem>, field: String, e: ConfigError) {
        out.push(Problem { field, message: e.reason() });
    }
    let domain = match fields::domain(FILE, &form.domain) {
        Ok(d) => d,
        Err(e) => {
            // Every other field is judged against the domain: without one there is nothing to add.
            push(&mut out, "domain".into(), e);
            return out;
        }
    };
    let mut checked = Vec::new();
    match &form.names {
        Some(names) => {
            for (i, n) in names.iter().enumerate() {
                match fields::name(FILE, n) {
                    Ok(label) => checked.push(label),
                    Err(e) => push(&mut out, format!("names.{i}"), e),
                }
            }
        }
        None => checked.extend(DEFAULT_NAMES.iter().map(|(l, _)| (*l).to_owned())),
    }
    for (i, r) in form.required.iter().flatten().enumerate() {
        if let Err(e) = fields::required(FILE, r, &checked) {
            push(&mut out, format!("required.{i}"), e);
        }
    }
    for (i, n) in form.ignore.iter().enumerate() {
        if let Err(e) = fields::ignored(FILE, &domain, n) {
            push(&mut out, format!("ignore.{i}"), e);
        }
    }
    if let Some(Err(e)) = form.canonical.as_deref().map(|c| fields::canonical(FILE, &domain, c)) {
        push(&mut out, "canonical".into(), e);
    }
    for (i, p) in form.previews.iter().enumerate() {
        if let Err(e) = fields::web_url(FILE, "preview", p) {
            push(&mut out, format!("previews.{i}"), e);
        }
    }
    let mut replays = Vec::new();
    for (i, c) in form.callbacks.iter().enumerate() {
        if let Err(e) = fields::web_url(FILE, "callback", &c.url) {
            push(&mut out, format!("callbacks.{i}"), e);
            continue;
        }
        match fields::replay(FILE, &domain, c, &replays) {
            Ok(Some(r)) => replays.push(r),
            Ok(None) => {}
            // The address's own problems sit under the address, like a plain callback's.
            Err(p) if p.field == "url" => push(&mut out, format!("callbacks.{i}"), p.error),
            Err(p) => push(&mut out, format!("callbacks.{i}.{}", p.field), p.error),
        }
    }
    if let Some(Err(e)) = form.mail_domain.as_deref().map(|d| fields::mail_domain(FILE, d)) {
        push(&mut out, "mail_domain".into(), e);
    }
    for (i, s) in form.dkim_selectors.iter().enumerate() {
        if let Err(e) = fields::selector(FILE, s) {
            push(&mut out, format!("dkim_selectors.{i}"), e);
        }
    }
    for (i, e) in form.endpoints.iter().enumerate() {
        if let Err(err) = fields::unique_endpoint(FILE, &e.name, &form.endpoints[..i]) {
            push(&mut out, format!("endpoints.{i}.name"), err);
        } else if let Err(p) = fields::endpoint(FILE, &domain, e) {
            push(&mut out, format!("endpoints.{i}.{}", p.field), p.error);
        }
    }
    if form.evals.len() > evals::MAX_EVALS {
        out.push(Problem { field: "evals".into(), message: format!("at most {} questions are asked", evals::MAX_EVALS) });
    }
    let mut asked = Vec::new();
    for (i, e) in form.evals.iter().enumerate() {
        match evals::eval(FILE, e, &asked) {
            Ok(x) => asked.push(x),
            Err(p) => push(&mut out, format!("evals.{i}.{}", p.field), p.error),
        }
    }
    out
}

/// A short fingerprint of a file's text (FNV-1a): the window sends back the one it was shown, and a
/// save over a file that changed since is refused instead of overwriting someone's edit.
pub fn revision(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests;
