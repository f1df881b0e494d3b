//! Tables `monitor_samples` and `monitor_rollups`: every probe for a short while, and per hour and
//! per day the count of probes and failures with a mergeable latency histogram.
//!
//! Rollups are updated in the same transaction as the samples they summarise, so a crash leaves
//! both or neither. Uptime and percentiles over any window are merged from rollups (hourly up to a
//! week, daily beyond), never from raw rows: 30 days of a monitor is 30 histograms, whatever the
//! interval. Retention keeps the file bounded: raw samples 2 days, hourly rollups 8 days, daily
//! rollups and incidents 400 days.

use crate::error::{Result, StoreError};
use crate::migrate::Migration;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use hdrhistogram::Histogram;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeMap;

pub const V6: Migration = Migration {
    version: 6,
    sql: "CREATE TABLE monitor_samples (
        monitor_id INTEGER NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        at_ms INTEGER NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        latency_ms INTEGER,
        cause TEXT
    );
    CREATE INDEX monitor_samples_by_time ON monitor_samples (monitor_id, at_ms);
    CREATE TABLE monitor_rollups (
        monitor_id INTEGER NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        period_ms INTEGER NOT NULL,
        start_ms INTEGER NOT NULL,
        probes INTEGER NOT NULL,
        failures INTEGER NOT NULL,
        latency BLOB NOT NULL,
        PRIMARY KEY (monitor_id, period_ms, start_ms)
    ) WITHOUT ROWID;",
};

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// How long each kind of row is kept.
pub const KEEP_RAW_MS: i64 = 2 * DAY_MS;
pub const KEEP_HOURLY_MS: i64 = 8 * DAY_MS;
pub const KEEP_DAILY_MS: i64 = 400 * DAY_MS;

/// Latencies are recorded from 1 ms to 10 minutes with two significant digits (1% error), which
/// keeps a serialized histogram at a few hundred bytes.
const LATENCY_MAX_MS: u64 = 600_000;

/// One probe's outcome as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sample {
    pub monitor_id: i64,
    pub at_ms: i64,
    pub ok: bool,
    /// How long the answer took, when there was one.
    pub latency_ms: Option<u64>,
    /// Why it failed, in words.
    pub cause: Option<String>,
}

/// Uptime and latency over a window, merged from rollups.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Window {
    pub probes: u64,
    pub failures: u64,
    /// Share of successful probes, 0–100; `None` without probes.
    pub uptime_pct: Option<f64>,
    pub p50_ms: Option<u64>,
    pub p95_ms: Option<u64>,
    pub p99_ms: Option<u64>,
}

fn new_histogram() -> Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, LATENCY_MAX_MS, 2).map_err(|e| StoreError::Corrupt(format!("latency histogram: {e:?}")))
}

fn encode(h: &Histogram<u64>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    V2Serializer::new().serialize(h, &mut out).map_err(|e| StoreError::Corrupt(format!("latency histogram: {e:?}")))?;
    Ok(out)
}

fn decode(bytes: &[u8]) -> Result<Histogram<u64>> {
    Deserializer::new().deserialize(&mut &bytes[..]).map_err(|e| StoreError::Corrupt(format!("latency histogram: {e:?}")))
}

/// One rollup row being built.
struct Bucket {
    probes: i64,
    failures: i64,
    latency: Histogram<u64>,
}

/// Writes `samples` and folds them into their hourly and daily rollups.
pub fn insert(conn: &Connection, samples: &[Sample]) -> Result<()> {
    let mut add =
        conn.prepare_cached("INSERT INTO monitor_samples (monitor_id, at_ms, ok, latency_ms, cause) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let mut buckets: BTreeMap<(i64, i64, i64), Bucket> = BTreeMap::new();
    for s in samples {
        add.execute(params![s.monitor_id, s.at_ms, s.ok, s.latency_ms.map(|v| v as i64), s.cause])?;
        for period in [HOUR_MS, DAY_MS] {
            let key = (s.monitor_id, period, s.at_ms - s.at_ms.rem_euclid(period));
            let bucket = match buckets.entry(key) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => v.insert(Bucket { probes: 0, failures: 0, latency: new_histogram()? }),
            };
            bucket.probes += 1;
            bucket.failures += i64::from(!s.ok);
            if let Some(ms) = s.latency_ms {
                bucket.latency.saturating_record(ms.clamp(1, LATENCY_MAX_MS));
            }
        }
    }
    let mut read = conn.prepare_cached(
        "SELECT probes, failures, latency FROM monitor_rollups WHERE monitor_id = ?1 AND period_ms = ?2 AND start_ms = ?3",
    )?;
    let mut write = conn.prepare_cached(
        "INSERT INTO monitor_rollups (monitor_id, period_ms, start_ms, probes, failures, latency) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (monitor_id, period_ms, start_ms) DO UPDATE SET probes = excluded.probes, failures = excluded.failures, latency = excluded.latency",
    )?;
    for ((monitor, period, start), mut b) in buckets {
        let old = read
            .query_row(params![monitor, period, start], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?)))
            .optional()?;
        if let Some((probes, failures, latency)) = old {
            b.probes += probes;
            b.failures += failures;
            b.latency.add(decode(&latency)?).map_err(|e| StoreError::Corrupt(format!("latency histogram: {e:?}")))?;
        }
        write.execute(params![monitor, period, start, b.probes, b.failures, encode(&b.latency)?])?;
    }
    Ok(())
}

/// Uptime and percentiles of `monitor_ids` (together) between `from_ms` and `to_ms`, merged from
/// hourly rollups for windows up to 8 days and daily ones beyond. A rollup counts when its period
/// starts inside the window, so the edges are exact to the hour (or day).
pub fn window(conn: &Connection, monitor_ids: &[i64], from_ms: i64, to_ms: i64) -> Result<Window> {
    let period = if to_ms - from_ms <= KEEP_HOURLY_MS { HOUR_MS } else { DAY_MS };
    let from = from_ms - from_ms.rem_euclid(period);
    let mut stmt = conn.prepare_cached(
        "SELECT probes, failures, latency FROM monitor_rollups WHERE monitor_id = ?1 AND period_ms = ?2 AND start_ms >= ?3 AND start_ms < ?4",
    )?;
    let (mut probes, mut failures) = (0u64, 0u64);
    let mut latency = new_histogram()?;
    for id in monitor_ids {
        let rows =
            stmt.query_map(params![id, period, from, to_ms], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?)))?;
        for row in rows {
            let (p, f, blob) = row?;
            probes += p.max(0) as u64;
            failures += f.max(0) as u64;
            latency.add(decode(&blob)?).map_err(|e| StoreError::Corrupt(format!("latency histogram: {e:?}")))?;
        }
    }
    let q = |quantile: f64| (!latency.is_empty()).then(|| latency.value_at_quantile(quantile));
    Ok(Window {
        probes,
        failures,
        uptime_pct: (probes > 0).then(|| 100.0 * (probes - failures.min(probes)) as f64 / probes as f64),
        p50_ms: q(0.50),
        p95_ms: q(0.95),
        p99_ms: q(0.99),
    })
}

/// The monitor's raw samples since `from_ms`, oldest first (for a sparkline), at most `limit`.
pub fn recent(conn: &Connection, monitor_id: i64, from_ms: i64, limit: u32) -> Result<Vec<Sample>> {
    let mut stmt = conn.prepare_cached(
        "SELECT monitor_id, at_ms, ok, latency_ms, cause FROM (
            SELECT * FROM monitor_samples WHERE monitor_id = ?1 AND at_ms >= ?2 ORDER BY at_ms DESC LIMIT ?3
         ) ORDER BY at_ms",
    )?;
    let rows = stmt.query_map(params![monitor_id, from_ms, limit], |r| {
        Ok(Sample {
            monitor_id: r.get(0)?,
            at_ms: r.get(1)?,
            ok: r.get(2)?,
            latency_ms: r.get::<_, Option<i64>>(3)?.map(|v| v.max(0) as u64),
            cause: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Failed probes of `monitor_ids` since `from_ms` (raw samples while they are kept, hourly rollups
/// for what is older): the "errors since the last deploy".
pub fn failures_since(conn: &Connection, monitor_ids: &[i64], from_ms: i64, now_ms: i64) -> Result<u64> {
    let raw_from = now_ms - KEEP_RAW_MS;
    let mut total = 0u64;
    for id in monitor_ids {
        let raw: i64 = conn.query_row(
            "SELECT count(*) FROM monitor_samples WHERE monitor_id = ?1 AND at_ms >= ?2 AND ok = 0",
            params![id, from_ms.max(raw_from)],
            |r| r.get(0),
        )?;
        total += raw.max(0) as u64;
        if from_ms < raw_from {
            let older: i64 = conn.query_row(
                "SELECT coalesce(sum(failures), 0) FROM monitor_rollups WHERE monitor_id = ?1 AND period_ms = ?2 AND start_ms >= ?3 AND start_ms < ?4",
                params![id, HOUR_MS, from_ms - from_ms.rem_euclid(HOUR_MS), raw_from - raw_from.rem_euclid(HOUR_MS)],
                |r| r.get(0),
            )?;
            total += older.max(0) as u64;
        }
    }
    Ok(total)
}

/// Applies retention as of `now_ms`; returns how many rows went.
pub fn prune(conn: &Connection, now_ms: i64) -> Result<usize> {
    let ids: Vec<i64> = conn.prepare("SELECT id FROM monitors")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut gone = 0;
    // Per monitor, so each delete walks the (monitor_id, time) index instead of the whole table.
    for id in ids {
        gone += conn.execute("DELETE FROM monitor_samples WHERE monitor_id = ?1 AND at_ms < ?2", params![id, now_ms - KEEP_RAW_MS])?;
        gone += conn.execute(
            "DELETE FROM monitor_rollups WHERE monitor_id = ?1 AND period_ms = ?2 AND start_ms < ?3",
            params![id, HOUR_MS, now_ms - KEEP_HOURLY_MS],
        )?;
        gone += conn.execute(
            "DELETE FROM monitor_rollups WHERE monitor_id = ?1 AND period_ms = ?2 AND start_ms < ?3",
            params![id, DAY_MS, now_ms - KEEP_DAILY_MS],
        )?;
    }
    gone += crate::incidents::prune(conn, now_ms - KEEP_DAILY_MS)?;
    gone += crate::deploys::prune(conn, now_ms - KEEP_DAILY_MS)?;
    gone += crate::latency::prune(conn, now_ms - KEEP_DAILY_MS)?;
    gone += crate::paths::prune(conn, now_ms - KEEP_DAILY_MS)?;
    Ok(gone)
}
