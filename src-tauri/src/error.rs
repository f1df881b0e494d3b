//! The one error shape that crosses IPC: `{ code, message }`.
//!
//! The UI branches on `code` (typed in bindings.ts) and shows `message`, which is always a full
//! sentence for the founder. Crate errors are mapped here, in one place, so no command invents its
//! own wording or leaks a Debug dump.

use serde::Serialize;
use specta::Type;

/// What kind of failure, for the UI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// What was typed is not a domain; the message says what to type.
    InvalidDomain,
    /// A `PREFLIGHT_*` setting is malformed.
    InvalidSettings,
    /// The history database cannot be used (including one from a newer app).
    Storage,
    /// The requested record does not exist.
    NotFound,
    /// An audit is already running.
    Busy,
    /// The OS keychain refused to keep or give a secret.
    Keychain,
    /// A key would go to a host it does not belong to, over plain http, or in plain headers.
    CredentialRefused,
    /// A test message did not reach its channel.
    Unreachable,
    /// What was shown changed underneath (a settings file edited elsewhere): reload, then redo.
    Conflict,
    /// A bug or a machine problem.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError { code, message: message.into() }
    }
}

impl From<preflight_core::DomainError> for AppError {
    fn from(e: preflight_core::DomainError) -> Self {
        AppError::new(ErrorCode::InvalidDomain, e.to_string())
    }
}

impl From<preflight_flow::FlowError> for AppError {
    fn from(e: preflight_flow::FlowError) -> Self {
        use preflight_flow::FlowError as F;
        let code = match &e {
            F::Busy => ErrorCode::Busy,
            F::Settings(_) | F::Network(_) | F::Invalid(_) | F::ProductSettings(_) => ErrorCode::InvalidSettings,
            F::SettingsChanged => ErrorCode::Conflict,
            F::Keychain(_) => ErrorCode::Keychain,
            F::Credential(_) => ErrorCode::CredentialRefused,
            F::Delivery(_) => ErrorCode::Unreachable,
            F::Storage(_) => ErrorCode::Storage,
            F::NothingToRerun => ErrorCode::NotFound,
            F::NotUnder { .. } => ErrorCode::InvalidDomain,
            _ => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        AppError::new(ErrorCode::Internal, e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
