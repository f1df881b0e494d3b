//! Preflight's check engine: is a product ready for real traffic?
//!
//! [`audit`] is the one entry point the CLI and the desktop app share: it parses nothing (callers
//! hand it a [`Target`] and a [`NetConfig`]), plans the checks of the requested areas, runs them
//! concurrently through [`runner::run`], and returns a [`Report`]. Nothing here depends on Tauri,
//! reads the environment, or writes to disk.

pub mod checks;
pub mod config;
pub mod domain;
pub mod model;
pub mod net;
pub mod runner;
pub mod target;

pub use domain::{Domain, DomainError};
pub use model::{Area, Finding, Impact, Report, Status, Summary};
pub use net::{NetConfig, NetError};
pub use runner::{CheckInfo, Progress};
pub use target::{NameSpec, Target};

use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

/// What to run and where to report progress.
#[derive(Debug, Default, Clone)]
pub struct AuditOptions {
    /// Only these areas; empty means all.
    pub only: Vec<Area>,
    pub progress: Option<UnboundedSender<Progress>>,
    pub cancel: CancellationToken,
}

/// Runs every check for `target` and returns the report.
pub async fn audit(target: &Target, cfg: NetConfig, opts: AuditOptions) -> Result<Report, NetError> {
    let started_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let started = Instant::now();
    let deadline = cfg.timeouts.check;
    let net = net::Net::new(cfg)?;
    let plan = checks::plan(target, &net, &opts.only);
    tracing::info!(domain = %target.domain, checks = plan.len(), "audit started");
    let findings = runner::run(plan, deadline, opts.progress, opts.cancel).await;
    let report = Report::new(target.domain.to_string(), started_at_ms, started.elapsed().as_millis() as u64, findings);
    tracing::info!(domain = %target.domain, fail = report.summary.fail, warn = report.summary.warn, "audit finished");
    Ok(report)
}
