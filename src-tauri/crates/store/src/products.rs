//! Table `products`: one row per audited domain.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection, OptionalExtension};

pub const V1: Migration = Migration {
    version: 1,
    sql: "CREATE TABLE products (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL UNIQUE,
        created_at_ms INTEGER NOT NULL
    );",
};

/// The id of the product for `domain`, creating it on first use.
pub fn ensure(conn: &Connection, domain: &str, now_ms: i64) -> Result<i64> {
    conn.execute("INSERT INTO products (domain, created_at_ms) VALUES (?1, ?2) ON CONFLICT(domain) DO NOTHING", params![domain, now_ms])?;
    Ok(conn.query_row("SELECT id FROM products WHERE domain = ?1", [domain], |r| r.get(0))?)
}

/// The id of the product for `domain`, if it was ever audited.
pub fn find(conn: &Connection, domain: &str) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT id FROM products WHERE domain = ?1", [domain], |r| r.get(0)).optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_is_idempotent() {
        let (_dir, conn) = crate::tests::temp_conn();
        let a = ensure(&conn, "acme.test", 1).expect("insert");
        let b = ensure(&conn, "acme.test", 2).expect("again");
        assert_eq!(a, b, "the same domain must map to one product");
        assert_eq!(find(&conn, "other.test").expect("query"), None);
    }
}
