//! The one writer: a thread that owns the write connection and commits jobs in batches.
//!
//! Everything that changes the database goes through here, so there is never writer contention
//! inside a process (readers use WAL snapshots) and a burst of writes (many monitor samples, a large
//! audit) becomes one transaction. Each job runs inside its own savepoint, so a job that fails
//! leaves nothing behind while the rest of its batch still lands. A crash loses at most the batch
//! being written. Callers either wait for their job's reply or queue it and move on; dropping the
//! writer finishes the queued jobs before the thread exits, so closing the app drops no saved audit.

use crate::error::{Result, StoreError};
use crate::{findings, products, runs};
use preflight_core::Report;
use rusqlite::{Connection, Transaction};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

/// Jobs taken per transaction at most.
const BATCH: usize = 256;

/// Where a job's outcome goes: back to a waiting caller, or only to the log.
type Reply<T> = Option<SyncSender<Result<T>>>;

/// A change to make.
#[derive(Debug)]
pub enum Job {
    /// Save an audit report; replies with the new run id.
    SaveReport { report: Box<Report>, source: String, reply: Reply<i64> },
    /// Record the decision about a found name.
    DecideName { domain: String, name: String, keep: bool, reply: SyncSender<Result<()>> },
    /// A change the watcher makes (samples, incidents, monitors, deploys); replies with a row id
    /// or a count.
    Watch { op: WatchOp, reply: Reply<i64> },
    /// Record the founder's tick on a checklist item; replies with the product id.
    Tick { domain: String, item: String, done: bool, note: String, reply: SyncSender<Result<i64>> },
    /// Replies once every job queued before it has been committed (or has failed).
    Flush { reply: SyncSender<Result<()>> },
}

/// What the watcher writes.
#[derive(Debug)]
pub enum WatchOp {
    Samples(Vec<crate::samples::Sample>),
    SaveMonitor {
        domain: String,
        spec: Box<preflight_core::monitor::MonitorSpec>,
    },
    EnableMonitor {
        id: i64,
        enabled: bool,
    },
    DeleteMonitor {
        id: i64,
    },
    OpenIncident {
        monitor_id: i64,
        at_ms: i64,
        cause: String,
    },
    CloseIncident {
        monitor_id: i64,
        at_ms: i64,
    },
    MarkDeploy {
        domain: String,
        at_ms: i64,
        version: Option<String>,
        source: String,
    },
    Prune {
        now_ms: i64,
    },
    AddChannel {
        name: String,
        kind: String,
        hint: String,
    },
    /// A latency measurement (its JSON) of an address without its query.
    SaveLatency {
        url: String,
        at_ms: i64,
        p95_ms: Option<f64>,
        measurement: serde_json::Value,
    },
    DeleteChannel {
        id: i64,
    },
    /// A product's keychain entry was set (its name and the time, never the value).
    SetKey {
        domain: String,
        name: String,
    },
    DeleteKey {
        domain: String,
        name: String,
    },
    /// A run of one of a product's paths (or a webhook replay).
    SavePathRun(Box<crate::paths::NewPathRun>),
    /// A key saved for its own host is bound to `host` unless it is bound already.
    BindKey {
        domain: String,
        name: String,
        host: String,
    },
}

impl WatchOp {
    fn apply(self, conn: &Connection) -> Result<i64> {
        let now = now_ms();
        Ok(match self {
            WatchOp::Samples(samples) => {
                crate::samples::insert(conn, &samples)?;
                samples.len() as i64
            }
            WatchOp::SaveMonitor { domain, spec } => crate::monitors::upsert(conn, &domain, &spec, now)?,
            WatchOp::EnableMonitor { id, enabled } => i64::from(crate::monitors::set_enabled(conn, id, enabled)?),
            WatchOp::DeleteMonitor { id } => i64::from(crate::monitors::delete(conn, id)?),
            WatchOp::OpenIncident { monitor_id, at_ms, cause } => crate::incidents::open(conn, monitor_id, at_ms, &cause)?,
            WatchOp::CloseIncident { monitor_id, at_ms } => i64::from(crate::incidents::close(conn, monitor_id, at_ms)?),
            WatchOp::MarkDeploy { domain, at_ms, version, source } => {
                crate::deploys::insert(conn, &domain, at_ms, version.as_deref(), &source)?
            }
            WatchOp::Prune { now_ms } => crate::samples::prune(conn, now_ms)? as i64,
            WatchOp::SaveLatency { url, at_ms, p95_ms, measurement } => crate::latency::insert(conn, &url, at_ms, p95_ms, &measurement)?,
            WatchOp::AddChannel { name, kind, hint } => crate::channels::insert(conn, &name, &kind, &hint, now)?,
            WatchOp::DeleteChannel { id } => i64::from(crate::channels::delete(conn, id)?),
            WatchOp::SetKey { domain, name } => crate::keys::upsert(conn, &domain, &name, now)?,
            WatchOp::DeleteKey { domain, name } => i64::from(crate::keys::delete(conn, &domain, &name)?),
            WatchOp::SavePathRun(run) => crate::paths::insert(conn, &run)?,
            WatchOp::BindKey { domain, name, host } => crate::keys::bind(conn, &domain, &name, &host, now)?,
        })
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Handle to the writer thread.
#[derive(Debug)]
pub struct Writer {
    tx: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn spawn(conn: Connection) -> Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("preflight-store-writer".into())
            .spawn(move || run(conn, rx))
            .map_err(|e| StoreError::Folder { path: "(writer thread)".into(), source: e })?;
        Ok(Writer { tx: Some(tx), thread: Some(thread) })
    }

    fn send(&self, job: Job) -> Result<()> {
        self.tx.as_ref().ok_or(StoreError::Closed)?.send(job).map_err(|_| StoreError::Closed)
    }

    /// Records a checklist tick and waits until it is committed.
    pub fn tick(&self, domain: &str, item: &str, done: bool, note: &str) -> Result<()> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.send(Job::Tick { domain: domain.to_owned(), item: item.to_owned(), done, note: note.to_owned(), reply })?;
        rx.recv().map_err(|_| StoreError::Closed)?.map(|_| ())
    }

    /// Saves a report and waits until it is committed; returns the run id.
    pub fn save_report(&self, report: &Report, source: &str) -> Result<i64> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.send(Job::SaveReport { report: Box::new(report.clone()), source: source.to_owned(), reply: Some(reply) })?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }

    /// Queues a report without waiting; a failure is logged. [`Writer::flush`] waits for it.
    pub fn queue_report(&self, report: Report, source: &str) -> Result<()> {
        self.send(Job::SaveReport { report: Box::new(report), source: source.to_owned(), reply: None })
    }

    /// Records a decision about a found name and waits for the commit.
    pub fn decide_name(&self, domain: &str, name: &str, keep: bool) -> Result<()> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.send(Job::DecideName { domain: domain.to_owned(), name: name.to_owned(), keep, reply })?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }

    /// Applies a watcher change and waits for the commit.
    pub fn watch(&self, op: WatchOp) -> Result<i64> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.send(Job::Watch { op, reply: Some(reply) })?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }

    /// Queues a watcher change (samples, incidents) without waiting; a failure is logged.
    pub fn queue_watch(&self, op: WatchOp) -> Result<()> {
        self.send(Job::Watch { op, reply: None })
    }

    /// Waits until everything queued so far has been written.
    pub fn flush(&self) -> Result<()> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.send(Job::Flush { reply })?;
        rx.recv().map_err(|_| StoreError::Closed)?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(mut conn: Connection, rx: Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit(&mut conn, batch);
    }
}

/// A job's outcome, delivered only after the batch's commit has decided whether it holds.
enum Done {
    Saved(Reply<i64>, Result<i64>),
    Watched(Reply<i64>, Result<i64>),
    Flushed(SyncSender<Result<()>>),
    Decided(SyncSender<Result<()>>, Result<()>),
}

fn commit(conn: &mut Connection, batch: Vec<Job>) {
    let mut done = Vec::with_capacity(batch.len());
    let outcome = (|| -> Result<()> {
        let mut tx = conn.transaction()?;
        for job in batch {
            match job {
                Job::SaveReport { report, source, reply } => {
                    done.push(Done::Saved(reply, in_savepoint(&mut tx, |c| save(c, &report, &source))));
                }
                Job::Flush { reply } => done.push(Done::Flushed(reply)),
                Job::Watch { op, reply } => done.push(Done::Watched(reply, in_savepoint(&mut tx, |c| op.apply(c)))),
                Job::Tick { domain, item, done: ticked, note, reply } => {
                    let result = in_savepoint(&mut tx, |c| crate::ticks::set(c, &domain, &item, ticked, &note, now_ms()));
                    done.push(Done::Watched(Some(reply), result));
                }
                Job::DecideName { domain, name, keep, reply } => {
                    done.push(Done::Decided(reply, crate::names::decide(&tx, &domain, &name, keep, now_ms())));
                }
            }
        }
        tx.commit()?;
        Ok(())
    })();
    if let Err(e) = &outcome {
        tracing::error!(error = %e, "a write batch failed and was rolled back");
    }
    let batch_failed = |e: &StoreError| StoreError::Corrupt(format!("the batch was not saved: {e}"));
    for d in done {
        match d {
            Done::Saved(reply, result) | Done::Watched(reply, result) => {
                let result = match &outcome {
                    Err(e) => Err(batch_failed(e)),
                    Ok(()) => result,
                };
                match reply {
                    Some(reply) => {
                        let _ = reply.send(result);
                    }
                    None => {
                        if let Err(e) = result {
                            tracing::error!(error = %e, "a queued write failed");
                        }
                    }
                }
            }
            Done::Decided(reply, result) => {
                let _ = reply.send(match &outcome {
                    Err(e) => Err(batch_failed(e)),
                    Ok(()) => result,
                });
            }
            Done::Flushed(reply) => {
                let _ = reply.send(outcome.as_ref().map(|_| ()).map_err(batch_failed));
            }
        }
    }
}

/// Runs one job inside its own savepoint: on error everything it wrote is undone, and the rest of
/// the batch is unaffected.
fn in_savepoint<T>(tx: &mut Transaction<'_>, job: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let sp = tx.savepoint()?;
    let out = job(&sp)?;
    sp.commit()?;
    Ok(out)
}

fn save(conn: &Connection, report: &Report, source: &str) -> Result<i64> {
    let product = products::ensure(conn, &report.domain, report.started_at_ms)?;
    let run = runs::insert(conn, product, report.started_at_ms, report.duration_ms, source, &report.summary)?;
    findings::insert_all(conn, run, &report.findings)?;
    let pruned = runs::prune(conn, product)?;
    if pruned > 0 {
        tracing::debug!(pruned, "old audit runs pruned");
    }
    Ok(run)
}
