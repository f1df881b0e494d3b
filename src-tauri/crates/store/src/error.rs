//! The store's one error type.

use std::path::PathBuf;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("the history database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer Preflight; we refuse to touch it rather than lose data.
    #[error(
        "the history at {path} was written by a newer version of Preflight (database version {found}, this app understands up to {supported}). Update Preflight to open it; the file was not changed."
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    /// The data folder could not be created or read.
    #[error("cannot use the data folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    /// A stored row could not be read back (a bug or a hand-edited file).
    #[error("a stored record could not be read: {0}")]
    Corrupt(String),
    /// The writer thread has stopped (the app is shutting down).
    #[error("the history writer has stopped")]
    Closed,
}

pub type Result<T> = std::result::Result<T, StoreError>;
