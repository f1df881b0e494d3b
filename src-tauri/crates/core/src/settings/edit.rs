//! Writes a [`SettingsForm`] into a settings file's text, touching only what changed. A value equal to
//! the file's is left byte for byte (its comments, quotes and line breaks with it); a changed value
//! takes the old one's surrounding comments; `[[endpoints]]` and `[[callbacks]]` tables are matched
//! (like `[[flows]]`) by name, then by address, so a comment above an endpoint stays with that endpoint
//! when another one is removed. Keys the form does not own (`monitors`) are never touched.

use super::{FlowForm, SettingsForm, MAX_SETTINGS_BYTES};
use crate::config::{CallbackConfig, EndpointConfig, EvalConfig, ProductConfig};
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// Why the text could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The file on disk is not TOML: it is not rewritten, so nothing of it is lost.
    #[error("the settings file is not valid TOML, so it was left as it is: {0}")]
    Syntax(String),
    /// A key the form owns holds something of another shape (a table where a list belongs).
    #[error("the settings file's `{0}` is written in a shape Preflight does not edit; change it in the file")]
    Shape(String),
    /// The result would not be taken by the engine (never expected after [`super::check`]).
    #[error("{0}")]
    Invalid(String),
}

const HEADER: &str = "# Preflight settings. The Preflight window edits this file and keeps what you write here,\n# comments included; `preflight audit --config` and `preflight latency --config` read it.\n";

/// `original` with `form` written in; `original` may be empty (a new file). The result is parsed
/// back by the engine before it is returned, so what is written is always what the CLI accepts.
pub fn apply(original: &str, form: &SettingsForm) -> Result<String, EditError> {
    let mut doc: DocumentMut = if original.trim().is_empty() {
        let mut d = DocumentMut::new();
        d.decor_mut().set_prefix(HEADER);
        d
    } else {
        original.parse().map_err(|e: toml_edit::TomlError| EditError::Syntax(e.message().to_owned()))?
    };
    let root = doc.as_table_mut();
    put(root, "domain", Some(form.domain.as_str().into()));
    put(root, "names", form.names.as_deref().map(strings));
    put(root, "required", form.required.as_deref().map(strings));
    put(root, "ignore", nonempty(&form.ignore));
    put(root, "canonical", form.canonical.as_deref().map(Value::from));
    put(root, "previews", nonempty(&form.previews));
    mail(root, form)?;
    tables(root, "endpoints", "url", &form.endpoints, |e| (Some(e.name.as_str()), e.url.as_str()), endpoint)?;
    tables(root, "callbacks", "url", &form.callbacks, |c| (c.name.as_deref(), c.url.as_str()), callback)?;
    tables(root, "flows", "url", &form.flows, |f| (Some(f.name.as_str()), ""), flow)?;
    tables(root, "evals", "question", &form.evals, |e| (e.name.as_deref(), e.question.as_str()), eval)?;
    let text = doc.to_string();
    if text.len() as u64 > MAX_SETTINGS_BYTES {
        return Err(EditError::Invalid(format!("the settings would be larger than {} KiB", MAX_SETTINGS_BYTES / 1024)));
    }
    let cfg = ProductConfig::parse("settings", &text).map_err(|e| EditError::Invalid(e.reason()))?;
    cfg.target("settings").map_err(|e| EditError::Invalid(e.reason()))?;
    Ok(text)
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(String::as_str).collect::<Array>())
}

fn nonempty(v: &[String]) -> Option<Value> {
    (!v.is_empty()).then(|| strings(v))
}

/// The value a TOML value stands for, whatever its layout, for "did it change?".
fn meaning(v: &Value) -> Option<toml::Value> {
    let mut bare = v.clone();
    bare.decor_mut().clear();
    toml::from_str::<toml::Table>(&format!("v = {bare}")).ok().and_then(|mut t| t.remove("v"))
}

/// Sets `key` to `new` (removes it for `None`), leaving an equal value as it was written.
fn put(table: &mut Table, key: &str, new: Option<Value>) {
    let Some(mut new) = new else {
        table.remove(key);
        return;
    };
    match table.get_mut(key) {
        Some(Item::Value(old)) => {
            if meaning(old) != meaning(&new) {
                *new.decor_mut() = old.decor().clone();
                *old = new;
            }
        }
        Some(item) => *item = Item::Value(new),
        None => {
            table.insert(key, Item::Value(new));
        }
    }
}

/// Like [`put`], but a value equal to the key's default is not added to a table that lacks it.
fn put_or_default(table: &mut Table, key: &str, new: Value, default: &Value) {
    if !table.contains_key(key) && meaning(&new) == meaning(default) {
        return;
    }
    put(table, key, Some(new));
}

fn mail(root: &mut Table, form: &SettingsForm) -> Result<(), EditError> {
    if form.mail_domain.is_none() && form.dkim_selectors.is_empty() {
        root.remove("mail");
        return Ok(());
    }
    // An inline `mail = { … }` becomes a section: simpler to read, and the values are the same.
    if let Some(inline) = root.get("mail").and_then(Item::as_inline_table) {
        let section = inline.clone().into_table();
        root.insert("mail", Item::Table(section));
    }
    let table =
        root.entry("mail").or_insert_with(|| Item::Table(Table::new())).as_table_mut().ok_or_else(|| EditError::Shape("mail".into()))?;
    put(table, "domain", form.mail_domain.as_deref().map(Value::from));
    put(table, "dkim_selectors", nonempty(&form.dkim_selectors));
    Ok(())
}

fn endpoint(t: &mut Table, e: &EndpointConfig) {
    put(t, "name", Some(e.name.as_str().into()));
    put_or_default(t, "method", e.method.as_str().into(), &"GET".into());
    put(t, "url", Some(e.url.as_str().into()));
    let headers = (!e.headers.is_empty()).then(|| {
        let mut h = InlineTable::new();
        for (k, v) in &e.headers {
            h.insert(k, v.as_str().into());
        }
        Value::InlineTable(h)
    });
    put(t, "headers", headers);
    put(t, "body", e.body.as_deref().map(Value::from));
    put(t, "secret", e.secret.as_deref().map(Value::from));
    put(t, "secret_header", e.secret_header.as_deref().map(Value::from));
    put(t, "secret_prefix", e.secret_prefix.as_deref().map(Value::from));
    put(t, "expect_status", e.expect_status.map(|s| Value::from(i64::from(s))));
    put(t, "latency_target_ms", e.latency_target_ms.map(|ms| Value::from(i64::from(ms))));
    put(t, "kind", e.kind.as_deref().map(Value::from));
}

fn callback(t: &mut Table, c: &CallbackConfig) {
    let kind = match c.kind {
        crate::target::CallbackKind::Auth => "auth",
        crate::target::CallbackKind::Webhook => "webhook",
    };
    put(t, "kind", Some(kind.into()));
    put(t, "url", Some(c.url.as_str().into()));
    put(t, "name", c.name.as_deref().map(Into::into));
    put(t, "provider", c.provider.map(|p| p.as_str().into()));
    put(t, "signing_key", c.signing_key.as_deref().map(Into::into));
    put(t, "event", c.event.as_deref().map(Into::into));
}

/// A question's table.
fn eval(t: &mut Table, e: &EvalConfig) {
    put(t, "question", Some(e.question.as_str().into()));
    put(t, "name", e.name.as_deref().map(Into::into));
    put(t, "must_contain", nonempty(&e.must_contain));
    put(t, "must_not_contain", nonempty(&e.must_not_contain));
    put(t, "json_field", e.json_field.as_deref().map(Into::into));
    put(t, "json_equals", e.json_equals.as_deref().map(Into::into));
    put(t, "max_latency_ms", e.max_latency_ms.map(|ms| Value::from(i64::from(ms))));
}

/// A path's table: its fields as the form has them, the ones the form dropped removed.
fn flow(t: &mut Table, f: &FlowForm) {
    put(t, "name", Some(f.name.as_str().into()));
    put(t, "template", Some(f.template.as_str().into()));
    let dropped: Vec<String> = t
        .iter()
        .map(|(k, _)| k.to_owned())
        .filter(|k| k != "name" && k != "template" && !f.fields.contains_key(k) && !f.kept.contains_key(k))
        .collect();
    for k in dropped {
        t.remove(&k);
    }
    // Lists and tables (a steps path's steps) stay as the file has them; a new path gets them.
    for (k, text) in &f.kept {
        if !t.contains_key(k) {
            if let Ok(doc) = format!("v = {text}").parse::<DocumentMut>() {
                if let Some(item) = doc.get("v") {
                    t.insert(k, item.clone());
                }
            }
        }
    }
    for (k, v) in f.table() {
        if k == "name" || k == "template" || f.kept.contains_key(&k) {
            continue;
        }
        let value = match v {
            toml::Value::Integer(n) => Value::from(n),
            other => Value::from(other.as_str().unwrap_or_default()),
        };
        put(t, &k, Some(value));
    }
}

/// Writes `rows` as `[[key]]` tables, reusing the file's table for each row it matches: by name,
/// then by the field `by` (an address, a question).
fn tables<R>(
    root: &mut Table,
    key: &str,
    by: &str,
    rows: &[R],
    id: impl Fn(&R) -> (Option<&str>, &str),
    fill: impl Fn(&mut Table, &R),
) -> Result<(), EditError> {
    if rows.is_empty() {
        root.remove(key);
        return Ok(());
    }
    let old: Vec<Table> = match root.get(key) {
        None => Vec::new(),
        Some(Item::ArrayOfTables(a)) => a.iter().cloned().collect(),
        // A hand-written inline list (`endpoints = [{ … }]`) becomes sections, values unchanged.
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .map(|v| v.as_inline_table().cloned().map(InlineTable::into_table).ok_or_else(|| EditError::Shape(key.into())))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(EditError::Shape(key.into())),
    };
    let field = |t: &Table, f: &str| t.get(f).and_then(Item::as_str).map(str::to_owned);
    let mut taken = vec![false; old.len()];
    let mut claim = |same: &dyn Fn(&Table) -> bool| {
        let found = old.iter().enumerate().position(|(i, t)| !taken[i] && same(t));
        if let Some(i) = found {
            taken[i] = true;
        }
        found
    };
    // By name first; a renamed row still finds its table by its address. Anything else is new.
    let mut picks: Vec<Option<usize>> =
        rows.iter().map(|r| id(r).0.and_then(|n| claim(&|t| field(t, "name").as_deref() == Some(n)))).collect();
    for (pick, r) in picks.iter_mut().zip(rows) {
        if pick.is_none() {
            let url = id(r).1;
            *pick = claim(&|t| !url.is_empty() && field(t, by).as_deref() == Some(url));
        }
    }
    // Renamed without an address to go by (a path): the table in its place, when nobody took it.
    for (i, (pick, r)) in picks.iter_mut().zip(rows).enumerate() {
        if pick.is_none() && id(r).1.is_empty() && i < old.len() && !taken[i] {
            taken[i] = true;
            *pick = Some(i);
        }
    }
    let mut out = ArrayOfTables::new();
    for (row, pick) in rows.iter().zip(picks) {
        let mut t = pick.and_then(|i| old.get(i).cloned()).unwrap_or_default();
        t.set_implicit(false);
        fill(&mut t, row);
        out.push(t);
    }
    // A reused table keeps its position (where the document prints it); a new one has none and is
    // printed after the table before it, so an added endpoint lands after the others.
    root.insert(key, Item::ArrayOfTables(out));
    Ok(())
}
