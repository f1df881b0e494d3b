//! Table `incidents`: each time a monitor was confirmed DOWN, from the first failure to the
//! recovery, with its cause. An open incident (no end yet) is an outage in progress.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection};
use serde::Serialize;

pub const V7: Migration = Migration {
    version: 7,
    sql: "CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        monitor_id INTEGER NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        started_at_ms INTEGER NOT NULL,
        ended_at_ms INTEGER,
        cause TEXT NOT NULL
    );
    CREATE INDEX incidents_by_monitor ON incidents (monitor_id, started_at_ms);",
};

/// One outage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Incident {
    pub id: i64,
    pub monitor_id: i64,
    pub started_at_ms: i64,
    /// `None` while it lasts.
    pub ended_at_ms: Option<i64>,
    /// In words: "status 503", "timed out", "DNS", …
    pub cause: String,
}

/// Opens an incident, unless one is already open for the monitor (a restart must not split one
/// outage in two); returns the open incident's id.
pub fn open(conn: &Connection, monitor_id: i64, started_at_ms: i64, cause: &str) -> Result<i64> {
    let existing: Option<i64> = conn
        .query_row("SELECT id FROM incidents WHERE monitor_id = ?1 AND ended_at_ms IS NULL ORDER BY id DESC LIMIT 1", [monitor_id], |r| {
            r.get(0)
        })
        .ok();
    if let Some(id) = existing {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO incidents (monitor_id, started_at_ms, cause) VALUES (?1, ?2, ?3)",
        params![monitor_id, started_at_ms, cause],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Closes the monitor's open incident; returns whether there was one.
pub fn close(conn: &Connection, monitor_id: i64, ended_at_ms: i64) -> Result<bool> {
    Ok(conn
        .execute("UPDATE incidents SET ended_at_ms = ?2 WHERE monitor_id = ?1 AND ended_at_ms IS NULL", params![monitor_id, ended_at_ms])?
        > 0)
}

/// The newest incidents, optionally of one monitor, newest first.
pub fn list(conn: &Connection, monitor_id: Option<i64>, limit: u32) -> Result<Vec<Incident>> {
    let mut stmt = conn.prepare(
        "SELECT id, monitor_id, started_at_ms, ended_at_ms, cause FROM incidents
         WHERE ?1 IS NULL OR monitor_id = ?1 ORDER BY started_at_ms DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![monitor_id, limit], |r| {
        Ok(Incident { id: r.get(0)?, monitor_id: r.get(1)?, started_at_ms: r.get(2)?, ended_at_ms: r.get(3)?, cause: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets incidents that ended before `before_ms`.
pub fn prune(conn: &Connection, before_ms: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM incidents WHERE ended_at_ms IS NOT NULL AND ended_at_ms < ?1", [before_ms])?)
}
