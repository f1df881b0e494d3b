//! Table `latency_runs`: every latency measurement, so a run can be compared with the one before it
//! ("p95 1.6 s before, 640 ms now").
//!
//! One row per endpoint and run, keyed by the endpoint's address without its query string (a token
//! there is never stored). The measurement itself is kept as JSON (percentiles, phases, verdict),
//! with the p95 in a column for comparisons; old rows are pruned after 400 days with the rest of
//! the history.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection};

pub const V11: Migration = Migration {
    version: 11,
    sql: "CREATE TABLE latency_runs (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        p95_ms REAL,
        measurement TEXT NOT NULL
    );
    CREATE INDEX latency_runs_by_url ON latency_runs (url, at_ms);",
};

/// One stored run.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyRow {
    pub id: i64,
    pub url: String,
    pub at_ms: i64,
    pub p95_ms: Option<f64>,
    pub measurement: serde_json::Value,
}

pub fn insert(conn: &Connection, url: &str, at_ms: i64, p95_ms: Option<f64>, measurement: &serde_json::Value) -> Result<i64> {
    conn.execute(
        "INSERT INTO latency_runs (url, at_ms, p95_ms, measurement) VALUES (?1, ?2, ?3, ?4)",
        params![url, at_ms, p95_ms, measurement.to_string()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The newest runs of `url`, newest first.
pub fn list(conn: &Connection, url: &str, limit: u32) -> Result<Vec<LatencyRow>> {
    let mut stmt =
        conn.prepare("SELECT id, url, at_ms, p95_ms, measurement FROM latency_runs WHERE url = ?1 ORDER BY at_ms DESC, id DESC LIMIT ?2")?;
    let rows = stmt.query_map(params![url, limit], |r| {
        let text: String = r.get(4)?;
        Ok(LatencyRow {
            id: r.get(0)?,
            url: r.get(1)?,
            at_ms: r.get(2)?,
            p95_ms: r.get(3)?,
            measurement: serde_json::from_str(&text).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The addresses measured, each with when it was last measured, newest first.
pub fn addresses(conn: &Connection, limit: u32) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare("SELECT url, MAX(at_ms) AS last FROM latency_runs GROUP BY url ORDER BY last DESC, url LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets runs older than `before_ms`.
pub fn prune(conn: &Connection, before_ms: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM latency_runs WHERE at_ms < ?1", [before_ms])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_come_back_newest_first_per_address() {
        let (_dir, conn) = crate::tests::temp_conn();
        insert(&conn, "https://a.test/x", 1, Some(900.0), &serde_json::json!({ "p95": 900 })).expect("one");
        insert(&conn, "https://a.test/x", 2, Some(640.0), &serde_json::json!({ "p95": 640 })).expect("two");
        insert(&conn, "https://b.test/", 3, None, &serde_json::json!({})).expect("other");
        let rows = list(&conn, "https://a.test/x", 10).expect("list");
        assert_eq!(rows.iter().map(|r| r.p95_ms).collect::<Vec<_>>(), [Some(640.0), Some(900.0)]);
        assert_eq!(rows[0].measurement["p95"], 640);
        let seen = addresses(&conn, 10).expect("addresses");
        assert_eq!(seen, [("https://b.test/".to_owned(), 3), ("https://a.test/x".to_owned(), 2)]);
        assert_eq!(prune(&conn, 2).expect("prune"), 1);
    }
}
