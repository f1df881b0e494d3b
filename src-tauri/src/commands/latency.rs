//! Speed from the window: the product's measured addresses as cards (newest run and the one
//! before), measuring one address or the endpoints of the product's settings, a first visit on a
//! phone, and a load test within the window's smaller bounds. Each request goes through the flow's
//! network with its deadlines; a measurement gives up after three unanswered requests, so the
//! window waits seconds, not minutes, on an endpoint that is down. Every address must be a name of
//! the product: the window measures the founder's own product, nobody else's.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use preflight_core::{Domain, EndpointKind};
use preflight_flow::latency::{belongs, LatencyCard};
use preflight_latency::load::{run, steps};
use preflight_latency::{first_visit, Bounds, LoadResult, MobileView, Plan, Probe, MOBILE_RTT_MS};
use tauri::State;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The measured addresses of `domain_name`, newest first.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn latency_cards(state: State<'_, AppState>, domain_name: String) -> AppResult<Vec<LatencyCard>> {
    let domain = Domain::parse(&domain_name)?;
    blocking(state.flow.clone(), move |f| f.latency_cards(&domain)).await
}

/// Measures `url` (an address of the product, of `kind`), or with no `url` the `[[endpoints]]` of
/// the product's settings (only the one called `endpoint` when given), and keeps each run in the
/// history.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, url), err)]
pub async fn measure_latency(
    state: State<'_, AppState>,
    domain_name: String,
    url: Option<String>,
    kind: Option<EndpointKind>,
    endpoint: Option<String>,
) -> AppResult<Vec<LatencyCard>> {
    let domain = Domain::parse(&domain_name)?;
    let probes = match url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) {
        Some(u) => vec![address(&domain, &u, kind)?],
        None => {
            let d = domain.clone();
            let mut probes = blocking(state.flow.clone(), move |f| f.saved_target(d).and_then(|t| f.endpoint_probes(&t))).await?;
            if let Some(name) = &endpoint {
                probes.retain(|p| &p.name == name);
                if probes.is_empty() {
                    return Err(AppError::new(
                        ErrorCode::NotFound,
                        format!("{domain}'s settings have no endpoint called \"{name}\" any more."),
                    ));
                }
            }
            if probes.is_empty() {
                let file = state.flow.settings_file(&domain).map(|f| format!(" ({})", f.display())).unwrap_or_default();
                return Err(invalid(format!(
                    "{domain} has no key endpoints in its settings file yet{file}: add [[endpoints]] entries there (name, method, url, body, kind, and the keychain entry of its key), or type an address above, such as https://{domain}/login"
                )));
            }
            probes
        }
    };
    let net = state.flow.net_for(&domain).await?;
    let mut cards = Vec::with_capacity(probes.len());
    for p in &probes {
        cards.push(state.flow.measure_endpoint(&net, p, Plan::default(), true).await);
    }
    Ok(cards)
}

fn invalid(message: String) -> AppError {
    AppError::new(ErrorCode::InvalidSettings, message)
}

/// A typed address, checked: http or https, and a name of the product (the window measures the
/// founder's own product, nobody else's).
fn address(domain: &Domain, typed: &str, kind: Option<EndpointKind>) -> AppResult<Probe> {
    // A pasted address often carries a space or a newline, and sometimes a token: errors name
    // its public form only (they reach the window and the log).
    let typed = typed.trim();
    let shown = preflight_core::public::shown(typed);
    let url = Url::parse(typed)
        .map_err(|e| invalid(format!("\"{shown}\" is not a web address ({e}); type it whole, like https://{domain}/login")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!("\"{shown}\" is not a web address: it must start with https://")));
    }
    let host = url.host_str().unwrap_or_default();
    if !belongs(host, domain.as_str()) {
        return Err(invalid(format!(
            "{host} is not part of {domain}. Speed measures your own product's addresses; add another host as an [[endpoints]] entry in {domain}'s settings."
        )));
    }
    Ok(Probe::new(url, "GET", kind))
}

/// The round trips of a first visit to `url` (then each of `then`, one after the other) and their
/// time on a phone network.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, url, then), err)]
pub async fn mobile_view(state: State<'_, AppState>, domain_name: String, url: String, then: Vec<String>) -> AppResult<MobileView> {
    let domain = Domain::parse(&domain_name)?;
    let first = address(&domain, url.trim(), None)?;
    let then = then
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .map(|u| address(&domain, u, None).map(|p| p.url))
        .collect::<AppResult<Vec<_>>>()?;
    let net = state.flow.net_for(&domain).await?;
    Ok(first_visit(&net, &first.url, &then, MOBILE_RTT_MS).await)
}

/// A load test's bounds within the window's ceiling, and the probe it would send.
fn load_plan(domain: &Domain, url: &str, rate: f64, duration_secs: u32) -> AppResult<(Probe, Bounds)> {
    let probe = address(domain, url.trim(), None)?;
    Ok((probe, Bounds { rate, duration_secs, ..Bounds::WINDOW }.capped_to(Bounds::WINDOW)))
}

/// What a load test would send, in words, before anything is sent.
#[tauri::command]
#[specta::specta]
pub async fn explain_load(domain_name: String, url: String, rate: f64, duration_secs: u32, ramp: bool) -> AppResult<String> {
    let domain = Domain::parse(&domain_name)?;
    let (probe, bounds) = load_plan(&domain, &url, rate, duration_secs)?;
    Ok(bounds.explain(&probe, steps(ramp)))
}

/// Runs a load test of `url` (a name of an audited product) within the window's bounds; one at a
/// time, stopped by `stop_load`.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, url), err)]
pub async fn run_load(
    state: State<'_, AppState>,
    domain_name: String,
    url: String,
    rate: f64,
    duration_secs: u32,
    ramp: bool,
) -> AppResult<LoadResult> {
    let domain = Domain::parse(&domain_name)?;
    let (probe, bounds) = load_plan(&domain, &url, rate, duration_secs)?;
    let d = domain.clone();
    let audited = blocking(state.flow.clone(), move |f| f.history(Some(d.as_str()), 1)).await?;
    if audited.is_empty() {
        return Err(invalid(format!(
            "Run an audit of {domain} first: a load test sends real traffic, so it only runs on a product you have audited."
        )));
    }
    let cancel = CancellationToken::new();
    {
        let mut running = state.load.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the load test's state is unusable"))?;
        if running.is_some() {
            return Err(AppError::new(ErrorCode::Busy, "A load test is already running: wait for it or stop it."));
        }
        *running = Some(cancel.clone());
    }
    let result = match state.flow.net_for(&domain).await {
        Ok(net) => Ok(run(&net, &probe, bounds, steps(ramp), cancel).await),
        Err(e) => Err(e.into()),
    };
    if let Ok(mut running) = state.load.lock() {
        *running = None;
    }
    result
}

/// Stops the running load test at its next scheduled request; false when none runs.
#[tauri::command]
#[specta::specta]
pub async fn stop_load(state: State<'_, AppState>) -> AppResult<bool> {
    let running = state.load.lock().map_err(|_| AppError::new(ErrorCode::Internal, "the load test's state is unusable"))?;
    Ok(running.as_ref().map(CancellationToken::cancel).is_some())
}
