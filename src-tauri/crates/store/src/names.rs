//! Table `product_names`: the founder's decision about each name discovery found — keep it (audit
//! it every time, as if listed) or drop it (never offer it again).
//!
//! One row per product and name; a new decision replaces the old one, so changing one's mind is one
//! click, and the row keeps when it was decided.

use crate::error::Result;
use crate::migrate::Migration;
use crate::products;
use rusqlite::{params, Connection};

pub const V4: Migration = Migration {
    version: 4,
    sql: "CREATE TABLE product_names (
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        keep INTEGER NOT NULL CHECK (keep IN (0, 1)),
        decided_at_ms INTEGER NOT NULL,
        PRIMARY KEY (product_id, name)
    );",
};

/// What the founder decided for a product's found names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
}

/// Records (or replaces) the decision about `name` under `domain`.
pub fn decide(conn: &Connection, domain: &str, name: &str, keep: bool, now_ms: i64) -> Result<()> {
    let product = products::ensure(conn, domain, now_ms)?;
    conn.execute(
        "INSERT INTO product_names (product_id, name, keep, decided_at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(product_id, name) DO UPDATE SET keep = excluded.keep, decided_at_ms = excluded.decided_at_ms",
        params![product, name, keep, now_ms],
    )?;
    Ok(())
}

/// The decisions for `domain`, names sorted.
pub fn decisions(conn: &Connection, domain: &str) -> Result<Decisions> {
    let mut stmt = conn
        .prepare("SELECT n.name, n.keep FROM product_names n JOIN products p ON p.id = n.product_id WHERE p.domain = ?1 ORDER BY n.name")?;
    let rows = stmt.query_map([domain], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
    let mut out = Decisions::default();
    for row in rows {
        let (name, keep) = row?;
        if keep {
            out.kept.push(name);
        } else {
            out.dropped.push(name);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_decision_replaces_the_old_one() {
        let (_dir, conn) = crate::tests::temp_conn();
        decide(&conn, "acme.test", "staging.acme.test", true, 1).expect("keep");
        decide(&conn, "acme.test", "old.acme.test", false, 2).expect("drop");
        decide(&conn, "other.test", "x.other.test", true, 3).expect("other product");
        assert_eq!(
            decisions(&conn, "acme.test").expect("read"),
            Decisions { kept: vec!["staging.acme.test".into()], dropped: vec!["old.acme.test".into()] }
        );
        decide(&conn, "acme.test", "staging.acme.test", false, 4).expect("change of mind");
        let d = decisions(&conn, "acme.test").expect("read");
        assert!(d.kept.is_empty());
        assert_eq!(d.dropped, ["old.acme.test", "staging.acme.test"]);
        assert_eq!(decisions(&conn, "never.test").expect("read"), Decisions::default());
    }
}
