//! Table `keys`: which keychain entries a product has, and when each was set.
//!
//! The keychain keeps the values and nothing else (no platform's store lists its entries or says
//! when one was written in a way all three share), so the names and times live here: enough to
//! list a product's keys and to say which a setting names that is missing. Never a value, nor any
//! part of one.
//!
//! A key saved for its own host (a mailbox's password) is bound to the first host it is used with
//! (`bound_host`); saving it again clears the binding. A settings file edited to send it elsewhere
//! is then refused until the founder saves the key again: editing a file is not consent.

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

pub const V14: Migration = Migration { version: 14, sql: "ALTER TABLE keys ADD COLUMN bound_host TEXT;" };

/// A key a product has in the keychain (no value in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KeyRow {
    pub domain: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub set_at_ms: i64,
    /// The one host it may go to, for a key saved for its own host (a mailbox's).
    pub bound_host: Option<String>,
}

/// Records that `name` of `domain` was set now (again: the time moves).
pub fn upsert(conn: &Connection, domain: &str, name: &str, at_ms: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO keys (domain, name, set_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT(domain, name) DO UPDATE SET set_at_ms = excluded.set_at_ms, bound_host = NULL",
        params![domain, name, at_ms],
    )?;
    Ok(1)
}

/// Binds `name` of `domain` to `host` unless it is bound already (a key not recorded yet is
/// recorded now, bound). What it is bound to is read back with [`list`].
pub fn bind(conn: &Connection, domain: &str, name: &str, host: &str, at_ms: i64) -> Result<i64> {
    Ok(conn.execute(
        "INSERT INTO keys (domain, name, set_at_ms, bound_host) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(domain, name) DO UPDATE SET bound_host = COALESCE(keys.bound_host, excluded.bound_host)",
        params![domain, name, at_ms, host],
    )? as i64)
}

pub fn delete(conn: &Connection, domain: &str, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM keys WHERE domain = ?1 AND name = ?2", params![domain, name])? > 0)
}

pub fn list(conn: &Connection, domain: &str) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare("SELECT domain, name, set_at_ms, bound_host FROM keys WHERE domain = ?1 ORDER BY name")?;
    let rows =
        stmt.query_map([domain], |r| Ok(KeyRow { domain: r.get(0)?, name: r.get(1)?, set_at_ms: r.get(2)?, bound_host: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_binds_to_its_first_host_and_saving_it_again_frees_it() {
        let (_dir, conn) = crate::tests::temp_conn();
        upsert(&conn, "a.test", "mailbox-password", 1).expect("set");
        bind(&conn, "a.test", "mailbox-password", "imap.mail.example", 2).expect("bind");
        bind(&conn, "a.test", "mailbox-password", "imap.evil.example", 3).expect("second bind");
        let bound = |c: &Connection| list(c, "a.test").expect("list")[0].bound_host.clone();
        assert_eq!(bound(&conn).as_deref(), Some("imap.mail.example"), "the first host stays");
        upsert(&conn, "a.test", "mailbox-password", 4).expect("set again");
        assert_eq!(bound(&conn), None, "saving the key again is the founder's yes to a new host");
    }
}
