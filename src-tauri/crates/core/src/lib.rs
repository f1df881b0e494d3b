//! Preflight's check engine: is a product ready for real traffic?
//!
//! [`audit`] is the one entry point every front end shares (through the `preflight-flow` crate): it
//! takes a [`Target`] and a long-lived [`Net`], plans the checks of the requested areas from the
//! registry in [`checks`], runs them concurrently through [`runner::run`], and returns a [`Report`].
//! [`gate::verdict`] then says what the report means for an exit code or a tray icon. Nothing here
//! depends on Tauri, reads the environment, or writes to disk.
//!
//! ```text
//!   Target ──► checks::plan ──► runner::run ──► Report ──► gate::verdict
//!  (hosts, endpoints,  (FAMILIES: CheckDef     (per-check deadline,   (0 clean, 1 gated,
//!   callbacks, mail)    + plan per family)      Started/Finished)      4 incomplete)
//!                            │
//!                          Facts (per run: addresses, TLS, pages looked up once)
//!                            │
//!                          Net (long-lived: resolver cache, trust store, connection slots)
//! ```

pub mod cas;
pub mod chain;
pub mod check;
pub mod checks;
pub mod config;
pub mod credential;
pub mod discover;
pub mod domain;
pub mod endpoint_kind;
pub mod facts;
pub mod gate;
pub mod grade;
pub mod html;
pub mod mail;
pub mod model;
pub mod monitor;
pub mod net;
pub mod platforms;
pub mod public;
pub mod rdap;
pub mod runner;
pub mod settings;
pub mod target;

pub use check::CheckDef;
pub use credential::CredentialError;
pub use domain::{Domain, DomainError};
pub use endpoint_kind::EndpointKind;
pub use facts::Facts;
pub use gate::{verdict, FailOn, Verdict};
pub use model::{Area, Finding, Impact, Report, Stage, Status, Summary};
pub use net::{Net, NetConfig, NetError};
pub use runner::{CheckInfo, Progress};
pub use target::{HostOrigin, HostSpec, Target};

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
    /// Look for names the target does not list (`None`: audit exactly the target's names). Off by
    /// default here so a library caller never reaches certificate logs unasked; the CLI and the app
    /// turn it on.
    pub discover: Option<discover::Discover>,
    /// Send a short burst to each key endpoint to see rate limiting work (opt-in: real traffic).
    pub rate_limit: Option<checks::ratelimit::Burst>,
}

/// Runs every check for `target` over `net` and returns the report.
pub async fn audit(net: &Net, target: &Target, opts: AuditOptions) -> Report {
    let started_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let started = Instant::now();
    let facts = Facts::new(net.clone(), target.domain.as_str());
    let mut plan = checks::plan(target, &facts, &opts.only);
    if let Some(burst) = opts.rate_limit.filter(|_| opts.only.is_empty() || opts.only.contains(&Area::Edge)) {
        plan.extend(checks::ratelimit::planned(target, &facts, burst));
    }
    let more = opts.discover.map(|d| {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        plan.push(checks::discovery::planned(target, &facts, d, opts.only.clone(), tx));
        rx
    });
    tracing::debug!(domain = %target.domain, checks = plan.len(), discover = more.is_some(), "audit started");
    let findings = runner::run_growing(plan, more, net.config().timeouts.check, opts.progress, opts.cancel).await;
    let report = Report::new(target.domain.to_string(), started_at_ms, started.elapsed().as_millis() as u64, findings);
    tracing::info!(domain = %target.domain, fail = report.summary.fail, warn = report.summary.warn, error = report.summary.error, ms = report.duration_ms, "audit finished");
    report
}
