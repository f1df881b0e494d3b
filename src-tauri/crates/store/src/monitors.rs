//! Table `monitors`: what the watcher keeps an eye on, per product, as the founder edited it.
//!
//! A monitor is identified by its product's domain and its name, so the default set added twice is
//! still one set, and the samples of "Home page" stay with it when its address is edited. The
//! definition is stored as JSON of the engine's `MonitorSpec`; it never holds a secret (an endpoint
//! names a keychain entry).

use crate::error::{Result, StoreError};
use crate::migrate::Migration;
use preflight_core::monitor::MonitorSpec;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

pub const V5: Migration = Migration {
    version: 5,
    sql: "CREATE TABLE monitors (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL,
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        created_at_ms INTEGER NOT NULL,
        UNIQUE (domain, name)
    );",
};

/// A stored monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonitorRow {
    pub id: i64,
    pub domain: String,
    pub enabled: bool,
    pub spec: MonitorSpec,
}

/// Adds `spec` under `domain`, or replaces the definition of the monitor with that name; returns its id.
pub fn upsert(conn: &Connection, domain: &str, spec: &MonitorSpec, now_ms: i64) -> Result<i64> {
    let json = serde_json::to_string(spec).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = conn.query_row(
        "INSERT INTO monitors (domain, name, spec, created_at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(domain, name) DO UPDATE SET spec = excluded.spec RETURNING id",
        params![domain, spec.name, json, now_ms],
        |r| r.get(0),
    )?;
    Ok(id)
}

/// Turns a monitor on or off (off: kept with its history, not probed).
pub fn set_enabled(conn: &Connection, id: i64, enabled: bool) -> Result<bool> {
    Ok(conn.execute("UPDATE monitors SET enabled = ?2 WHERE id = ?1", params![id, enabled])? > 0)
}

/// Deletes a monitor and, through the foreign keys, its samples, rollups and incidents.
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM monitors WHERE id = ?1", [id])? > 0)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, bool, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn parse((id, domain, enabled, json): (i64, String, bool, String)) -> Result<MonitorRow> {
    let spec = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("monitor {id}: {e}")))?;
    Ok(MonitorRow { id, domain, enabled, spec })
}

/// The monitors, optionally of one domain, in the order they were added.
pub fn list(conn: &Connection, domain: Option<&str>) -> Result<Vec<MonitorRow>> {
    let mut stmt = conn.prepare("SELECT id, domain, enabled, spec FROM monitors WHERE ?1 IS NULL OR domain = ?1 ORDER BY id")?;
    let rows = stmt.query_map([domain], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(parse).collect()
}

/// One monitor by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<MonitorRow>> {
    let found = conn.query_row("SELECT id, domain, enabled, spec FROM monitors WHERE id = ?1", [id], row).optional()?;
    found.map(parse).transpose()
}
