//! The audit flow every front end shares: audit → save → tell the host → notify → history.
//!
//! The desktop shell's commands, its tray menu, the `preflight` CLI and (later) the watcher and the
//! checklist all call [`Flow`] directly from Rust; they differ only in the [`Host`] they hand it.
//! The flow owns what must exist once per process: the long-lived [`Net`] (built on first use, so
//! starting the app reads no trust store), the history [`Store`] (opened on first use, so
//! `--no-save` creates no file), the one-audit-at-a-time guard with its cancel token, the last
//! target (what the tray's "Run audit of …" re-runs, the same one its label names), and the sample
//! product of "Try the demo".

mod channels;
mod checklist;
pub mod error;
pub mod flows;
pub mod host;
pub mod keys;
pub mod latency;
pub mod progress;
pub mod providers;
pub mod redteam;
pub mod secrets;
pub mod settings;
pub mod tray_model;
mod watching;

pub use checklist::MAX_NOTE_CHARS;
pub use watching::{now_ms, MonitorOverview, Morning, SavedMonitor, WatchPrefs};

pub use error::FlowError;
pub use host::{Finished, Host, Notice, Source};

use preflight_core::checks::ratelimit::Burst;
use preflight_core::config::ProductConfig;
use preflight_core::discover::Discover;
use preflight_core::{audit, gate, Area, AuditOptions, Domain, FailOn, HostOrigin, Net, NetConfig, Report, Target, Verdict};
use preflight_store::{RunSummary, Store};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tokio_util::sync::CancellationToken;

/// What to audit and how.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    pub target: Target,
    pub source: Source,
    /// Only these areas; empty means all.
    pub only: Vec<Area>,
    /// Record the run in History.
    pub save: bool,
    /// The threshold the verdict is judged against.
    pub fail_on: FailOn,
    /// Look for names the target does not list; `None` audits exactly its names.
    pub discover: Option<Discover>,
    /// Probe rate limiting with a short burst per endpoint (opt-in).
    pub rate_limit: Option<Burst>,
}

impl AuditRequest {
    /// Every area, saved, judged on problems: what the window and the tray ask for.
    pub fn new(target: Target, source: Source) -> Self {
        AuditRequest {
            target,
            source,
            only: Vec::new(),
            save: true,
            fail_on: FailOn::Fail,
            discover: Some(Discover::default()),
            rate_limit: None,
        }
    }
}

/// A finished audit.
#[derive(Debug, Clone)]
pub struct AuditOutcome {
    pub report: Report,
    pub run_id: Option<i64>,
    /// Why the run is not in History, when saving was asked for and failed.
    pub save_error: Option<String>,
    pub verdict: Verdict,
}

/// The running sample product and its own network handle.
struct Demo {
    demo: preflight_testbed::demo::Demo,
    net: Net,
}

/// How to point another program at the running sample product (`preflight demo --serve`).
#[derive(Debug, Clone)]
pub struct DemoSettings {
    pub domain: String,
    pub nameserver: String,
    pub connect_to: Vec<String>,
    /// The sample's registry (`PREFLIGHT_RDAP_URL`).
    pub rdap_url: Option<String>,
    pub ca_pem: String,
    /// The sample's test mailbox, `imaps://imap.DOMAIN:PORT`.
    pub imap_url: String,
    /// Puts the sample's next (broken) build live.
    pub release: preflight_testbed::demo::Release,
    /// Its settings file (five paths and a webhook), and the keychain entries that file names.
    pub settings_toml: String,
    pub key_names: Vec<String>,
}

/// The flow; one per process, shared by every front end of it.
pub struct Flow {
    host: Arc<dyn Host>,
    net_config: Result<NetConfig, String>,
    net: tokio::sync::OnceCell<Net>,
    store: OnceLock<Result<Arc<Store>, String>>,
    demo: tokio::sync::Mutex<Option<Demo>>,
    running: Mutex<Option<CancellationToken>>,
    last: Mutex<Option<Target>>,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow").field("net_config", &self.net_config).finish_non_exhaustive()
    }
}

/// Clears the running marker however the audit ends (finished, failed, cancelled, panicked).
struct Running<'a>(&'a Mutex<Option<CancellationToken>>);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = None;
        }
    }
}

impl Flow {
    /// A flow for `host`, auditing with `net_config` (or reporting why it was refused).
    pub fn new(host: Arc<dyn Host>, net_config: Result<NetConfig, String>) -> Flow {
        Flow {
            host,
            net_config,
            net: tokio::sync::OnceCell::new(),
            store: OnceLock::new(),
            demo: tokio::sync::Mutex::new(None),
            running: Mutex::new(None),
            last: Mutex::new(None),
        }
    }

    /// The network settings, or why they were refused.
    pub fn net_config(&self) -> Result<&NetConfig, String> {
        self.net_config.as_ref().map_err(Clone::clone)
    }

    /// The long-lived network handle, built on first use.
    pub async fn net(&self) -> Result<Net, FlowError> {
        let cfg = self.net_config.clone().map_err(FlowError::Settings)?;
        self.net
            .get_or_try_init(|| async {
                let started = std::time::Instant::now();
                let net = Net::new(cfg).await;
                tracing::info!(ms = started.elapsed().as_millis() as u64, "network handle ready (resolver, trust store)");
                net
            })
            .await
            .cloned()
            .map_err(FlowError::from)
    }

    /// The history, opened on first use (blocking: call it off the async threads).
    pub fn store(&self) -> Result<Arc<Store>, FlowError> {
        self.store
            .get_or_init(|| {
                let dir = self
                    .host
                    .data_dir()
                    .or_else(preflight_store::default_dir)
                    .ok_or_else(|| "this system has no app-data folder; set PREFLIGHT_DATA_DIR (or pass --data-dir)".to_owned())?;
                let opened = Store::open_in(&dir).map(Arc::new).map_err(|e| e.to_string());
                if let Err(e) = &opened {
                    tracing::error!(error = %e, "history unavailable");
                }
                opened
            })
            .clone()
            .map_err(FlowError::Storage)
    }

    /// Whether the history database exists already, without creating it (an audit with --no-save
    /// must leave no file behind, and a connected provider is recorded there anyway).
    pub(crate) fn history_exists(&self) -> bool {
        if self.store.get().is_some_and(Result::is_ok) {
            return true;
        }
        self.host.data_dir().or_else(preflight_store::default_dir).is_some_and(|d| d.join(preflight_store::FILE_NAME).exists())
    }

    /// The domain the tray's "Run audit" would audit again.
    pub fn last_domain(&self) -> Option<String> {
        self.last.lock().ok().and_then(|t| t.as_ref().map(|t| t.domain.to_string()))
    }

    /// Whether an audit is running.
    pub fn is_running(&self) -> bool {
        self.running.lock().is_ok_and(|r| r.is_some())
    }

    /// Stops the running audit (what finished is kept); false when none runs.
    pub fn cancel(&self) -> bool {
        self.running.lock().ok().and_then(|r| r.as_ref().map(CancellationToken::cancel)).is_some()
    }

    /// Audits with the flow's network settings.
    pub async fn audit(&self, req: AuditRequest) -> Result<AuditOutcome, FlowError> {
        let net = self.net().await?;
        self.run(&net, req).await
    }

    /// Audits the last target again (the tray's "Run audit of …").
    pub async fn rerun_last(&self, source: Source) -> Result<AuditOutcome, FlowError> {
        let target = self.last.lock().ok().and_then(|t| t.clone()).ok_or(FlowError::NothingToRerun)?;
        if target.domain.as_str() == preflight_testbed::demo::DOMAIN && self.demo.lock().await.is_some() {
            return self.demo(source).await;
        }
        self.audit(AuditRequest::new(target, source)).await
    }

    /// Starts the sample product on this computer (once) and audits it.
    pub async fn demo(&self, source: Source) -> Result<AuditOutcome, FlowError> {
        let net = {
            let mut demo = self.demo.lock().await;
            if demo.is_none() {
                let started = preflight_testbed::demo::start().await.map_err(|e| FlowError::Demo(e.to_string()))?;
                let net = started.bed.net().await?;
                *demo = Some(Demo { demo: started, net });
            }
            demo.as_ref().map(|d| d.net.clone()).ok_or_else(|| FlowError::Demo("it stopped".into()))?
        };
        let domain = Domain::parse(preflight_testbed::demo::DOMAIN).map_err(|e| FlowError::Demo(e.to_string()))?;
        // The sample world has no certificate logs to read: discover its names from DNS alone.
        let req = AuditRequest { discover: Some(Discover { ct_url: None }), ..AuditRequest::new(Target::with_defaults(domain), source) };
        self.run(&net, req).await
    }

    /// The network to reach `domain` with: the sample product's own while it runs (its names
    /// exist only there), else this computer's.
    pub async fn net_for(&self, domain: &Domain) -> Result<Net, FlowError> {
        if domain.as_str() == preflight_testbed::demo::DOMAIN {
            if let Some(d) = self.demo.lock().await.as_ref() {
                return Ok(d.net.clone());
            }
        }
        self.net().await
    }

    /// How to reach the running sample product from another program.
    pub async fn demo_settings(&self) -> Option<DemoSettings> {
        let demo = self.demo.lock().await;
        let sample = &demo.as_ref()?.demo;
        let bed = &sample.bed;
        let args = bed.cli_args();
        Some(DemoSettings {
            domain: bed.domain.clone(),
            nameserver: bed.dns.addr.to_string(),
            connect_to: args.chunks(2).filter(|p| p[0] == "--connect-to").map(|p| p[1].clone()).collect(),
            rdap_url: bed.rdap.clone(),
            ca_pem: bed.ca.pem(),
            imap_url: sample.mailbox.url(),
            release: sample.release.clone(),
            settings_toml: preflight_testbed::demo::settings(&sample.mailbox.url()),
            key_names: preflight_testbed::demo::keys().iter().map(|(k, _)| (*k).to_owned()).collect(),
        })
    }

    /// Records the founder's decision about a name discovery found under `domain`: kept names are
    /// audited every time (see [`Flow::saved_target`]), dropped ones never offered again.
    pub fn decide_name(&self, domain: &Domain, name: &str, keep: bool) -> Result<(), FlowError> {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        let under = name.strip_suffix(&format!(".{domain}")).is_some_and(|label| {
            !label.is_empty()
                && label.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        });
        if !under {
            return Err(FlowError::NotUnder { name, domain: domain.to_string() });
        }
        Ok(self.store()?.decide_name(domain.as_str(), &name, keep)?)
    }

    /// Where the app keeps a product's settings: `products/<domain>.toml` in the data folder, in the
    /// `preflight.toml` format the CLI reads.
    pub fn settings_file(&self, domain: &Domain) -> Option<PathBuf> {
        self.host.data_dir().or_else(preflight_store::default_dir).map(|d| d.join("products").join(format!("{domain}.toml")))
    }

    /// What the app audits for `domain`: its settings file when there is one (names, canonical host,
    /// endpoints, callbacks…), else the root and the roadmap's names; plus the found names the founder
    /// kept, minus the ones they dropped. Without a history the decisions are simply not applied (an
    /// audit must not fail because History is unavailable); a settings file that cannot be used is
    /// an error that says why.
    pub fn saved_target(&self, domain: Domain) -> Result<Target, FlowError> {
        let file = self.settings_file(&domain).filter(|f| f.exists());
        let mut target = match file {
            Some(file) => {
                let name = file.display().to_string();
                let text = settings::read_bounded(&file)?;
                let cfg = ProductConfig::parse(&name, &text).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
                let target = cfg.target(&name).map_err(|e| FlowError::ProductSettings(e.to_string()))?;
                if target.domain != domain {
                    return Err(FlowError::ProductSettings(format!("{name} is about {}, not {domain}", target.domain)));
                }
                target
            }
            None => Target::with_defaults(domain),
        };
        let decisions = self.store().ok().and_then(|s| s.decisions(target.domain.as_str()).ok()).unwrap_or_default();
        let root = format!(".{}", target.domain);
        for name in &decisions.kept {
            if let Some(label) = name.strip_suffix(&root) {
                target.add_host(label, HostOrigin::Configured, false);
            }
        }
        target.ignored.extend(decisions.dropped);
        Ok(target)
    }

    /// The newest runs, newest first, optionally of one domain.
    pub fn history(&self, domain: Option<&str>, limit: u32) -> Result<Vec<RunSummary>, FlowError> {
        Ok(self.store()?.history(domain, limit)?)
    }

    /// A stored run as a full report.
    pub fn report(&self, run_id: i64) -> Result<Option<Report>, FlowError> {
        Ok(self.store()?.report(run_id)?)
    }

    async fn run(&self, net: &Net, req: AuditRequest) -> Result<AuditOutcome, FlowError> {
        let cancel = CancellationToken::new();
        {
            let mut running = self.running.lock().map_err(|_| FlowError::Busy)?;
            if running.is_some() {
                return Err(FlowError::Busy);
            }
            *running = Some(cancel.clone());
        }
        let _running = Running(&self.running);
        let domain = req.target.domain.to_string();
        if let Ok(mut last) = self.last.lock() {
            *last = Some(req.target.clone());
        }
        self.host.started(&domain, req.source);

        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let forwarder = tokio::spawn(progress::forward(self.host.clone(), domain.clone(), rx));
        let opts =
            AuditOptions { only: req.only.clone(), progress: Some(tx), cancel, discover: req.discover.clone(), rate_limit: req.rate_limit };
        let report = audit(net, &req.target, opts).await;
        let _ = forwarder.await;
        let report = self.with_providers(net, &req.target, &req.only, report).await;

        let (run_id, save_error) = if req.save { self.save(&report, req.source).await } else { (None, None) };
        let verdict = gate::verdict(&report, req.fail_on);
        let done =
            Finished { domain, source: req.source, run_id, save_error: save_error.clone(), summary: report.summary.clone(), verdict };
        self.host.finished(&done);
        if let Some(notice) = Notice::for_report(&report) {
            self.host.notify(&notice);
        }
        Ok(AuditOutcome { report, run_id, save_error, verdict })
    }

    /// Saves off the async threads (opening the history the first time is a short blocking call);
    /// a failure is returned as text and never loses the report.
    async fn save(&self, report: &Report, source: Source) -> (Option<i64>, Option<String>) {
        let store = match self.store() {
            Ok(s) => s,
            Err(e) => return (None, Some(e.to_string())),
        };
        let copy = report.clone();
        match tokio::task::spawn_blocking(move || store.save_report(&copy, source.as_str())).await {
            Ok(Ok(id)) => (Some(id), None),
            Ok(Err(e)) => (None, Some(e.to_string())),
            Err(e) => (None, Some(e.to_string())),
        }
    }
}
