//! Table `deploys`: when a new version of the product went out, from an explicit marker
//! (`preflight deploy mark` in CI) or noticed by the watcher (the site started serving a new build).
//!
//! "Errors since the last deploy" and "p95 before and after this deploy" are read against these.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection};
use serde::Serialize;

pub const V8: Migration = Migration {
    version: 8,
    sql: "CREATE TABLE deploys (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        version TEXT,
        source TEXT NOT NULL
    );
    CREATE INDEX deploys_by_domain ON deploys (domain, at_ms);",
};

/// One deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Deploy {
    pub id: i64,
    pub domain: String,
    pub at_ms: i64,
    /// What CI said (a tag, a commit) or what the site served (a build id).
    pub version: Option<String>,
    /// `marker` (told) or `detected` (noticed).
    pub source: String,
}

pub fn insert(conn: &Connection, domain: &str, at_ms: i64, version: Option<&str>, source: &str) -> Result<i64> {
    conn.execute("INSERT INTO deploys (domain, at_ms, version, source) VALUES (?1, ?2, ?3, ?4)", params![domain, at_ms, version, source])?;
    Ok(conn.last_insert_rowid())
}

/// The newest deploys of `domain`, newest first.
pub fn list(conn: &Connection, domain: &str, limit: u32) -> Result<Vec<Deploy>> {
    let mut stmt =
        conn.prepare("SELECT id, domain, at_ms, version, source FROM deploys WHERE domain = ?1 ORDER BY at_ms DESC, id DESC LIMIT ?2")?;
    let rows = stmt.query_map(params![domain, limit], |r| {
        Ok(Deploy { id: r.get(0)?, domain: r.get(1)?, at_ms: r.get(2)?, version: r.get(3)?, source: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets deploys older than `before_ms`.
pub fn prune(conn: &Connection, before_ms: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM deploys WHERE at_ms < ?1", [before_ms])?)
}
