//! Table `audit_runs`: one row per audit, with its summary counts for fast history lists.

use crate::error::Result;
use crate::migrate::Migration;
use preflight_core::Summary;
use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};

pub const V2: Migration = Migration {
    version: 2,
    sql: "CREATE TABLE audit_runs (
        id INTEGER PRIMARY KEY,
        product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        started_at_ms INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        pass INTEGER NOT NULL, warn INTEGER NOT NULL, fail INTEGER NOT NULL,
        error INTEGER NOT NULL, skipped INTEGER NOT NULL, manual INTEGER NOT NULL
    );
    CREATE INDEX audit_runs_by_product ON audit_runs(product_id, started_at_ms DESC);",
};

/// How many runs per product are kept; older ones are pruned with their findings.
pub const KEEP_PER_PRODUCT: i64 = 200;

/// A line of the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSummary {
    pub id: i64,
    pub domain: String,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    /// Where the run came from: `desktop`, `cli` or `demo`.
    pub source: String,
    pub summary: Summary,
}

/// Inserts a run row and returns its id.
pub fn insert(conn: &Connection, product_id: i64, started_at_ms: i64, duration_ms: u64, source: &str, s: &Summary) -> Result<i64> {
    conn.execute(
        "INSERT INTO audit_runs (product_id, started_at_ms, duration_ms, source, pass, warn, fail, error, skipped, manual)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![product_id, started_at_ms, duration_ms as i64, source, s.pass, s.warn, s.fail, s.error, s.skipped, s.manual],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Deletes all but the newest [`KEEP_PER_PRODUCT`] runs of a product (findings cascade).
pub fn prune(conn: &Connection, product_id: i64) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM audit_runs WHERE product_id = ?1 AND id NOT IN
           (SELECT id FROM audit_runs WHERE product_id = ?1 ORDER BY started_at_ms DESC, id DESC LIMIT ?2)",
        params![product_id, KEEP_PER_PRODUCT],
    )?)
}

const SELECT: &str = "SELECT r.id, p.domain, r.started_at_ms, r.duration_ms, r.source,
    r.pass, r.warn, r.fail, r.error, r.skipped, r.manual FROM audit_runs r JOIN products p ON p.id = r.product_id";

fn row(r: &Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: r.get(0)?,
        domain: r.get(1)?,
        started_at_ms: r.get(2)?,
        duration_ms: r.get(3)?,
        source: r.get(4)?,
        summary: Summary { pass: r.get(5)?, warn: r.get(6)?, fail: r.get(7)?, error: r.get(8)?, skipped: r.get(9)?, manual: r.get(10)? },
    })
}

/// The newest runs, optionally of one domain.
pub fn list(conn: &Connection, domain: Option<&str>, limit: u32) -> Result<Vec<RunSummary>> {
    let sql = format!("{SELECT} WHERE (?1 IS NULL OR p.domain = ?1) ORDER BY r.started_at_ms DESC, r.id DESC LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![domain, limit], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One run's summary line.
pub fn get(conn: &Connection, id: i64) -> Result<Option<RunSummary>> {
    let sql = format!("{SELECT} WHERE r.id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query_map([id], row)?;
    Ok(rows.next().transpose()?)
}
