//! `template = "steps"`: any other path, as a plain list of `[[flows.steps]]`, each a request with
//! what it must answer and what to keep for the steps after it.
//!
//! ```toml
//! [[flows]]
//! name = "Upgrade"
//! template = "steps"
//! [[flows.steps]]
//! name = "Open pricing"
//! url = "https://app.acme.com/pricing"
//! expect_text = "Pro plan"
//! capture = { csrf = "hidden:csrf_token", plan = 'regex:data-plan="([a-z]+)"' }
//! [[flows.steps]]
//! name = "Choose Pro"
//! method = "POST"
//! url = "https://app.acme.com/api/checkout"
//! headers = { "content-type" = "application/json", "x-csrf-token" = "{{csrf}}" }
//! body = '{"plan": "{{plan}}"}'
//! json_field = "status"
//! json_equals = "created"
//! kind = "write"                # the latency target (800 ms), or max_ms = 1200
//! ```
//!
//! `{{name}}` is a value an earlier step captured; `{{key:NAME}}` a keychain entry of the product,
//! sent only over https to the product's names (checked once the address is filled in).

use preflight_core::{Domain, EndpointKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The most steps one path has.
pub const MAX_STEPS: usize = 20;

/// One step, checked.
#[derive(Debug, Clone)]
pub struct StepConfig {
    pub name: String,
    pub method: String,
    /// May hold `{{…}}`, filled in when the step runs.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Default: any 2xx.
    pub expect_status: Option<u16>,
    pub expect_text: Option<String>,
    pub expect_absent: Option<String>,
    pub json: Option<(String, Option<String>)>,
    pub expect_header: Option<String>,
    /// The slowest answer that passes.
    pub max_ms: Option<u64>,
    pub captures: Vec<(String, Capture)>,
}

impl PartialEq for StepConfig {
    fn eq(&self, other: &StepConfig) -> bool {
        self.name == other.name && self.url == other.url && self.method == other.method
    }
}
impl Eq for StepConfig {}

/// Where a captured value comes from.
#[derive(Debug, Clone)]
pub enum Capture {
    /// A JSON field by dotted path.
    Json(String),
    Header(String),
    Cookie(String),
    /// A hidden input of the page's forms (a CSRF token).
    Hidden(String),
    /// The first group of a regular expression over the body.
    Regex(regex::Regex),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: String,
    #[serde(default)]
    method: Option<String>,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    expect_status: Option<u16>,
    expect_text: Option<String>,
    expect_absent: Option<String>,
    json_field: Option<String>,
    json_equals: Option<String>,
    expect_header: Option<String>,
    kind: Option<String>,
    max_ms: Option<u64>,
    #[serde(default)]
    capture: BTreeMap<String, String>,
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The names `{{…}}` in `text` refers to (`key:NAME` for keychain entries).
pub fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let Some(j) = rest[i + 2..].find("}}") else { break };
        out.push(rest[i + 2..i + 2 + j].trim().to_owned());
        rest = &rest[i + 2 + j + 2..];
    }
    out
}

/// The steps of a `steps` path, checked: every address on the product's https names once filled
/// in (a literal one is checked now), captures used only after a step made them, keys only by name.
pub fn parse(product: &Domain, tables: &[toml::Table]) -> Result<Vec<StepConfig>, String> {
    if tables.is_empty() {
        return Err("a steps path needs [[flows.steps]], each with a name and a url".into());
    }
    if tables.len() > MAX_STEPS {
        return Err(format!("{} steps are listed; a path has at most {MAX_STEPS}", tables.len()));
    }
    let mut known: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let at = |reason: String| format!("step {}: {reason}", i + 1);
        let raw = Raw::deserialize(toml::Value::Table(t.clone())).map_err(|e| at(e.message().to_owned()))?;
        let name = raw.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(at("a step needs a name of 1 to 80 characters".into()));
        }
        let at = |reason: String| format!("step {} ({name}): {reason}", i + 1);
        let texts = std::iter::once(raw.url.as_str()).chain(raw.headers.values().map(String::as_str)).chain(raw.body.as_deref());
        for r in texts.flat_map(references) {
            match r.strip_prefix("key:") {
                Some(k) if preflight_core::credential::key_name(k).is_some() => {}
                Some(k) => {
                    return Err(at(format!("{{{{key:{k}}}}} does not name a key ({})", preflight_core::credential::key_name_rule("key"))))
                }
                None if known.contains(&r) => {}
                None => return Err(at(format!("it uses {{{{{r}}}}}, which no step before it captures"))),
            }
        }
        // The host is written out, never filled in, so where a step goes is known from the file.
        let mut probe = raw.url.trim().to_owned();
        for r in references(&raw.url) {
            probe = probe.replace(&format!("{{{{{r}}}}}"), "x");
        }
        let authority =
            raw.url.trim().split_once("://").map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default()).unwrap_or_default();
        if authority.contains("{{") {
            return Err(at("url: write its host out (https://app.example.com/…): only the path and query may be filled in".into()));
        }
        preflight_core::credential::for_product("this step", &probe, product.as_str()).map_err(|e| at(format!("url: {e}")))?;
        // A credential written into a header would sit in the file: it must come from the keychain.
        for (k, v) in &raw.headers {
            if preflight_core::credential::is_credential_header(k) && !references(v).iter().any(|r| r.starts_with("key:")) {
                return Err(at(format!(
                    "the header \"{k}\" carries a credential: write it as \"{{{{key:NAME}}}}\" and save the value in Settings → Keys"
                )));
            }
        }
        let method = raw.method.as_deref().map(str::trim).filter(|m| !m.is_empty()).unwrap_or("GET").to_ascii_uppercase();
        if method.len() > 16 || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(at(format!("method = \"{method}\" is not an HTTP method")));
        }
        if raw.json_equals.is_some() && raw.json_field.is_none() {
            return Err(at("json_equals needs json_field (the field to look at)".into()));
        }
        let max_ms = match (raw.max_ms, raw.kind.as_deref()) {
            (Some(ms), _) => Some(ms),
            (None, Some(k)) => {
                let kind = EndpointKind::parse(k).ok_or_else(|| {
                    at(format!("kind = \"{k}\" is not one of cached-read, write, chat-send, streaming-chat, webhook, auth-callback"))
                })?;
                Some(u64::from(kind.target_ms()))
            }
            (None, None) => None,
        };
        let mut captures = Vec::new();
        for (cname, from) in &raw.capture {
            if !is_name(cname) {
                return Err(at(format!("capture \"{cname}\" must be a name of letters, digits and _")));
            }
            let (how, what) = from.split_once(':').ok_or_else(|| {
                at(format!("capture {cname} = \"{from}\": say where from, as json:, header:, cookie:, hidden: or regex:"))
            })?;
            let capture = match how.trim() {
                "json" => Capture::Json(what.trim().to_owned()),
                "header" => Capture::Header(what.trim().to_ascii_lowercase()),
                "cookie" => Capture::Cookie(what.trim().to_owned()),
                "hidden" => Capture::Hidden(what.trim().to_owned()),
                "regex" => {
                    let re = regex::RegexBuilder::new(what)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| at(format!("capture {cname}: the regular expression is not valid ({e})")))?;
                    if re.captures_len() < 2 {
                        return Err(at(format!("capture {cname}: the regular expression needs a group, ( … ), around the value")));
                    }
                    Capture::Regex(re)
                }
                other => return Err(at(format!("capture {cname}: \"{other}:\" is not json:, header:, cookie:, hidden: or regex:"))),
            };
            captures.push((cname.clone(), capture));
        }
        known.extend(captures.iter().map(|(n, _)| n.clone()));
        out.push(StepConfig {
            name,
            method,
            url: raw.url.trim().to_owned(),
            headers: raw.headers.into_iter().collect(),
            body: raw.body,
            expect_status: raw.expect_status,
            expect_text: raw.expect_text.filter(|t| !t.is_empty()),
            expect_absent: raw.expect_absent.filter(|t| !t.is_empty()),
            json: raw.json_field.map(|f| (f, raw.json_equals)),
            expect_header: raw.expect_header.map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()),
            max_ms,
            captures,
        });
    }
    Ok(out)
}
