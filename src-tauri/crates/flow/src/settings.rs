//! A product's settings file as every front end edits it: shown as a form with the revision it was
//! read at, saved only over that same revision (an edit made in a text editor meanwhile is never
//! silently overwritten), imported from a repository's `preflight.toml` and exported to one. The
//! file is replaced whole (write-aside, sync, rename): a failed save leaves the old file intact.
//!
//! Keys are listed beside the form: each name the settings use or the keychain holds, whether a
//! value is saved, and at most its last two characters ("ends in …4f") so a founder can tell two
//! tokens apart. The value itself never leaves this module.

use crate::{Flow, FlowError};
use preflight_core::config::ProductConfig;
use preflight_core::settings::{self as form, edit, Problem, SettingsForm, MAX_SETTINGS_BYTES};
use preflight_core::target::DEFAULT_NAMES;
use preflight_core::{Domain, EndpointKind};
use preflight_vault::SecretRef;
use serde::Serialize;
use std::path::Path;

/// What the settings view shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettingsView {
    pub form: SettingsForm,
    /// Send it back with a save: a file changed since is not overwritten.
    pub revision: String,
    /// Where the file is (absent when the app has no data folder).
    pub file: Option<String>,
    /// False until the first save: the form shows the defaults.
    pub exists: bool,
    pub keys: Vec<KeyState>,
    /// Why the keychain could not be asked, in words with what to do; the keys are then unknown.
    pub keychain_error: Option<String>,
    /// The names checked when the form lists none (`names: None`).
    pub default_names: Vec<String>,
    /// Each kind of endpoint with the p95 target it gets when the form sets none.
    pub kinds: Vec<KindDefault>,
    /// Found names the founder kept (audited every time) and dropped (never offered again).
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
}

/// A kind of endpoint and its default latency target, as the engine judges it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindDefault {
    pub kind: EndpointKind,
    pub target_ms: u32,
}

/// A product's keys and whether the keychain could be asked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KeysView {
    pub keys: Vec<KeyState>,
    pub keychain_error: Option<String>,
}

/// One key a product has or needs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KeyState {
    pub name: String,
    /// A value is in this computer's keychain.
    pub saved: bool,
    /// The value's last two characters, for values long enough that two reveal nothing useful.
    pub ends_with: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub set_at_ms: Option<i64>,
    /// The endpoints and monitors of the settings that send it.
    pub used_by: Vec<String>,
}

/// Values shorter than this show no ending at all.
const TAIL_FROM: usize = 12;

/// Reads a settings file of bounded size, through the secrets crate's reader of founder-named files
/// (opened without blocking, checked on the open handle): a FIFO, a device or a folder is refused,
/// not waited on.
pub(crate) fn read_bounded(path: &Path) -> Result<String, FlowError> {
    use preflight_secrets::read::{named_text_file, ReadError};
    let bad = |why: String| FlowError::ProductSettings(format!("cannot read {}: {why}", path.display()));
    named_text_file(path, MAX_SETTINGS_BYTES).map_err(|e| match e {
        ReadError::NotAFile { .. } => bad("it is not a regular file".into()),
        ReadError::TooLarge { .. } => bad(format!("it is larger than {} KiB, which no settings file is", MAX_SETTINGS_BYTES / 1024)),
        ReadError::Io { source, .. } => bad(source.to_string()),
        other => bad(other.to_string()),
    })
}

impl Flow {
    fn settings_path(&self, domain: &Domain) -> Result<std::path::PathBuf, FlowError> {
        self.settings_file(domain).ok_or_else(|| {
            FlowError::ProductSettings("this computer has no folder for Preflight's data, so settings cannot be kept".into())
        })
    }

    /// The file's text now, empty when there is none yet.
    fn settings_text(&self, domain: &Domain) -> Result<String, FlowError> {
        let path = self.settings_path(domain)?;
        if !path.exists() {
            return Ok(String::new());
        }
        read_bounded(&path)
    }

    /// The form of `domain`'s settings (the defaults when it has none), with its keys.
    pub fn settings(&self, domain: &Domain) -> Result<SettingsView, FlowError> {
        let text = self.settings_text(domain)?;
        self.view(domain, text)
    }

    /// The view of `text`, the file's content (just read or just written: never read twice).
    fn view(&self, domain: &Domain, text: String) -> Result<SettingsView, FlowError> {
        let file = self.settings_path(domain)?.display().to_string();
        let cfg = if text.is_empty() {
            None
        } else {
            let cfg = ProductConfig::parse(&file, &text).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
            if cfg.domain.trim() != domain.as_str() {
                return Err(FlowError::ProductSettings(format!("{file} is about {}, not {domain}", cfg.domain)));
            }
            Some(cfg)
        };
        let form = cfg.as_ref().map_or_else(|| SettingsForm::new(domain.as_str()), SettingsForm::of);
        let KeysView { keys, keychain_error } = self.key_states(domain, cfg.as_ref());
        let decisions = self.store().ok().and_then(|s| s.decisions(domain.as_str()).ok()).unwrap_or_default();
        Ok(SettingsView {
            form,
            revision: form::revision(&text),
            file: Some(file),
            exists: !text.is_empty(),
            keys,
            keychain_error,
            default_names: DEFAULT_NAMES.iter().map(|(n, _)| (*n).to_owned()).collect(),
            kinds: EndpointKind::ALL.into_iter().map(|kind| KindDefault { kind, target_ms: kind.target_ms() }).collect(),
            kept: decisions.kept,
            dropped: decisions.dropped,
        })
    }

    /// The revision of `domain`'s file as it is on disk now (what a watcher compares).
    pub fn settings_revision(&self, domain: &Domain) -> Result<String, FlowError> {
        Ok(form::revision(&self.settings_text(domain)?))
    }

    /// The product's keys alone (after one is set or removed).
    pub fn key_view(&self, domain: &Domain) -> KeysView {
        let text = self.settings_text(domain).unwrap_or_default();
        self.key_states(domain, ProductConfig::parse("settings", &text).ok().as_ref())
    }

    /// What the engine refuses in `form`, field by field (nothing is written).
    pub fn check_settings(&self, form: &SettingsForm) -> Vec<Problem> {
        check(&form.normalized())
    }

    /// Writes `form` into `domain`'s file if the file is still at `revision`; the file's comments
    /// and the keys the form does not own (monitors) are kept.
    pub fn save_settings(&self, domain: &Domain, form: &SettingsForm, revision: &str) -> Result<SettingsView, FlowError> {
        let form = form.normalized();
        if form.domain != domain.as_str() {
            return Err(FlowError::Invalid(format!("these settings are for {}, not {domain}", form.domain)));
        }
        if let Some(p) = check(&form).first() {
            return Err(FlowError::Invalid(p.message.clone()));
        }
        let text = self.settings_text(domain)?;
        if form::revision(&text) != revision {
            return Err(FlowError::SettingsChanged);
        }
        let new = edit::apply(&text, &form).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
        self.write_settings(domain, &new)?;
        self.view(domain, new)
    }

    /// Takes a repository's `preflight.toml` as `domain`'s settings, comments and all, if the file
    /// is still at `revision`. A file about another domain, or one the engine refuses, is not taken.
    pub fn import_settings(&self, domain: &Domain, from: &Path, revision: &str) -> Result<SettingsView, FlowError> {
        let text = read_bounded(from)?;
        let name = from.display().to_string();
        let cfg = ProductConfig::parse(&name, &text).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
        let target = cfg.target(&name).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
        cfg.monitors(&name).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
        if target.domain != *domain {
            return Err(FlowError::ProductSettings(format!("{name} is about {}, not {domain}: nothing was imported", target.domain)));
        }
        if form::revision(&self.settings_text(domain)?) != revision {
            return Err(FlowError::SettingsChanged);
        }
        self.write_settings(domain, &text)?;
        self.view(domain, text)
    }

    /// Writes `domain`'s settings to `to` (a repository's `preflight.toml`); returns the path.
    pub fn export_settings(&self, domain: &Domain, to: &Path) -> Result<String, FlowError> {
        let text = self.settings_text(domain)?;
        let text = if text.is_empty() {
            edit::apply("", &SettingsForm::new(domain.as_str())).map_err(|e| FlowError::ProductSettings(e.to_string()))?
        } else {
            text
        };
        preflight_store::files::replace(to, text.as_bytes())
            .map_err(|e| FlowError::ProductSettings(format!("cannot write {}: {e}", to.display())))?;
        Ok(to.display().to_string())
    }

    fn write_settings(&self, domain: &Domain, text: &str) -> Result<(), FlowError> {
        let path = self.settings_path(domain)?;
        let fail = |e: std::io::Error| FlowError::ProductSettings(format!("cannot save {}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
            preflight_store::files::private_dir(dir).map_err(fail)?;
        }
        preflight_store::files::replace(&path, text.as_bytes()).map_err(fail)
    }

    /// Each key the settings name or the history records, with whether the keychain holds it.
    fn key_states(&self, domain: &Domain, cfg: Option<&ProductConfig>) -> KeysView {
        let mut keys: Vec<KeyState> = Vec::new();
        let mut want = |name: &str, user: Option<&str>, set_at_ms: Option<i64>| {
            let i = match keys.iter().position(|k| k.name == name) {
                Some(i) => i,
                None => {
                    keys.push(KeyState { name: name.to_owned(), saved: false, ends_with: None, set_at_ms: None, used_by: Vec::new() });
                    keys.len() - 1
                }
            };
            if let Some(u) = user {
                keys[i].used_by.push(u.to_owned());
            }
            keys[i].set_at_ms = keys[i].set_at_ms.or(set_at_ms);
        };
        if let Some(cfg) = cfg {
            for e in &cfg.endpoints {
                if let Some(s) = e.secret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    want(s, Some(&e.name), None);
                }
            }
            for m in &cfg.monitors {
                if let Some(s) = m.secret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    want(s, Some(&m.name), None);
                }
            }
            // The test account's keys of the paths (a file whose flows are refused names none).
            for f in preflight_flows::config::parse(domain, &cfg.flows).unwrap_or_default() {
                for k in crate::flows::key_names(std::slice::from_ref(&f)) {
                    want(&k, Some(&f.name), None);
                }
            }
            // The webhooks' signing secrets (a file whose replays are refused names none).
            for r in cfg.replays("settings").unwrap_or_default() {
                want(&r.signing_key, Some(&r.name), None);
            }
        }
        for row in self.keys(domain).unwrap_or_default() {
            want(&row.name, None, Some(row.set_at_ms));
        }
        let mut error = None;
        for k in &mut keys {
            match preflight_vault::load(&SecretRef::new(domain.as_str(), &k.name)) {
                Ok(Some(v)) => {
                    k.saved = true;
                    let chars: Vec<char> = v.expose().chars().collect();
                    k.ends_with = (chars.len() >= TAIL_FROM).then(|| chars[chars.len() - 2..].iter().collect());
                }
                Ok(None) => {}
                Err(e) => {
                    error = Some(format!("Preflight could not look in the keychain: {e}"));
                    break;
                }
            }
        }
        KeysView { keys, keychain_error: error }
    }
}

/// Every refusal in `form` (normalized): the core's, field by field, then the paths', each by the
/// flows crate that runs them (so the window refuses exactly what `preflight flow run` would).
pub(crate) fn check(form: &SettingsForm) -> Vec<Problem> {
    let mut out = form::check(form);
    let Ok(domain) = Domain::parse(&form.domain) else { return out };
    let tables: Vec<toml::Table> = form.flows.iter().map(|f| f.table()).collect();
    let mut each_fine = true;
    for (i, t) in tables.iter().enumerate() {
        if let Err(preflight_flows::FlowsError::Settings { reason, .. }) = preflight_flows::config::parse(&domain, std::slice::from_ref(t))
        {
            out.push(Problem { field: format!("flows.{i}"), message: reason });
            each_fine = false;
        }
    }
    // What only the whole list can break: two paths with one name, too many paths.
    if each_fine {
        if let Err(e) = preflight_flows::config::parse(&domain, &tables) {
            out.push(Problem { field: "flows".into(), message: e.to_string() });
        }
    }
    out
}
