//! Running audits from the window: adapters over the shared flow (the tray calls it directly).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use preflight_core::checks::ratelimit::Burst;
use preflight_core::{Domain, Report};
use preflight_flow::{AuditOutcome, AuditRequest, Source};
use serde::Serialize;
use specta::Type;
use tauri::State;

/// A finished audit as the window receives it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditResult {
    /// The saved run's id; `None` if saving failed (then `save_error` says why).
    pub run_id: Option<i64>,
    pub save_error: Option<String>,
    /// True when some checks could not look: not a green result.
    pub incomplete: bool,
    pub report: Report,
}

impl From<AuditOutcome> for AuditResult {
    fn from(o: AuditOutcome) -> Self {
        AuditResult {
            run_id: o.run_id,
            save_error: o.save_error,
            incomplete: o.verdict == preflight_core::Verdict::Incomplete,
            report: o.report,
        }
    }
}

/// Audits `domain` as its saved settings say (see `Flow::saved_target`; discovery looks for more
/// names), streaming progress events. `probe_rate_limit` adds the opt-in burst per endpoint;
/// `certificate_logs` lets discovery ask the public certificate logs (crt.sh) for names, the one
/// request of an audit that goes to a third party (the CLI's `--no-ct` turns it off the same way).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn run_audit(
    state: State<'_, AppState>,
    domain: String,
    probe_rate_limit: bool,
    certificate_logs: bool,
) -> AppResult<AuditResult> {
    let domain = Domain::parse(&domain)?;
    let target = super::blocking(state.flow.clone(), move |f| f.saved_target(domain)).await?;
    let rate_limit = probe_rate_limit.then(Burst::default);
    let mut req = AuditRequest { rate_limit, ..AuditRequest::new(target, Source::Desktop) };
    if !certificate_logs {
        req.discover = Some(preflight_core::discover::Discover { ct_url: None });
    }
    Ok(state.flow.audit(req).await?.into())
}

/// Starts the sample product on this computer (once) and audits it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn run_demo(state: State<'_, AppState>) -> AppResult<AuditResult> {
    Ok(state.flow.demo(Source::Demo).await?.into())
}

/// Stops the running audit; what finished so far is kept. The running marker stays until the
/// audit has really ended, so no second audit starts while it winds down.
#[tauri::command]
#[specta::specta]
pub async fn cancel_audit(state: State<'_, AppState>) -> Result<bool, AppError> {
    Ok(state.flow.cancel())
}
