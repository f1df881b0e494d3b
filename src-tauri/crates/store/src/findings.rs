//! Table `findings`: every finding of every run, in the same shape as the JSON report.
//!
//! Enums are stored by their serde names (`fail`, `data_exposure`) so the rows read the same as the
//! CLI's JSON, and evidence and fix steps as JSON text. Secrets never reach a finding (the vault's
//! `Sensitive` cannot be serialized), so none can reach this table.

use crate::error::{Result, StoreError};
use crate::migrate::Migration;
use preflight_core::Finding;
use rusqlite::{params, Connection};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const V3: Migration = Migration {
    version: 3,
    sql: "CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES audit_runs(id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        area TEXT NOT NULL,
        stage INTEGER NOT NULL,
        subject TEXT NOT NULL,
        status TEXT NOT NULL,
        impact TEXT NOT NULL,
        title TEXT NOT NULL,
        why TEXT NOT NULL,
        detail TEXT NOT NULL,
        evidence TEXT NOT NULL,
        fix TEXT NOT NULL,
        duration_ms INTEGER NOT NULL
    );
    CREATE INDEX findings_by_run ON findings(run_id);",
};

fn name<T: Serialize>(v: &T) -> Result<String> {
    match serde_json::to_value(v).map_err(|e| StoreError::Corrupt(e.to_string()))? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

fn parse<T: DeserializeOwned>(s: String) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.clone()))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn json<T: DeserializeOwned>(s: String) -> rusqlite::Result<T> {
    serde_json::from_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Inserts every finding of a run.
pub fn insert_all(conn: &Connection, run_id: i64, findings: &[Finding]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO findings (run_id, check_id, area, stage, subject, status, impact, title, why, detail, evidence, fix, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for f in findings {
        let fix = serde_json::to_string(&f.fix).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        stmt.execute(params![
            run_id,
            f.id,
            name(&f.area)?,
            f.stage.number(),
            f.subject,
            name(&f.status)?,
            name(&f.impact)?,
            f.title,
            f.why,
            f.detail,
            f.evidence.to_string(),
            fix,
            f.duration_ms as i64
        ])?;
    }
    Ok(())
}

/// The findings of a run, in insertion order (which is reading order).
pub fn of_run(conn: &Connection, run_id: i64) -> Result<Vec<Finding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT check_id, area, stage, subject, status, impact, title, why, detail, evidence, fix, duration_ms
         FROM findings WHERE run_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([run_id], |r| {
        Ok(Finding {
            id: r.get(0)?,
            area: parse(r.get(1)?)?,
            stage: preflight_core::Stage::try_from(r.get::<_, u8>(2)?)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Integer, e.into()))?,
            subject: r.get(3)?,
            status: parse(r.get(4)?)?,
            impact: parse(r.get(5)?)?,
            title: r.get(6)?,
            why: r.get(7)?,
            detail: r.get(8)?,
            evidence: json(r.get(9)?)?,
            fix: json(r.get(10)?)?,
            duration_ms: r.get::<_, i64>(11)? as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
