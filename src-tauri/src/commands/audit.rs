//! Running audits from the window (and, through the window, from the tray).

use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{AuditFinished, AuditProgress};
use crate::state::AppState;
use crate::{notify, tray};
use preflight_core::{audit, AuditOptions, Domain, NetConfig, Progress, Report, Target};
use serde::Serialize;
use specta::Type;
use std::time::Duration;
use tauri::{AppHandle, State};
use tauri_specta::Event;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How often progress is flushed to the UI at most.
const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// A finished audit as the window receives it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditResult {
    /// The saved run's id; `None` if saving failed (then `save_error` says why).
    pub run_id: Option<i64>,
    pub save_error: Option<String>,
    pub report: Report,
}

/// Audits `domain` with the app's network settings, streaming `AuditProgress` events.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state), err)]
pub async fn run_audit(app: AppHandle, state: State<'_, AppState>, domain: String) -> AppResult<AuditResult> {
    let domain = Domain::parse(&domain)?;
    let cfg = state.net.clone().map_err(|m| AppError::new(ErrorCode::InvalidSettings, m))?;
    audit_and_save(&app, &state, Target::new(domain), cfg, "desktop").await
}

/// Starts the sample product on this computer (once) and audits it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(app, state), err)]
pub async fn run_demo(app: AppHandle, state: State<'_, AppState>) -> AppResult<AuditResult> {
    let cfg = {
        let mut demo = state.demo.lock().await;
        if demo.is_none() {
            let bed = preflight_testbed::Testbed::start(preflight_testbed::demo::product())
                .await
                .map_err(|e| AppError::new(ErrorCode::Internal, format!("The sample product could not start: {e}")))?;
            *demo = Some(bed);
        }
        demo.as_ref().map(|b| b.net_config()).ok_or_else(|| AppError::new(ErrorCode::Internal, "The sample product stopped."))?
    };
    let domain = Domain::parse(preflight_testbed::demo::DOMAIN)?;
    audit_and_save(&app, &state, Target::new(domain), cfg, "demo").await
}

/// Stops the running audit; what finished so far is kept. The running marker stays until the
/// audit has really ended (see `RunningGuard`), so no second audit starts while it winds down.
#[tauri::command]
#[specta::specta]
pub async fn cancel_audit(state: State<'_, AppState>) -> AppResult<bool> {
    let running = state.running.lock().map_err(|_| AppError::new(ErrorCode::Internal, "state poisoned"))?;
    Ok(running.as_ref().map(CancellationToken::cancel).is_some())
}

/// Clears the running marker however the audit ends.
struct RunningGuard<'a>(&'a AppState);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.0.running.lock() {
            *slot = None;
        }
    }
}

async fn audit_and_save(app: &AppHandle, state: &AppState, target: Target, cfg: NetConfig, source: &str) -> AppResult<AuditResult> {
    let cancel = CancellationToken::new();
    {
        let mut running = state.running.lock().map_err(|_| AppError::new(ErrorCode::Internal, "state poisoned"))?;
        if running.is_some() {
            return Err(AppError::new(ErrorCode::Busy, "An audit is already running. Wait for it to finish or stop it first."));
        }
        *running = Some(cancel.clone());
    }
    let _guard = RunningGuard(state);
    let domain = target.domain.to_string();
    if let Ok(mut last) = state.last_domain.lock() {
        *last = Some(domain.clone());
    }
    tray::set_auditing(app, true);

    let (tx, rx) = mpsc::unbounded_channel();
    let forwarder = tokio::spawn(forward_progress(app.clone(), domain.clone(), rx));
    let outcome = audit(&target, cfg, AuditOptions { progress: Some(tx), cancel, ..AuditOptions::default() }).await;
    let _ = forwarder.await;
    tray::set_auditing(app, false);
    let report = outcome?;

    let (run_id, save_error) = match &state.store {
        Ok(store) => {
            let (store, copy, source) = (store.clone(), report.clone(), source.to_owned());
            match tokio::task::spawn_blocking(move || store.save_report(&copy, &source)).await {
                Ok(Ok(id)) => (Some(id), None),
                Ok(Err(e)) => (None, Some(e.to_string())),
                Err(e) => (None, Some(e.to_string())),
            }
        }
        Err(e) => (None, Some(e.clone())),
    };
    let finished = AuditFinished { domain: domain.clone(), run_id, summary: report.summary.clone() };
    if let Err(e) = finished.clone().emit(app) {
        tracing::warn!(error = %e, "could not announce the finished audit");
    }
    tray::show_result(app, &finished);
    notify::audit_finished(app, &finished);
    Ok(AuditResult { run_id, save_error, report })
}

/// Sends progress in batches: whatever arrived within one window goes out as one event.
async fn forward_progress(app: AppHandle, domain: String, mut rx: mpsc::UnboundedReceiver<Progress>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let window = tokio::time::sleep(BATCH_WINDOW);
        tokio::pin!(window);
        loop {
            tokio::select! {
                next = rx.recv() => match next {
                    Some(p) => batch.push(p),
                    None => break,
                },
                () = &mut window => break,
            }
        }
        if let Err(e) = (AuditProgress { domain: domain.clone(), batch }).emit(&app) {
            tracing::debug!(error = %e, "progress not delivered");
        }
    }
}
