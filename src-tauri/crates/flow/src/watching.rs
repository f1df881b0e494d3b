//! The watcher as every front end starts it: monitors from the history (or a default set made from
//! the last audit), samples and incidents recorded there, endpoint credentials from the keychain,
//! and the daily audit re-run that announces only new problems.

use crate::{AuditRequest, Flow, FlowError, Source};
use preflight_core::checks::dns;
use preflight_core::monitor::{self, MonitorSpec};
use preflight_core::{Domain, Finding, Status};
use preflight_store::{MonitorRow, WatchOp};
use preflight_watch::{AfterDeploy, Auditor, Clock, Event, Monitor, Reference, Secrets, Settings, Walked, Walker, Watcher};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

/// The names `findings` show answering (the root when none did: it is what the founder typed).
pub(crate) fn live_in(findings: &[Finding], domain: &Domain) -> Vec<String> {
    let mut live: Vec<String> =
        findings.iter().filter(|f| f.id == dns::RESOLVE.id && f.status == Status::Pass).map(|f| f.subject.clone()).collect();
    if live.is_empty() {
        live.push(domain.to_string());
    }
    live
}

/// A saved monitor: its id, and what the founder should know about the save (a key left behind).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedMonitor {
    pub id: i64,
    pub note: Option<String>,
}

impl Flow {
    /// The product's names that answered in its last stored audit.
    pub fn live_names(&self, domain: &Domain) -> Vec<String> {
        let last = self.store().ok().and_then(|s| {
            let run = s.history(Some(domain.as_str()), 1).ok()?.into_iter().next()?;
            s.report(run.id).ok().flatten()
        });
        live_in(last.as_ref().map_or(&[], |r| &r.findings), domain)
    }

    /// The sensible monitors for `domain` (home page, API, login page, certificate, key endpoints,
    /// daily audit), from its settings and its last audit.
    pub fn default_monitors(&self, domain: &Domain) -> Result<Vec<MonitorSpec>, FlowError> {
        let target = self.saved_target(domain.clone())?;
        Ok(monitor::default_set(&target, &self.live_names(domain)))
    }

    /// Adds the default set to the product's monitors (ones with the same name are updated, not
    /// doubled); returns the product's monitors.
    pub fn add_default_monitors(&self, domain: &Domain) -> Result<Vec<MonitorRow>, FlowError> {
        let store = self.store()?;
        for spec in self.default_monitors(domain)? {
            let spec = spec.validated(domain.as_str())?;
            store.watch(WatchOp::SaveMonitor { domain: domain.to_string(), spec: Box::new(spec) })?;
        }
        Ok(store.monitors(Some(domain.as_str()))?)
    }

    /// Saves (adds or edits, by name) one monitor after checking it. A key goes only where
    /// `preflight_core::credential` allows (otherwise [`FlowError::Credential`], naming the host);
    /// an edit that moves a keyed monitor to another host drops the key and says so in the note.
    pub fn save_monitor(&self, domain: &Domain, mut spec: MonitorSpec) -> Result<SavedMonitor, FlowError> {
        let store = self.store()?;
        let mut note = None;
        if let Some(key) = spec.probe.secret().map(str::to_owned) {
            let before = store.monitors(Some(domain.as_str()))?.into_iter().find(|r| r.spec.name == spec.name);
            let (old, new) = (before.and_then(|b| b.spec.probe.host()), spec.probe.host());
            if let (Some(old), Some(new)) = (old, new) {
                if !old.eq_ignore_ascii_case(&new) {
                    if let monitor::ProbeSpec::Http { secret, secret_header, secret_prefix, .. } = &mut spec.probe {
                        (*secret, *secret_header, *secret_prefix) = (None, None, None);
                    }
                    note = Some(format!(
                        "The key \"{key}\" was not kept: this monitor's address moved from {old} to {new}, and a key stays with the address it was given for. Add it again if {new} needs it."
                    ));
                }
            }
        }
        let spec = spec.validated(domain.as_str())?;
        let id = store.watch(WatchOp::SaveMonitor { domain: domain.to_string(), spec: Box::new(spec) })?;
        Ok(SavedMonitor { id, note })
    }

    /// The stored monitors, as the watcher runs them (enabled ones only).
    pub fn stored_monitors(&self, domain: Option<&Domain>) -> Result<Vec<Monitor>, FlowError> {
        let store = self.store()?;
        let rows = store.monitors(domain.map(Domain::as_str))?;
        // An outage open when the watcher last stopped goes on, rather than starting over as UP.
        let open: std::collections::HashMap<i64, i64> =
            store.incidents(None, 500)?.into_iter().filter(|i| i.ended_at_ms.is_none()).map(|i| (i.monitor_id, i.started_at_ms)).collect();
        Ok(rows
            .into_iter()
            .filter(|r| r.enabled)
            .map(|r| {
                let down_since = open.get(&r.id).map(|at| (*at).max(0) as u64);
                Monitor { down_since, ..Monitor::new(r.id, r.domain, r.spec) }
            })
            .collect())
    }

    /// Re-runs `domain`'s audit and measures its key addresses again, saves both, and returns the
    /// titles of problems the previous run did not have and the addresses that have slowed down.
    pub async fn audit_news(&self, domain: &Domain) -> Result<Vec<String>, FlowError> {
        let mut news = self.audit_problems(domain).await?;
        match self.speed_news(domain).await {
            Ok(slower) => news.extend(slower),
            Err(e) => tracing::warn!(error = %e, "the daily speed check did not run"),
        }
        Ok(news)
    }

    /// Re-runs `domain`'s audit, saves it, and returns the titles of problems the previous run did
    /// not have.
    async fn audit_problems(&self, domain: &Domain) -> Result<Vec<String>, FlowError> {
        let previous = self.store().ok().and_then(|s| {
            let run = s.history(Some(domain.as_str()), 1).ok()?.into_iter().next()?;
            Some((s.report(run.id).ok().flatten()?, run.id))
        });
        let target = self.saved_target(domain.clone())?;
        let outcome = self.audit(AuditRequest::new(target, Source::Watch)).await?;
        let Some(previous) = previous else { return Ok(Vec::new()) };
        let newer = (&outcome.report, outcome.run_id.unwrap_or(0));
        Ok(preflight_checklist::between((&previous.0, previous.1), newer)
            .appeared()
            .filter(|c| c.after == Some(Status::Fail))
            .map(|c| c.title.clone())
            .collect())
    }

    /// Starts the watcher over `monitors` with this flow's network, history, keychain and auditor.
    /// `record` off keeps the history untouched (ad-hoc monitors of `preflight watch --no-save`).
    pub async fn watch(
        self: &Arc<Self>,
        monitors: Vec<Monitor>,
        references: Vec<Reference>,
        tune: impl FnOnce(&mut Settings),
        clock: Arc<dyn Clock>,
        record: bool,
    ) -> Result<(Watcher, UnboundedReceiver<Event>), FlowError> {
        let net = self.net().await?;
        let mut settings = Settings::new(references);
        if record {
            settings.store = Some(self.store()?);
        }
        let flow = Arc::downgrade(self);
        let auditor: Auditor = Arc::new(move |domain: String| {
            let flow = flow.clone();
            Box::pin(async move {
                let flow = flow.upgrade().ok_or_else(|| "the app is closing".to_owned())?;
                let domain = Domain::parse(&domain).map_err(|e| e.to_string())?;
                flow.audit_news(&domain).await.map_err(|e| e.to_string())
            })
        });
        settings.auditor = Some(auditor);
        let host = Arc::clone(&self.host);
        let secrets: Secrets = Arc::new(move |product: &str, name: &str| {
            crate::flows::key(host.as_ref(), product, name).ok().flatten().map(|s| s.expose().clone())
        });
        settings.secrets = Some(secrets);
        let me = self.clone();
        settings.channels = tokio::task::spawn_blocking(move || me.channel_targets()).await.unwrap_or_default();
        let walker_flow = Arc::downgrade(self);
        let walker: Walker = Arc::new(move |domain: String, name: String| {
            let flow = walker_flow.clone();
            Box::pin(async move {
                let Some(flow) = flow.upgrade() else { return Walked::Unknown("the app is closing".into()) };
                match Domain::parse(&domain) {
                    Ok(d) => flow.walk(&d, &name).await,
                    Err(e) => Walked::Unknown(e.to_string()),
                }
            })
        });
        settings.walker = Some(walker);
        let prefs = self.watch_prefs();
        settings.server_feed = prefs.server_channel.and_then(|id| {
            settings.channels.iter().find(|c| c.id == id && c.kind == preflight_watch::channels::ChannelKind::Ntfy).cloned()
        });
        settings.reminder_every_ms = prefs.remind_minutes.map(|m| u64::from(m) * 60_000);
        if prefs.paths_after_deploy {
            let flow = Arc::downgrade(self);
            let after: AfterDeploy = Arc::new(move |domain: String, at: u64, _version: String| {
                let flow = flow.clone();
                Box::pin(async move {
                    let flow = flow.upgrade()?;
                    let domain = Domain::parse(&domain).ok()?;
                    flow.paths_after_deploy(&domain, at).await
                })
            });
            settings.after_deploy = Some(after);
        }
        tune(&mut settings);
        Ok(Watcher::start(net, clock, monitors, settings))
    }
}

impl Flow {
    /// The monitors of `domain` as a settings file for a watcher on a server: its `[[monitors]]`,
    /// the `[[flows]]` its path monitors walk (from its saved settings) and the channels by kind
    /// and name. No secret is in it (see `preflight_core::config::export`).
    pub fn export_monitors(&self, domain: &Domain) -> Result<String, FlowError> {
        let specs: Vec<_> = self.stored_monitors(Some(domain))?.into_iter().map(|m| m.spec).collect();
        if specs.is_empty() {
            return Err(FlowError::Invalid(format!(
                "{domain} has no monitors to export; add the default set first: preflight monitors {domain} --add-defaults"
            )));
        }
        let walks = specs.iter().any(|s| matches!(s.probe, preflight_core::monitor::ProbeSpec::Flow { .. }));
        let flows = match self.settings_file(domain).filter(|f| walks && f.is_file()) {
            Some(_) => self.product_config(domain, None)?.1.flows,
            None => Vec::new(),
        };
        let channels: Vec<_> =
            self.channels()?.into_iter().map(|c| preflight_core::config::ChannelConfig { name: c.name, kind: c.kind }).collect();
        preflight_core::config::export::export(domain.as_str(), &specs, &flows, &channels).map_err(FlowError::Invalid)
    }
}

/// One monitor with its figures, as the dashboard and `preflight monitors` show it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonitorOverview {
    pub monitor: MonitorRow,
    pub day: preflight_store::Window,
    pub week: preflight_store::Window,
    pub month: preflight_store::Window,
    /// The newest incident, open or closed.
    pub last_incident: Option<preflight_store::Incident>,
}

/// The three morning questions for a product: uptime over 7 days, p95 of its key monitors, errors
/// since the last deploy.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Morning {
    pub domain: String,
    pub uptime_7d_pct: Option<f64>,
    pub p95_7d_ms: Option<u64>,
    pub last_deploy: Option<preflight_store::Deploy>,
    /// Failed probes since the last deploy (since the start of the history when there is none).
    pub errors_since_deploy: u64,
    /// p95 over the day before and since the last deploy.
    pub p95_before_deploy_ms: Option<u64>,
    pub p95_since_deploy_ms: Option<u64>,
}

const DAY_MS: i64 = preflight_store::samples::DAY_MS;

/// The wall clock, as the history stores time.
pub fn now_ms() -> i64 {
    preflight_watch::wall_ms() as i64
}

impl Flow {
    /// Every stored monitor (optionally of one product) with its 24 h, 7 d and 30 d figures.
    pub fn monitor_overview(&self, domain: Option<&Domain>) -> Result<Vec<MonitorOverview>, FlowError> {
        let store = self.store()?;
        let now = now_ms();
        let rows = store.monitors(domain.map(Domain::as_str))?;
        rows.into_iter()
            .map(|m| {
                let ids = [m.id];
                Ok(MonitorOverview {
                    day: store.window(&ids, now - DAY_MS, now + 1)?,
                    week: store.window(&ids, now - 7 * DAY_MS, now + 1)?,
                    month: store.window(&ids, now - 30 * DAY_MS, now + 1)?,
                    last_incident: store.incidents(Some(m.id), 1)?.into_iter().next(),
                    monitor: m,
                })
            })
            .collect()
    }

    /// The morning numbers of `domain`, from the rollups (probe monitors only: the certificate and
    /// DNS monitors' handshakes and lookups are not the product's latency).
    pub fn morning(&self, domain: &Domain) -> Result<Morning, FlowError> {
        let store = self.store()?;
        let now = now_ms();
        let ids: Vec<i64> =
            store.monitors(Some(domain.as_str()))?.into_iter().filter(|m| m.spec.probe.kind() == "http").map(|m| m.id).collect();
        let week = store.window(&ids, now - 7 * DAY_MS, now + 1)?;
        let last_deploy = store.deploys(domain.as_str(), 1)?.into_iter().next();
        let since = last_deploy.as_ref().map_or(0, |d| d.at_ms);
        let (before, after) = match &last_deploy {
            Some(d) => (store.window(&ids, d.at_ms - DAY_MS, d.at_ms)?.p95_ms, store.window(&ids, d.at_ms, now + 1)?.p95_ms),
            None => (None, None),
        };
        Ok(Morning {
            domain: domain.to_string(),
            uptime_7d_pct: week.uptime_pct,
            p95_7d_ms: week.p95_ms,
            errors_since_deploy: store.failures_since(&ids, since, now)?,
            last_deploy,
            p95_before_deploy_ms: before,
            p95_since_deploy_ms: after,
        })
    }

    /// Records a deploy of `domain` now (from CI: `preflight deploy mark`).
    pub fn mark_deploy(&self, domain: &Domain, version: Option<String>) -> Result<i64, FlowError> {
        let op = WatchOp::MarkDeploy { domain: domain.to_string(), at_ms: now_ms(), version, source: "marker".into() };
        Ok(self.store()?.watch(op)?)
    }
}

impl Flow {
    /// Deletes a monitor with its history.
    pub fn delete_monitor(&self, id: i64) -> Result<bool, FlowError> {
        Ok(self.store()?.watch(WatchOp::DeleteMonitor { id })? > 0)
    }

    /// Turns a monitor on or off (off keeps its history).
    pub fn set_monitor_enabled(&self, id: i64, enabled: bool) -> Result<bool, FlowError> {
        Ok(self.store()?.watch(WatchOp::EnableMonitor { id, enabled })? > 0)
    }

    /// A monitor's raw samples of the last `hours` (at most 2 days are kept), oldest first.
    pub fn recent_samples(&self, monitor_id: i64, hours: u32) -> Result<Vec<preflight_store::Sample>, FlowError> {
        let from = now_ms() - i64::from(hours.clamp(1, 48)) * 3_600_000;
        Ok(self.store()?.recent_samples(monitor_id, from, 2_880)?)
    }

    /// The newest incidents, of one monitor or all.
    pub fn incidents(&self, monitor_id: Option<i64>, limit: u32) -> Result<Vec<preflight_store::Incident>, FlowError> {
        Ok(self.store()?.incidents(monitor_id, limit.clamp(1, 500))?)
    }
}

/// The founder's watcher preferences that are not monitors: kept in `watch.json` in the data folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WatchPrefs {
    /// Remind while something is down, every this many minutes (30 at least); `None`: never (the default).
    #[serde(default)]
    pub remind_minutes: Option<u32>,
    /// Watching paused from the tray or the window (kept across restarts of the app).
    #[serde(default)]
    pub paused: bool,
    /// Notifications muted until then (ms since the epoch), kept across restarts of the app.
    #[serde(default)]
    pub muted_until_ms: Option<u64>,
    /// Run a product's paths once after each deploy the watcher notices, and say how they went.
    /// Off until the founder turns it on: the paths sign in and chat (a few model tokens).
    #[serde(default)]
    pub paths_after_deploy: bool,
    /// The ntfy channel a watcher on a server posts to (`preflight watch` there): read before a
    /// DOWN or UP is told, so the founder is not woken twice for what the server already said.
    #[serde(default)]
    pub server_channel: Option<i64>,
}

/// Where a damaged `watch.json` is kept when new preferences are saved.
const DAMAGED_PREFS: &str = "watch.json.damaged";

impl Flow {
    fn prefs_file(&self) -> Option<std::path::PathBuf> {
        self.host.data_dir().or_else(preflight_store::default_dir).map(|d| d.join("watch.json"))
    }

    /// The saved preferences: the defaults when there are none; an error naming the file when it
    /// is there but damaged (a damaged file is said, never silently taken for the defaults).
    pub fn read_watch_prefs(&self) -> Result<WatchPrefs, FlowError> {
        let Some(file) = self.prefs_file() else { return Ok(WatchPrefs::default()) };
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(WatchPrefs::default()),
            Err(e) => return Err(FlowError::Storage(format!("The watcher's preferences in {} cannot be read: {e}", file.display()))),
        };
        serde_json::from_str(&text).map_err(|e| {
            FlowError::Storage(format!(
                "The watcher's preferences in {} are damaged ({e}). Saving a preference keeps the damaged file as {} and starts again from the defaults.",
                file.display(),
                DAMAGED_PREFS
            ))
        })
    }

    /// The saved preferences for the watcher itself, which must run whatever the file says: a
    /// damaged file is logged and the defaults are used until the founder saves again.
    pub fn watch_prefs(&self) -> WatchPrefs {
        self.read_watch_prefs().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "using the default watcher preferences");
            WatchPrefs::default()
        })
    }

    /// Changes the saved preferences with `change` and saves them. A damaged file is kept aside
    /// (as `watch.json.damaged`) before the new one replaces it, and the log says so.
    pub fn update_watch_prefs(&self, change: impl FnOnce(&mut WatchPrefs)) -> Result<WatchPrefs, FlowError> {
        let mut prefs = match self.read_watch_prefs() {
            Ok(p) => p,
            Err(e) => {
                if let Some(file) = self.prefs_file() {
                    let kept = file.with_file_name(DAMAGED_PREFS);
                    std::fs::rename(&file, &kept).map_err(|e| FlowError::Storage(format!("cannot keep {} aside: {e}", file.display())))?;
                    tracing::warn!(error = %e, kept = %kept.display(), "the damaged watcher preferences were kept aside");
                }
                WatchPrefs::default()
            }
        };
        change(&mut prefs);
        self.set_watch_prefs(prefs)
    }

    /// Saves the preferences whole or not at all (written aside, then renamed over the old file).
    pub fn set_watch_prefs(&self, mut prefs: WatchPrefs) -> Result<WatchPrefs, FlowError> {
        prefs.remind_minutes = prefs.remind_minutes.map(|m| m.clamp(30, 24 * 60));
        let file = self.prefs_file().ok_or_else(|| FlowError::Storage("this system has no app-data folder".into()))?;
        let text = serde_json::to_string_pretty(&prefs).map_err(|e| FlowError::Storage(e.to_string()))?;
        let written = file
            .parent()
            .map_or(Ok(()), preflight_store::files::private_dir)
            .and_then(|_| preflight_store::files::replace(&file, text.as_bytes()));
        written.map_err(|e| FlowError::Storage(format!("cannot save {}: {e}", file.display())))?;
        Ok(prefs)
    }
}
