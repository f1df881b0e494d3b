//! Table `path_runs`: every run of a product's paths (flows) and webhook replays, so the window can
//! show each path's last runs with their steps and a before/after, and the checklist can say whether
//! the critical paths passed since the last deploy.
//!
//! The result is kept as the JSON the CLI prints (statuses, timings, words, addresses without their
//! query): it never holds a password, a cookie, a token, a reset link or a signing secret, because
//! the results themselves never do. A product keeps its newest [`KEEP_PER_PATH`] runs of each
//! path; older rows go with the rest of the history after 400 days.

use crate::error::Result;
use crate::migrate::Migration;
use rusqlite::{params, Connection};

/// Runs kept per path and product: enough for a before/after and a trend, bounded however often
/// a monitor runs it.
pub const KEEP_PER_PATH: i64 = 50;

pub const V13: Migration = Migration {
    version: 13,
    sql: "CREATE TABLE path_runs (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        status TEXT NOT NULL,
        trigger TEXT NOT NULL,
        result TEXT NOT NULL
    );
    CREATE INDEX path_runs_by_path ON path_runs (domain, kind, name, at_ms);",
};

/// A run of one path, to store or as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPathRun {
    pub domain: String,
    /// `flow`, `webhook`, `redteam` or `eval`.
    pub kind: String,
    pub name: String,
    pub at_ms: i64,
    /// `pass`, `fail` or `error`.
    pub status: String,
    /// What started it: `window`, `cli`, `deploy` or `monitor`.
    pub trigger: String,
    pub result: serde_json::Value,
}

/// One stored run of one path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRunRow {
    pub id: i64,
    pub run: NewPathRun,
}

pub fn insert(conn: &Connection, r: &NewPathRun) -> Result<i64> {
    conn.execute(
        "INSERT INTO path_runs (domain, kind, name, at_ms, status, trigger, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![r.domain, r.kind, r.name, r.at_ms, r.status, r.trigger, r.result.to_string()],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "DELETE FROM path_runs WHERE domain = ?1 AND kind = ?2 AND name = ?3 AND id NOT IN
           (SELECT id FROM path_runs WHERE domain = ?1 AND kind = ?2 AND name = ?3 ORDER BY at_ms DESC, id DESC LIMIT ?4)",
        params![r.domain, r.kind, r.name, KEEP_PER_PATH],
    )?;
    Ok(id)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PathRunRow> {
    let text: String = r.get(7)?;
    let run = NewPathRun {
        domain: r.get(1)?,
        kind: r.get(2)?,
        name: r.get(3)?,
        at_ms: r.get(4)?,
        status: r.get(5)?,
        trigger: r.get(6)?,
        result: serde_json::from_str(&text).unwrap_or_default(),
    };
    Ok(PathRunRow { id: r.get(0)?, run })
}

/// The newest runs of `domain`'s paths, newest first, at most `per_path` of each.
pub fn recent(conn: &Connection, domain: &str, per_path: u32) -> Result<Vec<PathRunRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, domain, kind, name, at_ms, status, trigger, result FROM (
           SELECT *, ROW_NUMBER() OVER (PARTITION BY kind, name ORDER BY at_ms DESC, id DESC) AS n
           FROM path_runs WHERE domain = ?1)
         WHERE n <= ?2 ORDER BY at_ms DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![domain, per_path], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest `n` runs of one path of `domain`, newest first.
pub fn of(conn: &Connection, domain: &str, kind: &str, name: &str, n: u32) -> Result<Vec<PathRunRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, domain, kind, name, at_ms, status, trigger, result FROM path_runs
         WHERE domain = ?1 AND kind = ?2 AND name = ?3 ORDER BY at_ms DESC, id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![domain, kind, name, n], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets runs older than `before_ms`.
pub fn prune(conn: &Connection, before_ms: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM path_runs WHERE at_ms < ?1", [before_ms])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, at_ms: i64, status: &str) -> NewPathRun {
        NewPathRun {
            domain: "acme.test".into(),
            kind: "flow".into(),
            name: name.into(),
            at_ms,
            status: status.into(),
            trigger: "cli".into(),
            result: serde_json::json!({ "name": name, "status": status }),
        }
    }

    #[test]
    fn each_path_keeps_its_newest_runs_and_comes_back_newest_first() {
        let (_dir, conn) = crate::tests::temp_conn();
        for at in 0..(KEEP_PER_PATH + 5) {
            insert(&conn, &run("Sign in", at, "pass")).expect("insert");
        }
        insert(&conn, &run("Chat", 1000, "fail")).expect("insert");
        let rows = recent(&conn, "acme.test", 2).expect("recent");
        let got: Vec<(&str, i64)> = rows.iter().map(|r| (r.run.name.as_str(), r.run.at_ms)).collect();
        assert_eq!(got, [("Chat", 1000), ("Sign in", KEEP_PER_PATH + 4), ("Sign in", KEEP_PER_PATH + 3)]);
        assert_eq!(rows[0].run.result["status"], "fail");
        let kept: i64 = conn.query_row("SELECT COUNT(*) FROM path_runs WHERE name = 'Sign in'", [], |r| r.get(0)).expect("count");
        assert_eq!(kept, KEEP_PER_PATH, "bounded per path");
        let chat = of(&conn, "acme.test", "flow", "Chat", 5).expect("of");
        assert_eq!(chat.len(), 1, "one path's runs only");
        let newest = of(&conn, "acme.test", "flow", "Sign in", 1).expect("of");
        assert_eq!(newest[0].run.at_ms, KEEP_PER_PATH + 4);
        assert_eq!(prune(&conn, 10).expect("prune"), 5, "the oldest kept runs go by age too");
    }
}
