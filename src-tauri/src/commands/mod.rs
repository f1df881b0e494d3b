//! Tauri commands: parse the arguments, call a crate, map the error. No check logic lives here.

pub mod audit;
pub mod channels;
pub mod chatbot;
pub mod checklist;
pub mod history;
pub mod latency;
pub mod monitors;
pub mod names;
pub mod paths;
pub mod product;
pub mod providers;
pub mod secrets;
pub mod settings;
pub mod startup;

use crate::error::{AppError, AppResult, ErrorCode};
use preflight_flow::{Flow, FlowError};
use std::sync::Arc;

/// Runs a blocking flow call (the history is SQLite) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    flow: Arc<Flow>,
    f: impl FnOnce(&Flow) -> Result<T, FlowError> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(move || f(&flow))
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(AppError::from)
}
