//! The product's paths from the window: the `[[flows]]` of its settings, each with what it sends
//! (said before anything runs), and one run of all of them as a customer's visit when the founder
//! presses Run. The run goes through the flow crate; keys are read from the keychain there, never
//! sent to the webview, and the results hold no password, cookie or token. Its webhooks likewise,
//! each replayed only when the founder presses its Send button.

use super::blocking;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use preflight_core::Domain;
use preflight_flow::flows::{FlowInfo, FlowResult, PathHistory, Ran, Trigger, WebhookInfo, WebhookResult};
use preflight_flow::WatchPrefs;
use tauri::{AppHandle, State};

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
pub async fn run_flows(state: State<'_, AppState>, domain: String) -> AppResult<Ran<FlowResult>> {
    let domain = Domain::parse(&domain)?;
    let d = domain.clone();
    let flows = blocking(state.flow.clone(), move |f| f.flows(&d, None)).await?;
    Ok(state.flow.run_flows(&domain, &flows, Trigger::Window).await?)
}

/// The newest runs of `domain`'s paths and webhooks (five of each), for the before/after.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn path_history(state: State<'_, AppState>, domain: String) -> AppResult<PathHistory> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.path_history(&domain, 5)).await
}

/// The webhooks of `domain`'s settings that can be replayed, each with what a replay sends.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn list_webhooks(state: State<'_, AppState>, domain: String) -> AppResult<Vec<WebhookInfo>> {
    let domain = Domain::parse(&domain)?;
    let replays = blocking(state.flow.clone(), move |f| f.webhooks(&domain, None)).await?;
    Ok(replays.iter().map(WebhookInfo::of).collect())
}

/// Replays the webhook `name` of `domain`: the founder pressed its Send button, which says what
/// goes out. One at a time, so each send is its own yes.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn replay_webhook(state: State<'_, AppState>, domain: String, name: String) -> AppResult<Ran<WebhookResult>> {
    let domain = Domain::parse(&domain)?;
    let d = domain.clone();
    let replays = blocking(state.flow.clone(), move |f| f.webhooks(&d, None)).await?;
    let Some(r) = replays.into_iter().find(|r| r.name == name) else {
        return Err(AppError::new(ErrorCode::NotFound, format!("{domain} has no webhook named \"{name}\" any more: its settings changed")));
    };
    Ok(state.flow.replay_webhooks(&domain, std::slice::from_ref(&r), Trigger::Window).await?)
}

/// Turns on or off running the paths once after each deploy the watcher notices (all products),
/// and restarts the watcher with it. The Paths view says what that sends before the founder ticks it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state, app), err)]
pub async fn set_paths_after_deploy(app: AppHandle, state: State<'_, AppState>, on: bool) -> AppResult<WatchPrefs> {
    let saved = blocking(state.flow.clone(), move |f| f.update_watch_prefs(|p| p.paths_after_deploy = on)).await?;
    crate::watcher::restart(app).await;
    Ok(saved)
}
