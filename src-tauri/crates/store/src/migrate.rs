//! Versioned schema migrations, embedded in the binary and applied in order.
//!
//! The version lives in SQLite's `user_version`. Each table module owns the migrations that touch
//! it; this file only orders them. A database newer than the last migration is refused untouched:
//! an older app must never "repair" a newer schema and lose what it does not understand.
//!
//! The CLI and the desktop app share one file, so two processes may open a brand-new database at
//! the same moment. Pending migrations therefore run inside one `BEGIN IMMEDIATE` transaction that
//! reads the version again once it holds the write lock: whoever comes second sees the first one's
//! work and does nothing, instead of failing on "table already exists".

use crate::error::{Result, StoreError};
use crate::{channels, deploys, findings, incidents, keys, latency, monitors, names, paths, products, runs, samples, ticks};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// One step of the schema; `version` is what `user_version` becomes after it.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub sql: &'static str,
}

/// Every migration in order. Append only; never edit one that has shipped.
pub const ALL: &[&Migration] = &[
    &products::V1,
    &runs::V2,
    &findings::V3,
    &names::V4,
    &monitors::V5,
    &samples::V6,
    &incidents::V7,
    &deploys::V8,
    &channels::V9,
    &ticks::V10,
    &latency::V11,
    &keys::V12,
    &paths::V13,
    &keys::V14,
];

/// A migration as the next release would add one, built in only by the update test (feature
/// `update-test`), which installs a build with it over a build without it and finds the history
/// migrated. Never part of a release.
const NEXT_RELEASE: Migration = Migration {
    version: 15,
    sql: "CREATE TABLE update_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
          INSERT INTO update_probe (note) VALUES ('migrated by the next release');",
};
const EXTRA: &[&Migration] = if cfg!(feature = "update-test") { &[&NEXT_RELEASE] } else { &[] };

/// The steps this build knows, in order.
fn steps() -> impl Iterator<Item = &'static &'static Migration> {
    ALL.iter().chain(EXTRA.iter())
}

/// The schema version this build writes.
pub fn latest() -> i64 {
    steps().last().map_or(0, |m| m.version)
}

fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Fails with [`StoreError::TooNew`] for a database written by a newer app; returns its version.
pub fn refuse_newer(conn: &Connection, path: &Path) -> Result<i64> {
    let found = version(conn)?;
    if found > latest() {
        return Err(StoreError::TooNew { path: path.to_owned(), found, supported: latest() });
    }
    Ok(found)
}

/// Brings `conn` up to date, refusing databases from the future.
pub fn apply(conn: &mut Connection, path: &Path) -> Result<()> {
    // Cheap read first: an up-to-date database (the usual case) never takes the write lock.
    if refuse_newer(conn, path)? == latest() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock: decide again under it.
    let found = refuse_newer(&tx, path)?;
    for m in steps().filter(|m| m.version > found) {
        tx.execute_batch(m.sql)?;
        tracing::info!(version = m.version, "database migrated");
    }
    tx.pragma_update(None, "user_version", latest())?;
    tx.commit()?;
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
