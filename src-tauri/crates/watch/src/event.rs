//! What a running watcher tells its front end: state changes (the `--format jsonl` lines), samples,
//! notices, the network verdict and detected deploys.

use crate::notice::{Notice, NoticeKind};
use crate::state::State;
use serde::Serialize;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A monitor changed state. Serialized as one `preflight watch --format jsonl` line.
    Changed {
        at: u64,
        monitor_id: i64,
        monitor: String,
        from: State,
        to: State,
        /// Why, in words (for PENDING and DOWN).
        cause: Option<String>,
        /// For a recovery from DOWN: how long it lasted.
        down_for_ms: Option<u64>,
    },
    /// One probe's result.
    Sample { at: u64, monitor_id: i64, ok: bool, latency_ms: Option<u64>, cause: Option<String> },
    /// Something to tell the founder (already grouped and past the mute).
    Notice(Notice),
    /// The connectivity guard changed its mind.
    Network { at: u64, online: bool },
    /// A notice could not be posted to an outside channel, even after retries.
    ChannelFailed { at: u64, channel: String, error: String },
    /// The server watcher said it first: it has already alerted the founder's channels, so this
    /// watcher only shows that both see it (no notification, no post).
    Agreed { at: u64, kind: NoticeKind, title: String, monitors: Vec<String>, server_at: u64 },
    /// The site started serving a new build.
    Deploy { at: u64, domain: String, version: String },
}
