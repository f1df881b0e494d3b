//! The product's paths from the window: the `[[flows]]` of its settings, each with what it sends
//! (said before anything runs), and one run of all of them as a customer's visit when the founder
//! presses Run. The run goes through the flow crate; keys are read from the keychain there, never
//! sent to the webview, and the results hold no password, cookie or token.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::Domain;
use preflight_flow::flows::{FlowInfo, FlowResult};
use tauri::State;

/// The flows of `domain`'s settings, in the order they run.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_flows(state: State<'_, AppState>, domain: String) -> AppResult<Vec<FlowInfo>> {
    let domain = Domain::parse(&domain)?;
    let mut flows = blocking(state.flow.clone(), move |f| f.flows(&domain, None)).await?;
    flows.sort_by_key(|f| f.template.rank());
    Ok(flows.iter().map(FlowInfo::of).collect())
}

/// Runs every flow of `domain` as one visit (sign in, chat, log out).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn run_flows(state: State<'_, AppState>, domain: String) -> AppResult<Vec<FlowResult>> {
    let domain = Domain::parse(&domain)?;
    let d = domain.clone();
    let flows = blocking(state.flow.clone(), move |f| f.flows(&d, None)).await?;
    Ok(state.flow.run_flows(&domain, &flows).await?)
}
