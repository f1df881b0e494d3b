//! Recording what the watcher sees: samples are buffered and written in batches (one transaction
//! a second at most, through the store's single writer), incidents open and close with the
//! transitions, detected deploys are marked. A crash loses at most the batch not yet handed over.

use crate::state::{State, Transition};
use preflight_store::{Sample, Store, WatchOp};
use std::sync::Arc;

/// Samples handed to the writer at once at most.
const BATCH: usize = 512;
/// Retention runs this often.
const PRUNE_EVERY_MS: u64 = 3_600_000;

#[derive(Debug)]
pub struct Recorder {
    store: Arc<Store>,
    buffer: Vec<Sample>,
    last_prune: u64,
}

impl Recorder {
    pub fn new(store: Arc<Store>) -> Recorder {
        Recorder { store, buffer: Vec::new(), last_prune: 0 }
    }

    fn queue(&self, op: WatchOp) {
        if let Err(e) = self.store.queue_watch(op) {
            tracing::error!(error = %e, "the watcher could not record");
        }
    }

    pub fn sample(&mut self, monitor_id: i64, at: u64, ok: bool, latency_ms: Option<u64>, cause: Option<String>) {
        self.buffer.push(Sample { monitor_id, at_ms: at as i64, ok, latency_ms, cause });
        if self.buffer.len() >= BATCH {
            self.flush();
        }
    }

    pub fn transition(&mut self, monitor_id: i64, t: &Transition) {
        // Samples first, so an incident never points at samples still in memory.
        self.flush();
        match (t.from, t.to) {
            (_, State::Down) => self.queue(WatchOp::OpenIncident {
                monitor_id,
                at_ms: t.since.unwrap_or(t.at) as i64,
                cause: t.cause.as_ref().map_or_else(|| "stopped answering".to_owned(), |c| c.words()),
            }),
            (_, State::Up) if t.down_for_ms.is_some() => self.queue(WatchOp::CloseIncident { monitor_id, at_ms: t.at as i64 }),
            _ => {}
        }
    }

    pub fn deploy(&mut self, domain: &str, at: u64, version: &str) {
        self.queue(WatchOp::MarkDeploy {
            domain: domain.to_owned(),
            at_ms: at as i64,
            version: Some(version.to_owned()),
            source: "detected".into(),
        });
    }

    /// Called about once a second: hands over the buffer and prunes once an hour.
    pub fn tick(&mut self, now: u64) {
        self.flush();
        if now.saturating_sub(self.last_prune) >= PRUNE_EVERY_MS {
            self.last_prune = now;
            self.queue(WatchOp::Prune { now_ms: now as i64 });
        }
    }

    pub fn flush(&mut self) {
        if !self.buffer.is_empty() {
            let batch = std::mem::take(&mut self.buffer);
            self.queue(WatchOp::Samples(batch));
        }
    }
}
