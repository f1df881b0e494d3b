//! The chatbot from the window: its setup and newest runs, the red team's plan (said before anything
//! is sent), the run itself when the founder presses Send after reading the plan, the founder's
//! questions, and a fresh canary line to paste into the staging system prompt. The canary and the
//! prompt line are saved with `set_key` under the names the flow crate gives them, so they never
//! come back to the web view. Everything runs through the flow crate.

use super::blocking;
use crate::error::AppResult;
use crate::state::AppState;
use preflight_core::Domain;
use preflight_flow::flows::Trigger;
use preflight_flow::redteam::{Canary, ChatbotState, EvalRun, Planted, RedTeamPlan, RedTeamRun};
use preflight_redteam::Options;
use tauri::State;

fn options(generations: Option<u32>) -> Options {
    Options { generations: generations.unwrap_or(preflight_redteam::run::DEFAULT_GENERATIONS), ..Options::default() }
}

/// `domain`'s chat path, questions and newest runs of each kind (five), with what changed.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn chatbot_state(state: State<'_, AppState>, domain: String) -> AppResult<ChatbotState> {
    let domain = Domain::parse(&domain)?;
    blocking(state.flow.clone(), move |f| f.chatbot_state(&domain, 5)).await
}

/// What a red-team run of `domain` would send (messages, tokens, time); nothing is sent.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn red_team_plan(state: State<'_, AppState>, domain: String, generations: Option<u32>) -> AppResult<RedTeamPlan> {
    let domain = Domain::parse(&domain)?;
    Ok(state.flow.red_team_plan(&domain, None, &options(generations)).await?)
}

/// Runs the red team against `domain`'s chatbot: the founder read the plan and pressed Send.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn run_red_team(state: State<'_, AppState>, domain: String, generations: Option<u32>) -> AppResult<RedTeamRun> {
    let domain = Domain::parse(&domain)?;
    Ok(state.flow.red_team(&domain, None, &options(generations), Planted::default(), Trigger::Window).await?)
}

/// Asks `domain`'s `[[evals]]` questions of its chatbot.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state), err)]
pub async fn run_evals(state: State<'_, AppState>, domain: String) -> AppResult<EvalRun> {
    let domain = Domain::parse(&domain)?;
    Ok(state.flow.run_evals(&domain, None, Trigger::Window).await?)
}

/// A fresh canary code and the line to paste into the staging system prompt.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(err)]
pub async fn new_canary() -> AppResult<Canary> {
    preflight_flow::redteam::new_canary().ok_or_else(|| {
        crate::error::AppError::new(crate::error::ErrorCode::Internal, "this computer's random source could not be read".to_owned())
    })
}
