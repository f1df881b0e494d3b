//! Preflight's history: one SQLite file holding products, audit runs and their findings, and the
//! watcher's monitors, samples, rollups, incidents and deploys, and the runs of its paths.
//!
//! The file lives in the platform's app-data folder (or a folder the caller names, which is how
//! `PREFLIGHT_DATA_DIR` and tests work). It is opened in WAL mode with a busy timeout, migrated on
//! open by the embedded, versioned migrations, and written only by the batching [`writer`] thread.
//! Reads use their own connection. A database from a newer app version is refused untouched.
//! Several processes (the CLI in a terminal, the desktop app) may open the same file at once.

pub mod channels;
pub mod deploys;
pub mod error;
pub mod files;
pub mod findings;
pub mod incidents;
pub mod keys;
pub mod latency;
pub mod migrate;
pub mod monitors;
pub mod names;
pub mod paths;
pub mod products;
pub mod runs;
pub mod samples;
pub mod ticks;
pub mod writer;

pub use channels::ChannelRow;
pub use deploys::Deploy;
pub use error::{Result, StoreError};
pub use incidents::Incident;
pub use keys::KeyRow;
pub use latency::LatencyRow;
pub use monitors::MonitorRow;
pub use names::Decisions;
pub use paths::{NewPathRun, PathRunRow};
pub use runs::RunSummary;
pub use samples::{Sample, Window};
pub use ticks::TickRow;
pub use writer::WatchOp;

use preflight_core::Report;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The database file name inside the data folder.
pub const FILE_NAME: &str = "preflight.sqlite3";

/// The platform's data folder for Preflight (`~/.local/share/dev.preflight.desktop` on Linux,
/// `~/Library/Application Support/dev.preflight.desktop` on macOS, `%APPDATA%\dev.preflight.desktop` on Windows).
pub fn default_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("dev.preflight.desktop"))
}

/// An open history database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    writer: writer::Writer,
    reader: Mutex<Connection>,
}

/// How long a connection waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Switches a (possibly brand-new) file to WAL. SQLite takes the exclusive lock this needs without
/// consulting the busy timeout, so when another process is opening the same new file at that moment
/// the switch fails at once with "database is locked": retry it, with a short backoff, for as long as
/// the busy timeout would have waited.
fn enable_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(2);
    loop {
        let mode: rusqlite::Result<String> = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
        match mode {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database in `dir`.
    pub fn open_in(dir: &Path) -> Result<Store> {
        files::private_dir(dir).map_err(|source| StoreError::Folder { path: dir.to_owned(), source })?;
        Store::open(&dir.join(FILE_NAME))
    }

    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        // Private before the journal files exist: SQLite gives them the database's own mode.
        let private = |p: &Path| files::private_file(p).map_err(|source| StoreError::Folder { path: p.to_owned(), source });
        private(path)?;
        configure(&conn)?;
        // Refuse a newer schema before anything (even the journal mode) writes to the file.
        migrate::refuse_newer(&conn, path)?;
        // WAL: readers never block the writer and a crash cannot corrupt committed data.
        enable_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate::apply(&mut conn, path)?;
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            private(Path::new(&name))?;
        }
        let reader = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        configure(&reader)?;
        Ok(Store { path: path.to_owned(), writer: writer::Writer::spawn(conn)?, reader: Mutex::new(reader) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves a finished audit; returns its run id once committed.
    pub fn save_report(&self, report: &Report, source: &str) -> Result<i64> {
        self.writer.save_report(report, source)
    }

    /// Queues a finished audit without waiting for the commit (a failure is logged).
    pub fn queue_report(&self, report: Report, source: &str) -> Result<()> {
        self.writer.queue_report(report, source)
    }

    /// Waits until every queued write has been committed.
    pub fn flush(&self) -> Result<()> {
        self.writer.flush()
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.reader.lock().map_err(|_| StoreError::Closed)?;
        f(&conn)
    }

    /// Records the founder's decision about a found name (keep: audit it every time; drop: never
    /// offer it again), once committed.
    pub fn decide_name(&self, domain: &str, name: &str, keep: bool) -> Result<()> {
        self.writer.decide_name(domain, name, keep)
    }

    /// Records the founder's tick on checklist item `item` of `domain` (done or not, with a note),
    /// once committed.
    pub fn tick(&self, domain: &str, item: &str, done: bool, note: &str) -> Result<()> {
        self.writer.tick(domain, item, done, note)
    }

    /// The founder's ticks on `domain`'s checklist.
    pub fn ticks(&self, domain: &str) -> Result<Vec<TickRow>> {
        self.read(|c| ticks::list(c, domain))
    }

    /// Every address with a stored latency run and when it was last measured, newest first.
    pub fn latency_addresses(&self, limit: u32) -> Result<Vec<(String, i64)>> {
        self.read(|c| latency::addresses(c, limit))
    }

    /// The newest latency runs of `url` (its address without the query), newest first.
    pub fn latency_runs(&self, url: &str, limit: u32) -> Result<Vec<LatencyRow>> {
        self.read(|c| latency::list(c, url, limit))
    }

    /// The newest runs of `domain`'s paths and webhook replays, at most `per_path` of each.
    pub fn path_runs(&self, domain: &str, per_path: u32) -> Result<Vec<PathRunRow>> {
        self.read(|c| paths::recent(c, domain, per_path))
    }

    /// The newest `n` runs of `domain`'s path `kind`/`name`, newest first.
    pub fn path_runs_of(&self, domain: &str, kind: &str, name: &str, n: u32) -> Result<Vec<PathRunRow>> {
        self.read(|c| paths::of(c, domain, kind, name, n))
    }

    /// The founder's decisions about `domain`'s found names.
    pub fn decisions(&self, domain: &str) -> Result<Decisions> {
        self.read(|c| names::decisions(c, domain))
    }

    /// The newest runs, newest first, optionally of one domain.
    pub fn history(&self, domain: Option<&str>, limit: u32) -> Result<Vec<RunSummary>> {
        self.read(|c| runs::list(c, domain, limit))
    }

    /// Applies a watcher change and waits for the commit (see [`WatchOp`] for what it returns).
    pub fn watch(&self, op: WatchOp) -> Result<i64> {
        self.writer.watch(op)
    }

    /// Queues a watcher change without waiting (samples, incidents: the batch lands together).
    pub fn queue_watch(&self, op: WatchOp) -> Result<()> {
        self.writer.queue_watch(op)
    }

    /// The monitors, optionally of one product.
    pub fn monitors(&self, domain: Option<&str>) -> Result<Vec<MonitorRow>> {
        self.read(|c| monitors::list(c, domain))
    }

    pub fn monitor(&self, id: i64) -> Result<Option<MonitorRow>> {
        self.read(|c| monitors::get(c, id))
    }

    /// Uptime and latency of the monitors together over a window, from the rollups.
    pub fn window(&self, monitor_ids: &[i64], from_ms: i64, to_ms: i64) -> Result<Window> {
        self.read(|c| samples::window(c, monitor_ids, from_ms, to_ms))
    }

    /// A monitor's raw samples since `from_ms`, oldest first.
    pub fn recent_samples(&self, monitor_id: i64, from_ms: i64, limit: u32) -> Result<Vec<Sample>> {
        self.read(|c| samples::recent(c, monitor_id, from_ms, limit))
    }

    /// Failed probes of the monitors since `from_ms`.
    pub fn failures_since(&self, monitor_ids: &[i64], from_ms: i64, now_ms: i64) -> Result<u64> {
        self.read(|c| samples::failures_since(c, monitor_ids, from_ms, now_ms))
    }

    /// The newest incidents, optionally of one monitor.
    pub fn incidents(&self, monitor_id: Option<i64>, limit: u32) -> Result<Vec<Incident>> {
        self.read(|c| incidents::list(c, monitor_id, limit))
    }

    /// The keychain entries a product has (names and when they were set, never values).
    pub fn keys(&self, domain: &str) -> Result<Vec<KeyRow>> {
        self.read(|c| keys::list(c, domain))
    }

    /// The outside channels alerts go to.
    pub fn channels(&self) -> Result<Vec<ChannelRow>> {
        self.read(channels::list)
    }

    /// The newest deploys of a product.
    pub fn deploys(&self, domain: &str, limit: u32) -> Result<Vec<Deploy>> {
        self.read(|c| deploys::list(c, domain, limit))
    }

    /// A stored run as a full report, or `None` if there is no such run.
    pub fn report(&self, run_id: i64) -> Result<Option<Report>> {
        self.read(|c| {
            let Some(run) = runs::get(c, run_id)? else { return Ok(None) };
            let findings = findings::of_run(c, run_id)?;
            Ok(Some(Report::new(run.domain, run.started_at_ms, run.duration_ms as u64, findings)))
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn temp_conn() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        let mut conn = Connection::open(&path).expect("open");
        configure(&conn).expect("configure");
        migrate::apply(&mut conn, &path).expect("migrate");
        (dir, conn)
    }
}
