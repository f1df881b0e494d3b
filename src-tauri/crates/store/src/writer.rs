//! The one writer: a thread that owns the write connection and commits jobs in batches.
//!
//! Everything that changes the database goes through here, so there is never writer contention
//! (readers use WAL snapshots) and a burst of writes (many monitor samples, a large audit) becomes
//! one transaction. A crash loses at most the batch being written. Dropping the writer finishes the
//! queued jobs before the thread exits, so closing the app does not drop a saved audit.

use crate::error::{Result, StoreError};
use crate::{findings, products, runs};
use preflight_core::Report;
use rusqlite::Connection;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

/// Jobs taken per transaction at most.
const BATCH: usize = 256;

/// A change to make.
#[derive(Debug)]
pub enum Job {
    /// Save an audit report; replies with the new run id.
    SaveReport { report: Box<Report>, source: String, reply: SyncSender<Result<i64>> },
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

    /// Saves a report and waits until it is committed; returns the run id.
    pub fn save_report(&self, report: &Report, source: &str) -> Result<i64> {
        let (reply, rx) = mpsc::sync_channel(1);
        let job = Job::SaveReport { report: Box::new(report.clone()), source: source.to_owned(), reply };
        self.tx.as_ref().ok_or(StoreError::Closed)?.send(job).map_err(|_| StoreError::Closed)?;
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

fn commit(conn: &mut Connection, batch: Vec<Job>) {
    let mut replies = Vec::with_capacity(batch.len());
    let outcome = (|| -> Result<()> {
        let tx = conn.transaction()?;
        for job in batch {
            match job {
                Job::SaveReport { report, source, reply } => {
                    let result = save(&tx, &report, &source);
                    replies.push((reply, result));
                }
            }
        }
        tx.commit()?;
        Ok(())
    })();
    for (reply, result) in replies {
        let result = match (&outcome, result) {
            (Err(e), _) => Err(StoreError::Corrupt(format!("the batch was not saved: {e}"))),
            (Ok(()), r) => r,
        };
        let _ = reply.send(result);
    }
    if let Err(e) = outcome {
        tracing::error!(error = %e, "a write batch failed and was rolled back");
    }
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
