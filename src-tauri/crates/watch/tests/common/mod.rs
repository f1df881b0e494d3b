//! What the watcher's integration tests share: collecting its events against a real-time deadline
//! and counting what they told.
#![allow(dead_code)]

use preflight_watch::{Event, NoticeKind};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// Collects events until `done` says so, or the real-time deadline passes.
pub async fn until(rx: &mut UnboundedReceiver<Event>, seen: &mut Vec<Event>, secs: u64, done: impl Fn(&[Event]) -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(seen) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(e)) => seen.push(e),
            Ok(None) | Err(_) => return false,
        }
    }
    true
}

/// The notices of `kind` among `seen`.
pub fn notices(seen: &[Event], kind: NoticeKind) -> usize {
    seen.iter().filter(|e| matches!(e, Event::Notice(n) if n.kind == kind)).count()
}
