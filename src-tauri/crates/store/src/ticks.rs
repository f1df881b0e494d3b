//! Table `checklist_ticks`: the founder's own word on a launch-checklist item — done or not, with a
//! note and the date.
//!
//! One row per product and item id (ids are stable across content versions); a new tick replaces
//! the old one. Un-ticking keeps the row with `done = 0`, so a note such as the rollback steps is
//! never lost by a mis-click. The automated evidence is not stored here: the checklist combines the
//! two when it is built, so a tick can never silently override a failing check.

use crate::error::Result;
use crate::migrate::Migration;
use crate::products;
use rusqlite::{params, Connection};

pub const V10: Migration = Migration {
    version: 10,
    sql: "CREATE TABLE checklist_ticks (
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        done INTEGER NOT NULL CHECK (done IN (0, 1)),
        note TEXT NOT NULL DEFAULT '',
        at_ms INTEGER NOT NULL,
        PRIMARY KEY (product_id, item)
    );",
};

/// One stored tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickRow {
    pub item: String,
    pub done: bool,
    pub note: String,
    pub at_ms: i64,
}

/// Records (or replaces) the tick on `item` of `domain`.
pub fn set(conn: &Connection, domain: &str, item: &str, done: bool, note: &str, at_ms: i64) -> Result<i64> {
    let product = products::ensure(conn, domain, at_ms)?;
    conn.execute(
        "INSERT INTO checklist_ticks (product_id, item, done, note, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(product_id, item) DO UPDATE SET done = excluded.done, note = excluded.note, at_ms = excluded.at_ms",
        params![product, item, done, note, at_ms],
    )?;
    Ok(product)
}

/// Every tick of `domain`, by item id.
pub fn list(conn: &Connection, domain: &str) -> Result<Vec<TickRow>> {
    let mut stmt = conn.prepare(
        "SELECT t.item, t.done, t.note, t.at_ms FROM checklist_ticks t JOIN products p ON p.id = t.product_id
         WHERE p.domain = ?1 ORDER BY t.item",
    )?;
    let rows = stmt.query_map([domain], |r| Ok(TickRow { item: r.get(0)?, done: r.get(1)?, note: r.get(2)?, at_ms: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_tick_replaces_the_old_and_unticking_keeps_the_note() {
        let (_dir, conn) = crate::tests::temp_conn();
        set(&conn, "acme.test", "deploy.rollback", true, "Vercel → Instant Rollback", 1).expect("tick");
        set(&conn, "other.test", "deploy.rollback", true, "other", 1).expect("other product");
        set(&conn, "acme.test", "deploy.rollback", false, "Vercel → Instant Rollback", 2).expect("untick");
        let rows = list(&conn, "acme.test").expect("read");
        assert_eq!(rows, [TickRow { item: "deploy.rollback".into(), done: false, note: "Vercel → Instant Rollback".into(), at_ms: 2 }]);
        assert!(list(&conn, "never.test").expect("read").is_empty());
    }
}
