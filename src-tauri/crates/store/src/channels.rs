//! Table `channels`: the outside channels alerts are posted to (Slack, Discord, ntfy, a webhook).
//!
//! Only the name, the kind and a hint the founder recognises (the host) are here; the address
//! itself is a secret and lives in the keychain under the channel's id.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection};
use serde::Serialize;

pub const V9: Migration = Migration {
    version: 9,
    sql: "CREATE TABLE channels (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        hint TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );",
};

/// A stored channel (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChannelRow {
    pub id: i64,
    pub name: String,
    /// `slack`, `discord`, `ntfy` or `webhook`.
    pub kind: String,
    /// Where it posts, recognisably but not usably (`hooks.slack.com/…`).
    pub hint: String,
}

pub fn insert(conn: &Connection, name: &str, kind: &str, hint: &str, now_ms: i64) -> Result<i64> {
    conn.execute("INSERT INTO channels (name, kind, hint, created_at_ms) VALUES (?1, ?2, ?3, ?4)", params![name, kind, hint, now_ms])?;
    Ok(conn.last_insert_rowid())
}

pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM channels WHERE id = ?1", [id])? > 0)
}

pub fn list(conn: &Connection) -> Result<Vec<ChannelRow>> {
    let mut stmt = conn.prepare("SELECT id, name, kind, hint FROM channels ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok(ChannelRow { id: r.get(0)?, name: r.get(1)?, kind: r.get(2)?, hint: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
