//! [`Host`]: the little a front end must provide for the audit flow, and what it is told.
//!
//! The desktop shell turns these calls into IPC events, tray icons and desktop notifications; the
//! CLI ignores most of them; a test records them. Every method but `data_dir` has a default that
//! does nothing, so a front end implements only what it shows.

use preflight_core::{Progress, Report, Summary, Verdict};
use std::path::PathBuf;

/// Where an audit was started from; stored with the run and shown in History.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Desktop,
    Tray,
    Cli,
    Demo,
    /// The watcher's daily re-run.
    Watch,
}

impl Source {
    /// The stored name (`audit_runs.source`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Desktop => "desktop",
            Source::Tray => "tray",
            Source::Cli => "cli",
            Source::Demo => "demo",
            Source::Watch => "watch",
        }
    }
}

/// An audit that ended, as the tray, the window and notifications need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub domain: String,
    pub source: Source,
    /// The saved run; `None` when saving was off or failed (`save_error` says which).
    pub run_id: Option<i64>,
    pub save_error: Option<String>,
    pub summary: Summary,
    pub verdict: Verdict,
}

/// Something worth interrupting the founder for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

impl Notice {
    /// The notification for a finished audit: only problems interrupt; warnings, passes and
    /// "couldn't check" are shown in the window and the tray, not announced.
    pub fn for_report(report: &Report) -> Option<Notice> {
        let n = report.summary.fail;
        (n > 0).then(|| Notice {
            title: format!("{}: {n} problem{} found", report.domain, if n == 1 { "" } else { "s" }),
            body: "Open Preflight to see what to fix first.".to_owned(),
        })
    }
}

/// What a front end provides to the flow.
pub trait Host: Send + Sync + 'static {
    /// The folder of the history database; `None` for the platform's app-data folder.
    fn data_dir(&self) -> Option<PathBuf>;
    /// An audit of `domain` is starting.
    fn started(&self, _domain: &str, _source: Source) {}
    /// Progress of the running audit, batched (see `progress`).
    fn progress(&self, _domain: &str, _batch: Vec<Progress>) {}
    /// An audit ended and was saved (or not).
    fn finished(&self, _done: &Finished) {}
    /// Interrupt the founder (a desktop notification).
    fn notify(&self, _notice: &Notice) {}
    /// The keys of `product` when this front end holds them instead of the keychain: a CI runner
    /// has no keychain, its service's own secret store hands the pipeline's keys to `preflight ci`
    /// in its environment. `Some(Err(why))` is a key it should hold and does not; `None` (every
    /// other front end) reads the keychain.
    fn key(&self, _product: &str, _name: &str) -> Option<Result<preflight_vault::Sensitive<String>, String>> {
        None
    }
}
