//! Latency from the window: the product's measured addresses as cards (newest run and the one
//! before), and measuring one address or the endpoints of the product's settings. Each request
//! goes through the flow's network with its deadlines; a measurement gives up after three
//! unanswered requests, so the window waits seconds, not minutes, on an endpoint that is down.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use preflight_core::{Domain, EndpointKind};
use preflight_flow::latency::{belongs, LatencyCard};
use preflight_latency::{Plan, Probe};
use tauri::State;
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
                return Err(invalid(format!(
                    "{domain} has no key endpoints in its settings yet: type an address to measure, such as https://{domain}/"
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
    let url = Url::parse(typed)
        .map_err(|e| invalid(format!("\"{typed}\" is not a web address ({e}); type it whole, like https://{domain}/login")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!("\"{typed}\" is not a web address: it must start with https://")));
    }
    let host = url.host_str().unwrap_or_default();
    if !belongs(host, domain.as_str()) {
        return Err(invalid(format!(
            "{host} is not part of {domain}. Speed measures your own product's addresses; add another host as an [[endpoints]] entry in {domain}'s settings."
        )));
    }
    Ok(Probe::new(url, "GET", kind))
}
