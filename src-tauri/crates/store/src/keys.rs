//! Table `keys`: which keychain entries a product has, and when each was set.
//!
//! The keychain keeps the values and nothing else (no platform's store lists its entries or says
//! when one was written in a way all three share), so the names and times live here: enough to
//! list a product's keys and to say which a setting names that is missing. Never a value, nor any
//! part of one.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection};
use serde::Serialize;

pub const V12: Migration = Migration {
    version: 12,
    sql: "CREATE TABLE keys (
        domain TEXT NOT NULL,
        name TEXT NOT NULL,
        set_at_ms INTEGER NOT NULL,
        PRIMARY KEY (domain, name)
    );",
};

/// A key a product has in the keychain (no value in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KeyRow {
    pub domain: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub set_at_ms: i64,
}

/// Records that `name` of `domain` was set now (again: the time moves).
pub fn upsert(conn: &Connection, domain: &str, name: &str, at_ms: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO keys (domain, name, set_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT(domain, name) DO UPDATE SET set_at_ms = excluded.set_at_ms",
        params![domain, name, at_ms],
    )?;
    Ok(1)
}

pub fn delete(conn: &Connection, domain: &str, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM keys WHERE domain = ?1 AND name = ?2", params![domain, name])? > 0)
}

pub fn list(conn: &Connection, domain: &str) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare("SELECT domain, name, set_at_ms FROM keys WHERE domain = ?1 ORDER BY name")?;
    let rows = stmt.query_map([domain], |r| Ok(KeyRow { domain: r.get(0)?, name: r.get(1)?, set_at_ms: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
