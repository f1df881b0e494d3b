//! Versioned schema migrations, embedded in the binary and applied in order.
//!
//! The version lives in SQLite's `user_version`. Each table module owns the migrations that touch
//! it; this file only orders them. A database newer than the last migration is refused untouched:
//! an older app must never "repair" a newer schema and lose what it does not understand.

use crate::error::{Result, StoreError};
use crate::{findings, products, runs};
use rusqlite::Connection;
use std::path::Path;

/// One step of the schema; `version` is what `user_version` becomes after it.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub sql: &'static str,
}

/// Every migration in order. Append only; never edit one that has shipped.
pub const ALL: &[&Migration] = &[&products::V1, &runs::V2, &findings::V3];

/// The schema version this build writes.
pub fn latest() -> i64 {
    ALL.last().map_or(0, |m| m.version)
}

/// Fails with [`StoreError::TooNew`] for a database written by a newer app; returns its version.
pub fn refuse_newer(conn: &Connection, path: &Path) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > latest() {
        return Err(StoreError::TooNew { path: path.to_owned(), found, supported: latest() });
    }
    Ok(found)
}

/// Brings `conn` up to date, refusing databases from the future.
pub fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = refuse_newer(conn, path)?;
    for m in ALL.iter().filter(|m| m.version > found) {
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql)?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
        tracing::info!(version = m.version, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_increase_by_one() {
        for (i, m) in super::ALL.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migrations must be numbered 1, 2, 3… in order");
        }
    }
}
